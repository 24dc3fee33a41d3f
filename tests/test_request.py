"""Request context through the real command line: flags, params files in all three shapes, --request."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, run_cli

PACK = """Parameters:
  MaxAccessKeyAge:
    Type: String
    Default: "90"
    AllowedPattern: "[0-9]+"
  TargetBucket:
    Type: String
Resources:
  AccessKeysRotated:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters: {maxAccessKeyAge: !Ref MaxAccessKeyAge}
      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
  S3BucketLoggingEnabled:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters: {targetBucket: !Ref TargetBucket}
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_LOGGING_ENABLED}
"""


# These tests are about the request: its rules (CP1xx), the parameters' (CP3xx) and the type a managed
# rule's parameter takes (CP404). Other rules' findings on the pack are not theirs to pin.
REQUEST_RULES = ("--select", "CP1,CP3,CP404")


def _pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK)
    return path


def _pairs(findings: list[dict[str, object]]) -> list[tuple[str, int, str, str]]:
    return [(Path(str(f["file"])).name, int(f["line"]), str(f["rule"]), str(f["severity"])) for f in findings]  # type: ignore[call-overload]


def test_without_request_context_a_missing_value_is_a_warning(tmp_path: Path) -> None:
    result = run_cli(["check", "--format", "json", *REQUEST_RULES, str(_pack(tmp_path))])
    assert _pairs(result.findings) == [("pack.yaml", 6, "CP303", "warning")]
    assert result.exit_code == 0


def test_any_request_context_makes_it_an_error(tmp_path: Path) -> None:
    result = run_cli(["check", "--format", "json", *REQUEST_RULES, "--name", "iam", str(_pack(tmp_path))])
    assert _pairs(result.findings) == [("pack.yaml", 6, "CP303", "error")]
    assert result.exit_code == 1


def test_params_file_in_configs_shape(tmp_path: Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(
        json.dumps(
            [
                {"ParameterName": "TargetBucket", "ParameterValue": "logs"},
                {"ParameterName": "MaxAccessKeyAge", "ParameterValue": "ninety"},
            ],
            indent=2,
        )
    )
    result = run_cli(["check", "--format", "json", *REQUEST_RULES, "--params-file", str(params), str(_pack(tmp_path))])
    # The value breaks the template's AllowedPattern (CP304, at the value) and the rule's int type (CP404).
    assert _pairs(result.findings) == [("pack.yaml", 12, "CP404", "warning"), ("params.json", 8, "CP304", "error")]
    assert result.findings[1]["column"] == 5


def test_params_file_in_cloudformations_shape(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(
        "- ParameterKey: TargetBucket\n  ParameterValue: logs\n- ParameterKey: Typo\n  ParameterValue: x\n"
    )
    result = run_cli(["check", "--format", "json", *REQUEST_RULES, "--params-file", str(params), str(_pack(tmp_path))])
    assert _pairs(result.findings) == [("params.yaml", 3, "CP302", "error")]


def test_params_file_as_a_flat_mapping_and_flags_override_it(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("TargetBucket: logs\nMaxAccessKeyAge: 9x\n")
    bad = run_cli(["check", "--format", "json", *REQUEST_RULES, "--params-file", str(params), str(_pack(tmp_path))])
    assert _pairs(bad.findings) == [("pack.yaml", 12, "CP404", "warning"), ("params.yaml", 2, "CP304", "error")]
    fixed = run_cli(
        [
            "check",
            "--format",
            "json",
            *REQUEST_RULES,
            "--params-file",
            str(params),
            "--param",
            "MaxAccessKeyAge=45",
            str(_pack(tmp_path)),
        ]
    )
    assert fixed.findings == [] and fixed.exit_code == 0


def test_request_file_with_a_literal_body_reports_positions_in_the_request(tmp_path: Path) -> None:
    body = "\n".join("    " + line if line else "" for line in PACK.splitlines())
    request = tmp_path / "request.yaml"
    request.write_text(
        "OrganizationConformancePackName: iam-baseline\n"
        "ConformancePackInputParameters:\n"
        "  - {ParameterName: MaxAccessKeyAge, ParameterValue: '45'}\n"
        f"TemplateBody: |\n{body}\n"
    )
    result = run_cli(["check", "--format", "json", *REQUEST_RULES, "--request", str(request)])
    # TargetBucket is on line 6 of the body, which starts on line 5 of the request, indented 4.
    assert _pairs(result.findings) == [("request.yaml", 10, "CP303", "error")]
    assert result.findings[0]["column"] == 7


def test_request_file_as_cli_input_json_with_an_escaped_body(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "OrganizationConformancePackName": "iam_baseline",
                "TemplateBody": PACK,
                "ConformancePackInputParameters": [{"ParameterName": "TargetBucket", "ParameterValue": "logs"}],
                "ExcludedAccounts": ["123456789012", "42"],
            },
            indent=2,
        )
    )
    result = run_cli(["check", "--format", "json", *REQUEST_RULES, "--request", str(request)])
    assert _pairs(result.findings) == [
        ("request.json", 2, "CP110", "error"),
        ("request.json", 12, "CP120", "error"),
    ]
    missing_equals = run_cli(
        ["check", "--format", "json", "--request", str(request), "--name", "ok", "--param", "TargetBucket"]
    )
    assert missing_equals.exit_code == 2


def test_request_body_positions_stay_relative_to_the_body_when_they_cannot_map(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"OrganizationConformancePackName": "iam", "TemplateBody": PACK}))
    result = run_cli(["check", "--format", "json", *REQUEST_RULES, "--request", str(request)])
    assert [(f["file"], f["line"], f["rule"]) for f in result.findings] == [(f"{request}#TemplateBody", 6, "CP303")]


def test_request_with_template_in_s3_checks_the_request_alone(tmp_path: Path) -> None:
    request = tmp_path / "request.yaml"
    request.write_text(
        "ConformancePackName: account-pack\nTemplateS3Uri: s3://packs/pack.yaml\nDeliveryS3Bucket: my-results\n"
    )
    result = run_cli(["check", "--format", "json", "--request", str(request)])
    assert result.findings == [] and result.exit_code == 0
    summary = {"files": 0, "skipped": 0, "without_template": 1, "error": 0, "warning": 0, "info": 0}
    assert result.json["summary"] == summary
    text = run_cli(["check", "--request", str(request)])
    assert (text.exit_code, text.stdout) == (0, "No problems found in 1 request (its template is in S3, not read).\n")


def test_s3_size_between_300000_and_307200_bytes_is_a_warning(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    body = (FIXTURES / "CP101" / "good.yaml").read_text()
    pack.write_text("#" * (300_500 - len(body) - 1) + "\n" + body)
    result = run_cli(
        ["check", "--format", "json", "--select", "CP1", "--template-s3-uri", "s3://packs/k.yaml", str(pack)]
    )
    assert [(f["rule"], f["severity"], f["line"]) for f in result.findings] == [("CP102", "warning", 1)]
    assert result.exit_code == 0


def _one_line_error(args: list[str]) -> str:
    result = run_cli(args)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("preflight: error: ")
    return lines[0]


def test_unusable_request_inputs_are_one_line_exit_2(tmp_path: Path) -> None:
    pack = str(_pack(tmp_path))
    request = tmp_path / "request.json"
    request.write_text('{"OrganizationConformancePackName": "a", "TemplateUri": "s3://x/y"}')
    assert "has no parameter 'TemplateUri'" in _one_line_error(["check", "--request", str(request)])
    request.write_text('{"OrganizationConformancePackName": "a", "ConformancePackName": "b"}')
    assert "not both" in _one_line_error(["check", "--request", str(request)])
    request.write_text('{"ConformancePackName": "a", "TemplateS3Uri": "s3://x/y"}')
    assert "--scope says organization" in _one_line_error(
        ["check", "--scope", "organization", "--request", str(request)]
    )
    request.write_text('{"OrganizationConformancePackName": "a", "TemplateBody": "Resources: {}"}')
    assert "give no PATH" in _one_line_error(["check", "--request", str(request), pack])
    request.write_text('{"OrganizationConformancePackName": "a", "ExcludedAccounts": [123456789012]}')
    assert "request.json:1:63: an account id must be a string, not the int 123456789012" in _one_line_error(
        ["check", "--request", str(request)]
    )
    yaml_request = tmp_path / "request.yaml"
    yaml_request.write_text(
        "ConformancePackName: a\nConformancePackInputParameters:\n  - {ParameterName: A, ParameterValue: 90}\n"
    )
    assert "request.yaml:3:24: ParameterValue must be a string, not the int 90" in _one_line_error(
        ["check", "--request", str(yaml_request)]
    )
    yaml_request.write_text("OrganizationConformancePackName: a\nExcludedAccounts: [012345678901]\n")
    assert "not the int 12345678901" in _one_line_error(["check", "--request", str(yaml_request)])
    request.write_text('{"OrganizationConformancePackName": "a",')
    assert "request.json:1:" in _one_line_error(["check", "--request", str(request)])
    assert "expected NAME=VALUE" in _one_line_error(["check", "--param", "NoEquals", pack])
    assert "organization packs only" in _one_line_error(
        ["check", "--scope", "account", "--exclude-account", "123456789012", pack]
    )
    params = tmp_path / "params.yaml"
    params.write_text("- ParameterName: A\n  ParameterValue: [1, 2]\n")
    assert "params.yaml:2:3: ParameterValue must be a string" in _one_line_error(
        ["check", "--params-file", str(params), pack]
    )
    params.write_text("- ParameterName: A\n  ParameterValue: x\n  UsePreviousValue: true\n")
    assert "unknown field 'UsePreviousValue'" in _one_line_error(["check", "--params-file", str(params), pack])
    assert "no such file" in _one_line_error(["check", str(tmp_path / "missing.yaml")])
    assert "cannot read file" in _one_line_error(["check", "--params-file", str(tmp_path / "none.json"), pack])


def test_a_request_s_tags_are_sent_and_a_key_deploy_does_not_send_is_refused(tmp_path: Path) -> None:
    """Tags in a request file reach the put (they were once read and dropped); a request key deploy
    cannot send (an account pack's Scope) refuses the deploy with one line instead of being dropped."""
    pack = FIXTURES / "packs" / "s3-baseline.yaml"
    request = tmp_path / "request.yaml"
    request.write_text(
        "OrganizationConformancePackName: baseline\nTags:\n  - {Key: team, Value: platform}\n  - {Key: empty}\n"
    )
    planned = run_cli(["deploy", "--dry-run", "--offline", "--format", "json", "--request", str(request), str(pack)])
    assert planned.exit_code == 0, planned.stderr
    plan = json.loads(planned.stdout)["packs"][0]["plan"]["request"]
    assert plan["Tags"] == [{"Key": "team", "Value": "platform"}, {"Key": "empty", "Value": ""}]
    request.write_text("ConformancePackName: baseline\nScope: {TagKey: team, TagValue: platform}\n")
    refused = run_cli(["deploy", "--dry-run", "--offline", "--request", str(request), str(pack)])
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        "preflight: error: the request's Scope: deploy does not send it yet; deploy this pack with the AWS CLI, or "
        "without it\n"
    )
    request.write_text("OrganizationConformancePackName: baseline\nTags: {team: platform}\n")
    malformed = run_cli(["check", "--request", str(request), str(pack)])
    assert (malformed.exit_code, malformed.stdout) == (2, "")
    assert malformed.stderr == f"preflight: error: {request}:2:1: Tags must be a list of {{Key, Value}}\n"
