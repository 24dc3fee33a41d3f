"""Follow a rollout to the last account: poll the pack's status and its per-account detailed status
until every account is done, one failed, or the timeout passes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TextIO, TypeVar

from botocore.exceptions import ClientError

from preflight.aws import listing
from preflight.aws.errors import error_code
from preflight.aws.replies import reply_text
from preflight.aws.s3_templates import Timing
from preflight.aws.session import Clients
from preflight.reporters.printable import printable

T = TypeVar("T")

_TERMINAL = ("_SUCCESSFUL", "_FAILED", "_COMPLETE")
# How long one look at the status may take when there is no timeout to follow (`status --no-wait`).
ONE_LOOK_SECONDS = 60.0


class AWSTimeout(Exception):
    """AWS did not answer before the time ran out."""


def within(seconds: float, call: Callable[[], T]) -> T:
    """`call()`, or AWSTimeout after `seconds`: a hung connection cannot outlast the command's timeout.
    The call goes on in a daemon thread, which the process does not wait for."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    worker = threading.Thread(target=run, name="preflight-aws-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise AWSTimeout(f"AWS did not answer within {seconds:g} s")
    if failure:
        raise failure[0]
    return outcome[0]


@dataclass(frozen=True)
class AccountStatus:
    account: str
    status: str
    error_code: str = ""
    error_message: str = ""
    updated: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status.endswith(_TERMINAL)

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")


# Right after a put the account rows may still be the previous rollout's; rows updated this long
# before the put (clock skew) still count as the new rollout's.
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class Snapshot:
    pack_status: str
    accounts: tuple[AccountStatus, ...]
    reason: str = ""
    since: datetime | None = None  # when the put was made; None when only watching
    updated: datetime | None = None  # when AWS last changed the pack's own status

    @property
    def finished(self) -> bool:
        if self.pack_status.endswith(_TERMINAL):
            return all(account.done for account in self.accounts)
        # From a delegated administrator the pack status can stay IN_PROGRESS after every account has
        # finished: then every account row must be done, and newer than the put.
        if not self.accounts:
            return False
        return all(account.done and self._fresh(account) for account in self.accounts)

    def _fresh(self, account: AccountStatus) -> bool:
        if self.since is None or account.updated is None:
            return True
        return account.updated >= self.since - CLOCK_SKEW

    @property
    def succeeded(self) -> bool:
        return self.finished and not self.pack_status.endswith("_FAILED") and not any(a.failed for a in self.accounts)


class PackNotFound(Exception):
    """AWS has no pack of this name in this scope (in the clients' Region)."""


class StatusUnreadable(Exception):
    """The first look at a pack's status failed (`cause`): nothing is known about its rollout."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


_NO_ORGANIZATION_PACK = "NoSuchOrganizationConformancePackException"


def snapshot(clients: Clients, name: str, scope: str) -> Snapshot:
    """The pack's state now; raises PackNotFound when there is no such pack, and AWS's error when it
    refuses a status call."""
    config = clients("config")
    if scope == "organization":
        try:
            statuses = config.describe_organization_conformance_pack_statuses(OrganizationConformancePackNames=[name])
        except ClientError as error:
            if error_code(error) == _NO_ORGANIZATION_PACK:
                raise PackNotFound(name) from None
            raise
        found = statuses.get("OrganizationConformancePackStatuses") or []
        if not found:
            raise PackNotFound(name)
        pack_status = found[0].get("Status", "UNKNOWN")
        updated = found[0].get("LastUpdateTime")
        detailed = listing.items(
            config,
            "get_organization_conformance_pack_detailed_status",
            "OrganizationConformancePackDetailedStatuses",
            OrganizationConformancePackName=name,
        )
        accounts = [
            AccountStatus(
                item["AccountId"],
                item["Status"],
                item.get("ErrorCode", ""),
                reply_text(item.get("ErrorMessage", "")),
                item.get("LastUpdateTime"),
            )
            for item in detailed
        ]
        return Snapshot(pack_status, tuple(sorted(accounts, key=lambda a: a.account)), updated=updated)
    # AWS answers an empty list for a name it does not know.
    found = config.describe_conformance_pack_status(ConformancePackNames=[name]).get("ConformancePackStatusDetails")
    if not found:
        raise PackNotFound(name)
    details = found[0]
    state = details.get("ConformancePackState", "UNKNOWN")
    reason = reply_text(details.get("ConformancePackStatusReason", ""))
    return Snapshot(state, (), reason, updated=details.get("LastUpdateRequestedTime"))


def pack_exists(clients: Clients, name: str, scope: str) -> bool | None:
    """Whether AWS has a pack of this name in this scope; None when it cannot tell (a call refused)."""
    try:
        within(ONE_LOOK_SECONDS, lambda: snapshot(clients, name, scope))
    except PackNotFound:
        return False
    except Exception:
        return None
    return True


def _counts(shot: Snapshot) -> str:
    total = len(shot.accounts)
    done = sum(1 for a in shot.accounts if a.done)
    failed = sum(1 for a in shot.accounts if a.failed)
    if not total:
        return shot.pack_status
    return f"{done}/{total} accounts done, {failed} failed ({shot.pack_status})"


def watch(
    clients: Clients,
    name: str,
    scope: str,
    *,
    timeout: float,
    timing: Timing,
    out: TextIO,
    live: bool,
    since: datetime | None = None,
    fetch: Callable[[Clients, str, str], Snapshot] = snapshot,
) -> tuple[Snapshot, bool]:
    """The last snapshot, and whether it finished before the timeout. `live` redraws one progress line
    (a terminal); otherwise a plain line is written whenever the counts change. The timeout bounds the
    whole watch, a status call that hangs included; with no timeout, one look. When the first look
    fails (no such pack, credentials, a hung call), StatusUnreadable says why."""
    started = timing.clock()
    last_line = ""
    shot: Snapshot | None = None
    while True:
        left = timeout - (timing.clock() - started) if timeout > 0 else ONE_LOOK_SECONDS
        try:
            if left <= 0 and shot is not None:
                raise AWSTimeout("the timeout passed")
            shot = replace(within(max(left, 0.0), lambda: fetch(clients, name, scope)), since=since)
        except AWSTimeout as hung:
            if shot is None:
                raise StatusUnreadable(hung) from hung
            if live:
                out.write("\n")
            return shot, False
        except Exception as error:
            if shot is None:
                raise StatusUnreadable(error) from error
            raise
        elapsed = timing.clock() - started
        line = printable(f"{name}: {_counts(shot)}, {int(elapsed) // 60:02d}:{int(elapsed) % 60:02d} elapsed")
        if live:
            out.write("\r\033[2K" + line)
            out.flush()
        elif _counts(shot) != last_line:
            out.write(line + "\n")
        last_line = _counts(shot)
        if shot.finished:
            break
        if elapsed >= timeout:
            if live:
                out.write("\n")
            return shot, False
        timing.sleep(min(timing.poll_interval, timeout - elapsed))
    if live:
        out.write("\n")
    return shot, True


def account_table(shot: Snapshot) -> str:
    rows: Sequence[tuple[str, str, str]] = [
        (a.account, a.status, f"{a.error_code}: {a.error_message}" if a.error_code or a.error_message else "")
        for a in shot.accounts
    ]
    if not rows:
        rows = [("(this account)", shot.pack_status, shot.reason)]
    widths = [
        max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(("account", "status", "error"))
    ]
    lines = [f"{'account':<{widths[0]}}  {'status':<{widths[1]}}  error"]
    lines += [f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def describe_outcome(shot: Snapshot, finished: bool, name: str) -> str:
    if not finished:
        return f"{name}: not finished before the timeout ({_counts(shot)}); resume with: preflight status {name}"
    if shot.succeeded:
        return f"{name}: deployed to every account ({_counts(shot)})"
    failed = [a.account for a in shot.accounts if a.failed]
    where = f" in {len(failed)} account(s): {', '.join(failed)}" if failed else ""
    return f"{name}: the rollout failed{where} ({shot.pack_status})"
