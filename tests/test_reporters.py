"""The CI formats, each parsed back or validated as its consumer would."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import FIXTURES, REPO, run_cli

SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
IAM = (FIXTURES / "packs" / "iam-baseline.yaml").read_text()
CLEAN = (FIXTURES / "packs" / "s3-baseline.yaml").read_text()
# The formats are tested here, on the findings of these rules on the packs (an error and a warning each
# and more); another rule's findings on them would be no test of a format.
PACK_RULES = ("--select", "CP201,CP208,CP209,CP305,CP403,CP410")


@pytest.fixture
def packs(tmp_path: Path) -> Path:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "iam.yaml").write_text(IAM)
    (tmp_path / "packs" / "s3.yaml").write_text(CLEAN)
    return tmp_path


def _report(folder: Path, output_format: str) -> str:
    result = run_cli(["check", *PACK_RULES, "--format", output_format, "packs"], cwd=folder)
    assert result.exit_code == 1, result.stderr
    return result.stdout


@pytest.mark.skipif(not SCHEMA.is_file(), reason=f"SARIF schema not present at {SCHEMA}")
def test_sarif_is_valid_and_fingerprints_are_stable(packs: Path) -> None:
    document = json.loads(_report(packs, "sarif"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert rules[0]["id"] == "CP001" and rules[0]["help"]["text"].startswith("## What it does")
    results = run["results"]
    assert [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results
    ] == [
        ("CP305", "warning", 17),
        ("CP209", "warning", 21),
        ("CP208", "error", 29),
        ("CP403", "error", 59),
        ("CP410", "error", 77),
    ]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"packs/iam.yaml"}
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    first = [r["partialFingerprints"] for r in results]
    assert first == [r["partialFingerprints"] for r in json.loads(_report(packs, "sarif"))["runs"][0]["results"]]
    (packs / "packs" / "iam.yaml").write_text("# a comment added above moves every line\n" + IAM)
    moved = json.loads(_report(packs, "sarif"))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in moved] == first
    assert moved[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 18


def test_junit_has_a_suite_per_file_and_a_case_per_finding(packs: Path) -> None:
    root = ElementTree.fromstring(_report(packs, "junit"))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert sorted(suites) == ["packs/iam.yaml", "packs/s3.yaml"]
    iam_cases = list(suites["packs/iam.yaml"].iter("testcase"))
    assert [case.get("name") for case in iam_cases] == [
        "CP305 unused-parameter at 17:3",
        "CP209 unused-condition at 21:3",
        "CP208 undefined-condition at 29:13",
        "CP403 missing-managed-rule-parameter at 59:7",
        "CP410 invalid-account-id-in-arn at 77:17",
    ]
    # Failures follow the fail level, as the exit code does: the two warnings pass at "error".
    assert [case.find("failure") is not None for case in iam_cases] == [False, False, True, True, True]
    assert (root.get("tests"), root.get("failures")) == ("6", "3")
    clean = list(suites["packs/s3.yaml"].iter("testcase"))
    assert len(clean) == 1 and clean[0].find("failure") is None
    strict = ElementTree.fromstring(
        run_cli(["check", *PACK_RULES, "--format", "junit", "--fail-level", "warning", "packs"], cwd=packs).stdout
    )
    assert strict.get("failures") == "5"


def test_junit_survives_control_characters(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    pack.write_text('{"Resources": {"R": {"Type": "AWS::S3::Bucket\\u0002"}}}')
    result = run_cli(["check", *PACK_RULES, "--format", "junit", "pack.json"], cwd=tmp_path)
    messages = [failure.get("message") or "" for failure in ElementTree.fromstring(result.stdout).iter("failure")]
    assert any("AWS::S3::Bucket\ufffd" in message for message in messages), messages


def test_github_annotations(packs: Path) -> None:
    lines = _report(packs, "github").splitlines()
    assert lines[2] == (
        "::error file=packs/iam.yaml,line=29,col=13,endLine=29,endColumn=49,title=CP208 undefined-condition::"
        "condition 'accessKeysRotatedParamMaxAccesKeyAge' is not defined in Conditions "
        "(fix: did you mean 'accessKeysRotatedParamMaxAccessKeyAge'? It is defined and used nowhere else (CP209))"
    )
    assert [line.split(" ", 1)[0] for line in lines] == ["::warning", "::warning", "::error", "::error", "::error"]


def test_github_escapes_what_would_break_a_workflow_command(tmp_path: Path) -> None:
    pack = tmp_path / "a,b:c.yaml"
    pack.write_text("Resources:\n  R:\n    Type: AWS::S3::Bucket\n")
    result = run_cli(["check", *PACK_RULES, "--format", "github", "--select", "CP201", pack.name], cwd=tmp_path)
    assert result.stdout.startswith("::error file=a%2Cb%3Ac.yaml,line=3,col=5,")


def test_parseable(packs: Path) -> None:
    assert _report(packs, "parseable").splitlines()[2] == (
        "packs/iam.yaml:29:13: error: [CP208] condition 'accessKeysRotatedParamMaxAccesKeyAge' is not defined in "
        "Conditions"
    )


def test_output_file_with_a_summary_on_the_terminal(packs: Path) -> None:
    result = run_cli(["check", *PACK_RULES, "--format", "junit", "--output", "report.xml", "packs"], cwd=packs)
    assert result.exit_code == 1
    assert result.stdout == "Found 3 errors, 2 warnings in 2 files. Report written to report.xml.\n"
    ElementTree.parse(packs / "report.xml")
    failed = run_cli(["check", *PACK_RULES, "--output", "missing/dir/report.txt", "packs"], cwd=packs)
    assert failed.exit_code == 2 and "cannot write the report" in failed.stderr
