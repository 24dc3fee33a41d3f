"""The online rules about what a pack reaches (CP510-CP519) on hand-built facts, each ready and failing,
with every finding compared whole, the accounts it names included. tests/test_members_readiness.py runs
them against moto's organization over the wire."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.knowledge.needs import is_aws_document
from preflight.load.parsing import load_template_file
from preflight.model.facts import (
    ORGANIZATION_PRESENT,
    AwsFacts,
    Bucket,
    EarlierFailure,
    Fact,
    LambdaFunction,
    MemberAccount,
    RuleTally,
    Simulated,
    SsmDocument,
    Unavailable,
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


@pytest.mark.parametrize("rule_id", [f"CP5{n}" for n in range(10, 20)])
def test_each_rule_is_silent_when_everything_is_ready(rule_id: str, pack: Path) -> None:
    assert _online(rule_id, READY, pack) == []


def test_cp510_an_account_without_a_recorder_fails_and_a_stopped_one_is_a_warning(pack: Path) -> None:
    members = (_ready(CALLER), replace(_ready(AUDIT), recorders=0, recording=False),
               replace(_ready(LOGS), recording=False))  # fmt: skip
    assert _online("CP510", replace(READY, members=members), pack) == [
        ("CP510", "error", "AWS account",
         f"account {AUDIT} (Audit) has no configuration recorder in us-east-1: the pack fails there with "
         "NoAvailableConfigurationRecorderException",
         f"set up AWS Config in that account (a configuration recorder and a delivery channel), or exclude it: "
         f"--exclude-account {AUDIT}", (AUDIT,)),
        ("CP510", "warning", "AWS account",
         f"account {LOGS} (Log Archive)'s configuration recorder is stopped in us-east-1: the pack deploys there, but "
         "its rules evaluate nothing until it records",
         "start it in that account: aws configservice start-configuration-recorder", (LOGS,)),
    ]  # fmt: skip


def test_cp510_an_account_pack_in_an_account_without_a_recorder(pack: Path) -> None:
    alone = replace(READY, reached=((CALLER, None),), members=(replace(_ready(CALLER), recorders=0, recording=False),))
    assert _online("CP510", alone, pack, replace(REQUEST, scope="account")) == [
        ("CP510", "error", "AWS account",
         f"account {CALLER} has no configuration recorder in us-east-1: the pack fails there with "
         "NoAvailableConfigurationRecorderException",
         "set up AWS Config in this account (a configuration recorder and a delivery channel) before the put",
         (CALLER,)),
    ]  # fmt: skip


def test_cp510_without_a_member_role_earlier_failures_and_the_aggregator_warn(pack: Path) -> None:
    unseen = replace(
        READY,
        member_role=None,
        members=(_ready(CALLER),),
        earlier_failures=(
            EarlierFailure(AUDIT, "baseline", "conformance pack", "NoAvailableConfigurationRecorderException", "..."),
            EarlierFailure(AUDIT, "s3-rules", "config rule", "NoAvailableConfigurationRecorderException", "..."),
            EarlierFailure(LOGS, "baseline", "conformance pack", "InsufficientPermissionsException", "..."),
            EarlierFailure(SANDBOX, "baseline", "conformance pack", "NoAvailableConfigurationRecorderException", "..."),
        ),
        aggregated=("organization", frozenset({CALLER, AUDIT})),
    )
    again = "look into it with --member-role ROLE, then set up AWS Config in that account (a configuration recorder " \
        "and a delivery channel), or exclude it: --exclude-account "  # fmt: skip
    # SANDBOX is excluded (not reached): its earlier failure is no concern of this put.
    assert _online("CP510", unseen, pack) == [
        ("CP510", "warning", "AWS account",
         f"account {AUDIT} (Audit): conformance pack baseline failed there with NoAvailableConfigurationRecorderException; "
         "this pack will too unless the account has a recorder in us-east-1 now", again + AUDIT, (AUDIT,)),
        ("CP510", "warning", "AWS account",
         f"account {LOGS} (Log Archive) sends no resources in us-east-1 to the organization aggregator organization: it "
         "may have no configuration recorder there, and the pack then fails with NoAvailableConfigurationRecorderException",
         again + LOGS, (LOGS,)),
    ]  # fmt: skip


def test_cp511_a_member_without_room_for_the_rules(pack: Path) -> None:
    crowded = replace(_ready(AUDIT, "Audit"), rules=RuleTally(1_000, 0))
    from_packs = replace(_ready(LOGS, "Log Archive"), rules=RuleTally(350, 350))
    facts = replace(READY, members=(_ready(CALLER), crowded, from_packs))
    assert _online("CP511", facts, pack) == [
        ("CP511", "error", "1:1",
         f"account {AUDIT} (Audit) in us-east-1 already has 1000 config rules; with this pack's 1 it would have 1001, "
         "over the quota of 1000",
         f"remove rules from that account, exclude it (--exclude-account {AUDIT}), or deploy fewer rules", (AUDIT,)),
        ("CP511", "error", "1:1",
         f"account {LOGS} (Log Archive) in us-east-1 already has 350 rules from conformance packs; with this pack's 1 it "
         "would have 351, over the quota of 350",
         f"remove rules from that account, exclude it (--exclude-account {LOGS}), or deploy fewer rules", (LOGS,)),
    ]  # fmt: skip
    # The caller's own account is CP509's, and an account that could not be read is CP514's.
    unread = replace(crowded, rules=None)
    assert _online("CP511", replace(READY, members=(replace(crowded, account=CALLER), unread)), pack) == []


def test_cp511_an_update_replaces_the_packs_own_rule_and_a_new_pack_adds_it(pack: Path) -> None:
    # 350 rules from packs, one of them named as this pack's rule: an update of this pack replaces it.
    named = replace(_ready(LOGS, "Log Archive"), rules=RuleTally(350, 350, (("bucket-encryption", 1),)))
    updating = replace(READY, members=(_ready(CALLER), named), existing_packs=("encryption",))
    assert _online("CP511", updating, pack) == []
    # The same rule name in another pack of the account: this new pack adds its rule all the same.
    assert _online("CP511", replace(updating, existing_packs=("another-pack",)), pack) == [
        ("CP511", "error", "1:1",
         f"account {LOGS} (Log Archive) in us-east-1 already has 350 rules from conformance packs; with this pack's 1 it "
         "would have 351, over the quota of 350",
         f"remove rules from that account, exclude it (--exclude-account {LOGS}), or deploy fewer rules", (LOGS,)),
    ]  # fmt: skip


def test_cp512_a_remediation_role_missing_in_members(pack: Path) -> None:
    members = (_ready(CALLER), replace(_ready(AUDIT), missing_roles=("ConfigRemediation",)),
               replace(_ready(LOGS), missing_roles=("ConfigRemediation",)))  # fmt: skip
    assert _online("CP512", replace(READY, members=members), pack) == [
        ("CP512", "error", "22:22",
         f"role ConfigRemediation, the remediations' AutomationAssumeRole, is not in account {AUDIT} (Audit), account "
         f"{LOGS} (Log Archive) (us-east-1): the remediations cannot run there",
         "create ConfigRemediation in every account the pack reaches (a StackSet does), or exclude those accounts",
         (AUDIT, LOGS)),
    ]  # fmt: skip


def test_cp513_a_document_named_without_its_arn_must_be_in_every_account(pack: Path) -> None:
    # Each account runs its own document of that name: the members' own are looked up through the member role.
    members = (_ready(CALLER), _ready(AUDIT, "Audit"),
               replace(_ready(LOGS, "Log Archive"), missing_documents=("Acme-EnableBucketEncryption",)))  # fmt: skip
    assert _online("CP513", replace(READY, members=members), pack) == [
        ("CP513", "error", "18:7",
         f"SSM document Acme-EnableBucketEncryption is not in account {LOGS} (Log Archive) (us-east-1): a remediation "
         "that names a document without its ARN runs that account's own document of the name, so it fails there",
         "create the document in every account the pack reaches (a StackSet does), or share it from one account and "
         "name it by its ARN", (LOGS,)),
    ]  # fmt: skip
    # Shared with every account, but named without its ARN: sharing does not help, and without a member role
    # the members' own documents could not be looked up.
    unseen = replace(
        READY,
        member_role=None,
        members=(),
        documents=(SsmDocument("Acme-EnableBucketEncryption", True, frozenset({"all"})),),
    )
    members_unseen = (
        "CP513", "warning", "AWS account",
        "could not check that SSM document Acme-EnableBucketEncryption is in each member account: a remediation that "
        "names a document without its ARN runs the member account's own document of the name, and the members were "
        "not looked into (no --member-role)", None, (AUDIT, LOGS),
    )  # fmt: skip
    assert _online("CP513", unseen, pack) == [members_unseen]
    gone = replace(unseen, documents=(SsmDocument("Acme-EnableBucketEncryption", False, error="InvalidDocument"),))
    assert _online("CP513", gone, pack) == [
        members_unseen,  # what is about no place in the template comes first
        ("CP513", "error", "18:7",
         f"SSM document Acme-EnableBucketEncryption does not exist in account {CALLER} (us-east-1): the remediations "
         "that run it fail", "create the document, or use one of AWS's runbooks", (CALLER,)),
    ]  # fmt: skip
    # A pack that does not reach the caller's account does not run the caller's document.
    excluded = replace(gone, reached=REACHED[1:], member_role="OrganizationAccountAccessRole",
                       members=tuple(_ready(a, n) for a, n in REACHED[1:]))  # fmt: skip
    assert _online("CP513", excluded, pack) == []
    hidden = replace(
        unseen, documents=(SsmDocument("Acme-EnableBucketEncryption", None, error="AccessDeniedException"),)
    )
    assert _online("CP513", hidden, pack) == [
        ("CP513", "warning", "AWS account",
         "could not check SSM document Acme-EnableBucketEncryption: AccessDeniedException", None, (CALLER,)),
        members_unseen,
    ]  # fmt: skip
    # An account pack runs in the caller's account alone.
    assert _online("CP513", gone, pack, replace(REQUEST, scope="account")) == _online("CP513", gone, pack)[1:]


SHARED = f"arn:aws:ssm:us-east-1:{CALLER}:document/Acme-EnableBucketEncryption"


def test_cp513_a_document_named_by_its_arn_must_be_shared_with_every_account(tmp_path: Path) -> None:
    pack = tmp_path / "encryption.yaml"
    pack.write_text(PACK.replace("TargetId: Acme-EnableBucketEncryption", f"TargetId: {SHARED}"))
    alone = replace(READY, documents=(SsmDocument(SHARED, True, frozenset({AUDIT})),))
    assert _online("CP513", alone, pack) == [
        ("CP513", "error", "18:7",
         f"SSM document {SHARED} is not shared with account {LOGS} (Log Archive): the remediations that run it fail "
         "there",
         f"share it: aws ssm modify-document-permission --name Acme-EnableBucketEncryption --permission-type Share "
         f"--account-ids-to-add {LOGS}", (LOGS,)),
    ]  # fmt: skip
    everyone = replace(READY, documents=(SsmDocument(SHARED, True, frozenset({"all"})),))
    assert _online("CP513", everyone, pack) == []
    # The members need not have a document of that name: they run the shared one.
    members = tuple(replace(m, missing_documents=("Acme-EnableBucketEncryption",)) for m in READY.members or ())
    assert _online("CP513", replace(everyone, members=members), pack) == []
    gone = replace(READY, documents=(SsmDocument(SHARED, False, error="InvalidDocument"),))
    assert _online("CP513", gone, pack) == [
        ("CP513", "error", "18:7", f"SSM document {SHARED} does not exist: the remediations that run it fail",
         "create the document, or correct the ARN", ()),
    ]  # fmt: skip
    elsewhere = f"arn:aws:ssm:us-east-1:{SANDBOX}:document/Acme-EnableBucketEncryption"
    pack.write_text(PACK.replace("TargetId: Acme-EnableBucketEncryption", f"TargetId: {elsewhere}"))
    foreign = replace(READY, documents=(SsmDocument(elsewhere, None, error="owned by another account"),))
    assert _online("CP513", foreign, pack) == [
        ("CP513", "warning", "AWS account", f"could not check SSM document {elsewhere}: owned by another account",
         None, (AUDIT, LOGS)),
    ]  # fmt: skip


def _with_policy(statements: list[dict[str, object]]) -> AwsFacts:
    policy = json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements})
    return replace(READY, functions=(LambdaFunction(FUNCTION, True, policy=policy),))


def _statement(condition: dict[str, object] | None = None, service: str = "config.amazonaws.com") -> dict[str, object]:
    statement: dict[str, object] = {"Effect": "Allow", "Principal": {"Service": service},
                                    "Action": "lambda:InvokeFunction", "Resource": FUNCTION}  # fmt: skip
    if condition:
        statement["Condition"] = condition
    return statement


def test_cp515_a_function_that_does_not_let_aws_config_invoke_it(pack: Path) -> None:
    events_only = _with_policy([_statement(service="events.amazonaws.com")])
    assert _online("CP515", events_only, pack) == [
        ("CP515", "error", "8:9",
         f"Lambda function {FUNCTION}'s resource policy does not let AWS Config (config.amazonaws.com) invoke it for "
         f"account {CALLER} (Management), account {AUDIT} (Audit), account {LOGS} (Log Archive): the rule fails there "
         '("cannot be invoked")',
         f"for each account: aws lambda add-permission --function-name {FUNCTION} --principal config.amazonaws.com "
         "--action lambda:InvokeFunction --source-account ACCOUNT --statement-id config-ACCOUNT",
         (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip
    none = replace(READY, functions=(LambdaFunction(FUNCTION, True, policy=""),))
    assert [row[3] for row in _online("CP515", none, pack)] == [
        f"Lambda function {FUNCTION} has no resource policy: AWS Config cannot invoke it for account {CALLER} "
        f"(Management), account {AUDIT} (Audit), account {LOGS} (Log Archive)",
    ]
    some = _with_policy([_statement({"StringEquals": {"AWS:SourceAccount": CALLER}})])
    assert [row[5] for row in _online("CP515", some, pack)] == [(AUDIT, LOGS)]


@pytest.mark.parametrize(
    "statements",
    [
        [_statement()],  # no condition: every account
        [_statement({"StringEquals": {"aws:SourceOrgID": "o-a1b2c3d4e5"}})],
        [_statement({"StringEquals": {"AWS:SourceAccount": account}}) for account, _name in REACHED],
    ],
)
def test_cp515_grants_that_reach_every_account(statements: list[dict[str, object]], pack: Path) -> None:
    assert _online("CP515", _with_policy(statements), pack) == []


def test_cp515_a_grant_under_principal_org_id_alone_is_a_warning(pack: Path) -> None:
    facts = _with_policy([_statement({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})])
    assert _online("CP515", facts, pack) == [
        ("CP515", "warning", "8:9",
         f"Lambda function {FUNCTION} lets AWS Config invoke it only under aws:PrincipalOrgID, which a service principal "
         f"does not carry: it may not be invoked for account {CALLER} (Management), account {AUDIT} (Audit), account "
         f"{LOGS} (Log Archive)",
         "grant each account with AWS:SourceAccount (aws lambda add-permission --source-account ACCOUNT)",
         (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip


def test_cp515_per_account_statements_that_would_not_fit_the_policy_limit(pack: Path) -> None:
    many = tuple((f"6{n:011d}", None) for n in range(90))
    facts = replace(_with_policy([_statement({"StringEquals": {"AWS:SourceAccount": CALLER}})]), reached=many)
    rows = _online("CP515", facts, pack)
    assert [(row[1], row[5]) for row in rows] == [("error", tuple(a for a, _ in many))] * 2
    assert rows[1][3] == (
        f"Lambda function {FUNCTION}: one AWS:SourceAccount statement for each of the 90 accounts would make its "
        "resource policy about 22,183 bytes, over Lambda's limit of 20,480 (PolicyLengthExceededException)"
    )
    assert rows[0][3].endswith(f'account {many[9][0]} and 80 more: the rule fails there ("cannot be invoked")')
    # The policy (313 bytes) and 82 statements of 242 bytes (and a comma) fit in 20,480; 83 do not.
    assert len(_online("CP515", replace(facts, reached=many[:82]), pack)) == 1
    assert len(_online("CP515", replace(facts, reached=many[:83]), pack)) == 2


def test_cp515_a_missing_function_another_region_and_one_that_cannot_be_read(pack: Path) -> None:
    assert _online("CP515", replace(READY, functions=(LambdaFunction(FUNCTION, False, error="not found"),)), pack) == [
        ("CP515", "error", "8:9",
         f'Lambda function {FUNCTION} does not exist: the rule cannot be created ("cannot be invoked")',
         "deploy the function first, or correct the ARN", ()),
    ]  # fmt: skip
    elsewhere = replace(READY, region="eu-west-1")
    assert _online("CP515", elsewhere, pack) == [
        ("CP515", "warning", "8:9",
         f"Lambda function {FUNCTION} is in us-east-1, the pack in eu-west-1: AWS Config invokes a custom rule's "
         "function from the rule's Region", "deploy the function in eu-west-1 too and name that one", ()),
    ]  # fmt: skip
    unread = replace(READY, functions=(LambdaFunction(FUNCTION, True, error="cannot read its policy: AccessDenied"),))
    assert _online("CP515", unread, pack) == [
        ("CP515", "warning", "AWS account",
         f"could not check Lambda function {FUNCTION}: cannot read its policy: AccessDenied", None, (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip


def test_cp514_members_not_verified(pack: Path) -> None:
    without_role = replace(READY, member_role=None, members=(_ready(CALLER),))
    assert _online("CP514", without_role, pack) == [
        ("CP514", "info", "AWS account",
         "2 member accounts the pack reaches were not verified (configuration recorder, room for the rules, "
         "remediation roles): without a member role only the caller's own account is looked into",
         "pass --member-role ROLE (or member-role in the settings), a role you may assume in each member account, "
         "such as OrganizationAccountAccessRole or AWSControlTowerExecution", (AUDIT, LOGS)),
    ]  # fmt: skip
    members = (
        _ready(CALLER),
        MemberAccount(AUDIT, "Audit", False, "cannot assume OrganizationAccountAccessRole: AccessDenied: not authorized"),
        replace(_ready(LOGS), recorders=None, recording=None, error="cannot read its configuration recorders: Throttling"),
    )  # fmt: skip
    assert _online("CP514", replace(READY, members=members), pack) == [
        ("CP514", "warning", "AWS account",
         f"could not check account {AUDIT} (Audit): cannot assume OrganizationAccountAccessRole: AccessDenied: not "
         "authorized",
         "let the caller assume OrganizationAccountAccessRole in that account, with the permissions `preflight "
         "permissions member` prints", (AUDIT,)),
        ("CP514", "warning", "AWS account",
         f"could not check all of account {LOGS} (Log Archive): cannot read its configuration recorders: Throttling",
         "give OrganizationAccountAccessRole the permissions `preflight permissions member` prints", (LOGS,)),
    ]  # fmt: skip
    unlisted = replace(READY, reached=None, unavailable=(Unavailable(Fact.ORGANIZATION_ACCOUNTS, "AccessDenied"),))
    assert _online("CP514", unlisted, pack) == [
        ("CP514", "warning", "AWS account", "could not check which accounts the pack reaches: AccessDenied", None, ()),
    ]


def test_cp516_service_linked_role_and_trusted_access(pack: Path) -> None:
    denied = (Simulated("iam:CreateServiceLinkedRole", "explicitDeny", denied_by_identity=True),
              Simulated("organizations:EnableAWSServiceAccess", "explicitDeny", denied_by_identity=True))  # fmt: skip
    facts = replace(READY, service_linked_role=False, trusted_access=False, simulated=denied)
    assert _online("CP516", facts, pack) == [
        ("CP516", "error", "AWS account",
         f"service-linked role AWSServiceRoleForConfigMultiAccountSetup is not in account {CALLER}, and the caller may "
         "not create it (iam:CreateServiceLinkedRole: denied by the caller's own policies): the put fails with "
         "InsufficientPermissionsException",
         "create it once: aws iam create-service-linked-role --aws-service-name config-multiaccountsetup.amazonaws.com "
         "(as an administrator), or allow iam:CreateServiceLinkedRole", ()),
        ("CP516", "error", "AWS account",
         "trusted access for config-multiaccountsetup.amazonaws.com is not enabled, and the caller may not enable it "
         "(organizations:EnableAWSServiceAccess: denied by the caller's own policies): the put fails",
         "enable it once from the management account: aws organizations enable-aws-service-access --service-principal "
         "config-multiaccountsetup.amazonaws.com", ()),
    ]  # fmt: skip
    # Denials the simulator cannot be sure of: an implicit deny (an allow scoped to resources is not seen), an
    # SCP's, a permissions boundary's.
    doubtful = (Simulated("iam:CreateServiceLinkedRole", "implicitDeny"),
                Simulated("organizations:EnableAWSServiceAccess", "explicitDeny", allowed_by_organizations=False,
                          allowed_by_boundary=False))  # fmt: skip
    assert _online("CP516", replace(facts, simulated=doubtful), pack) == [
        ("CP516", "warning", "AWS account",
         "could not check whether the caller may create service-linked role AWSServiceRoleForConfigMultiAccountSetup, "
         f"which is not in account {CALLER}: IAM's policy simulator decided implicitDeny (no statement allows it on "
         "every resource, and an allow scoped to resources is not seen)", None, ()),
        ("CP516", "warning", "AWS account",
         "could not check whether the caller may enable trusted access for config-multiaccountsetup.amazonaws.com, which "
         "is not enabled: IAM's policy simulator decided explicitDeny (an SCP denies it, and the simulator leaves out "
         "SCPs' conditions; the permissions boundary denies it)", None, ()),
    ]  # fmt: skip
    # Missing but the caller may set them up: AWS Config does, on the put.
    assert _online("CP516", replace(facts, simulated=()), pack) == []
    delegated = replace(READY, caller_account=AUDIT, service_linked_role=False, simulated=())
    assert _online("CP516", delegated, pack) == [
        ("CP516", "error", "AWS account",
         f"service-linked role AWSServiceRoleForConfigMultiAccountSetup is not in account {AUDIT}, and AWS Config does "
         "not create it for a delegated administrator: the put fails with InsufficientPermissionsException",
         "create it once: aws iam create-service-linked-role --aws-service-name config-multiaccountsetup.amazonaws.com",
         ()),
    ]  # fmt: skip
    account = replace(READY, service_linked_role=False, simulated=denied[:1])
    assert [row[3:5] for row in _online("CP516", account, pack, replace(REQUEST, scope="account"))] == [
        (f"service-linked role AWSServiceRoleForConfigConforms is not in account {CALLER}, and the caller may not "
         "create it (iam:CreateServiceLinkedRole: denied by the caller's own policies): the put fails with "
         "InsufficientPermissionsException",
         "create it once: aws iam create-service-linked-role --aws-service-name config-conforms.amazonaws.com (as an "
         "administrator), or allow iam:CreateServiceLinkedRole"),
    ]  # fmt: skip
    unknown = replace(READY, service_linked_role=None, trusted_access=None,
                      unavailable=(Unavailable(Fact.SERVICE_LINKED_ROLE, "AccessDenied: iam:GetRole"),
                                   Unavailable(Fact.TRUSTED_ACCESS, "AccessDenied")))  # fmt: skip
    assert [row[1:4] for row in _online("CP516", unknown, pack)] == [
        ("warning", "AWS account", "could not check whether service-linked role AWSServiceRoleForConfigMultiAccountSetup "
         "exists: AccessDenied: iam:GetRole"),
        ("warning", "AWS account", "could not check whether trusted access for config-multiaccountsetup.amazonaws.com is "
         "enabled: AccessDenied"),
    ]  # fmt: skip


def test_cp517_denied_actions_and_what_could_not_be_verified(pack: Path) -> None:
    simulated = (
        Simulated("config:PutOrganizationConformancePack", "allowed"),
        Simulated("iam:GetRole", "explicitDeny", denied_by_identity=True),
        Simulated("iam:CreateServiceLinkedRole", "implicitDeny"),  # CP516's, and only when the role is missing
        Simulated("organizations:ListDelegatedAdministrators", "explicitDeny", denied_by_identity=True),  # delegated
        Simulated("s3:GetObject", "explicitDeny", ("aws:SourceVpc",), denied_by_identity=True),
        Simulated("ssm:GetDocument", "implicitDeny"),
    )
    deployer = f"arn:aws:iam::{CALLER}:user/deployer"
    assert _online("CP517", replace(READY, simulated=simulated), pack) == [
        ("CP517", "error", "AWS account",
         f"{deployer} may not iam:GetRole (an explicit Deny in the caller's own policies, as IAM's policy simulator "
         "reads them): the put is refused or fails with InsufficientPermissionsException",
         "remove or narrow the Deny of iam:GetRole in the caller's policies", ()),
        ("CP517", "warning", "AWS account",
         f"could not check whether {deployer} may s3:GetObject: IAM's policy simulator decided explicitDeny without "
         "aws:SourceVpc", None, ()),
        ("CP517", "warning", "AWS account",
         f"could not check whether {deployer} may ssm:GetDocument: IAM's policy simulator decided implicitDeny (no "
         "statement allows it on every resource, and an allow scoped to resources is not seen)", None, ()),
    ]  # fmt: skip
    delegated = replace(READY, caller_account=AUDIT, caller_arn=None, simulated=simulated[3:4])
    assert [row[3] for row in _online("CP517", delegated, pack)] == [
        f"account {AUDIT} may not organizations:ListDelegatedAdministrators (an explicit Deny in the caller's own "
        "policies, as IAM's policy simulator reads them): the put is refused or fails with "
        "InsufficientPermissionsException",
    ]
    unknown = replace(READY, simulated=None, unavailable=(Unavailable(Fact.PERMISSIONS, "AccessDenied: iam:Simulate"),))
    assert _online("CP517", unknown, pack) == [
        ("CP517", "warning", "AWS account",
         "could not check the caller's permissions for the put: AccessDenied: iam:Simulate", None, ()),
    ]  # fmt: skip


BUCKET = "awsconfigconforms-results"
GRANTS = [
    {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{BUCKET}/*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "ArnLike": {"aws:PrincipalArn":
        "arn:aws:iam::*:role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms"}}},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{BUCKET}",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
]  # fmt: skip


def test_cp519_the_delivery_bucket_policy(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)
    there = replace(READY, delivery_bucket=Bucket(BUCKET, True))

    def policy(statements: list[dict[str, object]]) -> AwsFacts:
        return replace(there, bucket_policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))

    assert _online("CP519", policy(GRANTS), pack, request) == []
    assert _online("CP519", policy(GRANTS[:1]), pack, request) == [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant s3:GetBucketAcl: the member accounts' "
         "AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip
    assert [row[3] for row in _online("CP519", replace(there, bucket_policy=""), pack, request)] == [
        f"delivery bucket {BUCKET} has no bucket policy: the member accounts' AWSServiceRoleForConfigConforms cannot "
        "use it"
    ]
    # A grant below another prefix than the delivery prefix is none.
    elsewhere = [{**GRANTS[0], "Resource": f"arn:aws:s3:::{BUCKET}/other/*"}, GRANTS[1]]
    assert _online("CP519", policy(elsewhere), pack, replace(request, delivery_prefix="conforms")) == [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant s3:GetObject, s3:PutObject: the member accounts' "
         "AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip
    assert _online("CP519", policy(elsewhere), pack, replace(request, delivery_prefix="other")) == []
    assert _online("CP519", policy(GRANTS), pack, replace(request, scope="account")) == []
    unread = replace(there, unavailable=(Unavailable(Fact.DELIVERY_BUCKET_POLICY, "AccessDenied"),))
    assert _online("CP519", unread, pack, request) == [
        ("CP519", "warning", "AWS account", f"could not check the policy of delivery bucket {BUCKET}: AccessDenied",
         None, ()),
    ]  # fmt: skip


def _everyone_but(*granted: str) -> tuple[str, ...]:
    return tuple(account for account, _name in REACHED if account not in granted)


def _not_invokable(accounts: tuple[str, ...]) -> Row:
    names = dict(REACHED)
    return (
        "CP515", "error", "8:9",
        f"Lambda function {FUNCTION}'s resource policy does not let AWS Config (config.amazonaws.com) invoke it for "
        + ", ".join(f"account {a} ({names[a]})" for a in accounts) + ': the rule fails there ("cannot be invoked")',
        f"for each account: aws lambda add-permission --function-name {FUNCTION} --principal config.amazonaws.com "
        "--action lambda:InvokeFunction --source-account ACCOUNT --statement-id config-ACCOUNT",
        accounts,
    )  # fmt: skip


def test_cp515_a_deny_takes_grants_away_and_a_source_arn_grants_its_account(pack: Path) -> None:
    deny = {"Effect": "Deny", "Principal": {"Service": "config.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Resource": FUNCTION}  # fmt: skip
    assert _online("CP515", _with_policy([_statement(), deny]), pack) == [_not_invokable(_everyone_but())]
    by_arn = _statement({"ArnLike": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{CALLER}:config-rule/*"}})
    assert _online("CP515", _with_policy([by_arn]), pack) == [_not_invokable(_everyone_but(CALLER))]


@pytest.mark.parametrize(
    ("condition", "read_as"),
    [
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, "IpAddress on aws:SourceIp"),  # another key
        ({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, "StringEquals on aws:SourceVpc"),  # a key not in the request
        ({"ForAnyValue:StringEquals": {"AWS:SourceAccount": CALLER}}, "ForAnyValue:StringEquals on AWS:SourceAccount"),
    ],
)
def test_cp515_a_condition_it_cannot_read_is_could_not_check(
    condition: dict[str, object], read_as: str, pack: Path
) -> None:
    assert _online("CP515", _with_policy([_statement(condition)]), pack) == [
        ("CP515", "warning", "AWS account",
         f"could not check whether Lambda function {FUNCTION} lets AWS Config invoke it for account {CALLER} "
         f"(Management), account {AUDIT} (Audit), account {LOGS} (Log Archive): its resource policy has a condition "
         f"{read_as} (no Sid)", None, (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip


def test_cp519_a_deny_another_organization_and_a_condition_it_cannot_read(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)

    def policy(statements: list[dict[str, object]]) -> AwsFacts:
        document = json.dumps({"Version": "2012-10-17", "Statement": statements})
        return replace(READY, delivery_bucket=Bucket(BUCKET, True), bucket_policy=document)

    nothing = [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant s3:GetBucketAcl, s3:GetObject, s3:PutObject: the "
         "member accounts' AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]}  # fmt: skip
    assert _online("CP519", policy([*GRANTS, deny]), pack, request) == nothing
    another = json.loads(json.dumps(GRANTS).replace("o-a1b2c3d4e5", "o-zzzzzzzzzz"))
    assert _online("CP519", policy(another), pack, request) == nothing
    unread = json.loads(json.dumps(GRANTS))
    unread[1]["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    assert _online("CP519", policy(unread), pack, request) == [
        ("CP519", "warning", "AWS account",
         f"could not check whether delivery bucket {BUCKET}'s policy grants s3:GetBucketAcl: its policy has a "
         "condition IpAddress on aws:SourceIp (no Sid)", None, ()),
    ]  # fmt: skip


def _could_not_check_invoking(reason: str, accounts: tuple[str, ...]) -> Row:
    names = dict(REACHED)
    return (
        "CP515", "warning", "AWS account",
        f"could not check whether Lambda function {FUNCTION} lets AWS Config invoke it for "
        + ", ".join(f"account {a} ({names[a]})" for a in accounts) + f": {reason}", None, accounts,
    )  # fmt: skip


def test_cp515_a_statement_s_conditions_must_all_hold(pack: Path) -> None:
    # AWS:SourceAccount names AUDIT, AWS:SourceArn names LOGS: no request carries both, so it grants no one.
    both = _statement({"StringEquals": {"AWS:SourceAccount": AUDIT},
                       "ArnLike": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{LOGS}:config-rule/*"}})  # fmt: skip
    caller = _statement({"StringEquals": {"AWS:SourceAccount": CALLER}})
    assert _online("CP515", _with_policy([both, caller]), pack) == [_not_invokable((AUDIT, LOGS))]


def test_cp515_a_source_arn_of_another_region_or_of_one_rule(pack: Path) -> None:
    elsewhere = [_statement({"ArnLike": {"AWS:SourceArn": f"arn:aws:config:eu-west-1:{account}:config-rule/*"}})
                 for account, _name in REACHED]  # fmt: skip
    assert _online("CP515", _with_policy(elsewhere), pack) == [_not_invokable(_everyone_but())]
    pinned = _statement(
        {"ArnEquals": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{CALLER}:config-rule/config-rule-abc"}}
    )
    granted = [_statement({"StringEquals": {"AWS:SourceAccount": account}}) for account in (AUDIT, LOGS)]
    assert _online("CP515", _with_policy([pinned, *granted]), pack) == [_not_invokable((CALLER,))]
    one_rule = _statement(
        {"ArnLike": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{CALLER}:config-rule/config-rule-a*"}}
    )
    assert _online("CP515", _with_policy([one_rule, *granted]), pack) == [
        _could_not_check_invoking("its resource policy has a condition ArnLike on AWS:SourceArn that names one rule "
                                  "(no Sid)", (CALLER,)),
    ]  # fmt: skip


def test_cp515_a_deny_it_cannot_read_makes_the_accounts_doubtful(pack: Path) -> None:
    allow = _statement()
    unless_caller = {"Effect": "Deny", "Principal": {"Service": "config.amazonaws.com"}, "Action": "lambda:*",
                     "Resource": FUNCTION, "Condition": {"StringNotEquals": {"AWS:SourceAccount": CALLER}}}  # fmt: skip
    assert _online("CP515", _with_policy([allow, unless_caller]), pack) == [_not_invokable((AUDIT, LOGS))]
    unread = {**unless_caller, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    assert _online("CP515", _with_policy([allow, unread]), pack) == [
        _could_not_check_invoking("its resource policy has a condition IpAddress on aws:SourceIp (no Sid)",
                                  _everyone_but()),
    ]  # fmt: skip
    not_principal = {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{CALLER}:root"}, "Action": "*",
                     "Resource": "*"}  # fmt: skip
    assert _online("CP515", _with_policy([allow, not_principal]), pack) == [
        _could_not_check_invoking("its resource policy has a NotPrincipal (no Sid)", _everyone_but()),
    ]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"aws:SourceOrgID": "o-*"}},  # a pattern on the organization
        {"StringEquals": {"AWS:SourceAccount": [int(account) for account, _name in REACHED]}},  # numbers
    ],
)
def test_cp515_patterns_and_numbers_grant_as_iam_reads_them(condition: dict[str, object], pack: Path) -> None:
    assert _online("CP515", _with_policy([_statement(condition)]), pack) == []


def test_cp515_iam_wildcards_are_only_star_and_question_mark(pack: Path) -> None:
    bracket = {**_statement(), "Action": "lambda:[I]nvokeFunction"}  # not a character class in IAM
    assert _online("CP515", _with_policy([bracket]), pack) == [_not_invokable(_everyone_but())]
    assert _online("CP515", _with_policy([{**_statement(), "Action": "lambda:Invoke?unction"}]), pack) == []


def test_cp515_a_policy_nested_too_deep_is_could_not_check(pack: Path) -> None:
    facts = replace(READY, functions=(LambdaFunction(FUNCTION, True, policy="[" * 5_000),))
    assert _online("CP515", facts, pack) == [
        _could_not_check_invoking("its resource policy is not a policy document this can read", _everyone_but()),
    ]


def _bucket_policy(statements: list[dict[str, object]]) -> AwsFacts:
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return replace(READY, delivery_bucket=Bucket(BUCKET, True), bucket_policy=document)


def _grants_missing(*actions: str) -> list[Row]:
    return [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant {', '.join(actions)}: the member accounts' "
         "AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip


def test_cp519_a_grant_to_another_role_or_one_account_is_not_the_members(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)
    deployer = json.loads(json.dumps(GRANTS).replace(
        "role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms", "role/Deployer"))  # fmt: skip
    assert _online("CP519", _bucket_policy(deployer), pack, request) == _grants_missing("s3:GetObject", "s3:PutObject")
    one = json.loads(json.dumps(GRANTS).replace("arn:aws:iam::*:role", f"arn:aws:iam::{AUDIT}:role"))
    assert _online("CP519", _bucket_policy(one), pack, request) == _grants_missing("s3:GetObject", "s3:PutObject")
    roles = [f"arn:aws:iam::{account}:role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms"
             for account in (AUDIT, LOGS)]  # fmt: skip
    each = [{**GRANTS[0], "Principal": {"AWS": roles}, "Condition": {}}, GRANTS[1]]
    assert _online("CP519", _bucket_policy(each), pack, request) == []


def test_cp519_a_lockdown_deny_and_objects_below_the_prefix(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)
    tls = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}  # fmt: skip
    assert _online("CP519", _bucket_policy([*GRANTS, tls]), pack, request) == []  # AWS Config uses TLS
    outsiders = {**tls, "Condition": {"StringNotEquals": {"aws:PrincipalAccount": CALLER}}}
    assert _online("CP519", _bucket_policy([*GRANTS, outsiders]), pack, request) == _grants_missing(
        "s3:GetObject", "s3:PutObject"
    )
    ending = [{**GRANTS[0], "Resource": f"arn:aws:s3:::{BUCKET}/*x"}, GRANTS[1]]  # not every object
    assert _online("CP519", _bucket_policy(ending), pack, request) == _grants_missing("s3:GetObject", "s3:PutObject")
    only_some = [{**GRANTS[0], "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/*"}, GRANTS[1]]
    assert [row[3] for row in _online("CP519", _bucket_policy(only_some), pack, request)] == [
        f"could not check whether delivery bucket {BUCKET}'s policy grants s3:GetObject, s3:PutObject: its policy "
        "has a Resource that covers part of it (no Sid)"
    ]


@pytest.mark.parametrize(
    ("document", "aws_s"),
    [
        ("arn:aws-cn:ssm:cn-north-1::document/AWS-PublishSNSNotification", True),
        ("arn:aws-us-gov:ssm:us-gov-west-1::document/AWSConfigRemediation-EnableS3BucketEncryption", True),
        ("AWSSupport-TroubleshootS3PublicRead", True),
        (f"arn:aws:ssm:us-east-1:{CALLER}:document/Acme-EnableBucketEncryption", False),
        ("Acme-EnableBucketEncryption", False),
    ],
)
def test_cp513_leaves_aws_s_own_runbooks_alone_in_every_partition(document: str, aws_s: bool) -> None:
    assert is_aws_document(document) is aws_s
