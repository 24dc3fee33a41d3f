"""What a new user runs first, on a real repository: each command as typed, its whole output and its
exit status."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, fenced_block, run_cli

IAM = (FIXTURES / "packs" / "iam-baseline.yaml").read_text()
S3 = (FIXTURES / "packs" / "s3-baseline.yaml").read_text()
TYPO = (
    "Resources:\n  Versioning:\n    Type: AWS::Confg::ConfigRule\n    Properties:\n"
    "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
)
COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - type: bind\n        source: ./site\n"
SHOW_FILES = "; --show-files lists them"
# The rules these packs break, and CP418's hint about the run: these tests are about which files are
# checked and how that is summed up, not about another rule's findings on them.
PACK_RULES = ("--select", "CP201,CP208,CP209,CP210,CP305,CP403,CP410,CP418")
IAM_ERRORS = ("--select", "CP403,CP410")  # the two errors of iam-baseline's that CP4 rules report
STACK = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n'


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """Two packs and one with a misspelt type, beside what else a repository holds."""
    files = {
        "packs/iam-baseline.yaml": IAM,
        "packs/s3-baseline.yaml": S3,
        "packs/typo.yaml": TYPO,
        "docker-compose.yml": COMPOSE,
        "package.json": '{"name": "site", "version": "1.0.0"}\n',
        "infra/bucket.yaml": STACK,
        "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
        "node_modules/left-pad/package.json": '{"name": "left-pad"}\n',
        "node_modules/left-pad/pack.yaml": IAM,  # a default exclude, and git-ignored too
        "generated/pack.yaml": IAM,  # git-ignored
        ".venv/lib/pack.yaml": IAM,  # hidden
        ".gitignore": "node_modules/\ngenerated/\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_check_dot_checks_the_packs_and_counts_what_it_skipped(repository: Path) -> None:
    named = run_cli(
        ["check", *PACK_RULES, "packs/iam-baseline.yaml", "packs/s3-baseline.yaml", "packs/typo.yaml"], cwd=repository
    )
    searched = run_cli(["check", *PACK_RULES, "."], cwd=repository)
    assert named.stdout.endswith("Found 5 errors, 2 warnings, 1 info in 3 files.\n")
    assert (searched.exit_code, searched.stderr) == (1, "")
    assert searched.stdout == named.stdout.replace(
        "in 3 files.\n", "in 3 files; 4 other files skipped (not conformance packs; --show-files lists them).\n"
    )
    assert "packs/typo.yaml:3:5: error CP201 unsupported-resource-type: resource type AWS::Confg::ConfigRule" in (
        searched.stdout
    )
    assert "      = fix: did you mean 'AWS::Config::ConfigRule'?\n" in searched.stdout


def test_excludes_and_gitignore_can_be_changed(repository: Path) -> None:
    def summary(*args: str) -> str:
        return run_cli(["check", *args, "."], cwd=repository).stdout.splitlines()[-1].replace(SHOW_FILES, "")

    assert summary("--extend-exclude", "packs/typo.yaml", *IAM_ERRORS) == (
        "Found 2 errors in 2 files; 4 other files skipped (not conformance packs)."
    )
    assert summary(*IAM_ERRORS, "--no-respect-gitignore") == (
        "Found 4 errors in 4 files; 4 other files skipped (not conformance packs)."  # generated/ is read
    )
    assert summary(*IAM_ERRORS, "--exclude", "generated", "--no-respect-gitignore") == (
        "Found 4 errors in 4 files; 5 other files skipped (not conformance packs)."  # node_modules/, not generated/
    )
    (repository / ".preflight.toml").write_text('extend-exclude = ["packs/iam-*.yaml"]\nselect = ["CP403", "CP410"]\n')
    assert summary() == "No problems found in 2 files; 4 other files skipped (not conformance packs)."
    named = run_cli(["check", "node_modules/left-pad/pack.yaml", *IAM_ERRORS], cwd=repository)
    assert named.stdout.splitlines()[-1] == "Found 2 errors in 1 file."  # a named file is always checked


def test_only_packs_counts_what_it_skipped() -> None:
    result = run_cli(["check", *PACK_RULES, "--only-packs", "pyproject.toml", ".pre-commit-hooks.yaml",
                      "fixtures/packs/s3-baseline.yaml"], cwd=REPO)  # fmt: skip
    assert (result.exit_code, result.stdout) == (
        0,
        "No problems found in 1 file; 2 other files skipped (not conformance packs; --show-files lists them).\n",
    )
    nothing = run_cli(["check", "--only-packs", "pyproject.toml"], cwd=REPO)
    assert (nothing.exit_code, nothing.stdout) == (
        0,
        "No conformance packs found; 1 other file skipped (not conformance packs; --show-files lists them).\n",
    )


def test_a_missing_path_is_reported_after_the_others_are_checked(repository: Path) -> None:
    result = run_cli(
        ["check", *PACK_RULES, "packs/s3-baseline.yaml", "nope.yaml", "packs/typo.yaml", "gone/"], cwd=repository
    )
    assert result.exit_code == 2
    assert result.stdout.endswith("Found 2 errors in 2 files.\n")
    assert result.stderr == (
        "preflight: error: nope.yaml: no such file or directory\npreflight: error: gone/: no such file or directory\n"
    )
    alone = run_cli(["check", "nope.yaml"], cwd=repository)
    assert (alone.exit_code, alone.stdout, alone.stderr) == (
        2,
        "",
        "preflight: error: nope.yaml: no such file or directory\n",
    )


def test_statistics_exit_zero_and_quiet(repository: Path) -> None:
    statistics = run_cli(["check", *PACK_RULES, "--statistics", "packs"], cwd=repository)
    assert (statistics.exit_code, statistics.stdout) == (1, (
        "1  CP201  error    unsupported-resource-type\n"
        "1  CP208  error    undefined-condition\n"
        "1  CP209  warning  unused-condition\n"
        "1  CP210  error    no-config-rules\n"
        "1  CP305  warning  unused-parameter\n"
        "1  CP403  error    missing-managed-rule-parameter\n"
        "1  CP410  error    invalid-account-id-in-arn\n"
        "1  CP418  info     regional-rules-without-region\n"
    ))  # fmt: skip
    as_json = run_cli(["check", *PACK_RULES, "--statistics", "--format", "JSON", "packs/typo.yaml"], cwd=repository)
    assert json.loads(as_json.stdout) == [
        {"rule": "CP201", "name": "unsupported-resource-type", "severity": "error", "count": 1},
        {"rule": "CP210", "name": "no-config-rules", "severity": "error", "count": 1},
    ]
    quiet = run_cli(["check", "-q", "--exit-zero", "--select", "CP201", "packs/typo.yaml"], cwd=repository)
    assert (quiet.exit_code, quiet.stdout) == (0, (
        "packs/typo.yaml:3:5: error CP201 unsupported-resource-type: resource type AWS::Confg::ConfigRule is not "
        "allowed in a conformance pack (only AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration)\n"
        "    3 |     Type: AWS::Confg::ConfigRule\n"
        "      |     ^~~~\n"
        "      = fix: did you mean 'AWS::Config::ConfigRule'?\n"
    ))  # fmt: skip


def test_show_settings_says_where_each_setting_came_from(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.preflight]\nignore = ["CP306"]\n[tool.preflight.per-file-ignores]\n"legacy/*.yaml" = ["CP305"]\n'
        "[tool.preflight.quotas]\nrules-per-pack = 100\n"
    )
    result = run_cli(["check", "--show-settings", "--fail-level", "warning", "--extend-exclude", "old"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, (
        f"# settings file: {tmp_path / 'pyproject.toml'}\n"
        f"# paths are relative to: {tmp_path}\n"
        'select            = ["CP", "cfn-lint"]  # default\n'
        "extend-select     = []  # default\n"
        'ignore            = ["CP306"]  # settings file\n'
        'fail-level        = "warning"  # command line\n'
        'exclude           = ["node_modules", "venv", "site-packages", "__pypackages__", "__pycache__", "build", '
        '"dist", "_build", "buck-out", "cdk.out", "target", "vendor"]  # default\n'
        'extend-exclude    = ["old"]  # command line\n'
        "respect-gitignore = true  # default\n"
        "cfn-lint          = false  # default\n"
        "\n"
        "[per-file-ignores]  # settings file\n"
        '"legacy/*.yaml" = ["CP305"]\n'
        "\n"
        "[quotas]  # settings file\n"
        "rules-per-pack = 100  # changed\n"
        "packs-per-organization = 50\n"
        "packs-per-account = 50\n"
        "rules-per-account-across-org-packs = 350\n"
        "rules-per-account-across-account-packs = 150\n"
        "rules-per-account = 1000\n"
    ))  # fmt: skip


def test_help_lists_the_exit_codes() -> None:
    result = run_cli(["check", "--help"])
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "  Exit status:\n"
        "    0  no finding at or above the fail level (default: error)\n"
        "    1  findings at or above the fail level; with --diff, something to fix\n"
        "    2  usage or settings error, a path that does not exist, a fixed file that could not\n"
        "       be written, or preflight itself failed\n"
    )


def test_per_file_ignores_match_from_the_settings_folder_or_by_name(tmp_path: Path) -> None:
    unused = (
        "Parameters:\n  P: {Type: String, Default: x}\nResources:\n  R:\n    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
    )
    for name in ("legacy/a.yaml", "sub/legacy/a.yaml", "b.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(unused)
    (tmp_path / ".preflight.toml").write_text(
        'select = ["CP305"]\n[per-file-ignores]\n"legacy/*.yaml" = ["CP305"]\n"b.yaml" = ["CP305"]\n'
    )
    result = run_cli(["check", "--format", "json", "."], cwd=tmp_path)
    assert [finding["file"] for finding in result.findings] == ["sub/legacy/a.yaml"]


def test_explain_a_cfn_lint_rule() -> None:
    result = run_cli(["explain", "cfn-lint:e3001"])
    assert (result.exit_code, result.stdout) == (0, (
        "cfn-lint:E3001 Basic CloudFormation Resource Check (a rule of cfn-lint's, run with --cfn-lint)\n\n"
        "Making sure the basic CloudFormation resources are properly configured.\n"
        "Documentation: https://github.com/aws-cloudformation/cfn-lint\n\n"
        "preflight reports the same problem as CP201 (unsupported-resource-type), CP420 (resource-schema): where "
        "both report it on one line, only the preflight finding is kept.\n"
    ))  # fmt: skip
    unknown = run_cli(["explain", "cfn-lint:E9999"])
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "preflight: error: cfn-lint has no rule 'E9999' (see `cfn-lint --list-rules`)\n",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: No such file or directory"),
        ("not json", "{path}: not JSON: Expecting value: line 1 column 1 (char 0)"),
        ('{"rules": []}', "{path}: not a managed-rule facts file (expected an object with a 'rules' object)"),
        ('{"rules": {"X": {}}}', "{path}: not a managed-rule facts file (KeyError('sources'))"),
    ],
)
def test_the_catalog_builder_says_what_is_wrong_with_its_input(
    tmp_path: Path, content: str | None, message: str
) -> None:
    import sys

    facts = tmp_path / "facts.json"
    if content is not None:
        facts.write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "preflight.knowledge.catalog", "build", str(facts), "--output", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"python -m preflight.knowledge.catalog: error: {message.format(path=facts)}\n"
    assert not (tmp_path / "out").exists()


def test_the_manual_s_request_example_runs_on_the_example_pack() -> None:
    """docs/check.md describes a request with options; pasted as it is, each option applies (no CP302
    for a parameter the pack does not declare), and the findings are the pack's own."""
    command = shlex.split(fenced_block("docs/check.md", "request-example").replace("\\\n", " "))
    assert command[:2] == ["preflight", "check"]
    result = run_cli(command[1:], cwd=REPO)
    plain = run_cli(["check", "fixtures/packs/iam-baseline.yaml"], cwd=REPO)
    assert (result.exit_code, result.stdout) == (plain.exit_code, plain.stdout)
    assert "CP302" not in result.stdout and result.exit_code == 1
