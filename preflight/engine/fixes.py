"""`check --fix` and `--diff`: apply the text edits findings carry, then lint the result again and
apply what the new findings carry (removing an unused condition can leave a parameter unused), until
nothing changes. Edits never overlap: of two findings whose edits touch the same text, the first in
the file is applied this round and the other is looked at again on the new text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from preflight.model.findings import Edit, Finding, Severity

ROUNDS_MAX = 10  # each round fixes at least one finding; real packs need two or three
# When a round's edits together add an error, each is tried alone: at most this many of them.
TRIED_ALONE_MAX = 50


@dataclass(frozen=True)
class Fixed:
    text: str
    fixed: int  # findings whose edits were applied


def applicable(findings: Iterable[Finding], *, unsafe: bool) -> list[Finding]:
    return [finding for finding in findings if finding.edits and (unsafe or not finding.unsafe)]


def fix_text(text: str, lint: Callable[[str], Sequence[Finding]], *, unsafe: bool) -> Fixed:
    """`text` with the edits of the findings `lint` reports applied, round after round. A fix never
    adds an error: edits whose result has more errors of some rule than before (an anchor removed
    with its entry, a parameter removed that a request passes) are not made."""
    fixed = 0
    findings = lint(text)
    for _ in range(ROUNDS_MAX):
        chosen = _without_overlaps(applicable(findings, unsafe=unsafe))
        if not chosen:
            break
        changed = apply_edits(text, [edit for finding in chosen for edit in finding.edits])
        after = lint(changed) if changed != text else findings
        count = len(chosen)
        if _adds_errors(findings, after):
            changed, count, after = _each_alone(text, findings, chosen, lint)
        if changed == text:
            break
        text, fixed, findings = changed, fixed + count, after
    return Fixed(text, fixed)


def _each_alone(
    text: str, findings: Sequence[Finding], chosen: Sequence[Finding], lint: Callable[[str], Sequence[Finding]]
) -> tuple[str, int, Sequence[Finding]]:
    """The edits of `chosen` that add no error, each tried with those kept before it. Every trial
    applies them to `text` itself: the edits do not overlap, so their positions there hold (a
    finding's edit can lie far from the finding, in the `Default` of the parameter it reads)."""
    kept: list[Edit] = []
    current, count = text, 0
    for finding in sorted(chosen, key=Finding.sort_key)[:TRIED_ALONE_MAX]:
        trial = apply_edits(text, [*kept, *finding.edits])
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
    """`edits` (which do not overlap) applied to `text`, last first so earlier positions hold."""
    starts = [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]

    def offset(line: int, column: int) -> int:
        if line > len(starts):
            return len(text)
        return min(starts[line - 1] + column - 1, len(text))

    result = text
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True):
        start, end = offset(edit.span.line, edit.span.column), offset(edit.span.end_line, edit.span.end_column)
        result = result[:start] + edit.text + result[end:]
    return result


def _without_overlaps(findings: Sequence[Finding]) -> list[Finding]:
    taken: list[tuple[tuple[int, int], tuple[int, int]]] = []
    chosen = []
    for finding in sorted(findings, key=Finding.sort_key):
        ranges = [((e.span.line, e.span.column), (e.span.end_line, e.span.end_column)) for e in finding.edits]
        if any(start < other_end and other_start < end for start, end in ranges for other_start, other_end in taken):
            continue
        if any(ranges[i][0] < ranges[j][1] and ranges[j][0] < ranges[i][1]
               for i in range(len(ranges)) for j in range(i + 1, len(ranges))):  # fmt: skip
            continue
        taken.extend(ranges)
        chosen.append(finding)
    return chosen
