"""'Did you mean': close names found through an index, at a cost bounded whatever the input holds."""

from __future__ import annotations

from pathlib import Path

from preflight.model.suggest import QUERIES_MAX, Suggestions, did_you_mean
from tests.conftest import run_cli


def test_a_close_name_among_many() -> None:
    names = [f"Parameter{index:05d}Value" for index in range(20_000)] + ["MaxAccessKeyAge"]
    suggestions = Suggestions(names)
    assert suggestions.did_you_mean("MaxAccesKeyAge") == "did you mean 'MaxAccessKeyAge'?"
    assert suggestions.nearest("Parameter01234Valeu") == ["Parameter01234Value"]
    assert suggestions.nearest("completely-different") == []
    assert did_you_mean("Resorces", ["Resources", "Parameters"]) == "did you mean 'Resources'?"


def test_after_the_budget_one_set_of_suggestions_stops_suggesting() -> None:
    suggestions = Suggestions(["MaxAccessKeyAge"])
    answers = [suggestions.nearest("MaxAccesKeyAge") for _ in range(QUERIES_MAX + 5)]
    assert answers == [["MaxAccessKeyAge"]] * QUERIES_MAX + [[]] * 5


def test_a_pack_of_many_typos_gets_the_first_hundred_suggestions(tmp_path: Path) -> None:
    rules = "".join(
        f"  R{index}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        f"      Source: {{Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED_V{index}}}\n"
        for index in range(120)
    )
    (tmp_path / "pack.yaml").write_text("Resources:\n" + rules)
    result = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP401", "pack.yaml"], cwd=tmp_path)
    fixes = [finding["fix"] for finding in result.findings]
    assert len(fixes) == 120
    expected = "did you mean S3_BUCKET_VERSIONING_ENABLED?"  # the one the unsafe fix writes
    assert fixes[:QUERIES_MAX] == [expected] * QUERIES_MAX
    assert fixes[QUERIES_MAX:] == ["see the AWS Config managed rules list"] * 20


def test_a_version_is_no_misspelling() -> None:
    """AWS names versions in its rules (EC2_IMDSV2_CHECK): a future V3 is a newer rule, not a typo."""
    from preflight.knowledge.reference import Reference
    from preflight.model.suggest import Misspellings

    misspellings = Misspellings(Reference().catalog.lines)
    assert misspellings.of("EC2_IMDSV3_CHECK") is None
    assert misspellings.of("EC2_IMSDV2_CHECK") == "EC2_IMDSV2_CHECK"  # letters swapped: a typo
