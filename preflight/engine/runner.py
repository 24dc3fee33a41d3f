"""Collects the rules, runs them on a context, and turns their issues into located findings."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from pathlib import Path
from typing import overload

from preflight.engine.context import Context
from preflight.engine.suppression import unused_suppression
from preflight.model.findings import NO_POSITION, START_OF_FILE, Finding, Issue, Severity
from preflight.model.rule import Phase, Rule, engine_rule

RULES_PACKAGE = "preflight.rules"


internal_error = engine_rule(
    "CP999",
    "internal-error",
    Severity.ERROR,
    ("internal",),
    """## What it does
    Reports a rule that crashed on this input. The other rules' findings are still reported.

    ## Why is this bad?
    The input was not fully checked. This is a defect in preflight: please report it with the file
    that caused it.

    ## Example
    A template shape that no rule author anticipated.

    ## Use instead
    Nothing to change in the template; upgrade preflight or report the defect.

    ## References
    - [inferred] Not a statement about AWS: the finding says this tool failed, so the pack was not
      fully checked and must not pass unseen.
    """,
)


def discover_rules() -> tuple[Rule, ...]:
    """Every `Rule` object defined in the modules of `preflight.rules`, plus the two whose findings the
    engine makes (CP009, CP999), sorted by id."""
    try:
        package = importlib.import_module(RULES_PACKAGE)
    except ModuleNotFoundError:
        here = Path(__file__).resolve().parent.parent
        raise RuntimeError(
            f"{RULES_PACKAGE} is not importable: `preflight` was imported from {here}, a source tree without the "
            "install's package mapping; run the installed `preflight` command, or `pip install -e .`"
        ) from None
    found: dict[str, Rule] = {internal_error.id: internal_error, unused_suppression.id: unused_suppression}
    for name in sorted(module.name for module in pkgutil.iter_modules(package.__path__)):
        module = importlib.import_module(f"{RULES_PACKAGE}.{name}")
        for value in vars(module).values():
            if isinstance(value, Rule) and value.check is not None and value.check.__module__ == module.__name__:
                if value.id in found and found[value.id] is not value:
                    raise RuntimeError(f"rule id {value.id} is defined twice")
                found[value.id] = value
    return tuple(sorted(found.values(), key=lambda r: r.id))


def runs_on(current: Rule, ctx: Context) -> bool:
    """Whether `ctx` holds what the rule's phase reads."""
    if current.phase is Phase.SPEC or ctx.spec is not None:
        return current.phase is Phase.SPEC and ctx.spec is not None
    if current.phase is Phase.TEMPLATE:
        return ctx.is_template
    if current.phase is Phase.ONLINE:
        return ctx.facts is not None
    return True


def run_rules(rules: Iterable[Rule], ctx: Context, *, raise_errors: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    for current in rules:
        if current.check is None or not runs_on(current, ctx):
            continue
        try:
            for issue in current.check(ctx):
                findings.append(_locate(current, issue, ctx))
        except Exception as error:
            if raise_errors:
                raise
            findings.append(crashed(_subject_file(ctx), f"rule {current.id}", error))
    return findings


def crashed(file: str, what: str, error: Exception) -> Finding:
    """The CP999 finding for a part of preflight that failed on `file`."""
    message = f"{what} crashed: {type(error).__name__}: {error}; please report this"
    return Finding(internal_error.id, internal_error.name, internal_error.severity, file, START_OF_FILE, (), message)


def _subject_file(ctx: Context) -> str:
    if ctx.loaded is not None:
        return ctx.loaded.file
    return ctx.request.from_request_file or "<request>"


# What a request finding is about when no file or option gave the value: the request as a whole, or
# for an online rule the account and organization it read.
REQUEST_ORIGIN = "request"
AWS_ORIGIN = "AWS account"


def _locate(current: Rule, issue: Issue, ctx: Context) -> Finding:
    severity = issue.severity or current.severity
    file = _subject_file(ctx)
    span = issue.span or START_OF_FILE
    origin: str | None = None
    if issue.where == "request":
        given = ctx.request.origin(issue.path)
        if given is not None and given.option is not None:
            span, origin = NO_POSITION, given.option
        elif given is not None:
            file, span = given.file, given.span
        elif ctx.loaded is None and ctx.request.from_request_file is not None:
            file = ctx.request.from_request_file
        else:
            span, origin = NO_POSITION, AWS_ORIGIN if current.phase is Phase.ONLINE else REQUEST_ORIGIN
    elif issue.span is None and ctx.document is not None:
        span = ctx.document.locate(issue.path)
    fix = None if issue.fix is None else _capped(issue.fix)
    message = _capped(issue.message)
    edits = issue.edits if file == _subject_file(ctx) and origin is None else ()
    return Finding(
        current.id, current.name, severity, file, span, issue.path, message, fix, _capped(origin), edits,
        issue.unsafe, issue.accounts, issue.transient,
    )  # fmt: skip


MESSAGE_MAX_CHARS = 1000


@overload
def _capped(text: str) -> str: ...
@overload
def _capped(text: None) -> None: ...
def _capped(text: str | None) -> str | None:
    """A message quotes input: a 1 MB value must not flood the report."""
    if text is None or len(text) <= MESSAGE_MAX_CHARS:
        return text
    return f"{text[: MESSAGE_MAX_CHARS - 40]}... ({len(text) - MESSAGE_MAX_CHARS + 40:,} more characters)"
