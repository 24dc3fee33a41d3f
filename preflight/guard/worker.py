"""Reads Guard policies with cfn-guard-rs (Guard's own parser) in a process of its own, which
preflight.guard.supervisor starts: Guard can overflow its stack or panic on some policies (a rule that
names itself, blocks nested a few thousand deep), which would end the process that called it.

Its one argument: the address space it may use, in bytes (Guard allocates without bound on some
nested input: past the bound an allocation fails and the process ends, as in a crash).
Standard input: a JSON list of policy texts. Standard output: one JSON object per policy, written as
soon as it is read, so a crash on one policy still leaves the verdicts before it:
`{"parsed": true}`, `{"parse_error": "<Guard's message>"}` or `{"not_checked": "<why>"}`; or a single
`{"unavailable": "<why>"}` when cfn-guard-rs cannot be imported."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def main() -> int:
    _bounded(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    try:
        from cfn_guard_rs import errors
        from cfn_guard_rs.api import run_checks
    except ImportError as error:
        _write({"unavailable": f"cfn-guard-rs cannot be imported ({error})"})
        return 0
    policies = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    for policy in policies:
        _write(_verdict(run_checks, errors.ParseError, errors.MissingValueError, policy))
    return 0


def _verdict(
    run_checks: Callable[[dict[str, Any], str], object],
    parse_error: type[Exception],
    missing_value: type[Exception],
    policy: str,
) -> dict[str, object]:
    try:
        policy.encode("utf-8")
    except UnicodeEncodeError:
        return {"not_checked": "the policy is not valid Unicode text"}
    try:
        run_checks({}, policy)  # parses the policy, then evaluates it against an empty document
    except missing_value:  # a variable without a value: evaluation, after the policy parsed
        return {"parsed": True}
    except parse_error as error:
        return {"parse_error": str(error)}
    except Exception:  # the policy parsed, and evaluating it against an empty document failed
        return {"parsed": True}
    except BaseException as error:  # a Rust panic: pyo3's PanicException derives from BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return {"not_checked": f"Guard panicked ({type(error).__name__})"}
    return {"parsed": True}


def _write(verdict: dict[str, object]) -> None:
    sys.stdout.buffer.write(json.dumps(verdict).encode("ascii") + b"\n")
    sys.stdout.buffer.flush()


def _bounded(memory_bytes: int | None) -> None:
    """A crash on a hostile policy leaves no core file in the user's folder, and its memory is bounded."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_bytes is None:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    bound = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    except (ValueError, OSError):  # a platform that will not lower it: Guard runs unbounded, as before
        pass


if __name__ == "__main__":
    sys.exit(main())
