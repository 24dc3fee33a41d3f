"""Looking into the member accounts a pack reaches, read-only, through a role the caller may assume in
each (`--member-role`): whether a configuration recorder records, how many config rules the account
has, and whether the remediations' roles and documents are there. Accounts are looked into at once, a
bounded number at a time, each call briefly retried and waited for, all within a deadline; one that
cannot be looked into is a result that says why, never an exception."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from preflight.aws import listing
from preflight.aws.errors import error_code, error_reason
from preflight.aws.session import Clients, TemporaryCredentials
from preflight.knowledge.needs import PackNeeds, tally_rules
from preflight.knowledge.regions import partition_of
from preflight.model.facts import MemberAccount

# Accounts looked into at a time: each is three to five calls, so 500 accounts take about as long as
# 32 do one after another; AWS's default request rates leave room for this many.
MEMBER_WORKERS = 16
# One member's call is tried twice and waited for 15 s, and the member accounts are all looked into
# within 5 minutes (about 3,000 accounts at AWS's usual pace): an endpoint that hangs costs minutes,
# not hours; the accounts left are not verified, and say so.
MEMBER_ATTEMPTS = 2
MEMBER_READ_TIMEOUT_SECONDS = 15
MEMBER_DEADLINE_SECONDS = 300
Progress = Callable[[int, int], None]


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self._at

    @property
    def reason(self) -> str:
        return f"timed out: the member accounts were not all read within {self.seconds:g} s"


def look_into(
    clients: Clients,
    accounts: Sequence[tuple[str, str | None]],
    role: str,
    needs: PackNeeds,
    management: str | None,
    progress: Progress | None = None,
    deadline_seconds: float = MEMBER_DEADLINE_SECONDS,
) -> tuple[MemberAccount, ...]:
    """Each account of `accounts` (id, name), in that order, as the role `role` sees it there."""
    done = 0
    lock = threading.Lock()
    brief = clients.limited(MEMBER_ATTEMPTS, MEMBER_READ_TIMEOUT_SECONDS)
    deadline = _Deadline(deadline_seconds)

    def one(account: tuple[str, str | None]) -> MemberAccount:
        nonlocal done
        try:
            if deadline.passed:
                return MemberAccount(account[0], account[1], assumed=False, error=f"not looked into: {deadline.reason}")
            return _member(brief, account, role, needs, management, deadline)
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
    return _read_account(clients, account, needs, management, None)


def _member(
    clients: Clients,
    account: tuple[str, str | None],
    role: str,
    needs: PackNeeds,
    management: str | None,
    deadline: _Deadline,
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
    return _read_account(member, account, needs, management, deadline)


def _read_account(
    member: Clients,
    account: tuple[str, str | None],
    needs: PackNeeds,
    management: str | None,
    deadline: _Deadline | None,
) -> MemberAccount:
    number, name = account
    problems: list[str] = []
    read = partial(_read, problems, deadline)
    recorders = recording = None
    own = read("configuration recorders", partial(_own_recorders, member("config")))
    if own is not None:
        recorders, recording = len(own), any(entry.get("recording") is True for entry in own)
    rules = read("config rules", lambda: tally_rules(_names(member("config"), deadline), needs.rules))
    roles: list[str] = []
    for role_arn in needs.roles:
        role_name = _role_name(role_arn, number, management)
        if role_name is None or role_name in roles:
            continue
        if read(f"role {role_name}", partial(_role_exists, member("iam"), role_name)) is False:
            roles.append(role_name)
    documents: list[str] = []
    for document in dict.fromkeys(needs.documents):
        if document.startswith("arn:"):
            continue  # a shared document, run from its owner's account: preflight.aws.reaches
        if read(f"SSM document {document}", partial(_document_exists, member("ssm"), document)) is False:
            documents.append(document)
    return MemberAccount(
        number, name, True, "; ".join(problems) or None, recorders, recording, rules, tuple(roles), tuple(documents)
    )


def _own_recorders(config: Any) -> list[Any]:
    """The account's own configuration recorders' statuses (a service-linked one is not its own)."""
    statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    return [entry for entry in statuses if not entry.get("servicePrincipal")]


def _read(problems: list[str], deadline: _Deadline | None, what: str, call: Callable[[], Any]) -> Any:
    if deadline is not None and deadline.passed:
        problems.append(f"cannot read its {what}: {deadline.reason}")
        return None
    try:
        return call()
    except TimeoutError:
        problems.append(f"cannot read its {what}: {deadline.reason if deadline else 'timed out'}")
    except (ClientError, BotoCoreError) as error:
        problems.append(f"cannot read its {what}: {error_reason(error)}")
    except Exception as error:
        problems.append(f"cannot read its {what}: {type(error).__name__}")
    return None


def _names(config: Any, deadline: _Deadline | None) -> Iterator[str]:
    stop = (lambda: deadline.passed) if deadline is not None else None
    for rule in listing.items(config, "describe_config_rules", "ConfigRules", stop):
        yield str(rule["ConfigRuleName"])


def _document_exists(ssm: Any, name: str) -> bool:
    try:
        ssm.describe_document(Name=name)
    except ClientError as error:
        if error_code(error) in ("InvalidDocument", "InvalidDocumentException"):
            return False
        raise
    return True


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
