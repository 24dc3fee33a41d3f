"""The online rules about the accounts a pack reaches (CP510-CP514) on hand-built facts, each ready and
failing, with every finding compared whole, the accounts it names included: configuration recorders,
room for the rules, remediation roles and documents, members not verified; and every rule CP510-CP519
silent when everything is ready. tests/test_members_readiness.py runs them against moto's organization
over the wire."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from preflight.knowledge.needs import is_aws_document
from preflight.model.facts import (
    EarlierFailure,
    Fact,
    MemberAccount,
    RuleTally,
    SsmDocument,
    Unavailable,
)
from tests import member_rules_helpers
from tests.member_rules_helpers import (
    AUDIT,
    CALLER,
    LOGS,
    PACK,
    REACHED,
    READY,
    REQUEST,
    SANDBOX,
    _online,
    _ready,
)

pack = member_rules_helpers.pack  # the fixture these tests take (assigned: ruff would call an import of it unused)


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
