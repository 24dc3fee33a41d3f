"""`check --fix` on whole packs: AWS's FedRAMP pack, whose true booleans are fixed and nothing else,
every safe fix in a YAML pack keeping its comments, quoting and order, and the fixes of a JSON pack
keeping it JSON; the exact bytes written and the exact diff."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CORPUS, run_cli
from tests.fix_helpers import FIX_RULES, YAML_PACK

FEDRAMP = CORPUS / "Operational-Best-Practices-for-FedRAMP-HighPart1.yaml"

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
