"""The online pre-flight looking past the caller's account, over the wire: moto's organization with
member accounts (each its own state, reached by assuming OrganizationAccountAccessRole), a custom
rule's Lambda function, remediation roles and documents, the delivery bucket; what moto lacks (IAM's
policy simulator, an AssumeRole that is refused, an aggregator's resource counts) comes from the
stand-in in front of it (tests/aws_stand_in.py). Each check is seen ready and failing, with its
findings compared whole. The policies those calls need: tests/test_members_permissions.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws_stand_in import MANAGEMENT_ACCOUNT, REGION, StandIn
from tests.conftest import Run, run_cli
from tests.members_helpers import CUSTOM, FUNCTION, MANAGED, ROLE, _check, _function, _organization, _remediated


def _rows(result: Run) -> list[tuple[Any, ...]]:
    return [(f["rule"], f["severity"], f["line"] or f["origin"], f["message"], f["fix"], f["accounts"])
            for f in result.findings]  # fmt: skip


def _set_up_or_exclude(account: str) -> str:
    return (
        "set up AWS Config in that account (a configuration recorder and a delivery channel), or exclude it: "
        f"--exclude-account {account}"
    )


INVOKE = (
    f"for each account: aws lambda add-permission --function-name {FUNCTION} --principal config.amazonaws.com "
    "--action lambda:InvokeFunction --source-account ACCOUNT --statement-id config-ACCOUNT"
)


def test_member_accounts_looked_into_name_the_one_that_will_fail_and_the_function(aws: StandIn, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    _function(aws)  # no permission for AWS Config at all
    result = _check(aws, tmp_path, CUSTOM, "--member-role", ROLE, "--exclude-account", excluded)
    assert (result.exit_code, result.stderr) == (1, "")
    assert _rows(result) == [
        ("CP510", "error", "AWS account",
         f"account {bare} (no-recorder) has no configuration recorder in {REGION}: the pack fails there with "
         "NoAvailableConfigurationRecorderException", _set_up_or_exclude(bare), [bare]),
        ("CP515", "error", 13,
         f"Lambda function {FUNCTION} has no resource policy: AWS Config cannot invoke it for account "
         f"{MANAGEMENT_ACCOUNT} (master), account {recording} (recording), account {bare} (no-recorder)",
         INVOKE, [MANAGEMENT_ACCOUNT, recording, bare]),
    ]  # fmt: skip


def test_without_a_member_role_one_finding_says_the_members_were_not_verified(aws: StandIn, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    result = _check(aws, tmp_path, MANAGED, "--exclude-account", excluded)
    assert (result.exit_code, result.stderr) == (0, "")
    assert _rows(result) == [
        ("CP514", "info", "AWS account",
         "2 member accounts the pack reaches were not verified (configuration recorder, room for the rules, "
         "remediation roles): without a member role only the caller's own account is looked into",
         "pass --member-role ROLE (or member-role in the settings), a role you may assume in each member account, "
         "such as OrganizationAccountAccessRole or AWSControlTowerExecution", [recording, bare]),
    ]  # fmt: skip
    _function(aws)
    with_function = _check(aws, tmp_path, CUSTOM, "--exclude-account", excluded)
    assert with_function.exit_code == 1  # the function is read from the management account, role or not
    assert [row[0] for row in _rows(with_function)] == ["CP514", "CP515"]


def test_deploy_dry_run_refuses_and_its_table_names_each_account(aws: StandIn, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    _function(aws)
    pack = tmp_path / "pack.yaml"
    pack.write_text(CUSTOM)
    # moto's management account is 123456789012, an id AWS's documentation uses (CP415): not a concern here.
    args = ["deploy", *aws.args(), "--dry-run", "--ignore", "CP415", "--name", "pack", "--member-role", ROLE,
            "--exclude-account", excluded]  # fmt: skip
    text = run_cli([*args, str(pack)])
    assert text.exit_code == 1
    assert "accounts pack reaches" in text.stdout, text.stdout + text.stderr
    table = text.stdout[text.stdout.index("accounts pack reaches") :].splitlines()
    assert table == [
        f"accounts pack reaches in {REGION}: 3 fails",
        "  account       name         readiness     findings",
        f"  {MANAGEMENT_ACCOUNT}  master       fails         CP515",
        f"  {recording}  recording    fails         CP515",
        f"  {bare}  no-recorder  fails         CP510, CP515",
        "refusing to deploy pack: 2 errors above must be fixed first",
    ]
    machine = run_cli([*args, "--format", "json", str(pack)])
    assert machine.exit_code == 1
    [entry] = json.loads(machine.stdout)["packs"]
    assert (entry["result"], entry["accounts"]) == ("refused", [
        {"account": MANAGEMENT_ACCOUNT, "name": "master", "readiness": "fails", "findings": ["CP515"]},
        {"account": recording, "name": "recording", "readiness": "fails", "findings": ["CP515"]},
        {"account": bare, "name": "no-recorder", "readiness": "fails", "findings": ["CP510", "CP515"]},
    ])  # fmt: skip
    assert aws.scenario.puts == []


def test_a_function_that_grants_each_account_and_a_dry_run_of_ready_accounts(aws: StandIn, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    aws.record(bare)
    _function(aws, MANAGEMENT_ACCOUNT, recording, bare)
    assert _rows(_check(aws, tmp_path, CUSTOM, "--member-role", ROLE, "--exclude-account", excluded)) == []
    pack = tmp_path / "pack.yaml"
    pack.write_text(CUSTOM)
    dry = run_cli(["deploy", *aws.args(), "--dry-run", "--ignore", "CP415", "--name", "pack", "--member-role", ROLE,
                   "--exclude-account", excluded, str(pack)])  # fmt: skip
    assert dry.exit_code == 0, dry.stdout + dry.stderr
    assert f"accounts pack reaches in {REGION}: 3 ready" in dry.stdout.splitlines()


def test_an_account_the_role_cannot_be_assumed_in_is_a_warning(aws: StandIn, tmp_path: Path) -> None:
    _recording, bare, excluded = _organization(aws)
    aws.record(bare)
    aws.scenario.unassumable = {bare}
    result = _check(aws, tmp_path, MANAGED, "--member-role", ROLE, "--exclude-account", excluded)
    assert result.exit_code == 0
    denied = (f"User: arn:aws:iam::{MANAGEMENT_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole on "
              f"resource: arn:aws:iam::{bare}:role/{ROLE}")  # fmt: skip
    assert _rows(result) == [
        ("CP514", "warning", "AWS account",
         f"could not check account {bare} (no-recorder): cannot assume {ROLE}: AccessDenied: An error occurred "
         f"(AccessDenied) when calling the AssumeRole operation: {denied}",
         f"let the caller assume {ROLE} in that account, with the permissions `preflight permissions member` prints",
         [bare]),
    ]  # fmt: skip


def test_a_member_without_room_for_the_rules(aws: StandIn, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    aws.record(bare)
    config = aws.member_client(recording, "config")
    for index in range(4):
        config.put_config_rule(ConfigRule={"ConfigRuleName": f"team-{index}",
                                           "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})  # fmt: skip
    (tmp_path / "pyproject.toml").write_text("[tool.preflight.quotas]\nrules-per-account = 4\n")
    result = _check(aws, tmp_path, MANAGED, "--member-role", ROLE, "--exclude-account", excluded, select="CP511")
    assert _rows(result) == [
        ("CP511", "error", 1,
         f"account {recording} (recording) in {REGION} already has 4 config rules; with this pack's 1 it would have 5, "
         "over the quota of 4",
         f"remove rules from that account, exclude it (--exclude-account {recording}), or deploy fewer rules",
         [recording]),
    ]  # fmt: skip


def test_remediation_roles_and_documents_in_member_accounts(aws: StandIn, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    aws.record(bare)
    for client in (aws.client("iam"), aws.member_client(recording, "iam")):  # not in `bare`
        client.create_role(RoleName="ConfigRemediation", AssumeRolePolicyDocument="{}")
    args = ("--member-role", ROLE, "--exclude-account", excluded)
    result = _check(aws, tmp_path, _remediated(), *args, select="CP512,CP513")
    assert _rows(result) == [
        ("CP512", "error", 16,
         f"role ConfigRemediation, the remediations' AutomationAssumeRole, is not in account {bare} (no-recorder) "
         f"({REGION}): the remediations cannot run there",
         "create ConfigRemediation in every account the pack reaches (a StackSet does), or exclude those accounts",
         [bare]),
    ]  # fmt: skip
    aws.member_client(bare, "iam").create_role(RoleName="ConfigRemediation", AssumeRolePolicyDocument="{}")
    assert _rows(_check(aws, tmp_path, _remediated(), *args, select="CP512,CP513")) == []
    # A document named without its ARN: each account runs its own document of that name.
    content = "schemaVersion: '0.3'\nmainSteps: []\n"
    ssm = aws.client("ssm")
    ssm.create_document(Name="Acme-Versioning", DocumentType="Automation", DocumentFormat="YAML", Content=content)
    by_name = _check(aws, tmp_path, _remediated("Acme-Versioning"), *args, select="CP512,CP513")
    assert _rows(by_name) == [
        ("CP513", "error", 13,
         f"SSM document Acme-Versioning is not in account {recording} (recording), account {bare} (no-recorder) "
         f"({REGION}): a remediation that names a document without its ARN runs that account's own document of the "
         "name, so it fails there",
         "create the document in every account the pack reaches (a StackSet does), or share it from one account and "
         "name it by its ARN", [recording, bare]),
    ]  # fmt: skip
    for member in (recording, bare):
        aws.member_client(member, "ssm").create_document(
            Name="Acme-Versioning", DocumentType="Automation", DocumentFormat="YAML", Content=content
        )
    assert _rows(_check(aws, tmp_path, _remediated("Acme-Versioning"), *args, select="CP512,CP513")) == []
    # Named by its ARN, the management account's document must be shared with every account it reaches.
    ssm.create_document(Name="Acme-Shared", DocumentType="Automation", DocumentFormat="YAML", Content=content)
    ssm.modify_document_permission(Name="Acme-Shared", PermissionType="Share", AccountIdsToAdd=[recording])
    shared = f"arn:aws:ssm:{REGION}:{MANAGEMENT_ACCOUNT}:document/Acme-Shared"
    unshared = _check(aws, tmp_path, _remediated(shared), *args, select="CP512,CP513")
    assert _rows(unshared) == [
        ("CP513", "error", 13,
         f"SSM document {shared} is not shared with account {bare} (no-recorder): the remediations that run it fail "
         "there",
         "share it: aws ssm modify-document-permission --name Acme-Shared --permission-type Share "
         f"--account-ids-to-add {bare}", [bare]),
    ]  # fmt: skip
    ssm.modify_document_permission(Name="Acme-Shared", PermissionType="Share", AccountIdsToAdd=["all"])
    assert _rows(_check(aws, tmp_path, _remediated(shared), *args, select="CP512,CP513")) == []


def test_without_a_member_role_earlier_failures_and_an_aggregator_warn(aws: StandIn, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    aws.scenario.organization_rules = {"s3-rules": {bare: ("NoAvailableConfigurationRecorderException", "...")}}
    config = aws.client("config")
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={"RoleArn": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/aggregator",
                                       "AllAwsRegions": True},
    )  # fmt: skip
    aws.scenario.resource_counts = {MANAGEMENT_ACCOUNT: 40, recording: 12}  # nothing from `bare` or `excluded`
    result = _check(aws, tmp_path, MANAGED, select="CP510")
    again = "look into it with --member-role ROLE, then "
    assert _rows(result) == [
        ("CP510", "warning", "AWS account",
         f"account {bare} (no-recorder): config rule s3-rules failed there with "
         f"NoAvailableConfigurationRecorderException; this pack will too unless the account has a recorder in {REGION} "
         "now", again + _set_up_or_exclude(bare), [bare]),
        ("CP510", "warning", "AWS account",
         f"account {excluded} (excluded) sends no resources in {REGION} to the organization aggregator organization: "
         "it may have no configuration recorder there, and the pack then fails with "
         "NoAvailableConfigurationRecorderException", again + _set_up_or_exclude(excluded), [excluded]),
    ]  # fmt: skip
    assert _rows(_check(aws, tmp_path, MANAGED, "--exclude-account", excluded, select="CP510"))[1:] == []


def test_the_service_linked_role_trusted_access_and_the_simulator(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.scenario.simulated = {"iam:CreateServiceLinkedRole": "explicitDeny",
                              "organizations:EnableAWSServiceAccess": "explicitDeny by scp", "iam:GetRole": "explicitDeny",
                              "config:PutOrganizationConformancePack": "implicitDeny"}  # fmt: skip
    result = _check(aws, tmp_path, MANAGED, select="CP516,CP517")
    caller = f"arn:aws:sts::{MANAGEMENT_ACCOUNT}:user/moto"
    assert [(row[0], row[1], row[3]) for row in _rows(result)] == [
        ("CP516", "warning",
         "could not check whether the caller may enable trusted access for config-multiaccountsetup.amazonaws.com, which "
         "is not enabled: IAM's policy simulator decided explicitDeny (an SCP denies it, and the simulator leaves out "
         "SCPs' conditions)"),
        ("CP516", "error",
         f"service-linked role AWSServiceRoleForConfigMultiAccountSetup is not in account {MANAGEMENT_ACCOUNT}, and the "
         "caller may not create it (iam:CreateServiceLinkedRole: denied by the caller's own policies): the put fails "
         "with InsufficientPermissionsException"),
        ("CP517", "error",
         f"{caller} may not iam:GetRole (an explicit Deny in the caller's own policies, as IAM's policy simulator reads "
         "them): the put is refused or fails with InsufficientPermissionsException"),
        ("CP517", "warning",
         f"could not check whether {caller} may config:PutOrganizationConformancePack: IAM's policy simulator decided "
         "implicitDeny (no statement allows it on every resource, and an allow scoped to resources is not seen)"),
    ]  # fmt: skip
    aws.client("iam").create_role(
        RoleName="AWSServiceRoleForConfigMultiAccountSetup",
        AssumeRolePolicyDocument="{}",
        Path="/aws-service-role/config-multiaccountsetup.amazonaws.com/",
    )  # fmt: skip (moto names the roles create_service_linked_role makes otherwise than AWS)
    aws.client("organizations").enable_aws_service_access(ServicePrincipal="config-multiaccountsetup.amazonaws.com")
    aws.scenario.simulated = {}
    assert _rows(_check(aws, tmp_path, MANAGED, select="CP516,CP517")) == []


def test_the_delivery_bucket_s_policy(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.delivery_bucket("awsconfigconforms-ready")
    aws.client("s3").create_bucket(Bucket="awsconfigconforms-bare")
    ready = _check(aws, tmp_path, MANAGED, "--delivery-bucket", "awsconfigconforms-ready", select="CP519")
    assert _rows(ready) == []
    bare = _check(aws, tmp_path, MANAGED, "--delivery-bucket", "awsconfigconforms-bare", select="CP519")
    assert _rows(bare) == [
        ("CP519", "warning", "--delivery-bucket awsconfigconforms-bare",
         "delivery bucket awsconfigconforms-bare has no bucket policy: the member accounts' "
         "AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", []),
    ]  # fmt: skip


@pytest.mark.parametrize(("region", "expected"), [("eu-central-2", []), ("us-east-3", ["error"])])
def test_the_region_over_the_wire(aws: StandIn, tmp_path: Path, region: str, expected: list[str]) -> None:
    _organization(aws)
    result = _check(aws, tmp_path, MANAGED, "--region", region, select="CP518")
    assert [row[1] for row in _rows(result)] == expected
