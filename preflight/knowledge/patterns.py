"""Regular expressions that come from templates (`AllowedPattern`), matched in linear time. Python's
backtracking `re` takes exponential time on patterns such as `^(a+)+$`, and a template supplies both
the pattern and the value, so a committed file could hang the CLI, CI and the editor. RE2 cannot
backtrack: it runs every pattern it accepts in time linear in the value, within a bounded memory."""

from __future__ import annotations

from dataclasses import dataclass

# RE2's own memory bound for one compiled pattern (its default); a pattern that needs more fails to
# compile instead of growing.
_MAX_MEMORY = 8 << 20


@dataclass(frozen=True)
class Unmatchable:
    """Why a pattern could not be run (RE2 has no backreferences or lookaround, for example)."""

    reason: str


def full_match(pattern: str, value: str) -> bool | Unmatchable:
    """Whether `pattern` matches all of `value`, as CloudFormation's AllowedPattern requires."""
    import re2  # only templates with an AllowedPattern need it

    options = re2.Options()
    options.log_errors = False  # RE2 would print to standard error
    options.never_capture = True
    options.max_mem = _MAX_MEMORY
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as error:
        detail = error.args[0] if error.args else error
        return Unmatchable(detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail))
    return compiled.fullmatch(value) is not None
