"""The online pre-flight's reads about what a pack reaches besides the caller's account: the custom
rules' Lambda functions, the remediations' SSM documents, the delivery bucket's policy, the caller's
rights to make the put (the service-linked role, trusted access, IAM's policy simulator), and, from
the management account, how earlier organization deployments fared in each account. Every read that
fails becomes an `Unavailable` naming its fact, as in preflight.aws.gather."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from preflight.aws import listing
from preflight.aws.errors import (
    CREDENTIAL_ERROR_CODES,
    ENVIRONMENT_ERRORS,
    MALFORMED_REPLY,
    error_code,
    error_reason,
    malformed,
    refuse_credentials,
)
from preflight.aws.members import MEMBER_WORKERS
from preflight.aws.permissions import ACCOUNT_PUT_ACTIONS, ORGANIZATION_PUT_ACTIONS
from preflight.aws.session import Clients
from preflight.knowledge.regions import partition_of
from preflight.knowledge.s3_names import split_s3_uri
from preflight.model.facts import EarlierFailure, Fact, LambdaFunction, Simulated, SsmDocument, Unavailable
from preflight.model.request import PackRequest

T = TypeVar("T")
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
CONFIG_SERVICE_PRINCIPAL = "config-multiaccountsetup.amazonaws.com"
# The service-linked roles the put uses in the caller's account (the API reference of each put).
ORGANIZATION_ROLE = "AWSServiceRoleForConfigMultiAccountSetup"
ACCOUNT_ROLE = "AWSServiceRoleForConfigConforms"
_FAILED = ("CREATE_FAILED", "UPDATE_FAILED")


class Reads:
    """Calls whose failures are kept, each naming the fact it served."""

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


def functions(clients: Clients, arns: Sequence[str], reads: Reads) -> tuple[LambdaFunction, ...]:
    """Each function looked up in the Region its ARN names (a function elsewhere than the pack is a
    finding of its own), with its resource policy."""
    return tuple(_function(clients, arn) for arn in arns)


def _function(clients: Clients, arn: str) -> LambdaFunction:
    """A function's state. Credentials refused by another Region's endpoint end nothing: an account
    is not enabled in every Region, and that is what it says."""
    parts = arn.split(":")
    partition, region = (parts[1], parts[3]) if len(parts) > 6 else ("", "")
    if partition != partition_of(clients.region):
        return LambdaFunction(arn, None, error=f"it is in the {partition!r} partition, the pack in "
                                               f"{partition_of(clients.region)!r}: not looked up")  # fmt: skip
    if region and not REGION_NAME.fullmatch(region):
        return LambdaFunction(arn, None, error=f"{region!r} in its ARN is no Region name")
    elsewhere = bool(region) and region != clients.region

    def failed(error: Exception, what: str = "") -> str:
        if isinstance(error, ClientError) and elsewhere and error_code(error) in CREDENTIAL_ERROR_CODES:
            return f"{what}the account cannot call Lambda in {region} (a Region not enabled for it?)"
        if isinstance(error, MALFORMED_REPLY):
            return what + malformed(error)
        return what + error_reason(error)

    try:
        client = (clients.in_region(region) if elsewhere else clients)("lambda")
        client.get_function(FunctionName=arn)
    except ClientError as error:
        if not elsewhere:
            refuse_credentials(error)
        exists = False if error_code(error) == "ResourceNotFoundException" else None
        return LambdaFunction(arn, exists, error=failed(error))
    except ENVIRONMENT_ERRORS as error:
        if not elsewhere:
            raise
        return LambdaFunction(arn, None, error=failed(error))
    except (BotoCoreError, *MALFORMED_REPLY) as error:
        return LambdaFunction(arn, None, error=failed(error))
    try:
        policy = client.get_policy(FunctionName=arn)["Policy"]
    except ClientError as error:
        if not elsewhere:
            refuse_credentials(error)
        if error_code(error) == "ResourceNotFoundException":
            return LambdaFunction(arn, True, policy="")  # no resource policy at all
        return LambdaFunction(arn, True, error=failed(error, "cannot read its policy: "))
    except (BotoCoreError, *MALFORMED_REPLY) as error:
        return LambdaFunction(arn, True, error=failed(error, "cannot read its policy: "))
    return LambdaFunction(arn, True, policy=str(policy))


def documents(clients: Clients, names: Sequence[str], caller: str | None) -> tuple[SsmDocument, ...]:
    """Each remediation document that is not AWS's own, as its owner sees it: one named plainly is
    looked up in the caller's account (members look up their own: preflight.aws.members); one named by
    an ARN of the caller's account is looked up with who it is shared with; another account's ARN
    cannot be (only its owner can say)."""
    found = []
    for name in names:
        owner, document = _document_owner(name)
        if owner is not None and owner != caller:
            found.append(SsmDocument(name, None, error=f"account {owner}'s document: only that account can tell "
                                                         "whether it exists and whom it is shared with"))  # fmt: skip
            continue
        try:
            ssm = clients("ssm")
            ssm.describe_document(Name=document)
            shared = _shared_with(ssm, document) if owner is not None else None
        except ClientError as error:
            refuse_credentials(error)
            exists = False if error_code(error) in ("InvalidDocument", "InvalidDocumentException") else None
            found.append(SsmDocument(name, exists, error=error_reason(error)))
            continue
        except ENVIRONMENT_ERRORS:
            raise
        except (BotoCoreError, *MALFORMED_REPLY) as error:
            found.append(SsmDocument(name, None, error=malformed(error) if not isinstance(error, BotoCoreError)
                                     else error_reason(error)))  # fmt: skip
            continue
        found.append(SsmDocument(name, True, shared))
    return tuple(found)


def _document_owner(name: str) -> tuple[str | None, str]:
    """(the owning account of an ARN, the document's name); (None, name) for a plain name."""
    if not name.startswith("arn:"):
        return None, name
    parts = name.split(":", 5)
    if len(parts) < 6 or not parts[5].startswith("document/"):
        return "(unknown)", name
    return parts[4], parts[5].split("/", 1)[1]


def _shared_with(ssm: Any, name: str) -> frozenset[str]:
    accounts: list[str] = []
    token: str | None = None
    for _ in range(1000):
        page = ssm.describe_document_permission(
            Name=name, PermissionType="Share", MaxResults=200, **({"NextToken": token} if token else {})
        )
        accounts.extend(str(account) for account in page.get("AccountIds", []))
        token = page.get("NextToken")
        if not token:
            break
    return frozenset(accounts)


def bucket_policy(clients: Clients, bucket: str | None, reads: Reads) -> str | None:
    """The delivery bucket's policy document; "" when it has none; None when it could not be read."""
    if not bucket:
        return None
    try:
        return str(clients("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as error:
        refuse_credentials(error)
        if error_code(error) == "NoSuchBucketPolicy":
            return ""
        if error_code(error) in ("NoSuchBucket", "404"):
            return None  # CP508 says so
        reads.unavailable.append(Unavailable(Fact.DELIVERY_BUCKET_POLICY, error_reason(error)))
    except ENVIRONMENT_ERRORS:
        raise
    except BotoCoreError as error:
        reads.unavailable.append(Unavailable(Fact.DELIVERY_BUCKET_POLICY, error_reason(error)))
    return None


def service_linked_role(clients: Clients, scope: str, reads: Reads) -> bool | None:
    name = ORGANIZATION_ROLE if scope == "organization" else ACCOUNT_ROLE

    def exists() -> bool:
        try:
            clients("iam").get_role(RoleName=name)
        except ClientError as error:
            if error_code(error) in ("NoSuchEntity", "NoSuchEntityException"):
                return False
            raise
        return True

    return reads.call(Fact.SERVICE_LINKED_ROLE, exists)


def trusted_access(clients: Clients, reads: Reads) -> bool | None:
    enabled = reads.call(
        Fact.TRUSTED_ACCESS,
        lambda: clients("organizations").list_aws_service_access_for_organization().get("EnabledServicePrincipals", []),
    )
    if enabled is None:
        return None
    return any(entry.get("ServicePrincipal") == CONFIG_SERVICE_PRINCIPAL for entry in enabled)


def simulate(
    clients: Clients, caller_arn: str | None, request: PackRequest, reads: Reads
) -> tuple[Simulated, ...] | None:
    """IAM's policy simulator on the actions the put needs, for the caller's user or role (identity
    policies, permissions boundaries and the organization's SCPs; not session policies), with what it
    tells of why it denies one."""
    source = _policy_source(clients, caller_arn, reads)
    if source is None:
        return None
    actions = list(ORGANIZATION_PUT_ACTIONS if request.scope == "organization" else ACCOUNT_PUT_ACTIONS)
    if "TemplateSSMDocumentDetails" in request.other_sources:
        actions.append("ssm:GetDocument")  # the template is read from an SSM document
    results: list[Simulated] = []

    def run(names: list[str], resources: list[str] | None = None) -> None:
        arguments: dict[str, Any] = {"PolicySourceArn": source, "ActionNames": names}
        if resources:
            arguments["ResourceArns"] = resources

        def rows() -> list[Simulated]:
            found = listing.items(clients("iam"), "simulate_principal_policy", "EvaluationResults", **arguments)
            return [_simulated(row) for row in found]

        results.extend(reads.call(Fact.PERMISSIONS, rows) or [])

    run(actions)
    location = split_s3_uri(request.template_s3_uri or "")
    if location is not None and all(location):
        run(["s3:GetObject"], [f"arn:{partition_of(clients.region)}:s3:::{location[0]}/{location[1]}"])
    return tuple(results) if results or not reads.unavailable else None


_IDENTITY_POLICIES = frozenset({"user", "group", "role", "aws-managed", "user-managed"})


def _simulated(row: Any) -> Simulated:
    matched = row.get("MatchedStatements") or []
    organizations = (row.get("OrganizationsDecisionDetail") or {}).get("AllowedByOrganizations")
    boundary = (row.get("PermissionsBoundaryDecisionDetail") or {}).get("AllowedByPermissionsBoundary")
    return Simulated(
        str(row["EvalActionName"]),
        str(row["EvalDecision"]),
        tuple(str(value) for value in row.get("MissingContextValues") or []),
        any(statement.get("SourcePolicyType") in _IDENTITY_POLICIES for statement in matched),
        organizations if isinstance(organizations, bool) else None,
        boundary if isinstance(boundary, bool) else None,
    )


def _policy_source(clients: Clients, caller_arn: str | None, reads: Reads) -> str | None:
    """The IAM user or role the simulator evaluates: an assumed role's session is its role."""
    if not caller_arn:
        return None
    if ":assumed-role/" not in caller_arn:
        return caller_arn if ":user/" in caller_arn or ":role/" in caller_arn else None
    role = caller_arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
    answer = reads.call(Fact.PERMISSIONS, lambda: clients("iam").get_role(RoleName=role))
    return str(answer["Role"]["Arn"]) if answer else None


def earlier_failures(clients: Clients, reads: Reads) -> tuple[EarlierFailure, ...] | None:
    """The accounts where the organization's packs and organization rules failed, as the management
    account (or a delegated administrator) reads their detailed statuses; the statuses of several packs
    are read at once (an organization has up to 50 packs, each read twice)."""
    config = clients("config")
    packs = reads.call(
        Fact.EARLIER_STATUSES,
        lambda: _names(config, "describe_organization_conformance_pack_statuses", "OrganizationConformancePackStatuses",
                       "OrganizationConformancePackName"),
    )  # fmt: skip
    if packs is None:
        return None
    rules = reads.call(
        Fact.EARLIER_STATUSES,
        lambda: _names(config, "describe_organization_config_rules", "OrganizationConfigRules",
                       "OrganizationConfigRuleName"),
    )  # fmt: skip
    reads_of: list[Callable[[], list[EarlierFailure]]] = []
    for name in packs:
        reads_of.extend(
            partial(
                _failures, name, "conformance pack", config, "get_organization_conformance_pack_detailed_status",
                "OrganizationConformancePackDetailedStatuses", OrganizationConformancePackName=name,
                Filters={"Status": status},
            )
            for status in _FAILED
        )  # fmt: skip
    for name in rules or []:
        reads_of.extend(
            partial(
                _failures, name, "config rule", config, "get_organization_config_rule_detailed_status",
                "OrganizationConfigRuleDetailedStatus", OrganizationConfigRuleName=name,
                Filters={"MemberAccountRuleStatus": status},
            )
            for status in _FAILED
        )  # fmt: skip
    with ThreadPoolExecutor(max_workers=MEMBER_WORKERS) as pool:
        rows = list(pool.map(lambda read: reads.call(Fact.EARLIER_STATUSES, read), reads_of))
    return tuple(failure for found in rows for failure in found or [])


def _names(client: Any, operation: str, key: str, field: str) -> list[str]:
    return [str(item[field]) for item in _pages(client, operation, key)]


def _failures(name: str, kind: str, client: Any, operation: str, key: str, **arguments: Any) -> list[EarlierFailure]:
    """The failed accounts one detailed-status listing names."""
    return [
        EarlierFailure(
            str(row["AccountId"]), name, kind, str(row.get("ErrorCode", "")), str(row.get("ErrorMessage", ""))
        )
        for row in _pages(client, operation, key, **arguments)
        if row.get("AccountId")
    ]


def aggregated(clients: Clients, reads: Reads) -> tuple[str, frozenset[str]] | None:
    """An organization aggregator that covers the pack's Region, and the accounts it holds resources of
    there: an account with none sends AWS Config nothing (a sign it records nothing). None when the
    organization has no such aggregator."""
    config = clients("config")
    region = clients.region
    name = reads.call(Fact.AGGREGATOR, lambda: _organization_aggregator(config, region))
    if name is None:
        return None
    read = partial(
        _sending, config, ConfigurationAggregatorName=name, Filters={"Region": region}, GroupByKey="ACCOUNT_ID"
    )
    sending = reads.call(Fact.AGGREGATOR, read)
    return (name, sending) if sending is not None else None


def _organization_aggregator(config: Any, region: str | None) -> str | None:
    for entry in _pages(config, "describe_configuration_aggregators", "ConfigurationAggregators"):
        source = entry.get("OrganizationAggregationSource")
        if isinstance(source, dict) and (source.get("AllAwsRegions") or region in source.get("AwsRegions", [])):
            return str(entry["ConfigurationAggregatorName"])
    return None


def _sending(config: Any, **arguments: Any) -> frozenset[str]:
    """The accounts an aggregator holds resources of."""
    counts = _pages(config, "get_aggregate_discovered_resource_counts", "GroupedResourceCounts", **arguments)
    return frozenset(str(row["GroupName"]) for row in counts if int(row.get("ResourceCount") or 0) > 0)


def _pages(client: Any, operation: str, key: str, **arguments: Any) -> list[Any]:
    """Every item of a listing, page after page (by NextToken, so operations without a paginator work)."""
    items: list[Any] = []
    token: str | None = None
    for _ in range(1000):
        answer = getattr(client, operation)(**arguments, **({"NextToken": token} if token else {}))
        items.extend(answer.get(key, []))
        token = answer.get("NextToken")
        if not token:
            break
    return items
