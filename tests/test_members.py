"""The online pre-flight looking past the caller's account, over the wire: moto's organization with
member accounts (each its own state, reached by assuming OrganizationAccountAccessRole), a custom
rule's Lambda function, remediation roles and documents, the delivery bucket; what moto lacks (IAM's
policy simulator, an AssumeRole that is refused, an aggregator's resource counts) comes from the
stand-in in front of it (tests/aws_stand_in.py). Each check is seen ready and failing, with its
findings compared whole."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from preflight.aws.permissions import CALLER_ACTIONS, DEPLOY_ACTIONS, MEMBER_ACTIONS
from tests.aws_stand_in import MANAGEMENT_ACCOUNT, REGION, Call, StandIn
from tests.conftest import REPO, Run, run_cli

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


# How IAM names what each call the pre-flight makes needs. REST calls (S3, Lambda) by method and path.
def _action(call: Call) -> str | None:
    if call.service == "sts" and call.operation == "GetCallerIdentity":
        return None  # needs no permission
    if call.service == "s3":
        method = call.operation.split()[-1]
        if "?policy" in call.path:
            return "s3:GetBucketPolicy"
        bucket_only = call.path.strip("/").count("/") == 0 and "?" not in call.path
        return {"HEAD": "s3:ListBucket" if bucket_only else "s3:GetObject", "GET": "s3:GetObject",
                "PUT": "s3:PutObject"}[method]  # fmt: skip
    if call.service == "lambda":
        return "lambda:GetPolicy" if call.path.rstrip("/").endswith("/policy") else "lambda:GetFunction"
    return f"{call.service}:{call.operation}"


def test_every_call_of_the_pre_flight_is_in_the_policy_preflight_permissions_prints(
    aws: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The policies the README points to are exactly what the pre-flight uses: every call it made here
    (with a member role and without, for an organization pack and an account pack, as the management
    account and as a delegated administrator; the packs there already, earlier organization rules, an
    aggregator), as the caller or as the member role, is allowed by the printed policy of its kind,
    and every action those policies allow was called."""
    recording, _bare, _excluded = _organization(aws)
    _function(aws)
    aws.client("ssm").create_document(Name="Acme-Versioning", DocumentType="Automation", DocumentFormat="YAML",
                                      Content="schemaVersion: '0.3'\nmainSteps: []\n")  # fmt: skip
    aws.delivery_bucket("awsconfigconforms-results")
    aws.client("s3").put_object(Bucket="awsconfigconforms-results", Key="pack.yaml", Body=b"Resources: {}\n")
    config = aws.client("config")
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={"RoleArn": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/a", "AllAwsRegions": True},
    )
    config.put_organization_conformance_pack(OrganizationConformancePackName="pack",
                                             TemplateS3Uri="s3://awsconfigconforms-results/pack.yaml")  # fmt: skip
    aws.scenario.organization_rules = {"s3-rules": {}}
    aws.scenario.account_packs = {"pack": "CREATE_COMPLETE"}
    pack = _remediated("Acme-Versioning") + ENCRYPTION
    bucket = ("--delivery-bucket", "awsconfigconforms-results")
    calls: list[Call] = []

    def made(result: Run) -> None:  # the calls of one run of the pre-flight
        assert result.exit_code in (0, 1), result.stderr
        calls.extend(aws.scenario.calls)

    # A document named by its ARN is read in its owner's account (the caller's); by name, in each member's.
    shared = _remediated(f"arn:aws:ssm:{REGION}:{MANAGEMENT_ACCOUNT}:document/Acme-Versioning") + ENCRYPTION
    for extra, checked in ((("--member-role", ROLE), pack), (("--template-s3-uri", "s3://awsconfigconforms-results/pack.yaml"), shared)):  # fmt: skip
        aws.scenario.calls.clear()
        made(_check(aws, tmp_path, checked, *bucket, *extra))
    aws.scenario.calls.clear()
    made(_check(aws, tmp_path, pack, "--scope", "account"))
    aws.client("organizations").register_delegated_administrator(
        AccountId=recording, ServicePrincipal="config-multiaccountsetup.amazonaws.com"
    )
    given = aws.client("sts").assume_role(RoleArn=f"arn:aws:iam::{recording}:role/{ROLE}",
                                          RoleSessionName="deployer")["Credentials"]  # fmt: skip
    for name, value in (("AWS_ACCESS_KEY_ID", given["AccessKeyId"]), ("AWS_SECRET_ACCESS_KEY", given["SecretAccessKey"]),
                        ("AWS_SESSION_TOKEN", given["SessionToken"])):  # fmt: skip
        monkeypatch.setenv(name, value)
    aws.scenario.calls.clear()
    made(_check(aws, tmp_path, MANAGED))
    callers = {"testing", given["AccessKeyId"]}
    allowed = {"caller": set(CALLER_ACTIONS) | {"sts:AssumeRole"}, "member": set(MEMBER_ACTIONS)}
    used: dict[str, set[str]] = {"caller": set(), "member": set()}
    for call in calls:
        action = _action(call)
        if action is not None:
            kind = "caller" if call.access_key in callers else "member"
            assert action in allowed[kind], (kind, call)
            used[kind].add(action)
    assert {kind: allowed[kind] - used[kind] for kind in used} == {"caller": set(), "member": set()}
    printed = json.loads(run_cli(["permissions", "member"]).stdout)
    assert printed["Statement"] == [
        {"Sid": "PreflightReadOnly", "Effect": "Allow", "Action": sorted(MEMBER_ACTIONS), "Resource": "*"}
    ]
    caller = json.loads(run_cli(["permissions", "--member-role", ROLE]).stdout)
    assert caller["Statement"] == [
        {"Sid": "PreflightReadOnly", "Effect": "Allow", "Action": sorted(CALLER_ACTIONS), "Resource": "*"},
        {"Sid": "PreflightMemberRole", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": f"arn:aws:iam::*:role/{ROLE}"},
    ]  # fmt: skip


def test_every_call_of_a_deploy_is_in_the_deploy_policy(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.client("s3").create_bucket(Bucket="pack-templates")
    pack = tmp_path / "pack.yaml"
    pack.write_text(MANAGED + "# " + "x" * 60_000 + "\n")  # too large to send inline: uploaded
    aws.scenario.calls.clear()
    result = run_cli(["deploy", *aws.args(), "--name", "pack", "--template-bucket", "pack-templates", "--poll-interval",
                      "0", str(pack)], cwd=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    allowed = set(DEPLOY_ACTIONS) | {"sts:AssumeRole"}
    actions = {_action(call) for call in aws.scenario.calls} - {None}
    assert "config:PutOrganizationConformancePack" in actions and "s3:PutObject" in actions
    assert actions - allowed == set()


def test_the_policies_docs_online_prints_are_what_the_command_prints() -> None:
    text = (REPO / "docs" / "online.md").read_text(encoding="utf-8")

    def block(marker: str) -> str:
        return text.split(f"<!-- {marker} -->\n```json\n", 1)[1].split("```", 1)[0]

    assert block("permissions-caller") == run_cli(["permissions", "caller", "--member-role", ROLE]).stdout
    assert block("permissions-member") == run_cli(["permissions", "member"]).stdout
