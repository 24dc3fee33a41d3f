from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

PACK = (FIXTURES / "packs" / "iam-baseline.yaml").read_text()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "iam.yaml").write_text(PACK)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.yaml").write_text(PACK)
    return tmp_path


def _rules(project: Path, *args: str) -> tuple[int, list[tuple[str, str]]]:
    result = run_cli(["check", "--format", "json", *args, "packs", "legacy"], cwd=project)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, sorted({(str(f["file"]), str(f["rule"])) for f in result.findings})


def test_without_configuration_every_rule_runs(project: Path) -> None:
    code, found = _rules(project)
    assert code == 1
    # Every rule, so no fixed list: what selecting them all by hand reports, the rules these packs break among it.
    assert (code, found) == _rules(project, "--select", "CP")
    assert {rule for _, rule in found} >= {"CP208", "CP209", "CP305", "CP403", "CP410", "CP418"}


def test_pyproject_table_is_found_from_a_subdirectory(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.preflight]\nselect = ["CP209", "CP305", "CP403", "CP410", "CP418"]\n'
        'ignore = ["CP305", "CP2", "CP403"]\n'
    )
    (project / "packs" / "sub").mkdir()
    result = run_cli(["check", "--format", "json", "iam.yaml"], cwd=project / "packs")
    assert {f["rule"] for f in result.findings} == {"CP410", "CP418"}


def test_preflight_toml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.preflight]\nselect = ["CP305"]\n')
    (project / ".preflight.toml").write_text('select = ["CP410"]\n')
    _, found = _rules(project)
    assert {rule for _, rule in found} == {"CP410"}


def test_per_file_ignores_and_fail_level(project: Path) -> None:
    (project / ".preflight.toml").write_text(
        'fail-level = "warning"\nselect = ["CP305", "CP209"]\n[per-file-ignores]\n"legacy/*.yaml" = ["CP3"]\n'
    )
    code, found = _rules(project)
    assert found == [("legacy/old.yaml", "CP209"), ("packs/iam.yaml", "CP209"), ("packs/iam.yaml", "CP305")]
    assert code == 1  # warnings fail at fail-level warning
    code, _ = _rules(project, "--fail-level", "error")
    assert code == 0


def test_command_line_selection_overrides_the_file(project: Path) -> None:
    (project / ".preflight.toml").write_text('select = ["CP305"]\n')
    _, found = _rules(project, "--select", "CP208,CP410", "--ignore", "CP410")
    assert {rule for _, rule in found} == {"CP208"}


def test_quota_override_changes_the_rule_limit(project: Path) -> None:
    (project / ".preflight.toml").write_text("[quotas]\nrules-per-pack = 3\n")
    result = run_cli(["check", "--format", "json", "--select", "CP204", "packs/iam.yaml"], cwd=project)
    assert [(f["rule"], f["line"]) for f in result.findings] == [("CP204", 55)]
    assert "at most 3" in str(result.findings[0]["message"])


def test_explicit_config_file(project: Path) -> None:
    config = project / "ci.toml"
    config.write_text('select = ["CP208"]\n')
    _, found = _rules(project, "--config", str(config))
    assert {rule for _, rule in found} == {"CP208"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("selct = []\n", "unknown key 'selct'"),
        ('select = ["X1"]\n', "'X1' is not a rule id or prefix"),
        ('ignore = ["CP777"]\n', "no rule matches 'CP777'"),
        ('fail-level = "fatal"\n', "unknown severity 'fatal'"),
        ("[quotas]\nrules-per-stack = 3\n", "unknown quota 'rules-per-stack'"),
        ("[quotas]\nrules-per-pack = -1\n", "expected a non-negative integer"),
        ('[per-file-ignores]\n"*.yaml" = "CP3x"\n', "'CP3X' is not a rule id"),
        ('exclude = ["[z-a]"]\n', "exclude: '[z-a]' is not a valid glob: bad character range z-a"),
        (
            '[per-file-ignores]\n"a/[9-0].yaml" = ["CP3"]\n',
            "'a/[9-0].yaml' is not a valid glob: bad character range 9-0",
        ),
        ("select = [\n", "invalid TOML"),
        ("select = 5\n", "expected a list of rule ids"),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(project: Path, content: str, expected: str) -> None:
    (project / ".preflight.toml").write_text(content)
    result = run_cli(["check", "packs"], cwd=project)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert expected in result.stderr and ".preflight.toml" in result.stderr


@pytest.mark.parametrize(
    ("settings", "options", "expected"),
    [
        ('extend-exclude = ["x[b-a]"]\n', [], ".preflight.toml extend-exclude: 'x[b-a]' is not a valid glob"),
        ("", ["--exclude", "[z-a]"], "--exclude: '[z-a]' is not a valid glob"),
        ("", ["--extend-exclude", "legacy/[b-a]*"], "--extend-exclude: 'legacy/[b-a]*' is not a valid glob"),
    ],
)
def test_an_invalid_glob_is_refused_when_only_files_are_named(
    project: Path, settings: str, options: list[str], expected: str
) -> None:
    (project / ".preflight.toml").write_text(settings)
    pack = next(str(path.relative_to(project)) for path in sorted((project / "packs").glob("*.yaml")))
    result = run_cli(["check", "--no-cache", *options, pack], cwd=project)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("preflight: error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr and "bad character range" in result.stderr


def test_bad_selector_on_the_command_line(project: Path) -> None:
    result = run_cli(["check", "--select", "CP9000", "packs"], cwd=project)
    assert result.exit_code == 2 and "--select" in result.stderr


def test_inline_suppression_on_the_reported_line(tmp_path: Path) -> None:
    lines = PACK.splitlines()
    lines[16] += "  # preflight: ignore[CP305]"
    lines[76] += "  # preflight: ignore[CP999, cp410]"
    lines[28] += "  # preflight: ignore[CP305]"  # the wrong rule for this line: CP208 stays
    pack = tmp_path / "pack.yaml"
    pack.write_text("\n".join(lines) + "\n")
    selected = "CP009,CP208,CP209,CP305,CP403,CP410,CP418,CP999"
    result = run_cli(["check", "--format", "json", "--select", selected, str(pack)])
    assert [(f["rule"], f["line"], f["message"]) for f in result.findings if f["rule"] == "CP009"] == [
        ("CP009", 29, "ignore[CP305] suppresses nothing: no CP305 finding on this line"),
        ("CP009", 77, "ignore[CP999] suppresses nothing: no CP999 finding on this line"),
    ]
    assert [(f["rule"], f["line"]) for f in result.findings if f["rule"] != "CP009"] == [
        ("CP209", 21), ("CP418", 22), ("CP208", 29), ("CP403", 59),
    ]  # fmt: skip


def test_json_packs_suppress_in_resource_metadata_and_stale_suppressions_are_reported(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    pack.write_text(json.dumps({
        "Parameters": {"Unused": {"Type": "String", "Default": "x"}},
        "Resources": {
            "Rule": {
                "Type": "AWS::Config::ConfigRule",
                "Metadata": {"preflight": {"ignore": ["CP410", "CP404", "CP350"]}},
                "Properties": {
                    "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier":
                               "arn:aws:lambda:us-east-1:<Account-Id>:function:check",
                               "SourceDetails": [{"EventSource": "aws.config",
                                                  "MessageType": "ConfigurationItemChangeNotification"}]},
                },
            },
        },
    }, indent=1))  # fmt: skip
    result = run_cli(["check", "--format", "json", "--select", "CP009,CP305,CP404,CP410", str(pack)])
    assert [(f["rule"], f["line"], f["column"], f["message"]) for f in result.findings] == [
        ("CP305", 3, 3, "parameter 'Unused' is never used"),
        ("CP009", 13, 6, "'CP350' is not a rule id (see `preflight rules`)"),
        ("CP009", 13, 6, "ignore[CP404] suppresses nothing: no CP404 finding in this resource"),
    ]
    assert result.exit_code == 0


SCOPED_PERIODIC = """Resources:
  AccessKeysRotated:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters: {maxAccessKeyAge: "90"}
      Scope: {ComplianceResourceTypes: ["AWS::IAM::User"]}
      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
"""


@pytest.mark.parametrize(
    ("args", "configuration", "runs"),
    [
        ([], "", False),
        (["--select", "CP"], "", False),
        (["--select", "CP4"], "", False),
        (["--select", "CP411"], "", True),
        (["--extend-select", "CP411"], "", True),
        (["--extend-select", "cp411"], "", True),
        ([], 'extend-select = ["CP411"]\n', True),
        ([], 'select = ["CP4", "CP411"]\n', True),
        (["--extend-select", "CP411", "--ignore", "CP4"], "", False),
    ],
)
def test_an_opt_in_rule_runs_only_when_selected_by_its_full_id(
    tmp_path: Path, args: list[str], configuration: str, runs: bool
) -> None:
    (tmp_path / "pack.yaml").write_text(SCOPED_PERIODIC)
    if configuration:
        (tmp_path / ".preflight.toml").write_text(configuration)
    result = run_cli(["check", "--no-cache", "--format", "json", *args, "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    reported = [(f["rule"], f["severity"], f["line"]) for f in result.findings if f["rule"] == "CP411"]
    assert reported == ([("CP411", "warning", 6)] if runs else [])
