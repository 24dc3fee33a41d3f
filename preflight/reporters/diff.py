"""A unified diff of two texts in time about linear in their size, for `check --diff`.

difflib compares every line with every other it could match: on a large pack with thousands of
fixes its matcher takes seconds. The lines a fix changes are few and scattered, and most other lines
are unique in the file (rule names, logical ids), so the diff is anchored on the lines that occur
exactly once in each text, matched in order (patience diff), and difflib only compares the short
runs of lines between two anchors. The output is difflib's unified format, which `patch` reads."""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections.abc import Iterator, Sequence

Opcode = tuple[str, int, int, int, int]


def unified_diff(before: Sequence[str], after: Sequence[str], name: str, context: int = 3) -> Iterator[str]:
    """In the format of difflib.unified_diff(before, after, name, name, n=context) (lines keep their
    ends)."""
    started = False
    for group in _grouped(_merged(list(_opcodes(before, after, 0, len(before), 0, len(after)))), context):
        if not started:
            started = True
            yield f"--- {name}\n"
            yield f"+++ {name}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, start_a, end_a, start_b, end_b in group:
            if tag == "equal":
                yield from (" " + line for line in before[start_a:end_a])
                continue
            yield from ("-" + line for line in before[start_a:end_a])
            yield from ("+" + line for line in after[start_b:end_b])


def _range(start: int, stop: int) -> str:
    """A hunk's range as unified diffs write it (1-based; an empty range names the line before it)."""
    length = stop - start
    beginning = start + 1
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def _grouped(opcodes: list[Opcode], context: int) -> Iterator[list[Opcode]]:
    """The changes with `context` lines around each, in hunks, as difflib's get_grouped_opcodes."""
    codes = list(opcodes)
    if codes[0][0] == "equal":
        tag, start_a, end_a, start_b, end_b = codes[0]
        codes[0] = (tag, max(start_a, end_a - context), end_a, max(start_b, end_b - context), end_b)
    if codes[-1][0] == "equal":
        tag, start_a, end_a, start_b, end_b = codes[-1]
        codes[-1] = (tag, start_a, min(end_a, start_a + context), start_b, min(end_b, start_b + context))
    gap = context + context
    group: list[Opcode] = []
    for tag, start_a, end_a, start_b, end_b in codes:
        if tag == "equal" and end_a - start_a > gap:
            group.append((tag, start_a, min(end_a, start_a + context), start_b, min(end_b, start_b + context)))
            yield group
            group = []
            start_a, start_b = max(start_a, end_a - context), max(start_b, end_b - context)
        group.append((tag, start_a, end_a, start_b, end_b))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _opcodes(a: Sequence[str], b: Sequence[str], lo_a: int, hi_a: int, lo_b: int, hi_b: int) -> Iterator[Opcode]:
    anchors = _anchors(a, b, lo_a, hi_a, lo_b, hi_b)
    if not anchors:
        yield from _small(a, b, lo_a, hi_a, lo_b, hi_b)
        return
    at_a, at_b = lo_a, lo_b
    for index_a, index_b in anchors:
        yield from _opcodes(a, b, at_a, index_a, at_b, index_b)
        yield ("equal", index_a, index_a + 1, index_b, index_b + 1)
        at_a, at_b = index_a + 1, index_b + 1
    yield from _opcodes(a, b, at_a, hi_a, at_b, hi_b)


def _anchors(a: Sequence[str], b: Sequence[str], lo_a: int, hi_a: int, lo_b: int, hi_b: int) -> list[tuple[int, int]]:
    """The longest run, in order in both, of lines that occur once in each range."""
    seen_a: dict[str, int] = {}
    for index in range(lo_a, hi_a):
        seen_a[a[index]] = -1 if a[index] in seen_a else index
    seen_b: dict[str, int] = {}
    for index in range(lo_b, hi_b):
        line = b[index]
        if seen_a.get(line, -1) >= 0:
            seen_b[line] = -1 if line in seen_b else index
    pairs = sorted((seen_a[line], index) for line, index in seen_b.items() if index >= 0)
    return _increasing(pairs)


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of `pairs` (sorted by their first item) increasing in the second."""
    tails: list[int] = []  # the smallest second item ending an increasing run of each length
    ends: list[int] = []  # the index in `pairs` of that item
    previous = [-1] * len(pairs)
    for position, (_first, second) in enumerate(pairs):
        length = bisect_left(tails, second)
        if length == len(tails):
            tails.append(second)
            ends.append(position)
        else:
            tails[length], ends[length] = second, position
        previous[position] = ends[length - 1] if length else -1
    run: list[tuple[int, int]] = []
    position = ends[-1] if ends else -1
    while position >= 0:
        run.append(pairs[position])
        position = previous[position]
    return run[::-1]


def _small(a: Sequence[str], b: Sequence[str], lo_a: int, hi_a: int, lo_b: int, hi_b: int) -> Iterator[Opcode]:
    """The opcodes of a run between two anchors, by difflib (such runs are short)."""
    if lo_a == hi_a and lo_b == hi_b:
        return
    if lo_a == hi_a or lo_b == hi_b:
        yield ("insert" if lo_a == hi_a else "delete", lo_a, hi_a, lo_b, hi_b)
        return
    matcher = difflib.SequenceMatcher(None, a[lo_a:hi_a], b[lo_b:hi_b], autojunk=False)
    for tag, start_a, end_a, start_b, end_b in matcher.get_opcodes():
        yield (tag, lo_a + start_a, lo_a + end_a, lo_b + start_b, lo_b + end_b)


def _merged(opcodes: list[Opcode]) -> list[Opcode]:
    """Neighbouring opcodes of one kind joined, as difflib gives them; an empty diff is one `equal`."""
    merged: list[Opcode] = []
    for tag, start_a, end_a, start_b, end_b in opcodes:
        if merged and merged[-1][0] == tag == "equal":
            merged[-1] = (tag, merged[-1][1], end_a, merged[-1][3], end_b)
        elif merged and merged[-1][0] != "equal" and tag != "equal":
            merged[-1] = ("replace", merged[-1][1], end_a, merged[-1][3], end_b)
        else:
            merged.append((tag, start_a, end_a, start_b, end_b))
    return merged or [("equal", 0, 0, 0, 0)]
