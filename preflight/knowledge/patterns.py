"""Regular expressions that come from templates (`AllowedPattern`), matched in linear time. Python's
backtracking `re` takes exponential time on patterns such as `^(a+)+$`, and a template supplies both
the pattern and the value, so a committed file could hang the CLI, CI and the editor. RE2 cannot
backtrack: it runs every pattern it accepts in time linear in the value, within a bounded memory."""

from __future__ import annotations

# RE2's own memory bound for one compiled pattern (its default); a pattern that needs more fails to
# compile instead of growing.
_MAX_MEMORY = 8 << 20


class Unmatchable(ValueError):
    """A pattern RE2 cannot run (it has no backreferences or lookaround, for example); the message
    says why."""


def full_match(pattern: str, value: str) -> bool:
    """Whether `pattern` matches all of `value`, as CloudFormation's AllowedPattern requires; raises
    Unmatchable for a pattern RE2 cannot run."""
    import re2  # only templates with an AllowedPattern need it

    options = re2.Options()
    options.log_errors = False  # RE2 would print to standard error
    options.never_capture = True
    options.max_mem = _MAX_MEMORY
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as error:
        detail = error.args[0] if error.args else error
        raise Unmatchable(detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)) from None
    return compiled.fullmatch(value) is not None
