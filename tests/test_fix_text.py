"""`--fix` edits the text as it is written: the bytes of each file compared whole. Hostile cases a
careful user tried: a block scalar whose last line starts with `#`, lone carriage returns and CR LF in
YAML and JSON, JSON and flow mappings, a block that keeps its blank lines, a byte order mark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.load.parsing import load_template_file
from tests.conftest import run_cli
from tests.fix_helpers import FIX_RULES, RULE


def test_a_block_scalar_ending_in_a_hash_line_goes_with_its_parameter(tmp_path: Path) -> None:
    """The `# not a comment` line is the last line of Unused's Description, not a comment before Age:
    left behind it would become part of Age's `Default: |` block, and the rule's input would change."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "Parameters:\n"
        "  Age:\n    Type: String\n    Default: |-\n      90\n"
        "  Unused:\n    Type: String\n    Description: |\n      Older keys.\n      # not a comment\n"
        "  # Rules below.\n" + RULE.replace("Resources:\n", "Resources:\n", 1)
    )
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    assert pack.read_text() == (
        "Parameters:\n  Age:\n    Type: String\n    Default: |-\n      90\n  # Rules below.\n" + RULE
    )


@pytest.mark.parametrize("newline", ["\r", "\r\r\n", "\r\n"])
def test_lines_end_where_the_parser_says_they_do(tmp_path: Path, newline: str) -> None:
    """A lone CR ends a line for the parser, so it does for the fixer: the right lines go."""
    pack = tmp_path / "pack.yaml"
    lines = [
        "Parameters:", "  Age: {Type: String, Default: '90'}", "  Unused: {Type: String, Default: x}",
        "Resources:", "  Keys:", "    Type: AWS::Config::ConfigRule", "    Properties:",
        "      ConfigRuleName: keys", "      Description: rotated keys", "      InputParameters:",
        "        maxAccessKeyAge: !Ref Age", "      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}", "",
    ]  # fmt: skip
    pack.write_bytes(newline.join(lines).encode())
    before = run_cli(["check", *FIX_RULES, "pack.yaml"], cwd=tmp_path)
    assert before.stdout.endswith("Found 1 warning in 1 file.\n1 fixable with --fix.\n")
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    # With CR CR LF every line is followed by an empty one (the parser's count): that one stays.
    gone = lines[2] + newline[0] if newline == "\r\r\n" else lines[2] + newline
    assert pack.read_bytes() == newline.join(lines).replace(gone, "", 1).encode()


def test_a_crlf_json_file_keeps_its_line_breaks(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    lines = [
        "{", '  "Parameters": {', '    "Age": {"Type": "String", "Default": "90"},',
        '    "Unused": {"Type": "String", "Default": "x"}', "  },", '  "Resources": {', '    "Keys": {',
        '      "Type": "AWS::Config::ConfigRule",', '      "Properties": {',
        '        "InputParameters": {"maxAccessKeyAge": {"Ref": "Age"}},',
        '        "Source": {"Owner": "AWS", "SourceIdentifier": "ACCESS_KEYS_ROTATED"}', "      }", "    }", "  }",
        "}", "",
    ]  # fmt: skip
    pack.write_bytes("\r\n".join(lines).encode())
    assert run_cli(["check", *FIX_RULES, "--fix", "pack.json"], cwd=tmp_path).exit_code == 0
    assert pack.read_bytes() == "\r\n".join([*lines[:2], lines[2].rstrip(","), *lines[4:]]).encode()


def test_chained_unused_conditions_go_in_one_run(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    conditions = "".join(f"  C{index}: !Not [{{Condition: C{index + 1}}}]\n" for index in range(15))
    pack.write_text("Conditions:\n" + conditions + "  C15: !Equals [a, b]\n" + RULE.replace("!Ref Age", "'90'"))
    report = run_cli(["check", *FIX_RULES, "--format", "json", "pack.yaml"], cwd=tmp_path)
    assert [f["message"] for f in report.findings][:2] == [
        "condition 'C0' is never used", "condition 'C1' is used only by unused conditions ('C0')",
    ]  # fmt: skip
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 16 findings in 1 file.\n")
    assert pack.read_text() == RULE.replace("!Ref Age", "'90'")


RULE_AND_REMEDIATION_JSON = """\
{"Resources": {
  "BucketVersioning": {
    "Type": "AWS::Config::ConfigRule",
    "Properties": {"ConfigRuleName": "v", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}
  },
  "Remediation": {
    "Properties": {"ConfigRuleName": "v", "TargetId": "AWS-ConfigureS3BucketVersioning", "TargetType": "SSM_DOCUMENT"},
    "Type": "AWS::Config::RemediationConfiguration"
  },
  "Remediation2": {
    "Type": "AWS::Config::RemediationConfiguration",
    "Properties": {"ConfigRuleName": "v", "TargetId": "AWS-ConfigureS3BucketVersioning", "TargetType": "SSM_DOCUMENT"}
  }
}}
"""
FLOW_YAML = """\
Resources:
  BucketVersioning:
    Type: AWS::Config::ConfigRule
    Properties: {ConfigRuleName: v, Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}}
  Remediation: {
    Properties: {ConfigRuleName: v, TargetId: AWS-ConfigureS3BucketVersioning, TargetType: SSM_DOCUMENT},
    Type: AWS::Config::RemediationConfiguration
  }
  Remediation2: {Type: AWS::Config::RemediationConfiguration, Properties: {ConfigRuleName: v}}
"""


@pytest.mark.parametrize(
    ("name", "text", "fixed"),
    [
        ("pack.json", RULE_AND_REMEDIATION_JSON, RULE_AND_REMEDIATION_JSON.replace(
            '    "Type": "AWS::Config::RemediationConfiguration"\n  },',
            '    "Type": "AWS::Config::RemediationConfiguration",\n    "DependsOn": "BucketVersioning"\n  },',
        ).replace(
            '    "Type": "AWS::Config::RemediationConfiguration",\n    "Properties"',
            '    "Type": "AWS::Config::RemediationConfiguration",\n    "DependsOn": "BucketVersioning",\n    "Properties"',
        )),
        ("pack.yaml", FLOW_YAML, FLOW_YAML.replace(
            "    Type: AWS::Config::RemediationConfiguration\n  }",
            '    Type: AWS::Config::RemediationConfiguration,\n    DependsOn: "BucketVersioning"\n  }',
        )),
    ],
)  # fmt: skip
def test_depends_on_is_added_in_json_and_flow_mappings_as_they_are_written(
    tmp_path: Path, name: str, text: str, fixed: str
) -> None:
    """After a last entry (no comma) the new one gets one; a flow mapping on one line is left alone."""
    pack = tmp_path / name
    pack.write_text(text)
    result = run_cli(["check", "--fix", "--select", "CP212", name], cwd=tmp_path)
    assert pack.read_text() == fixed
    leftover = 1 if name == "pack.yaml" else 0  # Remediation2's one-line flow mapping has no edit
    assert result.exit_code == leftover
    assert run_cli(["check", "--select", "CP002,CP003,CP004", name], cwd=tmp_path).exit_code == 0  # still parses


# ----- a review's attacks on issue 21's writes


def test_a_json_file_with_lone_carriage_returns_loses_only_the_unused_parameter(tmp_path: Path) -> None:
    """JSON is read with lines counted at CR as well, as the editor counts them: the unused parameter
    goes, and not a line of the used one's AllowedValues."""
    pack = tmp_path / "pack.json"
    document = {
        "Parameters": {
            "Flag": {"Type": "String", "Default": "false", "AllowedValues": ["true", "false"]},
            "Unused": {"Type": "String"},
        },
        "Resources": {"Versioning": {"Type": "AWS::Config::ConfigRule", "Properties": {
            "InputParameters": {"isMfaDeleteEnabled": {"Ref": "Flag"}},
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}},
    }  # fmt: skip
    pack.write_bytes(json.dumps(document, indent=2).replace("\n", "\r\r\n").encode())
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.json"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    del document["Parameters"]["Unused"]  # type: ignore[attr-defined]
    assert json.loads(pack.read_bytes()) == document


def test_removing_an_entry_after_a_block_that_keeps_its_blank_lines_keeps_that_block_s_value(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "Parameters:\n  Prefix:\n    Type: String\n    Default: |+\n      logs/\n\n"
        "  Unused:\n    Type: String\n    Default: x\n\n"
        "Resources:\n  Logging:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters:\n        targetPrefix: !Ref Prefix\n"
        "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_LOGGING_ENABLED}\n"
    )
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    loaded = load_template_file(pack, "pack.yaml")
    assert loaded.document is not None
    assert loaded.document.data["Parameters"] == {"Prefix": {"Type": "String", "Default": "logs/\n\n"}}  # type: ignore[index]


def test_a_byte_order_mark_is_kept_and_a_fix_on_the_first_line_is_made(tmp_path: Path) -> None:
    pack = tmp_path / "bom.json"
    text = (
        '{"Resources": {"P": {"Type": "AWS::Config::ConfigRule", "Properties": {"Source": {"Owner": "AWS", '
        '"SourceIdentifier": "IAM_PASSWORD_POLICY"}, "InputParameters": {"RequireSymbols": "TRUE"}}}}}\n'
    )
    pack.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = run_cli(["check", *FIX_RULES, "--fix", "bom.json"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    assert pack.read_bytes() == b"\xef\xbb\xbf" + text.replace('"TRUE"', '"true"').encode()
