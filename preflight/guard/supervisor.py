"""Whether Guard can parse the policies of CUSTOM_POLICY rules, asked of cfn-guard-rs (the `guard`
extra) in a child process (preflight/guard/worker.py): Guard crashes the process it runs in on some
policies, and this one holds every other finding. Only a run that has such policies imports this
module, and cfn-guard-rs is never imported here."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from preflight.model.limits import SAFETY_LIMITS

GUARD_MODULE = "cfn_guard_rs"
GUARD_EXTRA = "guard"
WORKER = Path(__file__).resolve().parent / "worker.py"
# A worker that crashes on a policy is started again for the policies after it, this many times in all.
MAX_WORKERS = 3

# Guard's two shapes of syntax error (nom's errors, as guard/src/rules/errors.rs and parser.rs word them);
# any other parse error is raised while evaluating a policy that parsed.
_SYNTAX = re.compile(
    r"Error parsing file .*? at line (?P<line>\d+) at column (?P<column>\d+)"
    r"(?:, when handling (?P<detail>.*?), fragment (?P<rest>.*)|, remaining (?P<remaining>.*))",
    re.DOTALL,
)
_INCOMPLETE = "More bytes required for parsing"
NEAR_MAX_CHARS = 40
DETAIL_MAX_CHARS = 160


@dataclass(frozen=True)
class GuardSyntaxError:
    """Where Guard stopped in a policy: `line` and `column` as Guard counts them (1-based, in
    characters), `offset` (the index in the policy of the character to point at: the first non-blank
    one from there, or just after the last when Guard stopped at the end), what Guard expected (`detail`, often empty)
    and the text where it stopped (`near`: its first line, cut to NEAR_MAX_CHARS; empty at the end)."""

    line: int
    column: int
    offset: int
    detail: str
    near: str

    @property
    def message(self) -> str:
        """Guard's message in one line of bounded length."""
        detail = _cut(_visible(" ".join(self.detail.split())), DETAIL_MAX_CHARS)
        where = f"near {self.near!r}" if self.near else "at its end"  # repr escapes control characters
        return f"Guard cannot parse the policy {where}" + (f": {detail}" if detail else "")


def _visible(text: str) -> str:
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class PolicyVerdict:
    """`syntax_error` when Guard cannot parse the policy; `not_checked` says why there is no verdict."""

    syntax_error: GuardSyntaxError | None = None
    not_checked: str | None = None


PARSED = PolicyVerdict()


@dataclass(frozen=True)
class GuardRun:
    """A verdict per policy, in order; or none, and `unavailable` says why Guard could not run."""

    verdicts: tuple[PolicyVerdict, ...]
    unavailable: str | None = None


@dataclass(frozen=True)
class GuardParser:
    executable: str = sys.executable
    timeout_seconds: float = SAFETY_LIMITS.guard_seconds
    memory_bytes: int = SAFETY_LIMITS.guard_memory_bytes

    @property
    def installed(self) -> bool:
        """Whether the guard extra is installed (cfn-guard-rs found, not imported)."""
        return importlib.util.find_spec(GUARD_MODULE) is not None

    def check(self, policies: Sequence[str]) -> GuardRun:
        """Every policy's verdict. At most `timeout_seconds` in all; a policy Guard crashes on, or does
        not finish within the time left, is not checked, and neither are those after it once
        MAX_WORKERS workers have stopped early."""
        if not self.installed:
            return GuardRun((), "cfn-guard-rs, Guard's parser, is not installed")
        if not self.executable:
            return GuardRun((), "no Python interpreter to run Guard in")
        unique = list(dict.fromkeys(policies))
        verdicts: dict[str, PolicyVerdict] = {}
        deadline = time.monotonic() + self.timeout_seconds
        pending = unique
        for _ in range(MAX_WORKERS):
            if not pending:
                break
            finished, stopped = self._run(pending, deadline - time.monotonic())
            if isinstance(finished, str):
                return GuardRun((), finished)
            verdicts.update((policy, _verdict(reply, policy)) for policy, reply in zip(pending, finished, strict=False))
            if stopped is None:
                pending = []
                break
            verdicts[pending[len(finished)]] = PolicyVerdict(not_checked=stopped)
            pending = pending[len(finished) + 1 :]
        for policy in pending:
            verdicts[policy] = PolicyVerdict(not_checked="Guard stopped on earlier policies of this template")
        return GuardRun(tuple(verdicts[policy] for policy in policies))

    def _run(self, policies: list[str], seconds: float) -> tuple[list[dict[str, object]] | str, str | None]:
        """The worker's replies, in order, and why it stopped before the last policy (or None); or,
        instead of the replies, why Guard is unavailable."""
        if seconds <= 0:
            return [], f"no time left of the {self.timeout_seconds:g} s Guard may take"
        try:
            process = subprocess.Popen(
                [self.executable, "-P", str(WORKER), str(self.memory_bytes)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            return f"Guard's worker process could not start ({error.strerror or error})", None
        payload = json.dumps(policies).encode("ascii")
        stopped: str | None = None
        try:
            output, _ = process.communicate(payload, timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            stopped = f"Guard did not finish reading this policy within {self.timeout_seconds:g} s"
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        replies: list[dict[str, object]] = []
        for line in output.splitlines()[: len(policies)]:
            reply = _reply(line)
            if reply is None:
                break
            if "unavailable" in reply:
                return str(reply["unavailable"]), None
            replies.append(reply)
        if len(replies) == len(policies):
            return replies, None
        return replies, stopped or f"Guard crashed while reading this policy ({_exit_status(process.returncode)})"


def _reply(line: bytes) -> dict[str, object] | None:
    try:
        reply = json.loads(line)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def _verdict(reply: dict[str, object], policy: str) -> PolicyVerdict:
    if "parse_error" in reply:
        return PolicyVerdict(syntax_error=syntax_error(str(reply["parse_error"]), policy))
    if "not_checked" in reply:
        return PolicyVerdict(not_checked=str(reply["not_checked"]))
    return PARSED


def _exit_status(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {-code}"
    return f"exit status {code}"


def syntax_error(message: str, policy: str) -> GuardSyntaxError | None:
    """The syntax error in Guard's parse error `message` about `policy`; None for an error Guard
    raises while evaluating a policy that parsed (an unknown function, a bad argument)."""
    if _INCOMPLETE in message:
        last_line = policy.rsplit("\n", 1)[-1]
        end = len(policy.rstrip())
        return GuardSyntaxError(policy.count("\n") + 1, len(last_line) + 1, end, _INCOMPLETE.lower(), "")
    match = _SYNTAX.search(message)
    if match is None:
        return None
    line, column = int(match["line"]), int(match["column"])
    rest = match["rest"] if match["rest"] is not None else match["remaining"]
    rest = rest.removesuffix("`")  # Guard quotes its inner message in backticks
    detail = (match["detail"] or "").strip()
    near = _cut(rest.strip().split("\n", 1)[0].strip(), NEAR_MAX_CHARS)
    offset = _offset(policy, line, column)
    if policy[offset:].strip():  # Guard often stops at the blanks before what it could not read
        offset += len(policy[offset:]) - len(policy[offset:].lstrip())
    else:  # it stopped at the end: point just after the policy's last character
        offset = len(policy.rstrip())
    return GuardSyntaxError(line, column, offset, detail, near)


def _offset(policy: str, line: int, column: int) -> int:
    """The index of the character at `line` and `column` (Guard counts lines at \\n and columns in
    characters), at most the policy's length."""
    start = 0
    for _ in range(line - 1):
        found = policy.find("\n", start)
        if found < 0:
            return len(policy)
        start = found + 1
    return min(start + column - 1, len(policy))
