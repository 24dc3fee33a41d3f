"""Packs where they live: inside a CloudFormation stack (YAML or JSON, a CDK app's synthesized template
too), each finding at the line and column of the stack where that part of the pack is written; what
the stack gives the pack (its parameters, a Sub body), deploy's refusal, every report format, and
docs/hosts.md's examples. Terraform's modules: tests/test_hosts_terraform.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli
from tests.hosts_helpers import BODY, HOST_RULES, _check, _rows, _stack

UNDEFINED = "'EncryptionRuleName' is not a parameter, resource or pseudo parameter of this template"


def test_a_stack_s_pack_is_checked_where_it_is_written(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(_stack(BODY))
    result = _check(stack)
    assert result.exit_code == 1
    # The request's value of Frequency (Hourly) reaches the rule; the SNS topic and Outputs are the stack's.
    assert _rows(result) == [
        ("CP407", "error", 22, 15, "S3_BUCKET_VERSIONING_ENABLED is triggered only by configuration changes; AWS "
         "rejects a MaximumExecutionFrequency for it"),
        ("CP408", "error", 22, 15, "MaximumExecutionFrequency 'Hourly' is not one of One_Hour, Three_Hours, Six_Hours, "
         "Twelve_Hours, TwentyFour_Hours"),
        ("CP206", "error", 29, 15, "ConfigRuleName must be the rule's full name, written out: AWS Config does not "
         "support intrinsic functions (Ref) in ConfigRuleName"),
        ("CP301", "error", 29, 31, UNDEFINED),
    ]  # fmt: skip
    lines = stack.read_text().splitlines()
    assert lines[21][14:].startswith("MaximumExecutionFrequency: !Ref Frequency")
    assert lines[28][30:] == "!Ref EncryptionRuleName"
    assert [f["file"] for f in result.findings] == [str(stack)] * 4


def test_the_same_stack_with_a_correct_pack_is_clean(tmp_path: Path) -> None:
    correct = (
        BODY.replace("      MaximumExecutionFrequency: !Ref Frequency\n", "")
        .replace("!Ref EncryptionRuleName", "encryption")
        .replace("Parameters:\n  Frequency:\n    Type: String\n", "")
    )
    stack = tmp_path / "stack.yaml"
    stack.write_text(_stack(correct).replace(
        "      ConformancePackInputParameters:\n        - ParameterName: Frequency\n          ParameterValue: Hourly\n", ""
    ))  # fmt: skip
    assert (_check(stack).exit_code, _rows(_check(stack))) == (0, [])


def test_a_parameter_given_by_a_ref_in_the_stack_is_known_to_be_given(tmp_path: Path) -> None:
    body = BODY.replace("      MaximumExecutionFrequency: !Ref Frequency\n", "").replace(
        "!Ref EncryptionRuleName", "encryption"
    ).replace("Resources:\n", "Resources:\n  Noop:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
              "      ConfigRuleName: !Ref Frequency\n      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n", 1)  # fmt: skip
    stack = tmp_path / "stack.yaml"
    stack.write_text(_stack(body, value="!Ref AWS::StackName"))
    # Without the stack's value, CP303 would say Frequency has no value; a Ref's value is unknown, not missing.
    assert [row[0] for row in _rows(_check(stack))] == ["CP206"]  # a Ref in a ConfigRuleName: the pack's own error


def test_the_request_s_mistakes_are_placed_in_the_stack(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(_stack(BODY).replace('["111122223333"]', '["1111"]').replace("s3-baseline", "s3 baseline!"))
    rows = [row for row in _rows(_check(stack)) if row[0].startswith("CP1")]
    assert [(rule, line, column) for rule, _severity, line, column, _message in rows] == [
        ("CP110", 8, 40),
        ("CP120", 9, 26),
    ]


def test_a_folded_json_body_and_a_quoted_one(tmp_path: Path) -> None:
    folded = (
        "Resources:\n  Pack:\n    Type: AWS::Config::ConformancePack\n    Properties:\n"
        "      ConformancePackName: p\n      TemplateBody: >\n"
        '        {"Resources": {"R": {"Type": "AWS::Config::ConfigRule",\n'
        '        "Properties": {"ConfigRuleName": {"Ref": "Missing"},\n'
        '        "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}}}\n'
    )
    path = tmp_path / "folded.yaml"
    path.write_text(folded)
    missing = "'Missing' is not a parameter, resource or pseudo parameter of this template"
    [row] = [row for row in _rows(_check(path)) if row[0] == "CP301"]
    assert row[:3] == ("CP301", "error", 8) and row[4] == missing
    assert folded.splitlines()[7][row[3] - 1 :].startswith('"Ref": "Missing"')  # the Ref's key, as in a JSON pack
    body = '{"Resources": {"R": {"Type": "AWS::Config::ConfigRule", "Properties": {"ConfigRuleName": {"Ref": "Missing"}, ' \
        '"Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}}}'  # fmt: skip
    quoted = (
        "Resources:\n  Pack:\n    Type: AWS::Config::ConformancePack\n    Properties:\n"
        f"      ConformancePackName: p\n      TemplateBody: {json.dumps(body)}\n"
    )
    path.write_text(quoted)
    column = quoted.splitlines()[5].index('\\"Ref\\"') + 1  # an escaped quote maps to its backslash
    assert [row for row in _rows(_check(path)) if row[0] == "CP301"] == [("CP301", "error", 6, column, missing)]


def test_a_json_stack_with_escapes_as_cdk_writes_it(tmp_path: Path) -> None:
    stack = {
        "Resources": {
            "Baseline": {
                "Type": "AWS::Config::ConformancePack",
                "Properties": {
                    "ConformancePackName": "s3-baseline",
                    "TemplateBody": BODY.replace(" Frequency", " Fréquence"),
                },
            },
            "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sI"}},
        }
    }
    path = tmp_path / "Stack.template.json"
    text = json.dumps(stack, indent=1)
    path.write_text(text)
    line = text.splitlines().index(next(row for row in text.splitlines() if '"TemplateBody"' in row)) + 1
    written = text.splitlines()[line - 1]
    rows = _rows(_check(path))
    assert [(rule, found_line) for rule, _s, found_line, _c, _m in rows] == [
        ("CP303", line), ("CP407", line), ("CP206", line), ("CP301", line),
    ]  # fmt: skip
    # json.dumps writes é as \\u00e9: columns count the characters as written.
    assert written[rows[0][3] - 1 :].startswith("Fr\\u00e9quence:\\n    Type: String")
    assert written[rows[1][3] - 1 :].startswith("MaximumExecutionFrequency: !Ref Fr\\u00e9quence")
    assert written[rows[3][3] - 1 :].startswith("!Ref EncryptionRuleName")


def test_the_checked_in_cdk_output_folder(tmp_path: Path) -> None:
    result = run_cli(["check", "--no-cache", *HOST_RULES, str(FIXTURES / "hosts" / "cdk.out")])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "Found 2 errors in 1 file; 2 other files skipped (not conformance packs; --show-files lists them)."
    )
    assert "PackStack.template.json:" in result.stdout and "CP408" in result.stdout


def test_a_body_built_with_an_intrinsic_is_not_checked_and_says_so() -> None:
    result = _check(FIXTURES / "CP010" / "bad.yaml")
    assert (result.exit_code, _rows(result)) == (0, [
        ("CP010", "info", 7, 21, "the pack's TemplateBody was not checked: it is built with an intrinsic function, "
         "whose value is known only when the stack is deployed"),
    ])  # fmt: skip


def test_deploy_refuses_a_stack_and_says_why(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(_stack(BODY))
    result = run_cli(["deploy", "--dry-run", "--offline", *HOST_RULES, "--name", "x", str(stack)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"preflight: error: {stack}: a CloudFormation stack or Terraform file holding a conformance pack: deploy it "
        "with CloudFormation or Terraform (`preflight check` checks its packs), or deploy a pack's own file\n"
    )


@pytest.mark.parametrize("style", ["sarif", "github", "junit"])
def test_reports_point_at_the_stack_s_lines(tmp_path: Path, style: str) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(_stack(BODY))
    result = run_cli(["check", "--no-cache", *HOST_RULES, "--format", style, str(stack)])
    assert result.exit_code == 1
    if style == "sarif":
        regions = [
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in json.loads(result.stdout)["runs"][0]["results"]
        ]
        assert regions == [22, 22, 29, 29]
    elif style == "github":
        assert [line.split(",")[1] for line in result.stdout.splitlines() if line.startswith("::error")] == [
            "line=22",
            "line=22",
            "line=29",
            "line=29",
        ]
    else:
        assert result.stdout.count("<failure") == 4, result.stdout


def test_docs_hosts_shows_what_check_prints() -> None:
    """Each `$ preflight ...` block of docs/hosts.md is what that command prints, run from the repository."""
    from tests.conftest import REPO

    text = (REPO / "docs" / "hosts.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```text\n")[1:]]
    assert len(blocks) == 3
    for block in blocks:
        command, printed = block.split("\n", 1)
        assert command.startswith("$ preflight ")
        result = run_cli(command.split()[2:], cwd=REPO)
        assert result.stdout == printed, command


def test_a_sub_body_is_checked_with_what_the_stack_knows(tmp_path: Path) -> None:
    """`!Sub`: a parameter's Default is put in, a pseudo parameter or an unknown name stands as a value
    not known (no finding about it), and `${!Text}` is written out as `${Text}`."""
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        "Parameters:\n  Frequency:\n    Type: String\n    Default: Hourly\nResources:\n  Pack:\n"
        "    Type: AWS::Config::ConformancePack\n    Properties:\n      ConformancePackName: s\n"
        "      TemplateBody: !Sub |\n        Resources:\n          Versioning:\n"
        "            Type: AWS::Config::ConfigRule\n            Properties:\n"
        "              ConfigRuleName: versioning-${AWS::Region}\n"
        "              MaximumExecutionFrequency: ${Frequency}\n"
        "              Source:\n                Owner: AWS\n                SourceIdentifier: ${RuleId}\n"
    )
    assert _rows(_check(stack)) == [
        ("CP408", "error", 16, 15, "MaximumExecutionFrequency 'Hourly' is not one of One_Hour, Three_Hours, Six_Hours, "
         "Twelve_Hours, TwentyFour_Hours"),
    ]  # fmt: skip
    assert "fixable" not in run_cli(["check", "--no-cache", *HOST_RULES, str(stack)]).stdout


# A review attacked the hosts: each defect it found, as a test.


def test_a_pack_whose_notes_name_a_stack_type_is_still_a_pack(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "# Deployed by our stack as Type: AWS::Config::ConformancePack\nResources:\n  R:\n"
        "    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: r\n"
        "      MaximumExecutionFrequency: Hourly\n      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
    )
    assert [row[:3] for row in _rows(_check(pack))] == [("CP408", "error", 7)]
    shown = run_cli(["check", "--show-files", str(tmp_path)]).stdout.splitlines()[0]
    assert shown.endswith("checked (a conformance pack)")


def test_request_findings_point_at_the_entry_as_written(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        _stack(BODY).replace('ExcludedAccounts: ["111122223333"]', 'ExcludedAccounts: [!Ref Other, "12345"]')
    )
    [row] = [row for row in _rows(_check(stack)) if row[0] == "CP120"]
    assert stack.read_text().splitlines()[row[2] - 1][row[3] - 1 :].startswith('"12345"')
