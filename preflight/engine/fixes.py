"""`check --fix` and `--diff`: apply the text edits findings carry, then lint the result again and
apply what the new findings carry (removing an unused condition can leave a parameter unused), until
nothing changes. Edits never overlap: of two findings whose edits touch the same text, the first in
the file is applied this round and the other is looked at again on the new text."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from preflight.model.document import line_starts
from preflight.model.findings import Edit, Finding, Severity

ROUNDS_MAX = 10  # each round fixes at least one finding; real packs need two or three
# When a round's edits together add an error, each is tried alone: at most this many of them.
TRIED_ALONE_MAX = 50


@dataclass(frozen=True)
class Fixed:
    text: str
    fixed: int  # findings whose edits were applied
    refused: tuple[Finding, ...] = ()  # findings of the fixed text whose edits were not made (they add an error)


def applicable(findings: Iterable[Finding], *, unsafe: bool) -> list[Finding]:
    return [finding for finding in findings if finding.edits and (unsafe or not finding.unsafe)]


def fix_text(
    text: str,
    lint: Callable[[str], Sequence[Finding]],
    *,
    unsafe: bool,
    wanted: Callable[[Sequence[Finding]], Sequence[Finding]] = list,
) -> Fixed:
    """`text` with the edits of the findings `lint` reports applied, round after round, until no edit is
    left to make. `lint` reports every rule's findings, and `wanted` picks those the check reports
    (its selection): only their edits are made, but a round is judged by every rule, so a fix never
    adds an error of any rule. Edits whose result has more errors of some rule than before (an anchor
    removed with its entry, a parameter removed that a request passes, a value rewritten to one its
    AllowedValues lacks) are not made, and are `refused`."""
    fixed = 0
    findings = lint(text)
    refused: list[Finding] = []
    for _ in range(ROUNDS_MAX):
        chosen = _without_overlaps(applicable(wanted(findings), unsafe=unsafe))
        if not chosen:
            break
        edits = [edit for finding in chosen for edit in finding.edits]
        changed = apply_edits(text, edits)
        if any(not edit.text for edit in edits):
            changed = without_emptied_sections(text, changed)
        after = lint(changed) if changed != text else findings
        count = len(chosen)
        if _adds_errors(findings, after):
            changed, count, after = _each_alone(text, findings, chosen, lint)
        if changed == text:
            refused = chosen
            break
        text, fixed, findings = changed, fixed + count, after
    return Fixed(text, fixed, tuple(refused))


# The sections an edit removes entries of; an empty one (`Conditions:` with nothing under it) is invalid.
_SECTIONS = ("Parameters", "Conditions", "Mappings")


def without_emptied_sections(before: str, after: str) -> str:
    """`after`, less each top-level section that had entries in `before` and has none left: edits that
    each remove one entry take the section with its last one, but several removed in one round each
    leave it to the others."""
    from preflight.knowledge.edits import Editor  # only when a round removed something
    from preflight.load.parsing import load_template_text

    old, new = load_template_text(before, ""), load_template_text(after, "")
    if old.document is None or new.document is None:
        return after
    had, has = old.document.data, new.document.data
    if not isinstance(had, dict) or not isinstance(has, dict):
        return after
    emptied = [key for key in _SECTIONS if had.get(key) and key in has and not has[key]]
    if not emptied:
        return after
    editor = Editor(after, new.document)
    removals = [editor.remove_entry((key,)) for key in emptied]
    return apply_edits(after, [edit for edit in removals if edit is not None])


def _each_alone(
    text: str, findings: Sequence[Finding], chosen: Sequence[Finding], lint: Callable[[str], Sequence[Finding]]
) -> tuple[str, int, Sequence[Finding]]:
    """The edits of `chosen` that add no error, each tried with those kept before it. Every trial
    applies them to `text` itself: the edits do not overlap, so their positions there hold (a
    finding's edit can lie far from the finding, in the `Default` of the parameter it reads)."""
    kept: list[Edit] = []
    current, count = text, 0
    for finding in sorted(chosen, key=Finding.sort_key)[:TRIED_ALONE_MAX]:
        trial = without_emptied_sections(text, apply_edits(text, [*kept, *finding.edits]))
        if trial == current:
            continue
        after = lint(trial)
        if not _adds_errors(findings, after):
            kept.extend(finding.edits)
            current, findings, count = trial, after, count + 1
    return current, count, findings


def _adds_errors(before: Sequence[Finding], after: Sequence[Finding]) -> bool:
    def errors(findings: Sequence[Finding]) -> Counter[str]:
        return Counter(finding.rule for finding in findings if finding.severity >= Severity.ERROR)

    return bool(errors(after) - errors(before))


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """`edits` (which do not overlap) applied to `text`, in one pass: lines are counted as the parser
    counts them (CR, LF and CRLF)."""
    starts = line_starts(text)

    def offset(line: int, column: int) -> int:
        if line > len(starts):
            return len(text)
        return min(starts[line - 1] + column - 1, len(text))

    pieces: list[str] = []
    done = 0
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.column)):
        start, end = offset(edit.span.line, edit.span.column), offset(edit.span.end_line, edit.span.end_column)
        start = max(start, done)  # never overlap: the caller's promise, kept if broken
        pieces += [text[done:start], edit.text]
        done = max(done, end)
    pieces.append(text[done:])
    return "".join(pieces)


def _without_overlaps(findings: Sequence[Finding]) -> list[Finding]:
    """The findings, first in the file first, whose edits overlap no edit of one taken before (nor
    each other); the others wait for the next round. Each check is a search among the ranges taken."""
    taken: list[tuple[Point, Point]] = []  # sorted, disjoint
    chosen = []
    for finding in sorted(findings, key=Finding.sort_key):
        ranges = sorted(((e.span.line, e.span.column), (e.span.end_line, e.span.end_column)) for e in finding.edits)
        if any(ranges[i][1] > ranges[i + 1][0] for i in range(len(ranges) - 1)):
            continue
        if any(_overlaps(taken, start, end) for start, end in ranges):
            continue
        for start, end in ranges:
            insort(taken, (start, end))
        chosen.append(finding)
    return chosen


Point = tuple[int, int]


def _overlaps(taken: Sequence[tuple[Point, Point]], start: Point, end: Point) -> bool:
    """Whether [start, end) overlaps a range of `taken` (sorted and disjoint). An empty range (an
    insertion) overlaps a range it falls strictly inside of."""
    index = bisect_left(taken, (start, start))
    for neighbour in taken[max(index - 1, 0) : index + 1]:
        other_start, other_end = neighbour
        if start < other_end and other_start < end:
            return True
        if start == end and other_start < start < other_end:
            return True
    return False
