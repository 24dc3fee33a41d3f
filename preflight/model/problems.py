"""What reading a file can find wrong, by kind. The loader knows no rule ids: the input rules
(CP001-CP008) each report one kind."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from preflight.model.findings import Severity, Span


class ProblemKind(enum.Enum):
    UNREADABLE = "unreadable"  # not text: an I/O error, UTF-16, binary, a character YAML forbids
    SYNTAX = "syntax"  # YAML or JSON that does not parse
    DUPLICATE_KEY = "duplicate-key"
    NOT_A_TEMPLATE = "not-a-template"  # empty, not a mapping, no Resources, a second document
    UNKNOWN_TAG = "unknown-tag"
    OVER_LIMITS = "over-limits"  # larger, deeper or more aliased than this tool reads
    UNSUPPORTED_YAML = "unsupported-yaml"  # aliases and merge keys
    NOT_STRICT_JSON = "not-strict-json"  # a .json file that only a YAML parser reads


@dataclass(frozen=True)
class Problem:
    """`severity` overrides the reporting rule's own."""

    kind: ProblemKind
    message: str
    span: Span
    fix: str | None = None
    severity: Severity | None = None
