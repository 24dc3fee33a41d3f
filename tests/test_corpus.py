"""AWS's own sample packs (public domain), read in place from ../shared/corpus/aws-samples."""

from __future__ import annotations

import collections

import pytest

from preflight.catalog import load_catalog
from tests.conftest import CORPUS, run_cli

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"AWS sample corpus not present at {CORPUS}")


def test_samples_have_no_false_errors() -> None:
    result = run_cli(["check", "--format", "json", str(CORPUS)])
    assert result.exit_code == 1, result.stderr
    summary = result.json["summary"]
    files = sorted(CORPUS.glob("*.y*ml"))
    assert summary["files"] == len(files)  # type: ignore[index]
    by_rule = collections.Counter((f["rule"], f["severity"]) for f in result.findings)
    # The only errors are true ones: <Account-Id> placeholders in the with-Remediation samples, and a
    # Scope on rules the catalog says run only periodically (AWS rejects those since 2025).
    assert {rule for rule, severity in by_rule if severity == "error"} == {"CP410", "CP411"}
    catalog = load_catalog()
    for finding in result.findings:
        if finding["rule"] == "CP410":
            assert "'<Account-Id>'" in str(finding["message"])
            assert "with-Remediation" in str(finding["file"])
        if finding["rule"] == "CP411":
            identifier = str(finding["message"]).split()[0]
            managed = catalog.get(identifier)
            assert managed is not None and managed.periodic and not managed.change_triggered, finding
    assert set(by_rule) <= {
        ("CP410", "error"),
        ("CP411", "error"),
        ("CP303", "warning"),  # parameters without Default, no request given
        ("CP305", "warning"),  # declared, never used
        ("CP210", "warning"),  # every rule switched off by the defaults (NZISM-Extension)
        ("CP404", "warning"),  # 'TRUE' for booleans (FedRAMP High, CCN-ENS Medium)
        ("CP406", "warning"),  # bare 90 and true (CIS)
    }, by_rule


def test_placeholders_are_errors_exactly_where_they_are() -> None:
    remediation = CORPUS / "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
    lines = remediation.read_text().splitlines()
    expected = [number for number, line in enumerate(lines, start=1) if "<Account-Id>" in line]
    result = run_cli(["check", "--format", "json", "--select", "CP410", str(remediation)])
    assert [f["line"] for f in result.findings] == expected and expected


def test_every_sample_is_read_without_input_problems_or_crashes() -> None:
    result = run_cli(["check", "--format", "json", "--select", "CP0,CP999", str(CORPUS)])
    assert result.findings == [] and result.exit_code == 0


def test_a_request_with_values_for_every_parameter_clears_the_warnings() -> None:
    sample = CORPUS / "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
    plain = run_cli(["check", "--format", "json", "--select", "CP303", str(sample)])
    assert [(f["severity"], f["line"]) for f in plain.findings] == [("warning", 11)]
    named = run_cli(["check", "--format", "json", "--select", "CP303", "--name", "s3", str(sample)])
    assert [(f["severity"], f["line"]) for f in named.findings] == [("error", 11)]
    given = run_cli(
        [
            "check",
            "--format",
            "json",
            "--select",
            "CP3",
            "--param",
            "S3TargetBucketNameForEnableLogging=logs",
            str(sample),
        ]
    )
    assert given.findings == []
