"""The unified diff of `check --diff` (preflight.reporters.diff): applied to the text before, every
hunk gives the text after, whatever the texts hold; its format is difflib's; its time grows about
linearly (bench/fix_speed.py times it)."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.reporters.diff import unified_diff

HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")


def apply(before: list[str], diff: list[str]) -> list[str]:
    """`diff` applied to `before`, each hunk checked against it: a test's own small `patch`."""
    result: list[str] = []
    at = 0
    lines = iter(diff[2:])
    for line in lines:
        match = HUNK.fullmatch(line)
        assert match, line
        start = int(match.group(1)) - (0 if match.group(2) == "0" else 1)
        old, new = int(match.group(2) or 1), int(match.group(4) or 1)
        result.extend(before[at:start])
        at = start
        taken_old = taken_new = 0
        while taken_old < old or taken_new < new:
            body = next(lines)
            kind, text = body[0], body[1:]
            if kind in " -":
                assert before[at] == text, (at, before[at], text)
                at += 1
                taken_old += 1
            if kind in " +":
                result.append(text)
                taken_new += 1
    result.extend(before[at:])
    return result


LINE = st.sampled_from(["a\n", "b\n", "  },\n", "x: 1\n", "y: 2\n", "\n"]) | st.text("cdef", min_size=1).map(
    lambda text: text + "\n"
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=40), st.lists(LINE, max_size=40))
def test_a_diff_applied_gives_the_text_after(before: list[str], after: list[str]) -> None:
    diff = list(unified_diff(before, after, "pack.yaml"))
    if before == after:
        assert diff == []
        return
    assert diff[:2] == ["--- pack.yaml\n", "+++ pack.yaml\n"]
    assert apply(before, diff) == after


@settings(max_examples=100, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=60), st.data())
def test_a_few_changes_in_a_long_text_give_difflib_s_hunks(before: list[str], data: st.DataObject) -> None:
    """Where each change is surrounded by lines that occur once (a pack's rule names), the hunks are
    those difflib gives."""
    unique = [f"rule-{index}\n" for index in range(len(before))]
    text = [line for pair in zip(unique, before, strict=True) for line in pair]
    after = list(text)
    for index in sorted(data.draw(st.sets(st.integers(0, len(before) - 1), max_size=5)), reverse=True):
        after[2 * index + 1] = "changed\n"
    assert list(unified_diff(text, after, "p")) == list(difflib.unified_diff(text, after, "p", "p"))


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch")
def test_patch_applies_it(tmp_path: Path) -> None:
    before = [f"line {index}\n" for index in range(200)] + ["  },\n"] * 20
    after = [line.replace("5", "five") for line in before if "7" not in line] + ["end\n"]
    (tmp_path / "pack.yaml").write_text("".join(before))
    diff = "".join(unified_diff(before, after, "pack.yaml"))
    result = subprocess.run(["patch", "-p0"], input=diff, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "pack.yaml").read_text() == "".join(after)
