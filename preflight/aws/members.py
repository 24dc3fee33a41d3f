"""Looking into the member accounts a pack reaches, read-only, through a role the caller may assume in
each (`--member-role`): whether a configuration recorder records, which config rules the account
has, and whether the remediations' roles are there. Accounts are looked into at once, a bounded
number at a time; one that cannot be looked into is a result that says why, never an exception."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from preflight.aws.errors import error_code, error_reason
from preflight.aws.session import Clients, TemporaryCredentials
from preflight.knowledge.needs import PackNeeds
from preflight.model.facts import MemberAccount

# Accounts looked into at a time: each is three to five calls, so 500 accounts take about as long as
# 32 do one after another; AWS's default request rates leave room for this many.
MEMBER_WORKERS = 16
Progress = Callable[[int, int], None]


def partition_of(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def look_into(
    clients: Clients,
    accounts: Sequence[tuple[str, str | None]],
    role: str,
    needs: PackNeeds,
    management: str | None,
    progress: Progress | None = None,
) -> tuple[MemberAccount, ...]:
    """Each account of `accounts` (id, name), in that order, as the role `role` sees it there."""
    done = 0
    lock = threading.Lock()

    def one(account: tuple[str, str | None]) -> MemberAccount:
        nonlocal done
        try:
            return _member(clients, account, role, needs, management)
        finally:
            with lock:
                done += 1
                if progress is not None:
                    progress(done, len(accounts))

    with ThreadPoolExecutor(max_workers=min(MEMBER_WORKERS, max(len(accounts), 1))) as pool:
        return tuple(pool.map(one, accounts))


def look_at_caller(
    clients: Clients, account: tuple[str, str | None], needs: PackNeeds, management: str | None
) -> MemberAccount:
    """The caller's own account, which the pack reaches too (unless excluded), with its own credentials."""
    return _read_account(clients, account, needs, management)


def _member(
    clients: Clients, account: tuple[str, str | None], role: str, needs: PackNeeds, management: str | None
) -> MemberAccount:
    number, name = account
    arn = f"arn:{partition_of(clients.region)}:iam::{number}:role/{role}"
    try:
        answer = clients("sts").assume_role(RoleArn=arn, RoleSessionName="preflight-read-only", DurationSeconds=900)
        given = answer["Credentials"]
        member = clients.assumed(
            TemporaryCredentials(given["AccessKeyId"], given["SecretAccessKey"], given["SessionToken"])
        )
    except (ClientError, BotoCoreError) as error:
        return MemberAccount(number, name, assumed=False, error=f"cannot assume {role}: {error_reason(error)}")
    except Exception as error:  # a reply of another shape: the account is not verified, the run goes on
        return MemberAccount(number, name, assumed=False, error=f"cannot assume {role}: {type(error).__name__}")
    return _read_account(member, account, needs, management)


def _read_account(
    member: Clients, account: tuple[str, str | None], needs: PackNeeds, management: str | None
) -> MemberAccount:
    number, name = account
    problems: list[str] = []
    recorders = recording = None
    statuses = _read(
        problems, "configuration recorders", lambda: member("config").describe_configuration_recorder_status()
    )
    if statuses is not None:
        own = [entry for entry in statuses.get("ConfigurationRecordersStatus", []) if not entry.get("servicePrincipal")]
        recorders, recording = len(own), any(entry.get("recording") is True for entry in own)
    rules = _read(problems, "config rules", lambda: _names(member("config")))
    missing: list[str] = []
    for role_arn in needs.roles:
        role_name = _role_name(role_arn, number, management)
        if role_name is None or role_name in missing:
            continue
        found = _read(problems, f"role {role_name}", partial(_role_exists, member("iam"), role_name))
        if found is False:
            missing.append(role_name)
    return MemberAccount(number, name, True, "; ".join(problems) or None, recorders, recording, rules, tuple(missing))


def _read(problems: list[str], what: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (ClientError, BotoCoreError) as error:
        problems.append(f"cannot read its {what}: {error_reason(error)}")
    except Exception as error:
        problems.append(f"cannot read its {what}: {type(error).__name__}")
    return None


def _names(config: Any) -> tuple[str, ...]:
    names: list[str] = []
    for page in config.get_paginator("describe_config_rules").paginate():
        names.extend(rule["ConfigRuleName"] for rule in page.get("ConfigRules", []))
    return tuple(names)


def _role_exists(iam: Any, name: str) -> bool:
    try:
        iam.get_role(RoleName=name)
    except ClientError as error:
        if error_code(error) in ("NoSuchEntity", "NoSuchEntityException"):
            return False
        raise
    return True


def _role_name(arn: str, member: str, management: str | None) -> str | None:
    """The name of the role an AutomationAssumeRole ARN names in `member`: AWS Config puts each member's
    own id in place of the management account's; an ARN of another account is used as written, so it
    names a role in this member only when it is this member's."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None
    if parts[4] not in (member, management):
        return None
    return parts[5].rsplit("/", 1)[-1]
