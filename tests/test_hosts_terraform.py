"""Packs inside Terraform's aws_config_*conformance_pack resources: a heredoc checked in the .tf file,
input parameter blocks, interpolated values unknown rather than wrong, file() and templatefile() read
only inside the module, a .tf file that is not HCL or has no pack, `check .` finding stacks and
Terraform alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.hosts_helpers import BODY, HOST_RULES, _check, _rows, _stack

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


def test_a_value_not_known_hides_only_findings_about_it(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(
        'resource "aws_config_conformance_pack" "p" {\n  name = "p"\n  template_body = <<-EOT\n'
        "    Resources:\n      Topic:\n        Type: AWS::SNS::Topic\n        Properties:\n"
        "          TopicName: t-${var.env}\n  EOT\n}\n"
    )
    assert [row[0] for row in _rows(_check(tf))] == ["CP210", "CP201"]
