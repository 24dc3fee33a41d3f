"""The online rules about what the caller may do (CP516, CP517) on hand-built facts, each ready and
failing, with every finding compared whole: the service-linked role and trusted access, and the
actions IAM's policy simulator denies or could not verify."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from preflight.model.facts import (
    Fact,
    Simulated,
    Unavailable,
)
from tests import member_rules_helpers
from tests.member_rules_helpers import AUDIT, CALLER, READY, REQUEST, _online

pack = member_rules_helpers.pack  # the fixture these tests take (assigned: ruff would call an import of it unused)


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
