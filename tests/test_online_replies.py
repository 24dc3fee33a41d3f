"""What the online pre-flight does with what it cannot trust: a Region that is not one, AWS's replies of
another shape, names that would drive a terminal, signatures an error quotes, a function in another
partition or Region, a document's permissions on several pages, and member accounts past the deadline.
Over the wire, against moto's server and the fault proxy in front of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.aws.members import look_into
from preflight.aws.session import AwsTarget, Clients
from preflight.knowledge.needs import PackNeeds
from preflight.model.facts import MemberAccount
from tests.aws_stand_in import MANAGEMENT_ACCOUNT, REGION, StandIn
from tests.conftest import FIXTURES, Run, run_cli
from tests.fault_proxy import Fault, FaultProxy
from tests.members_helpers import ROLE, _organization, _remediated

PACK = FIXTURES / "packs" / "s3-baseline.yaml"
JSON_1_1 = "application/x-amz-json-1.1"


def _check(url: str, pack: Path, *args: str, select: str = "CP5") -> Run:
    return run_cli(["check", "--online", "--endpoint-url", url, "--format", "json", "--select", select, "--name", "s3",
                    *args, str(pack)])  # fmt: skip


def _rows(result: Run) -> list[tuple[str, str, str, list[str]]]:
    assert result.exit_code in (0, 1), result.stderr
    return [
        (str(f["rule"]), str(f["severity"]), str(f["message"]), list(f.get("accounts") or [])) for f in result.findings
    ]  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("region", "shown"),
    [("us-east-1\n", "'us-east-1\\n'"), ("", "''"), ("us-east-1\x1b[31m", "'us-east-1\\x1b[31m'")],
)
def test_a_region_that_is_not_one_is_exit_2_and_one_line(aws: StandIn, region: str, shown: str) -> None:
    result = run_cli(["check", "--online", *aws.args(), "--region", region, "--name", "s3", str(PACK)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"preflight: error: {shown} is no Region name (such as us-east-1): check --region or AWS_REGION\n"
    )


def test_an_account_list_with_an_id_that_is_none_is_a_malformed_reply(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    body = {"Accounts": [{"Id": "12345\x1b[31m", "Name": "x", "Status": "ACTIVE"}]}
    fault_proxy.faults.append(Fault("ListAccounts", "respond", status=200, body=json.dumps(body).encode(),
                                    content_type=JSON_1_1))  # fmt: skip
    assert _rows(_check(fault_proxy.url, PACK)) == [
        (
            "CP514",
            "warning",
            "could not check which accounts the pack reaches: malformed reply from AWS (ValueError)",
            [],
        ),
    ]


def test_an_account_name_that_would_drive_a_terminal_is_shown_escaped(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _recording, bare, excluded = _organization(aws)
    aws.record()
    accounts = [{"Id": MANAGEMENT_ACCOUNT, "Name": "management", "Status": "ACTIVE"},
                {"Id": bare, "Name": "evil\x1b[2J\nname", "Status": "ACTIVE"}]  # fmt: skip
    fault_proxy.faults.append(Fault("ListAccounts", "respond", status=200, body=json.dumps({"Accounts": accounts}).encode(),
                                    content_type=JSON_1_1))  # fmt: skip
    result = run_cli(["deploy", "--dry-run", *fault_proxy.args(), "--name", "s3", "--member-role", ROLE,
                      "--select", "CP510", str(PACK)])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert "\x1b" not in result.stdout
    table = result.stdout.split("accounts s3 reaches", 1)[1].splitlines()
    assert table == [
        f" in {REGION}: 1 fails, 1 ready",
        "  account       name             readiness     findings",
        f"  {MANAGEMENT_ACCOUNT}  management       ready",
        f"  {bare}  evil\\e[2J\\nname  fails         CP510",
        "refusing to deploy s3: 1 error above must be fixed first",
    ]
    assert f"account {bare} (evil\\e[2J\\nname) has no configuration recorder" in result.stdout
    assert excluded not in result.stdout  # the reply left it out: not an account of the organization


def test_a_signature_an_error_quotes_is_never_printed(aws: StandIn, fault_proxy: FaultProxy) -> None:
    message = "denied; Credential=AKIAEXAMPLE1234/20261206/us-east-1/organizations/aws4_request, Signature=abcdef0123"
    body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
    fault_proxy.faults.append(Fault("DescribeOrganization", "respond", status=400, body=body, content_type=JSON_1_1))
    assert _rows(_check(fault_proxy.url, PACK, select="CP501")) == [
        ("CP501", "warning", "could not check the organization: AccessDeniedException: An error occurred "
         "(AccessDeniedException) when calling the DescribeOrganization operation: denied; Credential=***, Signature=***",
         []),
    ]  # fmt: skip


def _custom(tmp_path: Path, function: str) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(
        "Resources:\n  Encryption:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: encryption\n"
        f"      Source:\n        Owner: CUSTOM_LAMBDA\n        SourceIdentifier: {function}\n        SourceDetails:\n"
        "          - {EventSource: aws.config, MessageType: ConfigurationItemChangeNotification}\n"
    )
    return path


def test_a_function_in_another_partition_is_not_looked_up(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    function = f"arn:aws-cn:lambda:cn-north-1:{MANAGEMENT_ACCOUNT}:function:encryption"
    result = _check(aws.url, _custom(tmp_path, function), "--scope", "account", select="CP515")
    assert _rows(result) == [
        ("CP515", "warning", f"could not check Lambda function {function}: it is in the 'aws-cn' partition, the pack in "
         "'aws': not looked up", [MANAGEMENT_ACCOUNT]),
        ("CP515", "warning", f"Lambda function {function} is in cn-north-1, the pack in {REGION}: AWS Config invokes a "
         "custom rule's function from the rule's Region", []),
    ]  # fmt: skip


def test_another_region_that_refuses_the_credentials_is_a_finding_not_the_end(
    aws: StandIn, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    """An account is not enabled in every Region: Lambda's endpoint there refuses its credentials. That
    is about the function, not the caller's credentials, which the home Region accepts."""
    _organization(aws)
    function = f"arn:aws:lambda:eu-west-1:{MANAGEMENT_ACCOUNT}:function:encryption"
    refused = json.dumps({"__type": "UnrecognizedClientException", "message": "The security token is invalid."})
    # Lambda's REST calls are the only GETs here (no template or bucket in S3).
    fault_proxy.faults.append(
        Fault("S3 GET", "respond", status=403, body=refused.encode(), content_type="application/json")
    )
    result = _check(fault_proxy.url, _custom(tmp_path, function), "--scope", "account", select="CP515")
    assert _rows(result) == [
        ("CP515", "warning", f"could not check Lambda function {function}: the account cannot call Lambda in eu-west-1 "
         "(a Region not enabled for it?)", [MANAGEMENT_ACCOUNT]),
        ("CP515", "warning", f"Lambda function {function} is in eu-west-1, the pack in {REGION}: AWS Config invokes a "
         "custom rule's function from the rule's Region", []),
    ]  # fmt: skip


def test_a_document_s_permissions_are_read_page_by_page(aws: StandIn, fault_proxy: FaultProxy, tmp_path: Path) -> None:
    recording, bare, excluded = _organization(aws)
    ssm = aws.client("ssm")
    ssm.create_document(Name="Acme-Shared", DocumentType="Automation", DocumentFormat="YAML",
                        Content="schemaVersion: '0.3'\nmainSteps: []\n")  # fmt: skip
    ssm.modify_document_permission(Name="Acme-Shared", PermissionType="Share", AccountIdsToAdd=[recording])
    # moto answers on one page: the first page here is the stand-in's, with a token for moto's.
    first = {"AccountIds": [bare], "AccountSharingInfoList": [{"AccountId": bare}], "NextToken": "page-2"}
    fault_proxy.faults.append(Fault("DescribeDocumentPermission", "respond", status=200,
                                    body=json.dumps(first).encode(), content_type=JSON_1_1))  # fmt: skip
    pack = tmp_path / "pack.yaml"
    pack.write_text(_remediated(f"arn:aws:ssm:{REGION}:{MANAGEMENT_ACCOUNT}:document/Acme-Shared"))
    aws.client("iam").create_role(RoleName="ConfigRemediation", AssumeRolePolicyDocument="{}")
    result = _check(fault_proxy.url, pack, "--exclude-account", excluded, select="CP513")
    assert _rows(result) == []
    assert fault_proxy.seen.count("DescribeDocumentPermission") == 2


def test_cp509_is_silent_for_an_organization_pack_that_excludes_the_caller(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    (tmp_path / ".preflight.toml").write_text("[quotas]\nrules-per-account-across-org-packs = 2\n")
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK.read_text())  # three rules: over the quota of 2 in the caller's account
    run = run_cli(["check", "--online", *aws.args(), "--format", "json", "--select", "CP509", "--name", "s3", str(pack)],
                  cwd=tmp_path)  # fmt: skip
    assert [(row[0], row[1]) for row in _rows(run)] == [("CP509", "error")]
    excluding = run_cli(["check", "--online", *aws.args(), "--format", "json", "--select", "CP509", "--name", "s3",
                         "--exclude-account", MANAGEMENT_ACCOUNT, str(pack)], cwd=tmp_path)  # fmt: skip
    assert _rows(excluding) == []


def test_member_accounts_past_the_deadline_are_not_looked_into(aws: StandIn) -> None:
    recording, bare, _excluded = _organization(aws)
    clients = Clients(AwsTarget(region=REGION, endpoint_url=aws.url))
    accounts = [(recording, "recording"), (bare, "no-recorder")]
    aws.scenario.calls.clear()
    late = look_into(clients, accounts, ROLE, PackNeeds(rules=("versioning",)), MANAGEMENT_ACCOUNT, deadline_seconds=0)
    reason = "not looked into: timed out: the member accounts were not all read within 0 s"
    assert late == (
        MemberAccount(recording, "recording", False, reason),
        MemberAccount(bare, "no-recorder", False, reason),
    )
    assert aws.scenario.calls == []  # nothing was asked of AWS
    in_time = look_into(clients, accounts, ROLE, PackNeeds(rules=("versioning",)), MANAGEMENT_ACCOUNT)
    assert [(member.account, member.assumed, member.recorders, member.error) for member in in_time] == [
        (recording, True, 1, None),
        (bare, True, 0, None),
    ]


def test_a_remediation_document_named_by_another_account_s_arn_could_not_be_checked(
    aws: StandIn, tmp_path: Path
) -> None:
    recording, bare, excluded = _organization(aws)
    foreign = f"arn:aws:ssm:{REGION}:{recording}:document/Theirs"
    pack = tmp_path / "pack.yaml"
    pack.write_text(_remediated(foreign))
    result = _check(aws.url, pack, "--exclude-account", excluded, select="CP513")
    assert [(row[0], row[1], row[3]) for row in _rows(result)] == [("CP513", "warning", [recording, bare])]
    assert _rows(result)[0][2].startswith(f"could not check SSM document {foreign}: ")


@pytest.mark.parametrize("role", ["Rôle", "ops\nrole", "a" * 65, ""])
def test_permissions_refuses_a_member_role_iam_would_not_name(role: str) -> None:
    result = run_cli(["permissions", "caller", "--member-role", role])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"preflight: error: --member-role {role!r}: not an IAM role name\n"


def test_permissions_in_another_partition_name_its_arns() -> None:
    policy = json.loads(run_cli(["permissions", "caller", "--member-role", "Ops", "--partition", "aws-cn"]).stdout)
    assume = [statement for statement in policy["Statement"] if statement["Action"] == "sts:AssumeRole"]
    assert [statement["Resource"] for statement in assume] == ["arn:aws-cn:iam::*:role/Ops"]
