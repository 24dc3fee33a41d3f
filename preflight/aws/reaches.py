"""The online pre-flight's reads about what a pack reaches besides the caller's account: the custom
rules' Lambda functions, the remediations' SSM documents, the delivery bucket's policy, the caller's
rights to make the put (the service-linked role, trusted access, IAM's policy simulator), and, from
the management account, how earlier organization deployments fared in each account. Every read that
fails becomes an `Unavailable` naming its fact, as in preflight.aws.gather."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from preflight.aws.errors import ENVIRONMENT_ERRORS, error_code, error_reason, refuse_credentials
from preflight.aws.members import MEMBER_WORKERS
from preflight.aws.permissions import ACCOUNT_PUT_ACTIONS, ORGANIZATION_PUT_ACTIONS
from preflight.aws.session import Clients
from preflight.knowledge.s3_names import split_s3_uri
from preflight.load.request_file import PackRequest
from preflight.model.facts import EarlierFailure, Fact, LambdaFunction, Simulated, SsmDocument, Unavailable

T = TypeVar("T")
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


def functions(clients: Clients, arns: Sequence[str], reads: Reads) -> tuple[LambdaFunction, ...]:
    """Each function looked up in the Region its ARN names (a function elsewhere than the pack is a
    finding of its own), with its resource policy."""
    found = []
    for arn in arns:
        parts = arn.split(":")
        region = parts[3] if len(parts) > 6 else None
        client = (clients.in_region(region) if region else clients)("lambda")
        try:
            client.get_function(FunctionName=arn)
        except ClientError as error:
            refuse_credentials(error)
            code = error_code(error)
            exists = False if code == "ResourceNotFoundException" else None
            found.append(LambdaFunction(arn, exists, error=error_reason(error)))
            continue
        except ENVIRONMENT_ERRORS:
            raise
        except BotoCoreError as error:
            found.append(LambdaFunction(arn, None, error=error_reason(error)))
            continue
        try:
            policy = client.get_policy(FunctionName=arn)["Policy"]
        except ClientError as error:
            refuse_credentials(error)
            if error_code(error) == "ResourceNotFoundException":
                found.append(LambdaFunction(arn, True, policy=""))  # no resource policy at all
            else:
                found.append(LambdaFunction(arn, True, error=f"cannot read its policy: {error_reason(error)}"))
            continue
        except BotoCoreError as error:
            found.append(LambdaFunction(arn, True, error=f"cannot read its policy: {error_reason(error)}"))
            continue
        found.append(LambdaFunction(arn, True, policy=str(policy)))
    return tuple(found)


def documents(clients: Clients, names: Sequence[str]) -> tuple[SsmDocument, ...]:
    """Each SSM document that is not AWS's own, as its owner (the caller) sees it, and who it is shared with."""
    found = []
    ssm = clients("ssm")
    for name in names:
        if name.startswith("arn:"):
            continue  # another account's document: only that account can say who it is shared with
        try:
            ssm.describe_document(Name=name)
            shared = ssm.describe_document_permission(Name=name, PermissionType="Share").get("AccountIds", [])
        except ClientError as error:
            refuse_credentials(error)
            exists = False if error_code(error) in ("InvalidDocument", "InvalidDocumentException") else None
            found.append(SsmDocument(name, exists, error=error_reason(error)))
            continue
        except ENVIRONMENT_ERRORS:
            raise
        except BotoCoreError as error:
            found.append(SsmDocument(name, None, error=error_reason(error)))
            continue
        found.append(SsmDocument(name, True, frozenset(str(account) for account in shared)))
    return tuple(found)


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
    policies, permissions boundaries and the organization's SCPs; not session policies)."""
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
        answer = reads.call(Fact.PERMISSIONS, lambda: clients("iam").simulate_principal_policy(**arguments))
        for row in (answer or {}).get("EvaluationResults", []):
            results.append(
                Simulated(
                    str(row.get("EvalActionName", "")),
                    str(row.get("EvalDecision", "")),
                    tuple(str(value) for value in row.get("MissingContextValues", [])),
                )
            )

    run(actions)
    location = split_s3_uri(request.template_s3_uri or "")
    if location is not None and all(location):
        partition = "aws-cn" if (clients.region or "").startswith("cn-") else "aws"
        run(["s3:GetObject"], [f"arn:{partition}:s3:::{location[0]}/{location[1]}"])
    return tuple(results) if results or not reads.unavailable else None


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
    packs = reads.call(Fact.EARLIER_STATUSES, lambda: _pages(config, "describe_organization_conformance_pack_statuses",
                                                             "OrganizationConformancePackStatuses"))  # fmt: skip
    if packs is None:
        return None
    rules = reads.call(
        Fact.EARLIER_STATUSES, lambda: _pages(config, "describe_organization_config_rules", "OrganizationConfigRules")
    )
    reads_of: list[tuple[Callable[[], list[Any]], str, str]] = []
    for pack in packs:
        name = str(pack.get("OrganizationConformancePackName", ""))
        reads_of.extend(
            (
                partial(
                    _pages,
                    config,
                    "get_organization_conformance_pack_detailed_status",
                    "OrganizationConformancePackDetailedStatuses",
                    OrganizationConformancePackName=name,
                    Filters={"Status": status},
                ),
                name,
                "conformance pack",
            )
            for status in _FAILED
        )
    for rule in rules or []:
        name = str(rule.get("OrganizationConfigRuleName", ""))
        reads_of.extend(
            (
                partial(
                    _pages,
                    config,
                    "get_organization_config_rule_detailed_status",
                    "OrganizationConfigRuleDetailedStatus",
                    OrganizationConfigRuleName=name,
                    Filters={"MemberAccountRuleStatus": status},
                ),
                name,
                "config rule",
            )
            for status in _FAILED
        )
    with ThreadPoolExecutor(max_workers=MEMBER_WORKERS) as pool:
        rows = list(pool.map(lambda read: reads.call(Fact.EARLIER_STATUSES, read[0]), reads_of))
    failures: list[EarlierFailure] = []
    for found, (_read, name, kind) in zip(rows, reads_of, strict=True):
        failures.extend(_failures(found or [], name, kind))
    return tuple(failures)


def _failures(rows: Sequence[dict[str, Any]], name: str, kind: str) -> list[EarlierFailure]:
    return [
        EarlierFailure(
            str(row.get("AccountId", "")), name, kind, str(row.get("ErrorCode", "")), str(row.get("ErrorMessage", ""))
        )
        for row in rows
        if row.get("AccountId")
    ]


def aggregated(clients: Clients, reads: Reads) -> tuple[str, frozenset[str]] | None:
    """An organization aggregator that covers the pack's Region, and the accounts it holds resources of
    there: an account with none sends AWS Config nothing (a sign it records nothing). None when the
    organization has no such aggregator."""
    config = clients("config")
    found = reads.call(
        Fact.AGGREGATOR, lambda: _pages(config, "describe_configuration_aggregators", "ConfigurationAggregators")
    )
    region = clients.region
    for entry in found or []:
        source = entry.get("OrganizationAggregationSource")
        if not isinstance(source, dict) or not (source.get("AllAwsRegions") or region in source.get("AwsRegions", [])):
            continue
        name = str(entry.get("ConfigurationAggregatorName", ""))
        read = partial(
            _pages, config, "get_aggregate_discovered_resource_counts", "GroupedResourceCounts",
            ConfigurationAggregatorName=name, Filters={"Region": region}, GroupByKey="ACCOUNT_ID",
        )  # fmt: skip
        counts = reads.call(Fact.AGGREGATOR, read)
        if counts is None:
            return None
        return name, frozenset(str(row.get("GroupName")) for row in counts if int(row.get("ResourceCount") or 0) > 0)
    return None


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
