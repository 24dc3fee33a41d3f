"""Boundaries a mutant of the code would move without any other test noticing: the TemplateBody limit
at exactly 51,200 bytes, MinValue at its value, and what removing an entry keeps before the next one.
Each test selects the rule it is about."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

RULE = """\
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: versioning
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""


def _rules(path: Path, rule: str) -> list[tuple[str, str]]:
    result = run_cli(["check", "--no-cache", "--format", "json", "--select", rule, str(path)])
    return [(str(f["rule"]), str(f["message"])) for f in result.findings]


def test_a_body_of_exactly_51200_bytes_fits_and_one_more_does_not(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    padding = 51_200 - len(RULE) - len("# \n")
    pack.write_text(RULE + "# " + "x" * padding + "\n")
    assert pack.stat().st_size == 51_200
    assert _rules(pack, "CP101") == []
    pack.write_text(RULE + "# " + "x" * (padding + 1) + "\n")
    assert _rules(pack, "CP101") == [
        ("CP101", "template body is 51,201 characters; TemplateBody takes at most 51,200 (1 over; comments count)"),
    ]


def test_min_value_holds_at_its_value(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"

    def check(default: int) -> list[tuple[str, str]]:
        pack.write_text(
            f"Parameters:\n  Age:\n    Type: Number\n    MinValue: 5\n    MaxValue: 9\n    Default: {default}\n"
            + RULE.replace(
                "      ConfigRuleName: versioning\n",
                "      ConfigRuleName: versioning\n      Description: !Sub 'older than ${Age} days'\n",
            )
        )
        return _rules(pack, "CP304")

    assert check(4) == [("CP304", "value '4' of parameter 'Age' is below MinValue 5")]
    assert check(5) == check(7) == check(9) == []
    assert check(10) == [("CP304", "value '10' of parameter 'Age' is above MaxValue 9")]


def test_removing_an_entry_keeps_the_blank_and_comment_lines_that_lead_into_the_next(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    text = (
        "Parameters:\n  Unused:\n    Type: String\n    Default: x\n\n  # The age in days.\n  Age:\n    Type: String\n"
        "    Default: '90'\n"
        + RULE.replace("      ConfigRuleName: versioning\n", "      ConfigRuleName: !Sub 'versioning-${Age}'\n")
    )
    pack.write_text(text)
    result = run_cli(["check", "--no-cache", "--select", "CP305", "--fix", str(pack)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert pack.read_text() == text.replace("  Unused:\n    Type: String\n    Default: x\n", "")
