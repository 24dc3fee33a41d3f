"""`--cfn-lint`: cfn-lint's findings merged as cfn-lint:<ID>, without duplicates or the known pack
false positives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CORPUS, FIXTURES, run_cli

PACK = """Resources:
  Rule:
    Type: AWS::Config::ConfigRule
    Controls: [AC-2]
    Description: a console pack's resource-level description
    DependsOn: Missing
    Properties:
      ConfigRuleName: s3-bucket-versioning-enabled
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""


def test_cfn_lint_findings_are_merged(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK)
    plain = run_cli(["check", "--format", "json", str(pack)])
    # No rule of ours calls the console's Controls and Description, or the missing DependsOn, an error.
    assert [f for f in plain.findings if f["severity"] == "error"] == [] and plain.exit_code == 0
    merged = run_cli(["check", "--format", "json", "--cfn-lint", str(pack)])
    ours = [f for f in merged.findings if not str(f["rule"]).startswith("cfn-lint:")]
    assert ours == plain.findings
    assert [
        (f["rule"], f["severity"], f["line"], f["column"], f["path"]) for f in merged.findings if f not in ours
    ] == [("cfn-lint:E3005", "error", 6, 5, ["Resources", "Rule", "DependsOn"])]
    assert merged.exit_code == 1
    ignored = run_cli(["check", "--format", "json", "--cfn-lint", "--ignore", "cfn-lint:E3", str(pack)])
    assert ignored.findings == plain.findings


def test_duplicates_of_our_findings_are_dropped() -> None:
    pack = FIXTURES / "packs" / "iam-baseline.yaml"
    plain = run_cli(["check", "--format", "json", str(pack)])
    merged = run_cli(["check", "--format", "json", "--cfn-lint", str(pack)])
    # cfn-lint reports the mistyped condition (E1028) and the unused parameter (W2001) too: same lines as CP208/CP305.
    assert merged.findings == plain.findings


def test_the_new_rules_findings_are_not_repeated_by_cfn_lint(tmp_path: Path) -> None:
    """An undefined Ref (CP301; cfn-lint E1020), ${Name} outside Fn::Sub (CP308; E1029) and a Default
    that is an intrinsic function (CP307; E2001): one finding each, ours."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "Parameters:\n  Age: {Type: String, Default: '90'}\n  Here: {Type: String, Default: !Ref AWS::Region}\n"
        "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {maxAccessKeyAge: '${Age}', other: !Ref Nope, here: !Ref Here}\n"
        "      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}\n"
    )
    merged = run_cli(["check", "--format", "json", "--cfn-lint", "--select", "CP3,cfn-lint", str(pack)])
    assert sorted((f["rule"], f["line"]) for f in merged.findings if f["severity"] == "error") == [
        ("CP301", 8), ("CP307", 3), ("CP308", 8),
    ]  # fmt: skip


def test_embedded_bodies_keep_request_file_positions(tmp_path: Path) -> None:
    body = "\n".join("  " + line for line in PACK.splitlines())
    request = tmp_path / "request.yaml"
    request.write_text(f"OrganizationConformancePackName: pack\nTemplateBody: |\n{body}\n")
    result = run_cli(["check", "--format", "json", "--cfn-lint", "--select", "cfn-lint", "--request", str(request)])
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in result.findings] == [
        ("cfn-lint:E3005", str(request), 8, 7)
    ]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"AWS sample corpus not present at {CORPUS}")
def test_samples_have_no_false_errors_with_cfn_lint() -> None:
    plain = run_cli(["check", "--format", "json", str(CORPUS)])
    merged = run_cli(["check", "--format", "json", "--cfn-lint", str(CORPUS)])
    # cfn-lint's 164 Controls and 2 Description E3001 matches are dropped; its W2001s repeat CP305.
    assert merged.findings == plain.findings
