"""What the tests of the online pre-flight over the wire share: moto's organization with three member
accounts, the packs they check (a managed rule, a custom rule's Lambda function, a remediation), that
function, and a `check --online` run of a pack (tests/test_members_readiness.py,
tests/test_members_permissions.py, tests/test_online_replies.py)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.aws_stand_in import MANAGEMENT_ACCOUNT, REGION, StandIn
from tests.conftest import Run, run_cli

ROLE = "OrganizationAccountAccessRole"
FUNCTION_NAME = "bucket-encryption"
FUNCTION = f"arn:aws:lambda:{REGION}:{MANAGEMENT_ACCOUNT}:function:{FUNCTION_NAME}"
MANAGED = """\
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: versioning
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""
ENCRYPTION = f"""\
  Encryption:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: encryption
      Source:
        Owner: CUSTOM_LAMBDA
        SourceIdentifier: {FUNCTION}
        SourceDetails:
          - {{EventSource: aws.config, MessageType: ConfigurationItemChangeNotification}}
"""
CUSTOM = MANAGED + ENCRYPTION


def _remediated(document: str = "AWSConfigRemediation-RestrictBucketSSLRequestsOnly") -> str:
    return MANAGED + (
        "  VersioningRemediation:\n"
        "    Type: AWS::Config::RemediationConfiguration\n"
        "    DependsOn: Versioning\n"
        "    Properties:\n"
        "      ConfigRuleName: versioning\n"
        "      TargetType: SSM_DOCUMENT\n"
        f"      TargetId: {document}\n"
        "      Parameters:\n"
        "        AutomationAssumeRole:\n"
        f"          StaticValue: {{Values: ['arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/ConfigRemediation']}}\n"
        "        BucketName:\n"
        "          ResourceValue: {Value: RESOURCE_ID}\n"
    )


def _organization(aws: StandIn) -> tuple[str, str, str]:
    """Three member accounts: one where AWS Config records, one without a recorder, one to exclude."""
    organizations = aws.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    accounts = []
    for name in ("recording", "no-recorder", "excluded"):
        created = organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        accounts.append(str(created["CreateAccountStatus"]["AccountId"]))
    aws.record(accounts[0])
    return accounts[0], accounts[1], accounts[2]


def _function(aws: StandIn, *grants: str) -> None:
    """The custom rule's function, letting AWS Config invoke it for each account of `grants`."""
    iam = aws.client("iam")
    role = iam.create_role(RoleName="rule-function", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    functions = aws.client("lambda")
    functions.create_function(FunctionName=FUNCTION_NAME, Runtime="python3.12", Role=role, Handler="index.handler",
                              Code={"ZipFile": code.getvalue()})  # fmt: skip
    for account in grants:
        functions.add_permission(FunctionName=FUNCTION_NAME, StatementId=f"config-{account}",
                                 Action="lambda:InvokeFunction", Principal="config.amazonaws.com",
                                 SourceAccount=account)  # fmt: skip


def _check(aws: StandIn, tmp_path: Path, pack: str, *args: str, select: str = "CP5") -> Run:
    path = tmp_path / "pack.yaml"
    path.write_text(pack)
    return run_cli(["check", "--online", *aws.args(), "--format", "json", "--select", select, "--name", "pack",
                    *args, str(path)], cwd=tmp_path)  # fmt: skip
