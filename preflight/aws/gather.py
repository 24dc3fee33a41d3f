"""The read-only calls of the online pre-flight. Every call that fails becomes an `Unavailable`
entry naming the check it served; nothing here raises for a denied or missing permission."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from preflight.aws import listing, reaches
from preflight.aws.errors import (
    ENVIRONMENT_ERRORS,
    MALFORMED_REPLY,
    error_code,
    error_reason,
    malformed,
    refuse_credentials,
)
from preflight.aws.members import Progress, look_at_caller, look_into
from preflight.aws.reaches import Reads
from preflight.aws.session import Clients
from preflight.knowledge.needs import PackNeeds
from preflight.knowledge.s3_names import split_s3_uri
from preflight.model.facts import (
    ORGANIZATION_NONE,
    ORGANIZATION_PRESENT,
    AwsFacts,
    Bucket,
    Fact,
    MemberAccount,
    S3Object,
    Unavailable,
)
from preflight.model.request import PackRequest

CONFIG_SERVICE_PRINCIPAL = "config-multiaccountsetup.amazonaws.com"
T = TypeVar("T")
_NO_ORGANIZATION = {"AWSOrganizationsNotInUseException"}


class _Recorder:
    def __init__(self) -> None:
        self.unavailable: list[Unavailable] = []

    def call(self, fact: Fact, function: Callable[[], T]) -> T | None:
        try:
            return function()
        except ENVIRONMENT_ERRORS:
            raise
        except (ClientError, BotoCoreError) as error:
            refuse_credentials(error)
            self.unavailable.append(Unavailable(fact, error_reason(error)))
            return None
        except MALFORMED_REPLY as error:
            self.unavailable.append(Unavailable(fact, malformed(error)))
            return None


ACCOUNT_ID = re.compile(r"[0-9]{12}")


def _accounts(organizations: Any) -> list[tuple[str, str | None, str | None]]:
    """The organization's accounts as (id, name, state), once each. An entry whose id is no account
    id makes the reply malformed (ValueError): which accounts the pack reaches is then unknown."""
    found: dict[str, tuple[str, str | None, str | None]] = {}
    for entry in _paginate(organizations, "list_accounts", "Accounts"):
        account = entry["Id"]
        if not isinstance(account, str) or not ACCOUNT_ID.fullmatch(account):
            raise ValueError("an account id that is not 12 digits")
        if account not in found:
            name = entry.get("Name")
            state = entry.get("State") or entry.get("Status")
            found[account] = (account, name if isinstance(name, str) else None, state)
    return list(found.values())


def _names(client: Any, operation: str, key: str, field: str) -> tuple[str, ...]:
    return tuple(str(item[field]) for item in _paginate(client, operation, key))


def _first(rows: list[Any], field: str) -> str | None:
    value = rows[0].get(field) if rows else None
    return str(value) if value is not None else None


def _paginate(client: Any, operation: str, key: str, **arguments: Any) -> list[Any]:
    return list(listing.items(client, operation, key, **arguments))


def gather(
    clients: Clients,
    request: PackRequest,
    needs: PackNeeds | None = None,
    member_role: str | None = None,
    progress: Progress | None = None,
) -> AwsFacts:
    """Every fact the online rules read, for the pack `request` puts, whose template needs `needs`.
    With `member_role`, each account the pack reaches is looked into through that role."""
    needs = needs or PackNeeds()
    recorder = _Recorder()
    identity = recorder.call(Fact.CALLER_IDENTITY, lambda: clients("sts").get_caller_identity())
    caller = identity.get("Account") if isinstance(identity, dict) else None
    caller = caller if isinstance(caller, str) and ACCOUNT_ID.fullmatch(caller) else None

    organization = feature_set = management = organization_id = None
    accounts = delegated = None
    reached: tuple[tuple[str, str | None], ...] | None = None
    if request.scope == "organization":
        organizations = clients("organizations")
        try:
            described = organizations.describe_organization()["Organization"]
            organization = ORGANIZATION_PRESENT
            feature_set = described.get("FeatureSet")
            management = described.get("MasterAccountId")
            organization_id = described.get("Id")
        except ClientError as error:
            refuse_credentials(error)
            if error_code(error) in _NO_ORGANIZATION:
                organization = ORGANIZATION_NONE
            else:
                recorder.unavailable.append(Unavailable(Fact.ORGANIZATION, error_reason(error)))
        except ENVIRONMENT_ERRORS:
            raise
        except BotoCoreError as error:
            recorder.unavailable.append(Unavailable(Fact.ORGANIZATION, error_reason(error)))
        except MALFORMED_REPLY as error:
            organization = None
            recorder.unavailable.append(Unavailable(Fact.ORGANIZATION, malformed(error)))
        if organization == ORGANIZATION_PRESENT:
            listed = recorder.call(Fact.ORGANIZATION_ACCOUNTS, lambda: _accounts(organizations))
            accounts = frozenset(account for account, _name, _state in listed) if listed is not None else None
            if listed is not None:  # `State`, and before it `Status` (retired in 2026)
                reached = tuple(
                    (account, name) for account, name, state in listed
                    if state == "ACTIVE" and account not in request.excluded_accounts
                )  # fmt: skip
            if caller != management:
                admins = recorder.call(
                    Fact.DELEGATED_ADMINISTRATORS,
                    lambda: [
                        str(admin["Id"]) for admin in _paginate(
                            organizations, "list_delegated_administrators", "DelegatedAdministrators",
                            ServicePrincipal=CONFIG_SERVICE_PRINCIPAL,
                        )
                    ],
                )  # fmt: skip
                delegated = frozenset(admins) if admins is not None else None

    config = clients("config")
    existing: tuple[str, ...] | None
    status: str | None = None
    if request.scope == "organization":
        existing = recorder.call(
            Fact.ORGANIZATION_PACKS,
            lambda: _names(config, "describe_organization_conformance_packs", "OrganizationConformancePacks",
                           "OrganizationConformancePackName"),
        )  # fmt: skip
        if request.name and existing is not None and request.name in existing:
            status = recorder.call(
                Fact.PACK_STATUS,
                lambda: _first(config.describe_organization_conformance_pack_statuses(
                    OrganizationConformancePackNames=[request.name]
                )["OrganizationConformancePackStatuses"], "Status"),
            )  # fmt: skip
    else:
        existing = recorder.call(
            Fact.ACCOUNT_PACKS,
            lambda: _names(config, "describe_conformance_packs", "ConformancePackDetails", "ConformancePackName"),
        )
        if request.name and existing is not None and request.name in existing:
            status = recorder.call(
                Fact.PACK_STATUS,
                lambda: _first(config.describe_conformance_pack_status(ConformancePackNames=[request.name])[
                    "ConformancePackStatusDetails"
                ], "ConformancePackState"),
            )  # fmt: skip
    rule_names = recorder.call(
        Fact.CONFIG_RULES, lambda: _names(config, "describe_config_rules", "ConfigRules", "ConfigRuleName")
    )

    reads = Reads()
    reads.unavailable = recorder.unavailable
    if reached is None and request.scope == "account" and caller:
        reached = ((caller, None),)
    members = _members(clients, reached, caller, management, member_role, needs, progress)
    organization_pack = request.scope == "organization" and organization == ORGANIZATION_PRESENT
    caller_arn = identity.get("Arn") if isinstance(identity, dict) else None
    return AwsFacts(
        caller_account=caller,
        caller_arn=caller_arn,
        organization=organization,
        organization_feature_set=feature_set,
        management_account=management,
        organization_id=organization_id,
        accounts=accounts,
        delegated_administrators=delegated,
        existing_packs=existing,
        pack_status=status,
        template_object=_template_object(clients, request),
        delivery_bucket=_delivery_bucket(clients, request),
        config_rule_names=rule_names,
        region=clients.region,
        reached=reached,
        member_role=member_role,
        members=members,
        earlier_failures=reaches.earlier_failures(clients, reads) if organization_pack and not member_role else None,
        aggregated=reaches.aggregated(clients, reads) if organization_pack and not member_role else None,
        functions=reaches.functions(clients, needs.functions, reads),
        service_linked_role=reaches.service_linked_role(clients, request.scope, reads),
        trusted_access=reaches.trusted_access(clients, reads) if organization_pack else None,
        simulated=reaches.simulate(clients, caller_arn, request, reads),
        bucket_policy=reaches.bucket_policy(clients, request.delivery_bucket, reads),
        documents=reaches.documents(clients, needs.documents, caller),
        unavailable=tuple(reads.unavailable),
    )


def _members(
    clients: Clients,
    reached: tuple[tuple[str, str | None], ...] | None,
    caller: str | None,
    management: str | None,
    role: str | None,
    needs: PackNeeds,
    progress: Progress | None,
) -> tuple[MemberAccount, ...] | None:
    """The caller's own account (with its own credentials), and with `role` every other account the
    pack reaches; None when there is nothing to look into."""
    if reached is None:
        return None
    own = [account for account in reached if account[0] == caller]
    others = [account for account in reached if account[0] != caller] if role else []
    found = [look_at_caller(clients, own[0], needs, management)] if own else []
    if others and role:
        found.extend(look_into(clients, others, role, needs, management, progress))
    return tuple(found)


def _status_of(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _template_object(clients: Clients, request: PackRequest) -> S3Object | None:
    uri = request.template_s3_uri
    location = split_s3_uri(uri or "")
    if uri is None or location is None or not all(location):
        return None
    try:
        head = clients("s3").head_object(Bucket=location[0], Key=location[1])
    except ClientError as error:
        refuse_credentials(error)
        status = _status_of(error)
        if status == 404:
            return S3Object(uri, False, error="not found")
        return S3Object(uri, None, error=f"{error_code(error) or status}: cannot read it")
    except ENVIRONMENT_ERRORS:
        raise
    except BotoCoreError as error:
        return S3Object(uri, None, error=error_reason(error))
    return S3Object(uri, True, size=int(head.get("ContentLength", 0)))


def _delivery_bucket(clients: Clients, request: PackRequest) -> Bucket | None:
    name = request.delivery_bucket
    if not name:
        return None
    try:
        clients("s3").head_bucket(Bucket=name)
    except ClientError as error:
        refuse_credentials(error)
        status = _status_of(error)
        if status == 404:
            return Bucket(name, False, error="not found")
        return Bucket(name, None, error=f"{error_code(error) or status}: cannot reach it")
    except ENVIRONMENT_ERRORS:
        raise
    except BotoCoreError as error:
        return Bucket(name, None, error=error_reason(error))
    return Bucket(name, True)
