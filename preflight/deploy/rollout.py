"""Following a rollout to the last account: after a put (`deploy`), or on its own (`preflight status`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from preflight.deploy.outcome import PackOutcome, Result
from preflight.deploy.settings import DeploySettings, clients

if TYPE_CHECKING:
    from preflight.aws.session import Clients
    from preflight.aws.watch import Snapshot
    from preflight.knowledge.failures import Predictor


def status(name: str, scope: str, region: str | None, settings: DeploySettings) -> PackOutcome | None:
    """`preflight status`: like following after a put, except that a status that cannot be read at all
    (no credentials or Region, no such pack, a first call that fails) ends with one line and None:
    there is no rollout to resume."""
    from preflight.aws.errors import describe_error
    from preflight.aws.watch import StatusUnreadable

    try:
        made = clients(settings, region)
    except Exception as error:
        settings.console.error(describe_error(error))
        return None
    try:
        return _followed(made, PackOutcome(name, scope, Result.UNKNOWN), settings, None)
    except StatusUnreadable as unread:
        settings.console.error(_unreadable(made, name, scope, unread.cause))
        return None


def follow(made: Clients, outcome: PackOutcome, settings: DeploySettings, put_at: datetime) -> PackOutcome:
    """After a put: the pack exists, so a first status call that fails leaves the rollout unfollowed,
    to be resumed with `preflight status`."""
    from preflight.aws.watch import StatusUnreadable

    try:
        return _followed(made, outcome, settings, put_at)
    except StatusUnreadable as unread:
        why = _reason(unread.cause)
        settings.console.error(f"{why}; {_resume(outcome.name)}")
        return replace(outcome, result=Result.UNFOLLOWED, error=why)


def _resume(name: str) -> str:
    return f"the rollout goes on in AWS: resume with: preflight status {name}"


def _followed(made: Clients, outcome: PackOutcome, settings: DeploySettings, put_at: datetime | None) -> PackOutcome:
    """The pack's outcome once its rollout is followed: succeeded when every account did; failed when
    the pack or an account failed; timed out; or unfollowed when the watch was interrupted or AWS
    refused a later status call (the rollout goes on in AWS). StatusUnreadable when the first status
    call fails."""
    from preflight.aws.errors import describe_error
    from preflight.aws.s3_templates import Timing
    from preflight.aws.watch import StatusUnreadable, account_table, describe_outcome, watch

    console, name = settings.console, outcome.name
    timing = Timing(poll_interval=settings.poll_interval)
    try:
        shot, finished = watch(
            made, name, outcome.scope, timeout=settings.timeout, timing=timing, out=console.stream,
            live=console.live, since=put_at,
        )  # fmt: skip
    except KeyboardInterrupt:
        console.say(f"\ninterrupted; {_resume(name)}")
        return replace(outcome, result=Result.UNFOLLOWED, error="interrupted")
    except StatusUnreadable:
        raise
    except Exception as error:
        why = describe_error(error)
        console.error(f"{why}; {_resume(name)}")
        return replace(outcome, result=Result.UNFOLLOWED, error=why)
    console.say(account_table(shot).rstrip("\n"))
    console.say(describe_outcome(shot, finished, name))
    for line in predicted(shot):
        console.say(line)
    result = (Result.SUCCEEDED if shot.succeeded else Result.FAILED) if finished else Result.TIMED_OUT
    return replace(outcome, result=result, rollout=shot)


def predicted(shot: Snapshot) -> list[str]:
    """For the accounts that failed, by error code: the online checks that find that failure before a put."""
    from preflight.knowledge.failures import predictor

    failed: dict[str, list[str]] = {}
    found: dict[str, Predictor] = {}
    for account in shot.accounts:
        check = predictor(account.error_code, account.error_message) if account.failed else None
        if check is not None:
            failed.setdefault(account.error_code, []).append(account.account)
            found[account.error_code] = check
    lines = []
    for code, accounts in failed.items():
        check = found[code]
        command = "preflight check --online" + (" --member-role ROLE" if check.needs_member_role else "")
        lines.append(
            f"{code} in {len(accounts)} account(s): `{command}` finds this before the put ({', '.join(check.rules)})"
        )
    return lines


def _reason(error: Exception) -> str:
    from preflight.aws.errors import describe_error
    from preflight.aws.watch import AWSTimeout

    return str(error) if isinstance(error, AWSTimeout) else describe_error(error)


def _unreadable(made: Clients, name: str, scope: str, error: Exception) -> str:
    """Why the status of `name` could not be read; for a pack that is not there, whether the other
    scope has it."""
    from preflight.aws.watch import PackNotFound, pack_exists

    if not isinstance(error, PackNotFound):
        return _reason(error)
    other = "account" if scope == "organization" else "organization"
    missing = f"there is no {scope} conformance pack named {name} in {made.region}"
    elsewhere = pack_exists(made, name, other)
    if elsewhere:
        return f"{missing}, but there is an {other} conformance pack of that name: pass --scope {other}"
    if elsewhere is None:
        return f"{missing}: check the name and the Region (--region), or pass --scope {other} for an {other} pack"
    return f"{missing}, nor an {other} conformance pack of that name: check the name and the Region (--region)"
