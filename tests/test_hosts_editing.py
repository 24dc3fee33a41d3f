"""Editing a pack inside its host: the language server's diagnostics in a stack, and --fix's edits
inside a stack's literal block, at its last line or after a blank first one, and none where the body
is not written line for line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.hosts_helpers import BODY, HOST_RULES, _stack


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
