"""The IAM policies `preflight permissions` prints: what the caller of `check --online` (and of
deploy's pre-flight) needs, what the member role (`--member-role`) needs in each member account, and
what `deploy` needs on top. Every action here is one the online pre-flight calls (tests/test_members.py
checks each call it makes against these lists); none writes anything."""

from __future__ import annotations

import json

# What CloudFormation's handler of each resource needs to create it (its registry schema's
# handlers.create.permissions, as cfn-lint 1.58.0 ships them; schema date 2026-10-20): the put itself
# and the calls AWS Config makes for it with the caller's rights.
ORGANIZATION_PUT_ACTIONS = (
    "config:PutOrganizationConformancePack", "config:DescribeOrganizationConformancePackStatuses",
    "config:GetOrganizationConformancePackDetailedStatus", "config:DescribeOrganizationConformancePacks",
    "iam:CreateServiceLinkedRole", "iam:PassRole", "iam:GetRole", "organizations:ListDelegatedAdministrators",
    "organizations:EnableAWSServiceAccess",
)  # fmt: skip
ACCOUNT_PUT_ACTIONS = (
    "config:PutConformancePack", "config:DescribeConformancePackStatus", "config:DescribeConformancePacks",
    "iam:CreateServiceLinkedRole", "iam:PassRole", "iam:GetRole",
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
# Read in each member account through the member role: its recorder, its rules, the remediation roles.
MEMBER_ACTIONS = ("config:DescribeConfigurationRecorderStatus", "config:DescribeConfigRules", "iam:GetRole")
# What `deploy` does besides reading: upload the template, put the pack (and what AWS Config does
# with the caller's rights for it, CloudFormation's registry lists them), follow its status.
DEPLOY_ACTIONS = tuple(
    dict.fromkeys(
        (*CALLER_ACTIONS, *ORGANIZATION_PUT_ACTIONS, *ACCOUNT_PUT_ACTIONS, "s3:PutObject", "s3:GetBucketAcl",
         "config:TagResource", "config:ListTagsForResource")
    )
)  # fmt: skip
KINDS = ("caller", "member", "deploy")


def policy(kind: str, member_role: str | None = None) -> str:
    """The policy document for `kind` (one of KINDS), as JSON. The caller's also lets it assume
    `member_role` (or any role of that name: `ROLE_NAME` when none is given) in the member accounts."""
    actions = {"caller": CALLER_ACTIONS, "member": MEMBER_ACTIONS, "deploy": DEPLOY_ACTIONS}[kind]
    statements: list[dict[str, object]] = [
        {"Sid": "PreflightReadOnly" if kind != "deploy" else "PreflightDeploy", "Effect": "Allow",
         "Action": sorted(actions), "Resource": "*"},
    ]  # fmt: skip
    if kind != "member":
        statements.append({
            "Sid": "PreflightMemberRole", "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": f"arn:aws:iam::*:role/{member_role or 'ROLE_NAME'}",
        })  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2) + "\n"
