"""Packs where they live: inside a CloudFormation stack (YAML or JSON, a CDK app's synthesized template
too), each finding at the line and column of the stack where that part of the pack is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Run, run_cli

Row = tuple[str, str, int, int, str]  # rule, severity, line, column, message

BODY = """\
Parameters:
  Frequency:
    Type: String
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: versioning
      MaximumExecutionFrequency: !Ref Frequency
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
  Encryption:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: !Ref EncryptionRuleName
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED
"""


def _stack(body: str, value: str = "Hourly") -> str:
    indented = "".join(f"        {line}\n" if line else "\n" for line in body.splitlines())
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Alerts:
    Type: AWS::SNS::Topic
  Baseline:
    Type: AWS::Config::OrganizationConformancePack
    Properties:
      OrganizationConformancePackName: s3-baseline
      ExcludedAccounts: ["111122223333"]
      ConformancePackInputParameters:
        - ParameterName: Frequency
          ParameterValue: {value}
      TemplateBody: |
{indented}Outputs:
  Topic:
    Value: !Ref Alerts
"""


def _rows(result: Run) -> list[Row]:
    return [(str(f["rule"]), str(f["severity"]), int(f["line"]), int(f["column"]), str(f["message"]))  # type: ignore[call-overload]
            for f in result.findings]  # fmt: skip


# These tests are about where a host's pack is checked and what the host gives it: the rules whose
# findings their stacks and modules show. Another rule's findings on them are not theirs to pin.
HOST_RULES = ("--select", "CP009,CP010,CP110,CP120,CP201,CP206,CP210,CP212,CP301,CP303,CP305,CP404,CP407,CP408")


def _check(path: Path, *args: str) -> Run:
    return run_cli(["check", "--no-cache", "--format", "json", *HOST_RULES, *args, str(path)])


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


TERRAFORM = """\
variable "env" {}

resource "aws_config_organization_conformance_pack" "baseline" {
  name              = "s3-baseline"
  excluded_accounts = ["111122223333"]

  input_parameter {
    parameter_name  = "Frequency"
    parameter_value = "TwentyFour_Hours"
  }

  template_body = <<-EOT
    Parameters:
      Frequency:
        Type: String
    Resources:
      Versioning:
        Type: AWS::Config::ConfigRule
        Properties:
          ConfigRuleName: versioning-${var.env}
          MaximumExecutionFrequency: !Ref Frequency
          Source:
            Owner: AWS
            SourceIdentifier: IAM_PASSWORD_POLICY
  EOT
}
"""


def test_a_terraform_heredoc_is_checked_in_the_tf_file(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(TERRAFORM.replace('"TwentyFour_Hours"', '"Hourly"'))
    rows = _rows(_check(tf))
    # The value the input_parameter block gives reaches the rule through the Ref.
    assert rows == [
        ("CP408", "error", 21, 11, "MaximumExecutionFrequency 'Hourly' is not one of One_Hour, Three_Hours, Six_Hours, "
         "Twelve_Hours, TwentyFour_Hours"),
    ]  # fmt: skip
    assert tf.read_text().splitlines()[20][10:].startswith("MaximumExecutionFrequency: !Ref Frequency")
    # The same file with a valid value given by its input_parameter block is clean: ${var.env} is unknown, not wrong.
    tf.write_text(TERRAFORM)
    assert (_check(tf).exit_code, _rows(_check(tf))) == (0, [])


def test_a_parameter_without_a_default_is_given_by_an_input_parameter_block(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(TERRAFORM.replace("  input_parameter {", "  input_parameter_x {"))
    assert [row[:4] for row in _rows(_check(tf))] == [("CP303", "error", 14, 7)]  # Frequency: no value now


def test_an_interpolated_value_is_unknown_not_an_error(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(
        TERRAFORM.replace("IAM_PASSWORD_POLICY", "${var.rule}").replace('"TwentyFour_Hours"', "var.frequency")
    )
    assert _rows(_check(tf)) == []


def test_file_and_templatefile_check_the_file_they_name(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    template = (
        "Resources:\n  Versioning:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      ConfigRuleName: versioning-${env}\n      MaximumExecutionFrequency: ${frequency}\n"
        "      Source: {Owner: AWS, SourceIdentifier: '${rule}'}\n"
    )
    (tmp_path / "packs" / "pack.yaml.tftpl").write_text(template)
    (tmp_path / "packs" / "plain.yaml").write_text(template.replace("${", "").replace("}'", "'").replace(
        "frequency}", "Daily").replace("env}", "x").replace("rule'", "IAM_PASSWORD_POLICY'"))  # fmt: skip
    tf = tmp_path / "main.tf"
    tf.write_text(
        'resource "aws_config_conformance_pack" "templated" {\n  name = "templated"\n'
        '  template_body = templatefile("${path.module}/packs/pack.yaml.tftpl", { env = "prod", frequency = "Hourly", '
        "rule = var.rule })\n}\n"
        'resource "aws_config_conformance_pack" "plain" {\n  name = "plain"\n'
        '  template_body = file("packs/plain.yaml")\n}\n'
    )
    result = _check(tf)
    # Hourly is the literal the .tf gives; ${rule} is a variable, unknown; the plain file's Daily is its own.
    found = [(Path(str(f["file"])).name, f["rule"], f["line"], f["column"]) for f in result.findings]
    assert found == [("pack.yaml.tftpl", "CP408", 6, 7), ("plain.yaml", "CP408", 6, 7)]


def test_a_tf_file_that_is_not_hcl_or_has_no_pack(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_config_conformance_pack" "x" {\n  name = \n')
    [row] = _rows(_check(broken))
    assert row[:4] == ("CP010", "info", 2, 10) and row[4].startswith(
        "the pack's TemplateBody was not checked: python-hcl2 cannot parse it: "
    )
    other = tmp_path / "network.tf"
    other.write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    result = run_cli(["check", "--no-cache", "--show-files", str(tmp_path)])
    assert [line.split(None, 1) for line in result.stdout.splitlines()[:2]] == [
        [f"{broken}", "checked (a Terraform file holding a conformance pack, checked where it is written)"],
        [f"{other}", "skipped (a Terraform file with no aws_config_conformance_pack resource)"],
    ]


def test_check_dot_finds_stacks_and_terraform(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "stack.yaml").write_text(_stack(BODY))
    (tmp_path / "main.tf").write_text(TERRAFORM.replace('"TwentyFour_Hours"', '"Hourly"'))
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    result = run_cli(["check", "--no-cache", *HOST_RULES, "--format", "json", "."], cwd=tmp_path)
    assert sorted({(str(f["file"]), str(f["rule"])) for f in result.findings}) == [
        ("main.tf", "CP408"), ("stacks/stack.yaml", "CP206"), ("stacks/stack.yaml", "CP301"),
        ("stacks/stack.yaml", "CP407"), ("stacks/stack.yaml", "CP408"),
    ]  # fmt: skip


def test_the_language_server_gives_diagnostics_in_a_stack(tmp_path: Path) -> None:
    from tests.lsp_client import LspClient

    stack = tmp_path / "stack.yaml"
    text = _stack(BODY)
    stack.write_text(text)
    selected = ", ".join(f'"{rule_id}"' for rule_id in HOST_RULES[1].split(","))
    (tmp_path / ".preflight.toml").write_text(f"select = [{selected}]\n")
    client = LspClient(tmp_path)
    try:
        client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
        client.notify("initialized", {})
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": stack.as_uri(), "languageId": "yaml", "version": 1, "text": text}},
        )
        diagnostics = client.diagnostics(stack.as_uri())
        # No quick fix in a host: --fix, which checks the stack's own values are kept, makes them.
        assert [d.get("data") for d in diagnostics] == [None] * 4
        assert [(d["code"], d["range"]["start"]) for d in diagnostics] == [
            ("CP407", {"line": 21, "character": 14}), ("CP408", {"line": 21, "character": 14}),
            ("CP206", {"line": 28, "character": 14}), ("CP301", {"line": 28, "character": 30}),
        ]  # fmt: skip
        assert client.shutdown() == 0
    finally:
        client.kill()


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


FIXABLE = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Pack:
    Type: AWS::Config::ConformancePack
    Properties:
      ConformancePackName: p
      TemplateBody: |
        Parameters:
          Unused:
            Type: String
            Default: x
          Enabled:
            Type: String
            Default: 'TRUE'
        Resources:
          R:
            Type: AWS::Config::ConfigRule
            Properties:
              ConfigRuleName: r
              InputParameters:
                clusterDbEncrypted: !Ref Enabled
                loggingEnabled: 'true'
              Source: {Owner: AWS, SourceIdentifier: REDSHIFT_CLUSTER_CONFIGURATION_CHECK}
  Second:
    Type: AWS::Config::ConformancePack
    Properties:
      ConformancePackName: q
      TemplateBody: |2-
          Parameters:
            Unused:
              Type: String
              Default: y
          Resources:
            R:
              Type: AWS::Config::ConfigRule
              Properties:
                ConfigRuleName: r
                Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}
Outputs:
  T:
    Value: !Ref Topic
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fix_edits_inside_literal_blocks_and_nothing_else(tmp_path: Path, newline: str) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_bytes(FIXABLE.replace("\n", newline).encode())
    result = run_cli(["check", "--no-cache", *HOST_RULES, "--fix", str(stack)])
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "Fixed 3 findings in 1 file.")
    expected = (
        FIXABLE.replace("          Unused:\n            Type: String\n            Default: x\n", "")
        .replace("Default: 'TRUE'", "Default: 'true'")
        .replace(
            "          Parameters:\n            Unused:\n              Type: String\n              Default: y\n", ""
        )
    )
    assert stack.read_bytes() == expected.replace("\n", newline).encode()


def test_no_edit_is_made_where_the_body_is_not_written_line_for_line(tmp_path: Path) -> None:
    body = FIXABLE.split("TemplateBody: |\n", 1)[1].split("  Second:", 1)[0]
    body = "".join(line[8:] + "\n" for line in body.splitlines())
    stack = tmp_path / "Stack.template.json"
    stack.write_text(json.dumps({"Resources": {"Pack": {"Type": "AWS::Config::ConformancePack", "Properties": {
        "ConformancePackName": "p", "TemplateBody": body}}}}, indent=1))  # fmt: skip
    before = stack.read_bytes()
    checked = run_cli(["check", "--no-cache", *HOST_RULES, str(stack)])
    assert "fixable" not in checked.stdout and "CP305" in checked.stdout
    diff = run_cli(["check", "--no-cache", *HOST_RULES, "--diff", str(stack)])
    assert (diff.stdout, diff.stderr) == ("", "Would fix 0 findings in 0 files.\n")
    assert stack.read_bytes() == before


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


@pytest.mark.parametrize(
    "name",
    ["!Ref PackName", '!Sub "pack-${AWS::Region}"'],
)
def test_a_pack_name_the_stack_computes_is_given(tmp_path: Path, name: str) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        _stack(BODY).replace("OrganizationConformancePackName: s3-baseline", f"OrganizationConformancePackName: {name}")
    )
    assert "CP110" not in [row[0] for row in _rows(_check(stack))]
    tf = tmp_path / "main.tf"
    tf.write_text(TERRAFORM.replace('name              = "s3-baseline"', 'name              = "pack-${var.env}"'))
    assert _rows(_check(tf)) == []


def test_request_findings_point_at_the_entry_as_written(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        _stack(BODY).replace('ExcludedAccounts: ["111122223333"]', 'ExcludedAccounts: [!Ref Other, "12345"]')
    )
    [row] = [row for row in _rows(_check(stack)) if row[0] == "CP120"]
    assert stack.read_text().splitlines()[row[2] - 1][row[3] - 1 :].startswith('"12345"')


@pytest.mark.parametrize(
    ("call", "why"),
    [
        ('file("/dev/zero")', "file() names /dev/zero, outside the module: not read"),
        (
            'file("../../../../../../etc/passwd")',
            "file() names ../../../../../../etc/passwd, outside the working directory: not read",
        ),
        ('file("folder")', "file() names folder, which is not a file"),
    ],
)
def test_a_file_call_reads_only_a_file_of_the_module(tmp_path: Path, call: str, why: str) -> None:
    (tmp_path / "folder").mkdir()
    tf = tmp_path / "main.tf"
    tf.write_text(
        f'resource "aws_config_conformance_pack" "p" {{\n  name          = "p"\n  template_body = {call}\n}}\n'
    )
    result = run_cli(["check", "--no-cache", "--format", "json", *HOST_RULES, "main.tf"], cwd=tmp_path)
    assert [(f["rule"], f["line"], f["message"]) for f in result.findings] == [
        ("CP010", 3, f"the pack's TemplateBody was not checked: {why}"),
    ]


def test_directives_a_lone_surrogate_and_metadata_suppressions(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(TERRAFORM.replace("    Resources:\n", "    Resources:\n%{ for n in var.names ~}\n%{ endfor ~}\n"))
    assert [row[:2] for row in _rows(_check(tf))] == [("CP010", "info")]
    tf.write_text(
        'resource "aws_config_conformance_pack" "p" {\n  name = "p"\n'
        '  template_body = "Resources:\\n  R:\\n    Type: AWS::Config::ConfigRule\\n    Properties:\\n'
        '      ConfigRuleName: r\\ud800\\n      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\\n"\n}\n'
    )
    assert all(row[0] != "CP999" for row in _rows(_check(tf)))
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        _stack(BODY.replace("  Versioning:\n", "  Versioning:\n    Metadata: {preflight: {ignore: [CP407, CP408]}}\n"))
    )
    assert [row[0] for row in _rows(_check(stack))] == ["CP206", "CP301"]


def test_fixes_at_a_body_s_last_line_and_after_a_blank_first_line(tmp_path: Path) -> None:
    last = (
        "Resources:\n  A:\n    Type: AWS::Config::ConformancePack\n    Properties:\n      ConformancePackName: a\n"
        "      TemplateBody: |\n        Resources:\n          R:\n            Type: AWS::Config::ConfigRule\n"
        "            Properties:\n              ConfigRuleName: r\n"
        "              Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
        "              MaximumExecutionFrequency: One_Hour\nOutputs:\n  X:\n    Value: x\n"
    )
    stack = tmp_path / "last.yaml"
    stack.write_text(last)
    assert run_cli(["check", "--no-cache", *HOST_RULES, "--fix", str(stack)]).exit_code == 0
    assert stack.read_text() == last.replace("              MaximumExecutionFrequency: One_Hour\n", "")
    remediated = last.replace("      TemplateBody: |\n", "      TemplateBody: |\n\n").replace(
        "              MaximumExecutionFrequency: One_Hour\n",
        "          Fix:\n            Type: AWS::Config::RemediationConfiguration\n            Properties:\n"
        "              ConfigRuleName: r\n              TargetType: SSM_DOCUMENT\n"
        "              TargetId: AWS-ConfigureS3BucketVersioning\n",
    )
    stack.write_text(remediated)
    run_cli(["check", "--no-cache", "--select", "CP212", "--fix", str(stack)])
    assert stack.read_text() == remediated.replace(
        "            Type: AWS::Config::RemediationConfiguration\n",
        "            Type: AWS::Config::RemediationConfiguration\n            DependsOn: R\n",
    )


def test_a_value_not_known_hides_only_findings_about_it(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(
        'resource "aws_config_conformance_pack" "p" {\n  name = "p"\n  template_body = <<-EOT\n'
        "    Resources:\n      Topic:\n        Type: AWS::SNS::Topic\n        Properties:\n"
        "          TopicName: t-${var.env}\n  EOT\n}\n"
    )
    assert [row[0] for row in _rows(_check(tf))] == ["CP210", "CP201"]
