"""What the YAML and JSON readers make of a text (`Parsed`: plain values, the position of every node,
problems), and the problems they report, worded once: the readers' hot loops only decide that
something is wrong and where; these functions say what."""

from __future__ import annotations

from dataclasses import dataclass, field

from preflight.model.findings import DocPath, Position, Severity, Span
from preflight.model.problems import Problem, ProblemKind


@dataclass(eq=False, repr=False)
class Parsed:
    """`complete`: the text was read to its end (or to the end of its first document)."""

    data: object = None
    spans: dict[DocPath, Position] = field(default_factory=dict)
    key_spans: dict[DocPath, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    complete: bool = False


def unreadable_character(code: str, reason: str, span: Span) -> Problem:
    return Problem(ProblemKind.UNREADABLE, f"unreadable character {code} at this position: {reason}", span)


def syntax_error(detail: str, span: Span) -> Problem:
    return Problem(ProblemKind.SYNTAX, f"YAML syntax error: {detail}", span)


def json_syntax_error(detail: str, span: Span) -> Problem:
    return Problem(ProblemKind.SYNTAX, f"JSON syntax error: {detail}", span)


def too_deep(limit: int, span: Span) -> Problem:
    return Problem(ProblemKind.OVER_LIMITS, f"nesting deeper than {limit} levels; no template needs this", span)


def nested_too_deeply(span: Span) -> Problem:
    return Problem(ProblemKind.OVER_LIMITS, "input is nested too deeply to read", span)


def too_many_values(limit: int, span: Span) -> Problem:
    return Problem(
        ProblemKind.OVER_LIMITS, f"more than {limit:,} values; no deployable template comes near this many", span
    )


def alias_used(anchor: str, span: Span) -> Problem:
    return Problem(
        ProblemKind.UNSUPPORTED_YAML,
        f"YAML alias *{anchor}: CloudFormation does not support aliases",
        span,
        fix="repeat the content instead of the alias",
    )


def alias_without_anchor(anchor: str, span: Span) -> Problem:
    return Problem(ProblemKind.SYNTAX, f"YAML alias *{anchor} has no anchor before it", span)


def aliases_over_budget(limit: int, span: Span) -> Problem:
    return Problem(
        ProblemKind.OVER_LIMITS,
        f"YAML aliases expand to more than {limit} nodes (an alias bomb, or a template CloudFormation would not "
        "accept)",
        span,
    )


def merge_key(span: Span) -> Problem:
    return Problem(
        ProblemKind.UNSUPPORTED_YAML,
        "YAML merge key '<<': CloudFormation does not support merge keys",
        span,
        fix="write the merged entries out",
    )


def second_document(span: Span) -> Problem:
    return Problem(
        ProblemKind.NOT_A_TEMPLATE,
        "a second YAML document starts here; only the first is checked, and whether AWS reads past it is unverified",
        span,
        fix="split the documents into separate files",
        severity=Severity.WARNING,
    )


def collection_as_key(span: Span) -> Problem:
    return Problem(ProblemKind.SYNTAX, "a mapping key must be a scalar, not a collection", span)


def number_too_long(digits: int, span: Span) -> Problem:
    return Problem(ProblemKind.SYNTAX, f"a number of {digits:,} digits", span)


def invalid_tagged_value(raw: str, type_name: str, span: Span) -> Problem:
    return Problem(ProblemKind.SYNTAX, f"{raw!r} is not a valid !!{type_name}", span)


def unsupported_core_tag(type_name: str, span: Span) -> Problem:
    return Problem(
        ProblemKind.UNKNOWN_TAG,
        f"YAML tag !!{type_name} is not supported by CloudFormation",
        span,
        fix="write the value as a plain string, number, list or mapping",
    )


def unknown_tag(tag: str, span: Span) -> Problem:
    return Problem(
        ProblemKind.UNKNOWN_TAG,
        f"unknown YAML tag {tag}: not a CloudFormation short form; its value is checked as if untagged",
        span,
        fix="use one of the CloudFormation short forms (!Ref, !Sub, !If, ...) or the long form (Fn::...)",
        severity=Severity.WARNING,
    )


def duplicate_key(key: str, first_line: int, span: Span, *, identical: bool) -> Problem:
    """The second definition of `key` in one mapping, at `span`; the first starts on `first_line`.
    CloudFormation keeps the last definition and drops the earlier one without a word."""
    if identical:
        return Problem(
            ProblemKind.DUPLICATE_KEY,
            f"duplicate key {key!r} repeats its definition on line {first_line} exactly; "
            "CloudFormation keeps one of the two",
            span,
            fix="remove one of the two copies",
            severity=Severity.WARNING,
        )
    return Problem(
        ProblemKind.DUPLICATE_KEY,
        f"duplicate key {key!r}: CloudFormation keeps this last definition and silently drops the different "
        f"one on line {first_line}",
        span,
        fix=f"merge the two definitions into one, or rename one of them (see line {first_line})",
    )
