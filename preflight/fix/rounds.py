"""`check --fix` and `--diff`: apply the text edits findings carry, then lint the result again and
apply what the new findings carry (removing an unused condition can leave a parameter unused), until
nothing changes. Edits never overlap: of two findings whose edits touch the same text, the first in
the file is applied this round and the other is looked at again on the new text."""

from __future__ import annotations

import copy
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.model.document import Document, line_starts
from preflight.model.findings import DocPath, Edit, Finding, Severity, Span

if TYPE_CHECKING:
    from preflight.load.parsing import Loaded

ROUNDS_MAX = 10  # each round fixes at least one finding; real packs need two or three


@dataclass(frozen=True)
class Fixed:
    text: str
    fixed: int  # findings whose edits were applied
    refused: tuple[Finding, ...] = ()  # findings of the fixed text whose edits were not made (they add an error)


def applicable(findings: Iterable[Finding], *, unsafe: bool) -> list[Finding]:
    return [finding for finding in findings if finding.edits and (unsafe or not finding.unsafe)]


Key = tuple[str, DocPath, tuple[str, ...]]


def _key(finding: Finding) -> Key:
    """A finding's fix as it stays from round to round (its positions move as the text is fixed)."""
    return finding.rule, finding.path, tuple(edit.text for edit in finding.edits)


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
    AllowedValues lacks), or changes a value no fixed finding is about, are not made: they are
    `refused`, told apart from the others by the entries the new errors are in, or by halving the
    round's edits. A refused fix is offered once more in a later round (its refusal may have come
    from another fix of its round), and not again."""
    fixed = 0
    findings = lint(text)
    refusals: Counter[Key] = Counter()
    for _ in range(ROUNDS_MAX):
        offered = [
            finding for finding in applicable(wanted(findings), unsafe=unsafe)
            if refusals[_key(finding)] < REFUSALS_MAX
        ]  # fmt: skip
        chosen = _without_overlaps(offered)
        if not chosen:
            break
        settled = _Round(text, findings, lint)
        settled.settle(chosen)
        refusals.update(_key(finding) for finding in settled.refused)
        if settled.text == text and not settled.refused:
            break  # the edits change nothing
        text, fixed, findings = settled.text, fixed + settled.count, settled.findings
    left = tuple(finding for finding in applicable(wanted(findings), unsafe=unsafe) if refusals[_key(finding)])
    return Fixed(text, fixed, left)


REFUSALS_MAX = 2  # a fix refused twice, in two rounds of different text, is not offered again


class _Round:
    """One round's edits, all made when together they add no error; otherwise each half is tried in
    turn on top of what was kept, down to the single fixes that must be refused: a round with one bad
    fix among n costs about 2 log n lints, not n. Every trial applies its edits to the round's text
    itself: the edits do not overlap, so their positions there hold (a finding's edit can lie far
    from the finding, in the `Default` of the parameter it reads)."""

    def __init__(self, text: str, findings: Sequence[Finding], lint: Callable[[str], Sequence[Finding]]) -> None:
        self.start, self.lint = text, lint
        self.text, self.findings = text, findings
        self.kept: list[Finding] = []
        self.refused: list[Finding] = []
        self._nodes: _Nodes | None = None  # the round's text, parsed when a trial fails

    @property
    def count(self) -> int:
        return len(self.kept)

    def settle(self, group: Sequence[Finding]) -> None:
        edits = [edit for finding in (*self.kept, *group) for edit in finding.edits]
        trial = apply_edits(self.start, edits)
        if any(not edit.text for edit in edits):
            trial = without_emptied_sections(self.start, trial)
        suspects: list[Finding] = []
        if trial != self.text:
            after = self.lint(trial)
            added = _added_errors(self.findings, after)
            if not added and values_kept(self.start, trial, (*self.kept, *group)):
                self.kept.extend(group)
                self.text, self.findings = trial, after
                return
            suspects = self._near(group, added)
        elif len(group) == 1:
            self.refused.append(group[0])  # its edit changes nothing
            return
        if len(group) == 1:
            self.refused.append(group[0])
            return
        blamed = self._blamed(group, added) if trial != self.text else []
        if blamed:  # each new error in an entry only one fix touches: that fix's
            chosen = {id(finding) for finding in blamed}
            self.refused.extend(blamed)
            rest = [finding for finding in group if id(finding) not in chosen]
            if rest:
                self.settle(rest)
            return
        if 0 < len(suspects) < len(group):  # the fixes about the entries the new errors are in: first apart
            chosen = {id(finding) for finding in suspects}
            self.settle([finding for finding in group if id(finding) not in chosen])
            self.settle(suspects)
            return
        middle = len(group) // 2
        self.settle(group[:middle])
        self.settle(group[middle:])

    def _near(self, group: Sequence[Finding], errors: Sequence[Finding]) -> list[Finding]:
        """The fixes of `group` whose finding or edits are in an entry (a parameter, a resource) that
        one of the new `errors` is in."""
        entries = {error.path[:2] for error in errors if len(error.path) >= 2}
        nodes = self._parsed()
        if not entries or nodes is None:
            return []
        return [finding for finding in group if any(path[:2] in entries for path in nodes.edited(finding))]

    def _blamed(self, group: Sequence[Finding], errors: Sequence[Finding]) -> list[Finding]:
        """When each new error is in an entry that exactly one fix of `group` touches, those fixes
        (refused without a trial each: many refused fixes cost one lint, not two each); else none."""
        nodes = self._parsed()
        if not errors or nodes is None or any(len(error.path) < 2 for error in errors):
            return []
        touched = {id(finding): {path[:2] for path in nodes.edited(finding)} for finding in group}
        blamed: dict[int, Finding] = {}
        for entry in {error.path[:2] for error in errors}:
            touching = [finding for finding in group if entry in touched[id(finding)]]
            if len(touching) != 1:
                return []
            blamed[id(touching[0])] = touching[0]
        return list(blamed.values())

    def _parsed(self) -> _Nodes | None:
        if self._nodes is None:
            from preflight.load.parsing import load_template_text

            document = load_template_text(self.start, "").document
            if document is None:
                return None
            self._nodes = _Nodes(document)
        return self._nodes


def values_kept(before: str, after: str, fixed: Sequence[Finding]) -> bool:
    """Whether every value of `after` is the one `before` holds, but where the `fixed` findings are
    and where their edits are (the node an edit rewrites, the entry it removes, the mapping it adds
    an entry to: what may change below them) and in a section left empty. What "a fix changes only
    what it says" means, checked on the parsed values: a line left behind that joins a block scalar,
    or an edit that lands on another line than the one meant, is caught here."""
    from preflight.load.parsing import load_template_text

    old, new = load_template_text(before, ""), load_template_text(after, "")
    if old.document is None or new.document is None:
        return False
    from preflight.knowledge.hosts import may_host

    if may_host(before.encode("utf-8", "surrogateescape")):
        return _hosted_values_kept(old, new, fixed)
    paths = _edited(old.document, fixed)
    return _pruned(old.document.data, paths) == _pruned(new.document.data, paths)


def _hosted_values_kept(old: Loaded, new: Loaded, fixed: Sequence[Finding]) -> bool:
    """values_kept for a stack holding packs: the stack is unchanged but for its packs' bodies, and
    each body's values are kept but where the fixes made in it are (their edits read in the body)."""
    from preflight.knowledge.hosts import body_offsets, hosted_packs, in_body, without_bodies
    from preflight.load.parsing import load_template_text

    before, after = hosted_packs(old), hosted_packs(new)
    assert old.document is not None and new.document is not None
    if len(before) != len(after) or without_bodies(old.document, before) != without_bodies(new.document, after):
        return False
    for was, now in zip(before, after, strict=True):
        if was.body is None or now.body is None:
            if was.body != now.body:
                return False
            continue
        old_body, new_body = load_template_text(was.body, ""), load_template_text(now.body, "")
        if old_body.document is None or new_body.document is None:
            return False
        read = body_offsets(was)
        own = [moved for finding in fixed if read and (moved := in_body(finding, read)) is not None]
        paths = _edited(old_body.document, own)
        if _pruned(old_body.document.data, paths) != _pruned(new_body.document.data, paths):
            return False
    return True


def _edited(document: Document, fixed: Sequence[Finding]) -> list[DocPath]:
    index = _Nodes(document)
    return [path for finding in fixed for path in index.edited(finding)]


class _Nodes:
    """A document's nodes by where they are: which node an edit rewrites, removes or adds beside."""

    def __init__(self, document: Document) -> None:
        self.nodes = {position: path for path, position in document.spans.items()}
        self.named = {position: path for path, position in document.key_spans.items()}
        self.keys: dict[int, DocPath] = {}
        for path, position in document.key_spans.items():
            self.keys.setdefault(position[0], path)  # the outermost key of a line

    def edited(self, finding: Finding) -> list[DocPath]:
        """The finding's path, and what each of its edits may change."""
        paths = [finding.path]
        for edit in finding.edits:
            span: Span = edit.span
            where = (span.line, span.column, span.end_line, span.end_column)
            exact, renamed = self.nodes.get(where), self.named.get(where)
            if exact is not None:
                paths.append(exact)
            elif renamed is not None:
                paths.append(renamed[:-1])  # a key renamed: its mapping changes
            elif not edit.text and span.column == 1 and span.line in self.keys:
                paths.append(self.keys[span.line])  # the entry whose lines it removes
            elif (span.line, span.column) == (span.end_line, span.end_column):
                paths.append(finding.path[:-1])  # a new entry beside the finding's
        return paths


def _pruned(data: object, paths: Sequence[DocPath]) -> object:
    """`data` less the subtree at each path (a list's whole, for a path into one), and less each
    top-level section left empty."""
    result = copy.deepcopy(data)
    for path in paths:
        target = path[: next((i for i, part in enumerate(path) if isinstance(part, int)), len(path))]
        node = result
        for part in target[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and target:
            node.pop(target[-1], None)
    if isinstance(result, dict):
        for section in _SECTIONS:
            if section in result and not result[section]:
                del result[section]
    return result


# The sections an edit removes entries of; an empty one (`Conditions:` with nothing under it) is invalid.
_SECTIONS = ("Parameters", "Conditions", "Mappings")


def without_emptied_sections(before: str, after: str) -> str:
    """`after`, less each top-level section that had entries in `before` and has none left: edits that
    each remove one entry take the section with its last one, but several removed in one round each
    leave it to the others."""
    from preflight.fix.edits import Editor  # only when a round removed something
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


def _added_errors(before: Sequence[Finding], after: Sequence[Finding]) -> list[Finding]:
    """The errors of `after` of each rule that has more of them than `before` had."""

    def errors(findings: Sequence[Finding]) -> Counter[str]:
        return Counter(finding.rule for finding in findings if finding.severity >= Severity.ERROR)

    more = errors(after) - errors(before)
    return [finding for finding in after if finding.rule in more and finding.severity >= Severity.ERROR]


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
