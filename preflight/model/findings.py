"""What a rule reports, and where."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

PathPart = str | int
DocPath = tuple[PathPart, ...]


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return _LABELS[self]  # reports ask for it several times a finding; an enum's name is slow to read

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


_LABELS = {severity: severity.name.lower() for severity in Severity}


@dataclass(frozen=True, slots=True)
class Span:
    """1-based start and end of a node in its file."""

    line: int
    column: int
    end_line: int
    end_column: int


START_OF_FILE = Span(1, 1, 1, 1)
# A finding about a value given on the command line has no place in a file (see Finding.origin).
NO_POSITION = Span(0, 0, 0, 0)

# A node's start and end as (line, column, end line, end column): how a parsed document stores the
# positions of its many nodes, cheaper to make than a Span; `Span(*position)` when one is needed.
Position = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text at `span` (1-based, end exclusive; an empty span inserts) with `text`."""

    span: Span
    text: str


# How the message of an online check that could not run begins (Issue.could_not_check).
COULD_NOT_CHECK = "could not check "


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule function yields: the engine adds the rule's id, name, severity and the location.

    `where` says which document `path` points into: the template, or the request (flags, params
    file, request file).
    """

    message: str
    path: DocPath = ()
    fix: str | None = None
    severity: Severity | None = None
    where: Literal["template", "request"] = "template"
    span: Span | None = None
    edits: tuple[Edit, ...] = ()  # the fix as text edits of the template, when it can be made mechanically
    unsafe: bool = False  # the edits may change what the pack means: applied only with --unsafe-fixes
    accounts: tuple[str, ...] = ()  # the AWS accounts where the pack will fail, or may, for this reason
    transient: bool = False  # about this run, not the file (a worker killed): its result is not cached

    @classmethod
    def could_not_check(cls, what: str, reason: str, accounts: tuple[str, ...] = (), fix: str | None = None) -> Issue:
        """An online check that AWS did not let run: a warning about the request, never an error."""
        return cls(
            f"{COULD_NOT_CHECK}{what}: {reason}", fix=fix, severity=Severity.WARNING, where="request", accounts=accounts
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found, where it is and how to fix it: what every report shows."""

    rule: str
    name: str
    severity: Severity
    file: str
    span: Span
    path: DocPath
    message: str
    fix: str | None = None
    # The command-line option that gave the value the finding is about (`--param Age=45`), or what
    # else it is about when that is no place in a file ("request", "AWS account"); `span` is then
    # NO_POSITION and `file` the file checked with it.
    origin: str | None = None
    edits: tuple[Edit, ...] = ()  # text edits of `file` that make the fix (`check --fix`)
    unsafe: bool = False
    accounts: tuple[str, ...] = ()  # the AWS accounts the finding is about (the online rules')
    # About this run rather than the file (Guard's worker killed, or out of time): the file's result
    # is not cached, so a later run checks it again. Not part of any report.
    transient: bool = field(default=False, compare=False)

    @property
    def unverified(self) -> bool:
        """An online check that could not run (Issue.could_not_check), not a problem it found."""
        return self.severity is Severity.WARNING and self.message.startswith(COULD_NOT_CHECK)

    def sort_key(self) -> tuple[str, int, int, str, int, int, str, str, int, str, str]:
        """File, line, column, rule (the JSON contract), then everything else, so equal-looking
        findings still come out in one order."""
        span = self.span
        return (
            self.file, span.line, span.column, self.rule,
            span.end_line, span.end_column, self.message, repr(self.path), self.severity, self.fix or "",
            self.origin or "",
        )  # fmt: skip


@dataclass(eq=False, frozen=True)
class Report:
    """What a run found, for the reporters: the findings in report order, the templates checked
    (`files`), the source lines the findings point to (by file and line number, for the text report),
    the files skipped as no conformance packs, and the packs checked without reading a template (it
    is in S3)."""

    findings: tuple[Finding, ...]
    files: int
    lines: Mapping[str, Mapping[int, str]] = field(default_factory=dict, repr=False)
    checked_files: tuple[str, ...] = ()
    skipped: int = 0
    without_template: int = 0
