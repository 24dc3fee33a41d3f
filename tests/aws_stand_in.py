"""moto's server on 127.0.0.1 as the AWS stand-in, and the scenario switches the tests need.

moto gaps worked around here (and only here, never in product code):
- a put with only TemplateBody returns HTTP 500 (moto regex-matches the missing TemplateS3Uri):
  the put is wrapped to pass a placeholder URI when there is none;
- describe_organization_conformance_packs without names returns 500: it returns every pack here;
- statuses are always CREATE_SUCCESSFUL at once: `Scenario` can keep a pack IN_PROGRESS for some
  polls, fail it in some accounts, or make puts raise ResourceInUseException;
- list_delegated_administrators called by a member account sees only that account's (empty) list:
  here, as in AWS, a registered delegated administrator reads the organization's list and any other
  member account gets AccessDeniedException;
- put_conformance_pack, describe_conformance_packs and describe_conformance_pack_status are not
  implemented: here they answer with the packs of `Scenario.account_packs` (none unless a test adds
  one, and AWS's empty list for a name it does not know), and account packs are deployed only as far
  as the plan (dry run);
- the patched organization statuses answer NoSuchOrganizationConformancePackException for a name
  they do not know, as moto and AWS do.
Every put is recorded, so tests can see exactly what reached the server.

What moto lacks altogether is answered by a small stand-in in front of it, with AWS's reply shapes
(the `aws` fixture's URL is the stand-in's; tests/relay.py): IAM's policy simulator
(SimulatePrincipalPolicy: every action allowed, unless `Scenario.simulated` says otherwise), AWS's own
SSM documents (DescribeDocument of `AWS_DOCUMENTS`), the organization config rules and their detailed
statuses (`Scenario.organization_rules`), an aggregator's resource counts by account
(GetAggregateDiscoveredResourceCounts: `Scenario.resource_counts`), and a role that cannot be assumed (AssumeRole into an account
of `Scenario.unassumable`: AccessDenied, where moto grants any role). moto's own limit of 150 config
rules an account is raised to AWS's 1,000.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
import requests
from moto.config.exceptions import NoSuchOrganizationConformancePackException
from moto.config.models import ConfigBackend, ConfigRule
from moto.config.responses import ConfigResponse
from moto.core.exceptions import JsonRESTError
from moto.organizations.models import OrganizationsBackend, organizations_backends
from moto.server import ThreadedMotoServer

from tests.relay import Answer, relay

REGION = "us-east-1"
MANAGEMENT_ACCOUNT = "123456789012"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Scenario:
    """Switches for the patched moto backend."""

    in_progress_polls: int = 0  # statuses say *_IN_PROGRESS for this many polls of the detailed status
    failed_accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # account -> (code, message)
    member_accounts: tuple[str, ...] = ()  # accounts listed in the detailed status besides the caller
    busy_puts: int = 0  # this many puts raise ResourceInUseException first
    status_denied: bool = False  # the detailed status call raises AccessDeniedException
    account_packs: dict[str, str] = field(default_factory=dict)  # account pack name -> ConformancePackState
    puts: list[dict[str, Any]] = field(default_factory=list)
    polls: int = 0
    # The stand-in's: what IAM's simulator decides for an action (allowed unless named here), accounts
    # where no role can be assumed, and organization config rules with their failed accounts.
    simulated: dict[str, str] = field(default_factory=dict)
    unassumable: set[str] = field(default_factory=set)
    organization_rules: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    resource_counts: dict[str, int] = field(default_factory=dict)  # an aggregator's resources by account
    seen: list[str] = field(default_factory=list)  # every operation that reached the stand-in
    calls: list[Call] = field(default_factory=list)  # and each with its service, path and access key


@dataclass(frozen=True)
class Call:
    service: str  # as the request's signature names it: iam, sts, s3, lambda, config, ...
    operation: str  # as tests/relay.py names it; "S3 GET" and the like for a REST call
    path: str
    access_key: str  # whose credentials: the caller's, or a member role's temporary ones


def _signed_by(headers: dict[str, str]) -> tuple[str, str]:
    """The access key and the service of a SigV4 Authorization header."""
    scope = re.search(r"Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/aws4_request", headers.get("authorization", ""))
    return (scope.group(1), scope.group(2)) if scope else ("", "")


class AccessDenied(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("AccessDeniedException", "You don't have permissions to access this resource.")


class ResourceInUse(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("ResourceInUseException", "The resource is in use (moto stand-in scenario).")


@dataclass
class StandIn:
    url: str
    scenario: Scenario

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=self.url)

    def member_client(self, account: str, service: str) -> Any:
        """A client acting in `account`, through the role the organization made there (moto keeps each
        account's state apart)."""
        given = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="stand-in-setup"
        )["Credentials"]
        return boto3.client(
            service, region_name=REGION, endpoint_url=self.url, aws_access_key_id=given["AccessKeyId"],
            aws_secret_access_key=given["SecretAccessKey"], aws_session_token=given["SessionToken"],
        )  # fmt: skip

    def record(self, account: str | None = None, *, recording: bool = True) -> None:
        """Set AWS Config up in `account` (the management account by default): a configuration recorder,
        a delivery channel to a bucket of its own, and the recorder started unless `recording` is False."""

        def client(service: str) -> Any:
            return self.member_client(account, service) if account else self.client(service)

        owner = account or MANAGEMENT_ACCOUNT
        client("s3").create_bucket(Bucket=f"config-{owner}")
        config = client("config")
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": f"arn:aws:iam::{owner}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        })  # fmt: skip
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"config-{owner}"})
        if recording:
            config.start_configuration_recorder(ConfigurationRecorderName="default")

    def delivery_bucket(self, name: str) -> None:
        """A delivery bucket with the policy the organization conformance pack prerequisites give."""
        organization = self.client("organizations").describe_organization()["Organization"]["Id"]
        conditions = {
            "StringEquals": {"aws:PrincipalOrgID": organization},
            "ArnLike": {
                "aws:PrincipalArn": (
                    "arn:aws:iam::*:role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms"
                )
            },
        }
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "AllowGetObject", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": f"arn:aws:s3:::{name}/*", "Condition": conditions},
            {"Sid": "AllowGetBucketAcl", "Effect": "Allow", "Principal": "*", "Action": "s3:GetBucketAcl",
             "Resource": f"arn:aws:s3:::{name}", "Condition": conditions},
        ]}  # fmt: skip
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))

    def args(self) -> list[str]:
        return ["--endpoint-url", self.url]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


# AWS's own runbooks, as DescribeDocument describes them (the SSM Automation runbook reference).
AWS_DOCUMENTS = {
    "AWSConfigRemediation-RestrictBucketSSLRequestsOnly": ["AutomationAssumeRole", "BucketName"],
    "AWS-ConfigureS3BucketVersioning": ["AutomationAssumeRole", "BucketName", "VersioningState"],
    "AWS-PublishSNSNotification": ["AutomationAssumeRole", "Message", "TopicArn"],
}


def _stand_in(scenario: Scenario) -> Callable[[str, str, dict[str, str], bytes], Answer | str | None]:
    def intercept(operation: str, path: str, headers: dict[str, str], body: bytes) -> Answer | None:
        scenario.seen.append(operation)
        key, service = _signed_by(headers)
        scenario.calls.append(Call(service, operation, path, key))
        form = parse_qs(body.decode("utf-8", "replace"))
        if operation == "SimulatePrincipalPolicy":
            actions = [value for key, values in sorted(form.items()) if key.startswith("ActionNames.member.")
                       for value in values]  # fmt: skip
            return Answer(200, _simulated(actions, scenario.simulated), "text/xml")
        if operation == "AssumeRole":
            role = form.get("RoleArn", [""])[0]
            if role.split(":")[4:5] and role.split(":")[4] in scenario.unassumable:
                return Answer(403, _sts_denied(role), "text/xml")
        if operation == "DescribeDocument":
            name = json.loads(body or b"{}").get("Name", "")
            if name in AWS_DOCUMENTS:
                return Answer(200, json.dumps({"Document": _aws_document(name)}).encode(), "application/x-amz-json-1.1")
        if operation == "DescribeOrganizationConfigRules":
            rules = [{"OrganizationConfigRuleName": name,
                      "OrganizationConfigRuleArn": f"arn:aws:config:{REGION}:{MANAGEMENT_ACCOUNT}:organization-config-rule/{name}"}
                     for name in scenario.organization_rules]  # fmt: skip
            return Answer(200, json.dumps({"OrganizationConfigRules": rules}).encode(), "application/x-amz-json-1.1")
        if operation == "GetAggregateDiscoveredResourceCounts":
            rows = [
                {"GroupName": account, "ResourceCount": count} for account, count in scenario.resource_counts.items()
            ]
            reply = {"TotalDiscoveredResources": sum(scenario.resource_counts.values()), "GroupByKey": "ACCOUNT_ID",
                     "GroupedResourceCounts": rows}  # fmt: skip
            return Answer(200, json.dumps(reply).encode(), "application/x-amz-json-1.1")
        if operation == "GetOrganizationConfigRuleDetailedStatus":
            asked = json.loads(body or b"{}")
            wanted = asked.get("Filters", {}).get("MemberAccountRuleStatus")
            failed = scenario.organization_rules.get(asked.get("OrganizationConfigRuleName", ""), {})
            rows = [{"AccountId": account, "ConfigRuleName": asked.get("OrganizationConfigRuleName"),
                     "MemberAccountRuleStatus": "CREATE_FAILED", "ErrorCode": code, "ErrorMessage": message}
                    for account, (code, message) in failed.items() if wanted in (None, "CREATE_FAILED")]  # fmt: skip
            reply = {"OrganizationConfigRuleDetailedStatus": rows}
            return Answer(200, json.dumps(reply).encode(), "application/x-amz-json-1.1")
        return None

    return intercept


def _simulated(actions: list[str], decisions: dict[str, str]) -> bytes:
    """Each action's decision: `explicitDeny` by a statement of the user's own policy, `explicitDeny by
    scp` by an SCP (no statement of the caller's matched), or `implicitDeny`."""

    def row(action: str) -> str:
        decision, _by, source = decisions.get(action, "allowed").partition(" by ")
        matched = organizations = ""
        if decision == "explicitDeny" and source == "scp":
            organizations = "<OrganizationsDecisionDetail><AllowedByOrganizations>false</AllowedByOrganizations>" \
                "</OrganizationsDecisionDetail>"  # fmt: skip
        elif decision == "explicitDeny":
            matched = "<member><SourcePolicyId>deny-config</SourcePolicyId><SourcePolicyType>user</SourcePolicyType>" \
                "</member>"  # fmt: skip
        return (
            f"<member><EvalActionName>{action}</EvalActionName><EvalResourceName>*</EvalResourceName>"
            f"<EvalDecision>{decision}</EvalDecision><MatchedStatements>{matched}</MatchedStatements>"
            f"<MissingContextValues/>{organizations}</member>"
        )

    rows = "".join(row(action) for action in actions)
    return (
        '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<SimulatePrincipalPolicyResult><EvaluationResults>{rows}</EvaluationResults>"
        "<IsTruncated>false</IsTruncated></SimulatePrincipalPolicyResult>"
        "<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>"
    ).encode()


def _sts_denied(role: str) -> bytes:
    message = f"User: arn:aws:iam::{MANAGEMENT_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole on resource: {role}"
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        f"<Code>AccessDenied</Code><Message>{message}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>"
    ).encode()


def _aws_document(name: str) -> dict[str, Any]:
    return {
        "Name": name, "Owner": "Amazon", "Status": "Active", "DocumentType": "Automation", "DocumentVersion": "1",
        "SchemaVersion": "0.3", "LatestVersion": "1", "DefaultVersion": "1", "DocumentFormat": "YAML",
        "HashType": "Sha256", "Hash": "0" * 64, "CreatedDate": 1593561600,
        "Parameters": [{"Name": parameter, "Type": "String"} for parameter in AWS_DOCUMENTS[name]],
        "PlatformTypes": ["Windows", "Linux", "MacOS"],
    }  # fmt: skip


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[StandIn]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    requests.post(f"{moto_server}/moto-api/seed?a=42", timeout=10)  # the same member account ids each run
    scenario = Scenario()
    _patch_backend(monkeypatch, scenario)
    monkeypatch.setattr(ConfigRule, "MAX_RULES", 1000)
    with relay(moto_server, _stand_in(scenario), threading.Event()) as url:
        stand_in = StandIn(url, scenario)
        stand_in.record()  # the caller's account has AWS Config, as a deploying account does
        yield stand_in


def _patch_backend(monkeypatch: pytest.MonkeyPatch, scenario: Scenario) -> None:
    original_put = ConfigBackend.put_organization_conformance_pack
    original_describe = ConfigBackend.describe_organization_conformance_packs

    def put(self: ConfigBackend, **kwargs: Any) -> Any:
        if scenario.busy_puts > 0:
            scenario.busy_puts -= 1
            raise ResourceInUse()
        scenario.puts.append(dict(kwargs))
        kwargs["template_s3_uri"] = kwargs.get("template_s3_uri") or "s3://moto-gap/inline-template-body"
        return original_put(self, **kwargs)

    def describe(self: ConfigBackend, names: list[str]) -> Any:
        return original_describe(self, names or list(self.organization_conformance_packs))

    def known(self: ConfigBackend, name: str) -> Any:
        if name not in self.organization_conformance_packs:
            raise NoSuchOrganizationConformancePackException(
                "One or more organization conformance packs with specified names are not present."
            )
        return self.organization_conformance_packs[name]

    def statuses(self: ConfigBackend, names: list[str]) -> Any:
        packs = [known(self, name) for name in names] if names else list(self.organization_conformance_packs.values())
        status = "CREATE_IN_PROGRESS" if scenario.polls < scenario.in_progress_polls else None
        failed = status is None and scenario.failed_accounts
        return {
            "OrganizationConformancePackStatuses": [
                {
                    "OrganizationConformancePackName": pack.organization_conformance_pack_name,
                    "Status": status or ("CREATE_FAILED" if failed else pack._status),
                    "LastUpdateTime": pack.last_update_time,
                }
                for pack in packs
            ]
        }

    def detailed(self: ConfigBackend, name: str) -> Any:
        if scenario.status_denied:
            raise AccessDenied()
        pack = known(self, name)
        scenario.polls += 1
        accounts = (self.account_id, *scenario.member_accounts)
        rows = []
        for account in accounts:
            status = pack._status
            item: dict[str, Any] = {"AccountId": account, "ConformancePackName": f"OrgConformsPack-{name}"}
            if scenario.polls <= scenario.in_progress_polls:
                status = "CREATE_IN_PROGRESS"
            elif account in scenario.failed_accounts:
                status = "CREATE_FAILED"
                item["ErrorCode"], item["ErrorMessage"] = scenario.failed_accounts[account]
            rows.append({**item, "Status": status, "LastUpdateTime": pack.last_update_time})
        return {"OrganizationConformancePackDetailedStatuses": rows}

    def describe_account_packs(self: ConfigResponse) -> str:
        packs = [{"ConformancePackName": name} for name in scenario.account_packs]
        return json.dumps({"ConformancePackDetails": packs})

    def account_pack_status(self: ConfigResponse) -> str:
        names = json.loads(self.body).get("ConformancePackNames") or list(scenario.account_packs)
        details = [
            {"ConformancePackName": name, "ConformancePackState": scenario.account_packs[name],
             "LastUpdateRequestedTime": 1.7e9}
            for name in names
            if name in scenario.account_packs
        ]  # fmt: skip
        return json.dumps({"ConformancePackStatusDetails": details})

    original_admins = OrganizationsBackend.list_delegated_administrators

    def list_admins(self: OrganizationsBackend, **kwargs: str) -> Any:
        if self.org is None and self.account_id in organizations_backends.master_accounts:
            master, partition = organizations_backends.master_accounts[self.account_id]
            organization = organizations_backends[master][partition]
            if not any(admin.account.id == self.account_id for admin in organization.admins):
                raise AccessDenied()
            return original_admins(organization, **kwargs)
        return original_admins(self, **kwargs)

    monkeypatch.setattr(OrganizationsBackend, "list_delegated_administrators", list_admins)
    monkeypatch.setattr(ConfigResponse, "describe_conformance_packs", describe_account_packs, raising=False)
    monkeypatch.setattr(ConfigResponse, "describe_conformance_pack_status", account_pack_status, raising=False)
    monkeypatch.setattr(ConfigBackend, "put_organization_conformance_pack", put)
    monkeypatch.setattr(ConfigBackend, "describe_organization_conformance_packs", describe)
    monkeypatch.setattr(ConfigBackend, "describe_organization_conformance_pack_statuses", statuses)
    monkeypatch.setattr(ConfigBackend, "get_organization_conformance_pack_detailed_status", detailed)
