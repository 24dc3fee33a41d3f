"""The suppression stage: each file's suppressions applied once, over the findings of every pack
reported in it, with the text its loading kept (a request, params or spec file is not read again)."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.load.paths import Subject
from preflight.load.request import build_request
from preflight.model.findings import Finding, Severity, Span
from preflight.model.request import RequestInputs
from preflight.model.settings import Settings
from tests.conftest import FIXTURES, run_cli

RULES = discover_rules()
PACK = FIXTURES / "packs" / "iam-baseline.yaml"
NAME = "AccessKeysRotatedParamMaxAccessKeyAge"
OTHER = "IamPasswordPolicyParamMinimumPasswordLength"
REQUEST = f"""OrganizationConformancePackName: iam
ConformancePackInputParameters:
  - ParameterName: {NAME}
    ParameterValue: "90"
  - ParameterName: {NAME}  # preflight: ignore[CP133]
    ParameterValue: "60"
  - ParameterName: {OTHER}  # preflight: ignore[CP133]
    ParameterValue: "14"
"""


def _run(request_file: Path, *packs: Path) -> tuple[list[Finding], dict[str, dict[int, str]]]:
    request = build_request(RequestInputs(request_file=request_file))
    request_file.write_text("# rewritten after it was read\n" * 10)  # what the run shows is what was read
    inputs = tuple(PackInput(request, (Subject(str(pack), pack),)) for pack in packs)
    report = run(Job(inputs, Settings(select=("CP133", "CP009")), RULES, raise_errors=True))
    return list(report.findings), {file: dict(lines) for file, lines in report.lines.items()}


def test_a_request_file_s_suppressions_are_read_from_the_text_its_loading_kept(tmp_path: Path) -> None:
    request_file = tmp_path / "request.yaml"
    request_file.write_text(REQUEST)
    findings, lines = _run(request_file, PACK)
    unused = Finding(
        "CP009",
        "unused-suppression",
        Severity.WARNING,
        str(request_file),
        Span(
            7,
            len(f"  - ParameterName: {OTHER}  ") + 1,
            7,
            len(f"  - ParameterName: {OTHER}  # preflight: ignore[CP133]") + 1,
        ),
        (),
        "ignore[CP133] suppresses nothing: no CP133 finding on this line",
        "remove it, or name the rule of the finding it is meant for",
    )
    assert findings == [unused]
    assert lines[str(request_file)] == {7: f"  - ParameterName: {OTHER}  # preflight: ignore[CP133]"}


def test_a_suppression_used_by_one_pack_of_a_run_is_used(tmp_path: Path) -> None:
    """Two packs share the request file: its suppressions are applied once, over both packs' findings,
    so the used one is not reported as unused for the second, and the unused one is reported once."""
    request_file = tmp_path / "request.yaml"
    request_file.write_text(REQUEST)
    second = tmp_path / "second.yaml"
    second.write_text(PACK.read_text())
    findings, _lines = _run(request_file, PACK, second)
    assert [(finding.rule, finding.file, finding.span.line) for finding in findings] == [
        ("CP009", str(request_file), 7)
    ]


def test_a_terraform_pack_s_body_file_suppresses_its_own_findings(tmp_path: Path) -> None:
    """A body read with file() is where its findings are shown: its comments suppress them there."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_config_organization_conformance_pack" "baseline" {\n'
        '  name = "iam-baseline"\n'
        '  template_body = file("${path.module}/body.yaml")\n'
        "}\n"
    )
    (tmp_path / "body.yaml").write_text(
        "Parameters:\n"
        "  Unused: {Type: String, Default: x}  # preflight: ignore[CP305]\n"
        "  Unused2: {Type: String, Default: x}  # preflight: ignore[CP209]\n"
        "Resources:\n"
        "  AccessKeysRotated:\n"
        "    Type: AWS::Config::ConfigRule\n"
        "    Properties: {Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}}\n"
    )
    result = run_cli(["check", "--no-cache", "--select", "CP305,CP209,CP009", "main.tf"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (
        0,
        "body.yaml:3:3: warning CP305 unused-parameter: parameter 'Unused2' is never used\n"
        "    3 |   Unused2: {Type: String, Default: x}  # preflight: ignore[CP209]\n"
        "      |   ^~~~~~~\n"
        "      = fix: remove it, or reference it where it was meant to be used (--fix edits a pack only where its "
        "lines are written as they are, as in a literal block)\n"
        "body.yaml:3:40: warning CP009 unused-suppression: ignore[CP209] suppresses nothing: no CP209 finding on "
        "this line\n"
        "    3 |   Unused2: {Type: String, Default: x}  # preflight: ignore[CP209]\n"
        "      |                                        ^~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "      = fix: remove it, or name the rule of the finding it is meant for\n"
        "Found 2 warnings in 1 file.\n",
    )


def test_a_template_two_packs_of_a_spec_share_shows_the_lines_of_either_s_findings(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n"
        "  MaxAccessKeyAge: {Type: String}\n"
        "Resources:\n"
        "  AccessKeysRotated:\n"
        "    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n"
        "      InputParameters: {maxAccessKeyAge: !Ref MaxAccessKeyAge}\n"
        "      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}\n"
    )
    (tmp_path / "packs.yaml").write_text(
        "packs:\n"
        "  - {name: a-baseline, template: t.yaml, parameters: {MaxAccessKeyAge: '90'}}\n"
        "  - {name: b-baseline, template: t.yaml}\n"
    )
    result = run_cli(["check", "--no-cache", "--select", "CP303", "--spec", "packs.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (
        1,
        "t.yaml:2:3: error CP303 parameter-without-value: parameter 'MaxAccessKeyAge' has no Default and the "
        "request gives none\n"
        "    2 |   MaxAccessKeyAge: {Type: String}\n"
        "      |   ^~~~~~~~~~~~~~~\n"
        "      = fix: pass --param MaxAccessKeyAge=VALUE (or add a Default)\n"
        "Found 1 error in 2 files.\n",
    )


def test_an_unused_suppression_in_a_request_file_without_findings_is_reported(tmp_path: Path) -> None:
    (tmp_path / "request.yaml").write_text(
        "OrganizationConformancePackName: baseline  # preflight: ignore[CP110]\nTemplateS3Uri: s3://packs/baseline.yaml\n"
    )
    result = run_cli(["check", "--no-cache", "--select", "CP110,CP009", "--request", "request.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (
        0,
        "request.yaml:1:44: warning CP009 unused-suppression: ignore[CP110] suppresses nothing: no CP110 finding on "
        "this line\n"
        "    1 | OrganizationConformancePackName: baseline  # preflight: ignore[CP110]\n"
        "      |                                            ^~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "      = fix: remove it, or name the rule of the finding it is meant for\n"
        "Found 1 warning in 1 request (its template is in S3, not read).\n",
    )


def test_the_metadata_of_a_body_in_a_request_file_suppresses_the_body_s_findings(tmp_path: Path) -> None:
    """A TemplateBody written as a literal block is checked where it is written, in the request file:
    its resources' `Metadata` suppressions apply there, as a template's do."""
    (tmp_path / "request.yaml").write_text(
        "OrganizationConformancePackName: baseline\n"
        "TemplateBody: |\n"
        "  Resources:\n"
        "    AccessKeysRotated:\n"
        "      Type: AWS::Config::ConfigRule\n"
        "      Metadata:\n"
        "        preflight:\n"
        "          ignore: [CP403, CP405]\n"
        "      Properties:\n"
        "        Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}\n"
    )
    result = run_cli(
        ["check", "--no-cache", "--select", "CP403,CP405,CP009", "--request", "request.yaml"], cwd=tmp_path
    )
    assert (result.exit_code, result.stdout) == (
        0,
        "request.yaml:8:11: warning CP009 unused-suppression: ignore[CP405] suppresses nothing: no CP405 finding in "
        "this resource\n"
        "    8 |           ignore: [CP403, CP405]\n"
        "      |           ^~~~~~\n"
        "      = fix: remove it, or name the rule of the finding it is meant for\n"
        "Found 1 warning in 1 file.\n",
    )


@pytest.mark.parametrize("body", ["abody.yaml", "zbody.yaml"])
def test_a_body_a_terraform_file_reads_and_a_check_finds_keeps_its_metadata_suppressions(
    tmp_path: Path, body: str
) -> None:
    """The body is checked twice (as main.tf's and as a pack of the folder): its Metadata suppresses its
    finding whichever is checked first."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_config_conformance_pack" "baseline" {\n'
        '  name          = "iam-baseline"\n'
        f'  template_body = file("${{path.module}}/{body}")\n'
        "}\n"
    )
    (tmp_path / body).write_text(
        "Resources:\n"
        "  AccessKeysRotated:\n"
        "    Type: AWS::Config::ConfigRule\n"
        "    Metadata: {preflight: {ignore: [CP403]}}\n"
        "    Properties: {Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}}\n"
    )
    result = run_cli(["check", "--no-cache", "--select", "CP403,CP009", "."], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 2 files.\n")


def test_a_request_file_s_suppressions_are_judged_with_the_settings_its_pack_was_checked_with(tmp_path: Path) -> None:
    """The pack's folder selects CP305 alone: CP110 and CP302 did not run, so whether the request file's
    suppressions of them suppress anything is unknown, and none is reported."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".preflight.toml").write_text('select = ["CP305", "CP009"]\n')
    (tmp_path / "sub" / "t.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n"
        "    Properties: {Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}}\n"
    )
    (tmp_path / "request.yaml").write_text(
        "OrganizationConformancePackName: baseline  # preflight: ignore[CP110]\n"
        "ConformancePackInputParameters:\n"
        '  - {ParameterName: Unused, ParameterValue: "1"}  # preflight: ignore[CP302]\n'
    )
    result = run_cli(["check", "--no-cache", "--request", "request.yaml", "sub/t.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\n")
