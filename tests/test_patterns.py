"""AllowedPattern through RE2: matched in linear time, and a pattern RE2 cannot run is a warning that
says why, never a crash or a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.knowledge.patterns import Unmatchable, full_match
from tests.conftest import run_cli


def test_full_match_matches_the_whole_value() -> None:
    assert full_match("[0-9]+", "90") is True
    assert full_match("[0-9]+", "90a") is False
    assert full_match("a|ab", "ab") is True  # the whole value, not its first match


def test_a_pattern_re2_cannot_run_raises_unmatchable_with_re2s_reason() -> None:
    with pytest.raises(Unmatchable) as raised:
        full_match(r"(a)\1", "aa")
    assert str(raised.value) == r"invalid escape sequence: \1"


PACK = r"""Parameters:
  Prefix:
    Type: String
    Default: "ab"
    AllowedPattern: "(a)\\1"
Resources:
  Rule:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters: {prefix: !Ref Prefix}
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""


def test_an_unmatchable_allowed_pattern_is_a_warning_at_the_value(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(PACK)
    result = run_cli(["check", "--no-cache", "--format", "json", "--select", "CP304", "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 0
    assert result.findings == [
        {
            "rule": "CP304",
            "name": "parameter-value-not-allowed",
            "severity": "warning",
            "file": "pack.yaml",
            "line": 4,
            "column": 5,
            "end_line": 4,
            "end_column": 12,
            "origin": None,
            "path": ["Parameters", "Prefix", "Default"],
            "message": "value 'ab' of parameter 'Prefix' was not checked against AllowedPattern '(a)\\\\1': "
            r"invalid escape sequence: \1 (preflight matches patterns in linear time with RE2, which has no "
            "backreferences or lookaround; CloudFormation uses Java's regular expressions)",
            "fix": None,
            "edits": [],
            "applicability": None,
            "accounts": [],
        }
    ]
