"""A rule is a function plus frozen metadata. Nothing registers itself: the engine collects the
`Rule` objects it finds in the modules of `preflight.rules`."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from preflight.model.findings import Issue, Severity

if TYPE_CHECKING:
    from preflight.engine.context import Context

CheckFunction = Callable[["Context"], Iterable[Issue]]
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")
# The section of a fixable rule's docs that says what its fix does, before References.
FIX_SECTION = "Fix"
# A fix that keeps what the pack means (`check --fix`), or one that may not (`--unsafe-fixes`).
Fixable = Literal["safe", "unsafe"]
# How sure a reference is, as each `## References` item says in brackets.
CONFIDENCE_TAGS = ("documented", "reported", "observed", "inferred")
# The tags that make an error: AWS documents the rejection, or it is publicly reported.
ERROR_EVIDENCE = ("documented", "reported")


class Phase(enum.Enum):
    """When a rule runs, by what it reads."""

    REQUEST = "request"  # the request and what reading found: with or without a parsed template
    TEMPLATE = "template"  # a parsed template (and the request)
    ONLINE = "online"  # the facts the online pre-flight gathered from AWS
    SPEC = "spec"  # once per spec file, across its packs


OFFLINE = frozenset({Phase.REQUEST, Phase.TEMPLATE, Phase.SPEC})
EVERY_PHASE = frozenset(Phase)


@dataclass(frozen=True)
class Rule:
    """A lint rule: its check function and metadata (the `@rule` decorator makes it), or, for the
    findings the engine makes itself, no check function and its documentation (`engine_rule`)."""

    id: str
    name: str
    severity: Severity
    check: CheckFunction | None
    tags: tuple[str, ...] = ()
    phase: Phase = Phase.TEMPLATE
    opt_in: bool = False
    cfn_lint: tuple[str, ...] = ()  # cfn-lint rules that report the same problem (--cfn-lint drops theirs)
    fix: Fixable | None = None  # whether its findings can carry text edits (its docs' `## Fix` says how)
    once: bool = False  # a hint about the run: reported for the first pack it applies to, with how many more
    doc: str = ""  # the documentation of a rule without a check function

    @property
    def documentation(self) -> str:
        return inspect.cleandoc((self.check.__doc__ if self.check else self.doc) or "")

    @property
    def summary(self) -> str:
        """The first sentence under "What it does"."""
        lines = self.documentation.splitlines()
        try:
            start = lines.index("## What it does") + 1
        except ValueError:
            return ""
        paragraph: list[str] = []
        for line in lines[start:]:
            if line.startswith("## ") or (not line.strip() and paragraph):
                break
            if line.strip():
                paragraph.append(line.strip())
        text = " ".join(paragraph)
        end = text.find(". ")
        return text if end < 0 else text[: end + 1]

    @property
    def evidence(self) -> str:
        """The strongest confidence among the references: documented, reported, observed or inferred."""
        tags = {tag for tag, _ in self.references}
        return next((tag for tag in CONFIDENCE_TAGS if tag in tags), "none")

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """The `## References` items as (confidence tag, text): `- [reported] owner/repo#1 - ...`."""
        lines = self.documentation.splitlines()
        try:
            start = lines.index("## References") + 1
        except ValueError:
            return ()
        found: list[tuple[str, str]] = []
        for line in lines[start:]:
            if line.startswith("## "):
                break
            stripped = line.strip()
            if stripped.startswith("- [") and "]" in stripped:
                tag, _, text = stripped[3:].partition("]")
                found.append((tag, text.strip()))
            elif stripped and found:
                found[-1] = (found[-1][0], f"{found[-1][1]} {stripped}")
        return tuple(found)


def rule(
    rule_id: str,
    name: str,
    severity: Severity,
    *,
    tags: tuple[str, ...] = (),
    phase: Phase = Phase.TEMPLATE,
    opt_in: bool = False,
    cfn_lint: tuple[str, ...] = (),
    fix: Fixable | None = None,
    once: bool = False,
) -> Callable[[CheckFunction], Rule]:
    """`phase`: when the rule runs (see `Phase`); `opt_in`: the evidence is contested, so the rule runs
    only when selected by its full id; `cfn_lint`: the cfn-lint rule ids whose findings on the same
    line repeat this rule's; `once`: a hint about the run rather than each pack, reported once a run
    (for the first pack it applies to, saying how many more it does)."""

    def wrap(check: CheckFunction) -> Rule:
        return Rule(rule_id, name, severity, check, tags, phase, opt_in, cfn_lint, fix, once)

    return wrap


def engine_rule(rule_id: str, name: str, severity: Severity, tags: tuple[str, ...], doc: str) -> Rule:
    """A rule whose findings the engine makes as it runs the others (it has no check of its own)."""
    return Rule(rule_id, name, severity, None, tags, Phase.REQUEST, doc=doc)
