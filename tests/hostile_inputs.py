"""Hostile inputs, generated (none is committed): what a CI gate must survive, each with the outcome it
must have. One table for the test suite (tests/test_hostile.py) and the benchmark (bench/hostile.py).

A case builds the files of one folder (relative path -> bytes, or FIFO for a named pipe, or
UNREADABLE for a folder the run cannot read) and the `preflight` arguments run there. Its outcome is
the exit status and either the findings reported or the one line on standard error (exit 2). The
findings, counted by rule id, are generated into tests/hostile_expected.json (every rule runs, so a
new rule that fires on a case changes them): refresh them with
`pytest tests/test_hostile.py --update-expected` and review the diff.

The cases are built by family: templates the parser meets (tests/hostile_documents.py) and the rules
meet (tests/hostile_packs.py), files that are not plain templates (tests/hostile_files.py), parameter,
request and spec files (tests/hostile_requests.py), on the types of tests/hostile_common.py. `cases`
assembles them in the order tests/hostile_expected.json was generated in."""

from __future__ import annotations

from tests.hostile_common import FIFO, UNREADABLE, UNSEARCHABLE, Case, Content, Expect, Files
from tests.hostile_documents import parsed_cases, syntax_cases
from tests.hostile_files import special_cases
from tests.hostile_packs import scale_and_tag_cases, shape_and_pattern_cases
from tests.hostile_requests import request_cases

__all__ = ["FIFO", "UNREADABLE", "UNSEARCHABLE", "Case", "Content", "Expect", "Files", "cases"]


def cases() -> list[Case]:
    return [
        *parsed_cases(),
        *scale_and_tag_cases(),
        *syntax_cases(),
        *shape_and_pattern_cases(),
        *special_cases(),
        *request_cases(),
    ]
