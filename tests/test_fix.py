"""`check --fix`, `--diff` and `--unsafe-fixes` on real files: the exact bytes written, the exact diff,
the exit codes, and the same fixes in JSON, SARIF and the language server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import CORPUS, REPO, run_cli
from tests.lsp_client import LspClient

# These tests are about fixes: the rules that make them, and those whose findings a fixed pack must
# still show or no longer show. Another rule's findings on these packs are not theirs to pin.
FIX_RULES = (
    "--select",
    "CP002,CP003,CP004,CP007,CP208,CP209,CP212,CP302,CP304,CP305,CP401,CP402,CP403,CP404,CP406,CP407,CP410",
)

FEDRAMP = CORPUS / "Operational-Best-Practices-for-FedRAMP-HighPart1.yaml"
SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"

FEDRAMP_DIFF = """\
--- fedramp.yaml
+++ fedramp.yaml
@@ -32,7 +32,7 @@
     Default: '80'
     Type: String
   Ec2VolumeInuseCheckParamDeleteOnTermination:
-    Default: 'TRUE'
+    Default: 'true'
     Type: String
   GuarddutyNonArchivedFindingsParamDaysHighSev:
     Default: '1'
@@ -1151,8 +1151,8 @@
     Properties:
       ConfigRuleName: redshift-cluster-configuration-check
       InputParameters:
-        clusterDbEncrypted: 'TRUE'
-        loggingEnabled: 'TRUE'
+        clusterDbEncrypted: 'true'
+        loggingEnabled: 'true'
       Scope:
         ComplianceResourceTypes:
           - AWS::Redshift::Cluster
@@ -1174,7 +1174,7 @@
     Properties:
       ConfigRuleName: redshift-cluster-maintenancesettings-check
       InputParameters:
-        allowVersionUpgrade: 'TRUE'
+        allowVersionUpgrade: 'true'
       Scope:
         ComplianceResourceTypes:
           - AWS::Redshift::Cluster
"""


def _with_lines_replaced(text: str, replacements: dict[int, tuple[str, str]]) -> str:
    """`text` with line N (1-based) changed from exactly `old` to `new`, every other byte kept."""
    lines = text.splitlines(keepends=True)
    for number, (old, new) in replacements.items():
        assert lines[number - 1] == old, (number, lines[number - 1])
        lines[number - 1] = new
    return "".join(lines)


@pytest.mark.skipif(not FEDRAMP.is_file(), reason="AWS's sample packs are not beside the repository (../shared)")
def test_aws_fedramp_pack_s_true_booleans_are_fixed_and_nothing_else_changes(tmp_path: Path) -> None:
    original = FEDRAMP.read_text()
    pack = tmp_path / "fedramp.yaml"
    pack.write_text(original)
    fixed = _with_lines_replaced(
        original,
        {
            35: ("    Default: 'TRUE'\n", "    Default: 'true'\n"),
            1154: ("        clusterDbEncrypted: 'TRUE'\n", "        clusterDbEncrypted: 'true'\n"),
            1155: ("        loggingEnabled: 'TRUE'\n", "        loggingEnabled: 'true'\n"),
            1177: ("        allowVersionUpgrade: 'TRUE'\n", "        allowVersionUpgrade: 'true'\n"),
        },
    )

    before = run_cli(["check", *FIX_RULES, "fedramp.yaml"], cwd=tmp_path)
    assert before.exit_code == 0  # four warnings: AWS may read 'TRUE' as false
    assert before.stdout.endswith("Found 4 warnings in 1 file.\n4 fixable with --fix.\n")

    diff = run_cli(["check", *FIX_RULES, "--diff", "fedramp.yaml"], cwd=tmp_path)
    assert (diff.exit_code, diff.stdout, diff.stderr) == (1, FEDRAMP_DIFF, "Would fix 4 findings in 1 file.\n")
    assert pack.read_text() == original  # --diff writes nothing

    if shutil.which("patch"):  # the diff is one `patch -p0` applies
        patched = tmp_path / "patched"
        patched.mkdir()
        (patched / "fedramp.yaml").write_text(original)
        subprocess.run(["patch", "-p0", "--quiet"], input=diff.stdout, text=True, cwd=patched, check=True)
        assert (patched / "fedramp.yaml").read_text() == fixed

    first = run_cli(["check", *FIX_RULES, "--fix", "fedramp.yaml"], cwd=tmp_path)
    assert (first.exit_code, first.stdout, first.stderr) == (
        0, "No problems found in 1 file.\nFixed 4 findings in 1 file.\n", ""
    )  # fmt: skip
    assert pack.read_text() == fixed

    again = run_cli(["check", *FIX_RULES, "--fix", "fedramp.yaml"], cwd=tmp_path)
    assert (again.exit_code, again.stdout, again.stderr) == (0, "No problems found in 1 file.\n", "")
    assert pack.read_text() == fixed
    nothing = run_cli(["check", *FIX_RULES, "--diff", "fedramp.yaml"], cwd=tmp_path)
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (0, "", "Would fix 0 findings in 0 files.\n")


YAML_PACK = """\
# Password policy pack: kept by the platform team.
Parameters:
  MaxAge:
    Type: String
    Default: "90"  # days
  Leftover: {Type: String, Default: x}
  OnlyInCondition:
    Type: String
    Default: ""
Conditions:
  HasOnly: !Not [!Equals ["", !Ref OnlyInCondition]]
Resources:
  PasswordPolicy:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters:
        RequireSymbols: 'TRUE'   # the FedRAMP way
        MaxPasswordAge: 90
        MinimumPasswordLength: !Ref MaxAge
      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}
  ElbLogging:
    Type: AWS::Config::ConfigRule
    Properties:
      Source:
        Owner: AWS
        SourceIdentifier: ELB_LOGGING_ENABLED
      MaximumExecutionFrequency: TwentyFour_Hours
      Scope:
        ComplianceResourceTypes: [AWS::ElasticLoadBalancing::LoadBalancer]
"""

# The unused condition goes first; the parameter only it used is then unused, and goes in the next round.
YAML_FIXED = """\
# Password policy pack: kept by the platform team.
Parameters:
  MaxAge:
    Type: String
    Default: "90"  # days
Resources:
  PasswordPolicy:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters:
        RequireSymbols: 'true'   # the FedRAMP way
        MaxPasswordAge: "90"
        MinimumPasswordLength: !Ref MaxAge
      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}
  ElbLogging:
    Type: AWS::Config::ConfigRule
    Properties:
      Source:
        Owner: AWS
        SourceIdentifier: ELB_LOGGING_ENABLED
      Scope:
        ComplianceResourceTypes: [AWS::ElasticLoadBalancing::LoadBalancer]
"""


def test_every_safe_fix_in_yaml_keeps_comments_quoting_and_order(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(YAML_PACK)
    before = run_cli(["check", *FIX_RULES, "--format", "json", "pack.yaml"], cwd=tmp_path).findings
    assert [(f["rule"], f["line"], f["applicability"]) for f in before] == [
        ("CP305", 6, "safe"), ("CP209", 11, "safe"), ("CP404", 17, "safe"), ("CP406", 18, "safe"),
        ("CP407", 27, "safe"),
    ]  # fmt: skip
    assert before[3] == {
        "rule": "CP406", "name": "non-string-input-parameter", "severity": "warning", "file": "pack.yaml",
        "line": 18, "column": 9, "end_line": 18, "end_column": 23, "origin": None,
        "path": ["Resources", "PasswordPolicy", "Properties", "InputParameters", "MaxPasswordAge"],
        "message": "InputParameters value MaxPasswordAge: 90 is not a string", "fix": 'quote it: MaxPasswordAge: "90"',
        "edits": [{"line": 18, "column": 25, "end_line": 18, "end_column": 27, "text": '"90"'}],
        "applicability": "safe",
        "accounts": [],
    }  # fmt: skip

    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "No problems found in 1 file.\nFixed 6 findings in 1 file.\n", ""
    )  # fmt: skip
    assert pack.read_text() == YAML_FIXED
    again = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (again.exit_code, again.stdout) == (0, "No problems found in 1 file.\n")
    assert pack.read_text() == YAML_FIXED


JSON_PACK = """\
{
  "Parameters": {
    "MaxAge": {"Type": "String", "Default": "90"},
    "Leftover": {"Type": "String", "Default": "x"}
  },
  "Conditions": {
    "Never": {"Fn::Equals": ["a", "b"]}
  },
  "Resources": {
    "PasswordPolicy": {
      "Type": "AWS::Config::ConfigRule",
      "Properties": {
        "InputParameters": {"MaxPasswordAge": {"Ref": "MaxAge"}, "RequireSymbols": true, "RequireNumbers": "True"},
        "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}
      }
    },
    "ElbLogging": {
      "Type": "AWS::Config::ConfigRule",
      "Properties": {
        "Source": {"Owner": "AWS", "SourceIdentifier": "ELB_LOGGING_ENABLED"},
        "MaximumExecutionFrequency": "One_Hour"
      }
    }
  }
}
"""

# The last entry of a mapping goes with the comma before it; a section left empty goes whole.
JSON_DIFF = """\
--- pack.json
+++ pack.json
@@ -1,24 +1,19 @@
 {
   "Parameters": {
-    "MaxAge": {"Type": "String", "Default": "90"},
-    "Leftover": {"Type": "String", "Default": "x"}
+    "MaxAge": {"Type": "String", "Default": "90"}
   },
-  "Conditions": {
-    "Never": {"Fn::Equals": ["a", "b"]}
-  },
   "Resources": {
     "PasswordPolicy": {
       "Type": "AWS::Config::ConfigRule",
       "Properties": {
-        "InputParameters": {"MaxPasswordAge": {"Ref": "MaxAge"}, "RequireSymbols": true, "RequireNumbers": "True"},
+        "InputParameters": {"MaxPasswordAge": {"Ref": "MaxAge"}, "RequireSymbols": "true", "RequireNumbers": "true"},
         "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}
       }
     },
     "ElbLogging": {
       "Type": "AWS::Config::ConfigRule",
       "Properties": {
-        "Source": {"Owner": "AWS", "SourceIdentifier": "ELB_LOGGING_ENABLED"},
-        "MaximumExecutionFrequency": "One_Hour"
+        "Source": {"Owner": "AWS", "SourceIdentifier": "ELB_LOGGING_ENABLED"}
       }
     }
   }
"""


def test_fixes_in_json_keep_it_json(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    pack.write_text(JSON_PACK)
    diff = run_cli(["check", *FIX_RULES, "--diff", "pack.json"], cwd=tmp_path)
    assert (diff.exit_code, diff.stdout, diff.stderr) == (1, JSON_DIFF, "Would fix 5 findings in 1 file.\n")
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.json"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 5 findings in 1 file.\n")
    document = json.loads(pack.read_text())
    assert list(document) == ["Parameters", "Resources"]
    assert document["Resources"]["PasswordPolicy"]["Properties"]["InputParameters"] == {
        "MaxPasswordAge": {"Ref": "MaxAge"}, "RequireSymbols": "true", "RequireNumbers": "true",
    }  # fmt: skip


UNSAFE_PACK = """\
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLE}
  Keys:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters:
        MaxAccessKeyAge: "90"
      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
  Policy:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters:
        RequireSymbols: True
      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}
"""


def test_misspelt_names_are_replaced_only_with_unsafe_fixes(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(UNSAFE_PACK)
    report = run_cli(["check", *FIX_RULES, "pack.yaml"], cwd=tmp_path)
    assert report.exit_code == 1
    assert report.stdout.endswith(
        "Found 3 errors, 1 warning in 1 file.\n1 fixable with --fix (2 more with --unsafe-fixes).\n"  # CP401: a misspelling
    )

    safe = run_cli(["check", *FIX_RULES, "--fix", "--format", "json", "pack.yaml"], cwd=tmp_path)
    assert (safe.exit_code, safe.stderr) == (1, "Fixed 1 finding in 1 file.\n")  # not in the JSON document
    assert [(f["rule"], f["applicability"]) for f in safe.findings] == [
        ("CP401", "unsafe"), ("CP403", None), ("CP402", "unsafe"),
    ]  # fmt: skip
    assert safe.findings[0]["edits"] == [
        {"line": 5, "column": 46, "end_line": 5, "end_column": 73, "text": "S3_BUCKET_VERSIONING_ENABLED"}
    ]
    assert pack.read_text() == UNSAFE_PACK.replace("RequireSymbols: True", 'RequireSymbols: "true"')

    unsafe = run_cli(["check", *FIX_RULES, "--fix", "--unsafe-fixes", "pack.yaml"], cwd=tmp_path)
    assert (unsafe.exit_code, unsafe.stdout) == (0, "No problems found in 1 file.\nFixed 2 findings in 1 file.\n")
    assert pack.read_text() == (
        UNSAFE_PACK.replace("RequireSymbols: True", 'RequireSymbols: "true"')
        .replace("S3_BUCKET_VERSIONING_ENABLE}", "S3_BUCKET_VERSIONING_ENABLED}")
        .replace("MaxAccessKeyAge:", "maxAccessKeyAge:")
    )


def test_an_identifier_with_two_equally_near_entries_or_a_taken_name_is_left_alone(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    text = (
        "Resources:\n  Keys:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {maxAccessKeyAge: '90', MaxAccessKeyAge: '90'}\n"
        "      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}\n"
        "  Nothing:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: NOTHING_LIKE_ANY_RULE_AT_ALL}\n"
    )
    pack.write_text(text)
    result = run_cli(["check", *FIX_RULES, "--diff", "--unsafe-fixes", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Would fix 0 findings in 0 files.\n")
    assert [
        f["edits"] for f in run_cli(["check", *FIX_RULES, "--format", "json", "pack.yaml"], cwd=tmp_path).findings
    ] == [[], []]


def test_sarif_carries_the_fix_as_replacements_and_stays_valid(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(UNSAFE_PACK)
    sarif = json.loads(run_cli(["check", *FIX_RULES, "--format", "sarif", "pack.yaml"], cwd=tmp_path).stdout)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    artifact = {"uri": "pack.yaml", "uriBaseId": "%SRCROOT%"}
    fixes = {result["ruleId"]: result.get("fixes") for result in sarif["runs"][0]["results"]}
    assert fixes["CP403"] is None
    assert fixes["CP406"] == [
        {
            "description": {"text": 'quote it: RequireSymbols: "true" (applied by --fix)'},
            "artifactChanges": [
                {
                    "artifactLocation": artifact,
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 16, "startColumn": 25, "endLine": 16, "endColumn": 29},
                            "insertedContent": {"text": '"true"'},
                        }
                    ],
                }
            ],
        }
    ]
    assert fixes["CP402"] == [
        {
            "description": {
                "text": "parameter names are case-sensitive: use 'maxAccessKeyAge' (unsafe: applied by --unsafe-fixes)"
            },
            "artifactChanges": [
                {
                    "artifactLocation": artifact,
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 10, "startColumn": 9, "endLine": 10, "endColumn": 24},
                            "insertedContent": {"text": "maxAccessKeyAge"},
                        }
                    ],
                }
            ],
        }
    ]


def test_fix_refuses_standard_input_but_diff_shows_it(tmp_path: Path) -> None:
    refused = run_cli(["check", *FIX_RULES, "--fix", "-"], stdin=YAML_PACK, cwd=tmp_path)
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == "preflight: error: --fix writes files and cannot write standard input: use --diff\n"
    shown = run_cli(
        ["check", *FIX_RULES, "--diff", "-", "--stdin-filename", "pack.yaml"], stdin=YAML_PACK, cwd=tmp_path
    )
    assert shown.exit_code == 1
    assert shown.stdout.startswith("--- pack.yaml\n+++ pack.yaml\n@@ -3,19 +3,13 @@\n")
    assert shown.stderr == "Would fix 6 findings in 1 file.\n"


def test_a_diff_escapes_what_acts_on_a_terminal_or_a_ci_log_and_says_patch_cannot_apply_it(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_bytes(YAML_PACK.replace("\n", "\r").encode())  # lines ended by a lone CR: one line to patch
    result = run_cli(["check", *FIX_RULES, "--diff", "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 1 and "\r" not in result.stdout
    assert result.stdout.startswith(
        "--- pack.yaml\n+++ pack.yaml\n@@ -1 +1 @@\n-# Password policy pack: kept by the "
        "platform team.\\rParameters:\\r"
    )
    assert result.stdout.endswith("\n\\ No newline at end of file\n")
    assert result.stderr == (
        "Would fix 6 findings in 1 file.\n"
        "preflight: warning: pack.yaml: the diff escapes control characters the file holds, so patch cannot apply "
        "the diff; use --fix\n"
    )


def test_a_diff_into_a_pipe_keeps_direction_overrides_so_patch_applies_it_and_a_terminal_sees_them_escaped(
    tmp_path: Path,
) -> None:
    from preflight.fix.files import _diff

    text = YAML_PACK.replace("# the FedRAMP way", "# the \u202egnp.exe way")  # a right-to-left override
    pack = tmp_path / "pack.yaml"
    pack.write_text(text)
    result = run_cli(["check", *FIX_RULES, "--diff", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (1, "Would fix 6 findings in 1 file.\n")
    assert "+        RequireSymbols: 'true'   # the \u202egnp.exe way\n" in result.stdout
    patched = tmp_path / "patched"
    patched.mkdir()
    (patched / "pack.yaml").write_text(text)
    applied = subprocess.run(["patch", "-p0", "-s"], input=result.stdout, text=True, cwd=patched, check=False)
    assert applied.returncode == 0
    assert (patched / "pack.yaml").read_text() == run_fixed(tmp_path, text)
    shown, escaped = _diff("pack.yaml", text, text.replace("# the", "# one"), terminal=True)
    assert escaped and "\u202e" not in shown and "# one \\u202egnp.exe way" in shown


def run_fixed(folder: Path, text: str) -> str:
    """`text` as --fix leaves it."""
    fixing = folder / "fixing"
    fixing.mkdir()
    (fixing / "pack.yaml").write_text(text)
    run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=fixing)
    return (fixing / "pack.yaml").read_text()


def _opened(folder: Path, uri: str, text: str, language: str) -> LspClient:
    """A language server started in `folder`, with `text` open as `uri`; the project's settings select
    FIX_RULES, as the command line does."""
    selected = ", ".join(f'"{rule_id}"' for rule_id in FIX_RULES[1].split(","))
    (folder / ".preflight.toml").write_text(f"select = [{selected}]\n")
    client = LspClient(folder)
    client.request("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}
    )
    return client


def test_the_language_server_offers_the_fix_as_a_code_action(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    text = (
        "Resources:\n  Policy:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {RequireSymbols: 'TRUE', MaxPasswordAge: 'ninety'}\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
    )
    pack.write_text(text)
    uri = pack.as_uri()
    client = _opened(tmp_path, uri, text, "yaml")
    try:
        diagnostics = client.diagnostics(uri)
        assert [(d["code"], d["range"]["start"]) for d in diagnostics] == [
            ("CP404", {"line": 4, "character": 24}), ("CP404", {"line": 4, "character": 48}),
        ]  # fmt: skip
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 6, "character": 0}}
        answer = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
        )
        edit_range = {"start": {"line": 4, "character": 40}, "end": {"line": 4, "character": 46}}
        assert answer["result"] == [
            {
                "title": "preflight: CP404: replace with \"'true'\"",  # what the edit does
                "kind": "quickfix",
                "diagnostics": [diagnostics[0]],
                "isPreferred": True,
                "edit": {"changes": {uri: [{"range": edit_range, "newText": "'true'"}]}},
            }
        ]  # 'ninety' has no fix: no action for it
        fixed = text.replace("'TRUE'", "'true'")
        client.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}
        )
        assert [d["code"] for d in client.diagnostics(uri)] == ["CP404"]  # only 'ninety' is left
        assert client.shutdown() == 0
    finally:
        client.kill()


POLICY_PACK = (
    "Resources:\n  Policy:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters:\n"
    "        RequireSymbols: TRUE\n      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
)
POLICY_FIXED = POLICY_PACK.replace("TRUE", '"true"')


def test_a_symbolic_link_stays_a_link_and_its_target_is_fixed(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text(POLICY_PACK)
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    result = run_cli(["check", *FIX_RULES, "--fix", "link.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    assert (tmp_path / "link.yaml").is_symlink() and (tmp_path / "real.yaml").read_text() == POLICY_FIXED


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


def test_a_file_nobody_may_write_is_not_rewritten_and_the_exit_status_is_2(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(POLICY_PACK)
    pack.chmod(0o444)
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout.endswith("Found 1 warning in 1 file.\n1 fixable with --fix.\n")
    assert result.stderr == (
        "preflight: error: pack.yaml: cannot write the fixed file: nobody may write it (its mode is read-only)\n"
    )
    assert pack.read_text() == POLICY_PACK


def test_a_template_two_packs_of_a_spec_share_gets_only_the_fixes_both_agree_on(tmp_path: Path) -> None:
    """Pack a passes Unused1, so it is not unused there: removing it would break pack a (CP302)."""
    (tmp_path / "packs").mkdir()
    shared = tmp_path / "packs" / "shared.yaml"
    shared.write_text(
        "Parameters:\n  Unused1: {Type: String, Default: a}\n  Unused2: {Type: String, Default: b}\n"
        + POLICY_PACK.replace("TRUE", "'TRUE'")
    )
    (tmp_path / "spec.yaml").write_text(
        "packs:\n  - {name: pack-a, template: packs/shared.yaml, parameters: {Unused1: b}}\n"
        "  - {name: pack-b, template: packs/shared.yaml}\n"
    )
    diff = run_cli(["check", *FIX_RULES, "--diff", "--spec", "spec.yaml"], cwd=tmp_path)
    assert (diff.exit_code, diff.stderr) == (1, "Would fix 2 findings in 1 file.\n")
    assert diff.stdout.count("--- packs/shared.yaml\n") == 1
    result = run_cli(["check", *FIX_RULES, "--fix", "--spec", "spec.yaml"], cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout.endswith("Fixed 2 findings in 1 file.\n")
    assert shared.read_text() == "Parameters:\n  Unused1: {Type: String, Default: a}\n" + POLICY_PACK.replace(
        "TRUE", "'true'"
    )


def test_a_fix_that_would_add_an_error_is_not_made(tmp_path: Path) -> None:
    """Removing the frequency of C would remove the anchor D's alias reads: a syntax error."""
    pack = tmp_path / "anchor.yaml"
    text = (
        "Resources:\n  C:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: ELB_LOGGING_ENABLED}\n"
        "      MaximumExecutionFrequency: &f TwentyFour_Hours\n"
        "  D:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n      MaximumExecutionFrequency: *f\n"
        "  E:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {RequireSymbols: 'TRUE'}\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
    )
    pack.write_text(text)
    result = run_cli(["check", *FIX_RULES, "--fix", "--format", "json", "anchor.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (1, "Fixed 1 finding in 1 file.\n")
    assert pack.read_text() == text.replace("'TRUE'", "'true'")  # the other edit of the round is made
    assert [finding["rule"] for finding in result.findings] == ["CP407", "CP007"]


def test_a_code_action_s_range_counts_utf16_units_on_lines_as_the_editor_counts_them(tmp_path: Path) -> None:
    """U+2028 is no line break to LSP (nor to the parser), and an emoji before the edit is two UTF-16 units."""
    pack = tmp_path / "pack.json"
    text = (
        '{"Description": "a\u2028b",\n "Resources": {"P": {"Type": "AWS::Config::ConfigRule", "Properties": {\n'
        ' "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}, "InputParameters": {\n'
        '"RequireSymbols": "\U0001f600", "RequireNumbers": "TRUE"}}}}}\n'
    )
    pack.write_text(text)
    uri = pack.as_uri()
    client = _opened(tmp_path, uri, text, "json")
    try:
        diagnostics = [d for d in client.diagnostics(uri) if d.get("data")]
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 0}}
        answer = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
        )
        [action] = answer["result"]
        [edit] = action["edit"]["changes"][uri]
        line = text.split("\n")[3]
        start = len(line[: line.index('"TRUE"')].encode("utf-16-le")) // 2
        assert edit == {
            "range": {"start": {"line": 3, "character": start}, "end": {"line": 3, "character": start + 6}},
            "newText": '"true"',
        }
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_edits_tried_one_by_one_keep_their_places_when_the_parameters_come_last(tmp_path: Path) -> None:
    """The frequency's removal would add an error (its anchor), so each edit is tried alone; the
    boolean fixes land in the parameters' Defaults, below the removed line's finding."""
    pack = tmp_path / "pack.yaml"
    text = (
        "Resources:\n  C:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: ELB_LOGGING_ENABLED}\n"
        "      MaximumExecutionFrequency: &f TwentyFour_Hours\n"
        "  D:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n      MaximumExecutionFrequency: *f\n"
        "  E:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters:\n"
        "        RequireSymbols: !Ref Flag\n        RequireNumbers: !Ref Other\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
        "Parameters:\n  Unused: {Type: String, Default: x}\n  Flag: {Type: String, Default: 'TRUE'}\n"
        "  Other: {Type: String, Default: 'FALSE'}\n"
    )
    pack.write_text(text)
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (1, "Fixed 3 findings in 1 file.")
    assert pack.read_text() == (
        text.replace("  Unused: {Type: String, Default: x}\n", "")
        .replace("'TRUE'", "'true'")
        .replace("'FALSE'", "'false'")
    )


def test_packs_that_name_one_template_differently_share_its_fixes(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    shared = tmp_path / "packs" / "shared.yaml"
    original = "Parameters:\n  Unused1: {Type: String, Default: a}\n" + POLICY_PACK
    shared.write_text(original)
    (tmp_path / "spec.yaml").write_text(
        "packs:\n  - {name: pack-a, template: packs/shared.yaml, parameters: {Unused1: b}}\n"
        f"  - {{name: pack-b, template: {shared}}}\n  - {{name: pack-c, template: packs/../packs/shared.yaml}}\n"
    )
    result = run_cli(["check", *FIX_RULES, "--fix", "--spec", "spec.yaml"], cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout.endswith("Fixed 1 finding in 1 file.\n")
    assert shared.read_text() == original.replace("TRUE", '"true"')


def test_a_hard_linked_file_that_cannot_be_written_whole_is_left_as_it_was(tmp_path: Path) -> None:
    """Under a file-size limit the fixed text fits nowhere; the file and its other name keep every byte."""
    resource = pytest.importorskip("resource")
    pack = tmp_path / "pack.yaml"
    text = "# " + "x" * 3000 + "\n" + POLICY_PACK.replace("TRUE", "True")  # the fix makes it 2 bytes longer
    pack.write_text(text)
    (tmp_path / "other.yaml").hardlink_to(pack)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(text.encode()), len(text.encode())))

    result = subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "check", *FIX_RULES, "--no-cache", "--fix", "pack.yaml"],
        cwd=tmp_path, capture_output=True, text=True, preexec_fn=limited, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        2,
        "preflight: error: pack.yaml: cannot write the fixed file: File too large\n",
    )
    assert pack.read_text() == text and (tmp_path / "other.yaml").read_text() == text


CONDITION_FOR_MISSING = """\
Parameters:
  IamUserUnusedCredentialsCheckParamMaxCredentialUsageAge:
    Type: String
    Default: "90"
Conditions:
  iamUserUnusedCredentialsCheckParamMaxCredentialUsageAge: !Not [!Equals ["", !Ref IamUserUnusedCredentialsCheckParamMaxCredentialUsageAge]]
Resources:
  IamUserUnusedCredentialsCheck:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: IAM_USER_UNUSED_CREDENTIALS_CHECK}
"""


def test_the_condition_a_missing_parameter_s_repair_needs_is_kept_and_the_hints_meet(tmp_path: Path) -> None:
    """AWS's packs declare a parameter and a condition for each optional input; when the rule lacks the
    input (CP403), the unused condition (CP209) is what the repair uses: --fix keeps it, and each hint
    names the other finding."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(CONDITION_FOR_MISSING)
    condition = "iamUserUnusedCredentialsCheckParamMaxCredentialUsageAge"
    parameter = "IamUserUnusedCredentialsCheckParamMaxCredentialUsageAge"
    repair = f"maxCredentialUsageAge: !If [{condition}, !Ref {parameter}, !Ref AWS::NoValue]"
    result = run_cli(["check", *FIX_RULES, "--format", "json", "pack.yaml"], cwd=tmp_path)
    assert [(f["rule"], f["line"], f["fix"], f["edits"]) for f in result.findings] == [
        ("CP209", 6, f"keep it: IamUserUnusedCredentialsCheck (line 8) lacks the required parameter "
                     f"'maxCredentialUsageAge' (CP403); add {repair} to its InputParameters", []),
        ("CP403", 11, f"add InputParameters: {{{repair}}} (the template declares {parameter} and the condition "
                      f"{condition} for it, and uses neither, CP209)", []),
    ]  # fmt: skip
    fixed = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert fixed.exit_code == 1 and pack.read_text() == CONDITION_FOR_MISSING


def test_a_quick_fix_is_titled_by_what_its_edit_does(tmp_path: Path) -> None:
    """A hint may offer more than the edit makes ("remove it, or use it"): the code action says what
    applying it does."""
    pack = tmp_path / "pack.yaml"
    text = (
        "Conditions:\n  Unused: !Equals [a, b]\nResources:\n  Rule:\n    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
    )
    pack.write_text(text)
    uri = pack.as_uri()
    client = _opened(tmp_path, uri, text, "yaml")
    try:
        diagnostics = client.diagnostics(uri)
        assert [d["code"] for d in diagnostics] == ["CP209"]
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 7, "character": 0}}
        answer = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
        )
        assert [action["title"] for action in answer["result"]] == ["preflight: CP209: remove lines 1-2"]
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_a_diff_of_a_name_patch_refuses_says_so(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(YAML_PACK)
    result = run_cli(["check", *FIX_RULES, "--diff", "sub/../a.yaml"], cwd=tmp_path)
    assert result.exit_code == 1 and result.stdout.startswith("--- sub/../a.yaml\n")
    assert result.stderr.endswith(
        "preflight: warning: sub/../a.yaml: patch -p0 refuses such a name (blanks around it, a `..` part, or "
        "absolute), so patch cannot apply the diff; use --fix\n"
    )
