"""`--unsafe-fixes`: misspelt names are replaced only with them, an identifier with two equally near
entries or a taken name is left alone, and SARIF carries each fix as replacements, safe or unsafe,
and stays valid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.conftest import REPO, run_cli
from tests.fix_helpers import FIX_RULES

SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"


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
