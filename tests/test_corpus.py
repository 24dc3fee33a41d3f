"""Real packs, read in place from ../shared/corpus: AWS's sample packs (public domain), packs from other
public repositories, and AWS's historical packs. Every error on them must be a true error, listed with
its reason in tests/corpus_errors.toml (as ruff's ecosystem check does for real projects)."""

from __future__ import annotations

import collections
import tomllib
from pathlib import Path

import pytest

from tests.conftest import CORPORA, CORPUS, REPO, run_cli

EXPECTED = REPO / "tests" / "corpus_errors.toml"
FOLDERS = ("aws-samples", "wild", "aws-history")
WILD = CORPORA / "wild"
GUARDRAILS = WILD / "ssc-spc-ccoe-cei__aws-guardrails-cac-solution__arch__templates__ConformancePack.yaml"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the real-pack corpus is not present at {CORPORA}")

Error = tuple[str, str, int]  # file relative to the corpus, rule, line


def _expected(present: set[str]) -> tuple[set[Error], list[dict[str, object]]]:
    entries = tomllib.loads(EXPECTED.read_text(encoding="utf-8"))["error"]
    errors = {
        (str(entry["file"]), str(entry["rule"]), int(line))
        for entry in entries
        for line in entry["lines"]
        if str(entry["file"]).split("/")[0] in present
    }
    return errors, entries


def _reported(folder: str) -> tuple[set[Error], collections.Counter[tuple[str, str]]]:
    result = run_cli(["check", "--no-cache", "--format", "json", str(CORPORA / folder)])
    assert result.exit_code in (0, 1), result.stderr
    errors = {
        (f"{folder}/{Path(str(f['file'])).name}", str(f["rule"]), int(f["line"]))  # type: ignore[call-overload]
        for f in result.findings
        if f["severity"] == "error"
    }
    return errors, collections.Counter((str(f["rule"]), str(f["severity"])) for f in result.findings)


def test_every_error_on_a_real_pack_is_a_listed_true_error() -> None:
    present = {folder for folder in FOLDERS if (CORPORA / folder).is_dir()}
    reported: set[Error] = set()
    for folder in sorted(present):
        reported |= _reported(folder)[0]
    expected, entries = _expected(present)
    new = sorted(reported - expected)
    gone = sorted(expected - reported)
    listing = "\n".join(
        f'[[error]]\nfile = "{file}"\nrule = "{rule}"\nlines = [{line}]\nreason = "..."' for file, rule, line in new
    )
    assert not new, (
        f"errors not in {EXPECTED.name}; read each and fix the rule, or list it with a reference:\n{listing}"
    )
    assert not gone, f"entries of {EXPECTED.name} that no longer fire; remove them: {gone}"
    assert all(len(str(entry["reason"])) > 40 for entry in entries), "every entry says why it is a true error"


def test_no_finding_on_what_deployed_packs_do() -> None:
    """The Government of Canada organization pack builds every Lambda ARN with Fn::Join and keeps a Scope
    on 37 periodic rules; AWS's samples keep Scopes on periodic managed rules. Neither is reported unless
    CP411, which is opt-in, is selected by its full id, and then as warnings."""
    default = run_cli(["check", "--no-cache", "--format", "json", str(WILD), str(CORPUS)])
    assert not [f for f in default.findings if f["rule"] in ("CP203", "CP411")]
    joins = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP203", str(WILD), str(CORPUS)])
    assert joins.findings == [] and joins.exit_code == 0
    by_prefix = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP4", str(GUARDRAILS)])
    assert not [f for f in by_prefix.findings if f["rule"] == "CP411"]
    opted_in = run_cli(["check", "--no-cache", "--format", "json", "--extend-select", "CP411", str(GUARDRAILS)])
    scopes = [f for f in opted_in.findings if f["rule"] == "CP411"]
    assert len(scopes) == 37 and {f["severity"] for f in scopes} == {"warning"}


def test_the_oversized_organization_pack_is_clean_when_sent_from_s3() -> None:
    inline = run_cli(["check", "--no-cache", "--format", "json", "--fail-level", "error", str(GUARDRAILS)])
    assert [(f["rule"], f["severity"]) for f in inline.findings if f["severity"] == "error"] == [("CP101", "error")]
    uri = "s3://packs/ConformancePack.yaml"
    from_s3 = run_cli(
        ["check", "--no-cache", "--format", "json", "--select", "CP1", "--template-s3-uri", uri, str(GUARDRAILS)]
    )
    assert from_s3.findings == [] and from_s3.exit_code == 0


def test_placeholders_are_errors_exactly_where_they_are() -> None:
    remediation = CORPUS / "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
    lines = remediation.read_text().splitlines()
    expected = [number for number, line in enumerate(lines, start=1) if "<Account-Id>" in line]
    result = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP410", str(remediation)])
    assert [(f["line"], f["severity"]) for f in result.findings] == [(line, "error") for line in expected] and expected


def test_every_sample_is_read_without_input_problems_or_crashes() -> None:
    result = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP0,CP999", str(CORPUS)])
    assert result.findings == [] and result.exit_code == 0


def test_a_request_with_values_for_every_parameter_clears_the_warnings() -> None:
    sample = CORPUS / "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
    plain = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP303", str(sample)])
    assert [(f["severity"], f["line"]) for f in plain.findings] == [("warning", 11)]
    named = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP303", "--name", "s3", str(sample)])
    assert [(f["severity"], f["line"]) for f in named.findings] == [("error", 11)]
    given = run_cli(
        [
            "check",
            "--no-cache",
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
