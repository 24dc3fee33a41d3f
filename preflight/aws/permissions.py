"""The IAM policies `preflight permissions` prints: what the caller of `check --online` (and of
deploy's pre-flight) needs, what the member role (`--member-role`) needs in each member account, and
what `deploy` needs on top. The caller's and the member role's hold only reads, each one the online
pre-flight makes; deploy's adds the upload and the put (tests/test_members_permissions.py holds every
call of both to these lists)."""

from __future__ import annotations

import json

# What the put needs of the caller's rights, as AWS documents it: the put itself; iam:GetRole and
# iam:CreateServiceLinkedRole for the service-linked role (InsufficientPermissionsException's
# documentation); for an organization pack, trusted access (EnableAWSServiceAccess, which the put
# calls) and, for a delegated administrator, ListDelegatedAdministrators (the put's documentation).
# IAM's policy simulator is asked about these (CP516, CP517), and s3:GetObject on a template in S3.
ORGANIZATION_PUT_ACTIONS = (
    "config:PutOrganizationConformancePack", "iam:GetRole", "iam:CreateServiceLinkedRole",
    "organizations:EnableAWSServiceAccess", "organizations:ListDelegatedAdministrators",
)  # fmt: skip
ACCOUNT_PUT_ACTIONS = ("config:PutConformancePack", "iam:GetRole", "iam:CreateServiceLinkedRole")
# What deploy calls to follow the rollout, and to upload the template and read it back.
DEPLOY_ONLY_ACTIONS = (
    "config:DescribeOrganizationConformancePackStatuses", "config:GetOrganizationConformancePackDetailedStatus",
    "config:DescribeOrganizationConformancePacks", "config:DescribeConformancePackStatus",
    "config:DescribeConformancePacks", "s3:PutObject", "s3:GetObject",
)  # fmt: skip

# Read by the caller: the organization and its accounts, the packs and rules there are, earlier
# deployments' account statuses, an organization aggregator, the service-linked role, trusted access,
# IAM's policy simulator, the template object, the delivery bucket, the custom rules' functions and
# the remediations' documents; its own account's recorder; and the member role it assumes.
CALLER_ACTIONS = (
    "organizations:DescribeOrganization", "organizations:ListAccounts",
    "organizations:ListDelegatedAdministrators", "organizations:ListAWSServiceAccessForOrganization",
    "config:DescribeOrganizationConformancePacks", "config:DescribeOrganizationConformancePackStatuses",
    "config:GetOrganizationConformancePackDetailedStatus", "config:DescribeConformancePacks",
    "config:DescribeConformancePackStatus", "config:DescribeConfigRules",
    "config:DescribeConfigurationRecorderStatus", "config:DescribeOrganizationConfigRules",
    "config:GetOrganizationConfigRuleDetailedStatus", "config:DescribeConfigurationAggregators",
    "config:GetAggregateDiscoveredResourceCounts",
    "iam:GetRole", "iam:SimulatePrincipalPolicy",
    "s3:GetObject", "s3:ListBucket", "s3:GetBucketPolicy",
    "lambda:GetFunction", "lambda:GetPolicy",
    "ssm:DescribeDocument", "ssm:DescribeDocumentPermission",
)  # fmt: skip
# Read in each member account through the member role: its recorder, its rules, the remediation roles
# and documents (a member runs a remediation's document by name in its own account).
MEMBER_ACTIONS = (
    "config:DescribeConfigurationRecorderStatus", "config:DescribeConfigRules", "iam:GetRole", "ssm:DescribeDocument",
)  # fmt: skip
DEPLOY_ACTIONS = tuple(dict.fromkeys((*CALLER_ACTIONS, *ORGANIZATION_PUT_ACTIONS, *ACCOUNT_PUT_ACTIONS,
                                      *DEPLOY_ONLY_ACTIONS)))  # fmt: skip
KINDS = ("caller", "member", "deploy")


PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def policy(kind: str, member_role: str | None = None, partition: str = "aws") -> str:
    """The policy document for `kind` (one of KINDS), as JSON. The caller's also lets it assume
    `member_role` (or any role of that name: `ROLE_NAME` when none is given) in the member accounts
    of `partition`."""
    actions = {"caller": CALLER_ACTIONS, "member": MEMBER_ACTIONS, "deploy": DEPLOY_ACTIONS}[kind]
    statements: list[dict[str, object]] = [
        {"Sid": "PreflightReadOnly" if kind != "deploy" else "PreflightDeploy", "Effect": "Allow",
         "Action": sorted(actions), "Resource": "*"},
    ]  # fmt: skip
    if kind != "member":
        statements.append({
            "Sid": "PreflightMemberRole", "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": f"arn:{partition}:iam::*:role/{member_role or 'ROLE_NAME'}",
        })  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2) + "\n"
