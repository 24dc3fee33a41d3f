"""Suppressions: a `# preflight: ignore[CP305]` comment (or `ignore[CP305, CP303]`) on the reported
line, and, for JSON packs, which have no comments (or for YAML ones), `Metadata: {preflight: {ignore:
[CP305]}}` at the top of the template (the whole file) or on a resource (findings inside it). A rule
id that is unknown, or that suppresses nothing, is reported (CP009), so stale suppressions do not pile
up."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from preflight.model.document import Document, text_lines
from preflight.model.findings import DocPath, Finding, Severity, Span
from preflight.model.rule import engine_rule

_COMMENT = r"#\s*preflight:\s*ignore\[([^\]]*)\]"
METADATA_KEY = "preflight"


unused_suppression = engine_rule(
    "CP009",
    "unused-suppression",
    Severity.WARNING,
    ("input",),
    """## What it does
    Reports a rule id in a suppression (`# preflight: ignore[...]`, or `Metadata: {preflight: {ignore:
    [...]}}`) that is not a rule, or that suppresses nothing where it stands. A rule that did not run
    (not selected) is not reported.

    ## Why is this bad?
    A suppression that suppresses nothing hides the next real finding at that place, and a misspelt id
    suppresses nothing while looking as if it did.

    ## Example
    ```yaml
    MaxAccessKeyAge:  # preflight: ignore[CP350]
    ```

    ## Use instead
    The id of the finding on that line (`CP305`), or no comment once the finding is fixed.

    ## References
    - [inferred] Not about AWS: the suppressions are preflight's own (as ruff's RUF100 reports unused
      `noqa` comments).
    """,
)


@dataclass(frozen=True)
class Suppression:
    """Rule ids ignored on one line (`line`), inside one resource (`inside`), or in the whole file
    (neither); `span` is where the suppression is written."""

    ids: tuple[str, ...]
    span: Span
    line: int | None = None
    inside: DocPath | None = None

    def covers(self, finding: Finding) -> bool:
        if self.line is not None:
            return finding.span.line == self.line and finding.origin is None
        if self.inside is not None:
            return finding.path[: len(self.inside)] == self.inside
        return True


@dataclass(frozen=True)
class FileSuppressions:
    """What the suppression stage needs of one file, taken where its text is at hand (a worker that
    read it, or the text kept from loading a request, params or spec file): its suppressions, and its
    lines that findings and suppressions point to (a report never holds a file's whole text)."""

    suppressions: tuple[Suppression, ...] = ()
    lines: Mapping[int, str] = field(default_factory=dict)

    def joined(self, other: FileSuppressions) -> FileSuppressions:
        """The same file's suppressions and lines as two checks took them (each suppression once)."""
        suppressions = tuple(dict.fromkeys((*self.suppressions, *other.suppressions)))
        return FileSuppressions(suppressions, {**self.lines, **other.lines})


def of_file(
    file: str, text: str, findings: Iterable[Finding], suppressions: Sequence[Suppression] | None = None
) -> FileSuppressions:
    """`file`'s suppressions (its comments', unless `suppressions` are given) and its lines that
    `findings` and those suppressions point to."""
    found = tuple(comment_suppressions(text) if suppressions is None else suppressions)
    wanted = {finding.span.line for finding in findings if finding.file == file}
    wanted.update(suppression.span.line for suppression in found)
    if not wanted:
        return FileSuppressions(found)
    source = text_lines(text)
    return FileSuppressions(found, {line: source[line - 1] for line in sorted(wanted) if 0 < line <= len(source)})


def comment_suppressions(text: str) -> list[Suppression]:
    if "preflight:" not in text:
        return []
    found = []
    for number, line in enumerate(text_lines(text), start=1):
        if "preflight:" not in line:
            continue
        match = re.search(_COMMENT, line)
        if match:
            ids = tuple(dict.fromkeys(_normal(part) for part in match.group(1).split(",") if part.strip()))
            span = Span(number, match.start() + 1, number, match.end() + 1)
            found.append(Suppression(ids, span, line=number))
    return found


def metadata_suppressions(document: Document | None) -> list[Suppression]:
    """`Metadata.preflight.ignore` of the template and of each resource."""
    if document is None or not isinstance(document.data, dict):
        return []
    places: list[tuple[DocPath, object]] = [((), document.data)]
    resources = document.data.get("Resources")
    if isinstance(resources, dict):
        places.extend((("Resources", name), body) for name, body in resources.items())
    found = []
    for base, body in places:
        ignore = _ignore_list(body)
        if ignore is None:
            continue
        path = (*base, "Metadata", METADATA_KEY, "ignore")
        found.append(Suppression(ignore, document.locate(path), inside=base or None))
    return found


def _ignore_list(body: object) -> tuple[str, ...] | None:
    metadata = body.get("Metadata") if isinstance(body, dict) else None
    ours = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    ignore = ours.get("ignore") if isinstance(ours, dict) else None
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list):
        return None
    return tuple(dict.fromkeys(_normal(item) for item in ignore if isinstance(item, str) and item.strip()))


def _normal(rule_id: str) -> str:
    rule_id = rule_id.strip()
    head, colon, tail = rule_id.partition(":")
    return f"cfn-lint:{tail.upper()}" if colon and head.lower() == "cfn-lint" else rule_id.upper()


@dataclass(frozen=True)
class Suppressed:
    """Findings left after suppressions, and the suppressions that suppressed nothing."""

    kept: list[Finding]
    unused: list[Finding]  # CP009 findings, when that rule is enabled


def apply(
    findings: Iterable[Finding],
    file: str,
    suppressions: Sequence[Suppression],
    known: frozenset[str],
    enabled: frozenset[str],
) -> Suppressed:
    """`findings` of `file` less those its suppressions cover; `known` and `enabled` are rule ids
    (cfn-lint's ids count as known and enabled when cfn-lint ran). A finding about the run rather than
    the file (`transient`: Guard could not check the policies this time) is never suppressed: a
    suppression is about one place of the file, and this says nothing of the place it stands on."""
    used: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    unchecked: set[str] = set()  # rules that could not check the file this time: no suppression is unused
    for finding in findings:
        hit = None
        if finding.transient:
            unchecked.add(finding.rule)
        if finding.file == file and not finding.transient:
            hit = next(
                (index for index, s in enumerate(suppressions) if finding.rule in s.ids and s.covers(finding)), None
            )
        if hit is None:
            kept.append(finding)
        else:
            used.add((hit, finding.rule))
    unused: list[Finding] = []
    if unused_suppression.id in enabled:
        for index, suppression in enumerate(suppressions):
            for rule_id in suppression.ids:
                if (index, rule_id) in used or rule_id == unused_suppression.id or rule_id in unchecked:
                    continue
                message = _unused_message(rule_id, suppression, known, enabled)
                if message is not None:
                    unused.append(_finding(file, suppression.span, message))
    return Suppressed(kept, unused)


def _unused_message(
    rule_id: str, suppression: Suppression, known: frozenset[str], enabled: frozenset[str]
) -> str | None:
    external = rule_id.startswith("cfn-lint:")
    if not external and rule_id not in known:
        shown = rule_id if len(rule_id) <= 40 else rule_id[:40] + "..."
        return f"{shown!r} is not a rule id (see `preflight rules`)"
    if rule_id not in enabled and not (external and "cfn-lint" in enabled):
        return None  # the rule did not run: whether it would find something here is unknown
    where = "on this line" if suppression.line is not None else "in this resource" if suppression.inside else "here"
    return f"ignore[{rule_id}] suppresses nothing: no {rule_id} finding {where}"


def _finding(file: str, span: Span, message: str) -> Finding:
    fix = "remove it, or name the rule of the finding it is meant for"
    rule_ = unused_suppression
    return Finding(rule_.id, rule_.name, rule_.severity, file, span, (), message, fix)


def suppress(
    scoped: Sequence[tuple[int, Finding]],
    files: Mapping[str, tuple[int, FileSuppressions]],
    kept_texts: Mapping[str, tuple[int, str]],
    ignores: Sequence[Callable[[Iterable[Finding]], list[Finding]]],
    enabled: Sequence[frozenset[str]],
    known: frozenset[str],
) -> tuple[list[Finding], dict[str, Mapping[int, str]]]:
    """The suppression stage of a run. `scoped`: its findings, each with the index of the settings it
    was found with; `files`: for each file whose checking took its suppressions, that index and them;
    `kept_texts`: the text of each file a request was read from, with the index of the settings its
    pack was checked with; `ignores` and `enabled`: each settings' ignores and enabled rule ids.
    The findings left after each file's suppressions, applied once over the findings of every pack
    reported in it (with a CP009 finding for each suppression that covers nothing), then after the
    settings' ignores; and the lines of each file they point to."""
    by_file: dict[str, dict[Finding, None]] = {file: {} for file in [*files, *kept_texts]}
    for _scope, finding in scoped:
        by_file.setdefault(finding.file, {})[finding] = None
    kept: set[Finding] = set()
    unused: list[tuple[int, Finding]] = []
    shown: dict[str, Mapping[int, str]] = {}
    for file, in_file in by_file.items():
        scope, own = files.get(file, (0, None))
        if file in kept_texts:  # a request's file: its comments, with what its checking took (a body's Metadata)
            scope, text = kept_texts[file]
            taken = own.suppressions if own is not None else ()
            suppressions = list(dict.fromkeys((*taken, *comment_suppressions(text))))
            from_text = of_file(file, text, in_file, suppressions)
            own = from_text if own is None else own.joined(from_text)
        if own is None:  # its text was not at hand: nothing can suppress its findings
            kept.update(in_file)
            shown[file] = {}
            continue
        outcome = apply(in_file, file, own.suppressions, known, enabled[scope])
        kept.update(outcome.kept)
        unused.extend((scope, finding) for finding in outcome.unused)
        shown[file] = own.lines
    by_scope: dict[int, list[Finding]] = {}
    for scope, finding in [(scope, finding) for scope, finding in scoped if finding in kept] + unused:
        by_scope.setdefault(scope, []).append(finding)
    findings = list(dict.fromkeys(finding for scope, left in by_scope.items() for finding in ignores[scope](left)))
    pointed = {(finding.file, finding.span.line) for finding in findings}
    lines: dict[str, Mapping[int, str]] = {
        file: {line: text for line, text in in_file.items() if (file, line) in pointed}
        for file, in_file in shown.items()
    }
    return findings, lines
