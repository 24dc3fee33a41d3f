"""What the tests of the online rules about what a pack reaches share (tests/test_member_rules_*.py):
an organization where everything the pack needs is in place (READY), the pack with its custom rule's
function and remediation, the `pack` fixture that writes it, and a run of one rule on hand-built
facts, its findings as rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.load.parsing import load_template_file
from preflight.model.facts import (
    ORGANIZATION_PRESENT,
    AwsFacts,
    LambdaFunction,
    MemberAccount,
    RuleTally,
    Simulated,
    SsmDocument,
)
from preflight.model.request import PackRequest
from preflight.model.settings import Settings

RULES = discover_rules()
CALLER = "210987654321"
AUDIT = "310987654321"
LOGS = "410987654321"
SANDBOX = "510987654321"
FUNCTION = f"arn:aws:lambda:us-east-1:{CALLER}:function:bucket-encryption"
PACK = f"""\
Resources:
  BucketEncryption:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: bucket-encryption
      Source:
        Owner: CUSTOM_LAMBDA
        SourceIdentifier: {FUNCTION}
        SourceDetails:
          - EventSource: aws.config
            MessageType: ConfigurationItemChangeNotification
  BucketEncryptionRemediation:
    Type: AWS::Config::RemediationConfiguration
    DependsOn: BucketEncryption
    Properties:
      ConfigRuleName: bucket-encryption
      TargetType: SSM_DOCUMENT
      TargetId: Acme-EnableBucketEncryption
      Parameters:
        AutomationAssumeRole:
          StaticValue:
            Values: ["arn:aws:iam::{CALLER}:role/ConfigRemediation"]
        BucketName:
          ResourceValue:
            Value: RESOURCE_ID
"""
REQUEST = PackRequest(known=True, name="encryption", name_given=True)
REACHED = ((CALLER, "Management"), (AUDIT, "Audit"), (LOGS, "Log Archive"))


# A function policy statement for each account, as AWS's blog on cross-account rules adds them.
GRANTED = [
    {"Sid": f"config-{account}", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
     "Action": "lambda:InvokeFunction", "Resource": FUNCTION, "Condition": {"StringEquals": {"AWS:SourceAccount": account}}}
    for account, _name in REACHED
]  # fmt: skip


def _ready(account: str, name: str | None = None) -> MemberAccount:
    return MemberAccount(account, name, True, None, 1, True, RuleTally(0, 0))


# An organization where everything the pack needs is in place, looked into with a member role.
READY = AwsFacts(
    caller_account=CALLER,
    caller_arn=f"arn:aws:iam::{CALLER}:user/deployer",
    organization=ORGANIZATION_PRESENT,
    organization_feature_set="ALL",
    management_account=CALLER,
    organization_id="o-a1b2c3d4e5",
    accounts=frozenset({CALLER, AUDIT, LOGS, SANDBOX}),
    existing_packs=(),
    config_rule_names=(),
    region="us-east-1",
    reached=REACHED,
    member_role="OrganizationAccountAccessRole",
    members=tuple(_ready(account, name) for account, name in REACHED),
    functions=(LambdaFunction(FUNCTION, True, policy=json.dumps({"Version": "2012-10-17", "Statement": GRANTED})),),
    service_linked_role=True,
    trusted_access=True,
    simulated=(Simulated("config:PutOrganizationConformancePack", "allowed"), Simulated("iam:GetRole", "allowed")),
    documents=(SsmDocument("Acme-EnableBucketEncryption", True, frozenset({AUDIT, LOGS})),),
)

Row = tuple[str, str, str, str, str | None, tuple[str, ...]]  # rule, severity, place, message, fix, accounts


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "encryption.yaml"
    path.write_text(PACK)
    return path


def _online(rule_id: str, facts: AwsFacts, pack: Path | None, request: PackRequest = REQUEST) -> list[Row]:
    sources = (load_template_file(pack, "encryption.yaml"),) if pack is not None else ()
    report = run(Job((PackInput(request, sources, facts),), Settings(select=(rule_id,)), RULES, raise_errors=True))
    return [
        (f.rule, f.severity.label, f.origin or f"{f.span.line}:{f.span.column}", f.message, f.fix, f.accounts)
        for f in report.findings
    ]
