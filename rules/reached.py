"""CP513, CP515 and CP519: what the pack's rules and remediations use outside the template, and that
every account it reaches must be able to use: the remediations' own SSM documents, the custom rules'
Lambda functions, and the delivery bucket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from preflight.api import (
    LAMBDA_POLICY_MAX_BYTES,
    REMEDIATION,
    Context,
    DocPath,
    Fact,
    Issue,
    Phase,
    Severity,
    bucket_grants_missing,
    deployed_rules,
    invokers,
    partition_of,
    rule,
)

if TYPE_CHECKING:
    from preflight.api import SsmDocument


def _target_path(ctx: Context, document: str) -> DocPath:
    if ctx.is_template:
        for remediation in ctx.template.of_type(REMEDIATION):
            target = remediation.properties.get("TargetId")
            if target is not None and ctx.template.evaluator.resolve(target) == document:
                return (*remediation.path, "Properties", "TargetId")
    return ()


@rule("CP513", "remediation-document-not-shared", Severity.ERROR, tags=("online", "members"), phase=Phase.ONLINE)
def remediation_document_not_shared(ctx: Context) -> Iterator[Issue]:
    """## What it does
    For a remediation whose `TargetId` is an SSM document of your own (not AWS's), checks that every
    account the pack reaches can run it. Named by its ARN (a shared document), the document must
    exist in its owner's account and, for an organization pack, be shared with every account the pack
    reaches (or with all accounts); only the owner can tell, so another account's document is a
    warning that it could not be checked. Named without an ARN, each account runs its own document of
    that name: it must exist in each account, which is looked up in the caller's account and, with
    `--member-role`, in every member account (without it, a warning that the members were not).

    ## Why is this bad?
    An account that has no document of that name, or is not shared the one named, cannot run it:
    the remediation fails there.

    ## Example
    `TargetId: Acme-EnableBucketEncryption`, a document created in the management account only.

    ## Use instead
    Create the document in every account (a StackSet does), or share it from one account
    (`aws ssm modify-document-permission --name Acme-EnableBucketEncryption --permission-type Share
    --account-ids-to-add 210987654321`) and name it by its ARN.

    ## References
    - [documented] AWS Systems Manager API Reference, StartAutomationExecution (DocumentName): "To run a
      shared document belonging to another account, specify the document Amazon Resource Name (ARN)."
    - [documented] AWS Systems Manager User Guide, "Sharing SSM documents": an account uses another's
      document only once the owner shares it.
    - [documented] AWS Config API Reference, InsufficientPermissionsException: "You do not have
      permission to ... call SSM:GetDocument".
    - [reported] awslabs/landing-zone-accelerator-on-aws#871 and #262: remediations whose SSM document
      or role was missing in member accounts.
    """
    facts = ctx.aws
    organization = ctx.request.scope == "organization"
    others = [account for account in facts.reached_accounts if account != facts.caller_account]
    for document in facts.documents:
        path = _target_path(ctx, document.name)
        if document.by_arn:
            yield from _shared_document(ctx, document, path, others if organization else [])
            continue
        missing = [member.account for member in facts.members or () if document.name in member.missing_documents]
        looked_into = {member.account for member in facts.members or () if member.assumed}
        caller = facts.caller_account
        # The caller's own lookup counts when the pack reaches the caller and no member's did it.
        for_caller = (
            caller is not None and caller not in looked_into and (facts.reached is None or caller in facts.reached_set)
        )
        if missing:
            yield Issue(
                f"SSM document {document.name} is not in {facts.accounts_text(missing)} ({facts.region_text}): a "
                "remediation that names a document without its ARN runs that account's own document of the name, so "
                "it fails there",
                path,
                fix="create the document in every account the pack reaches (a StackSet does), or share it from one "
                "account and name it by its ARN",
                accounts=tuple(missing),
            )
        elif document.exists is False and for_caller:
            yield Issue(
                f"SSM document {document.name} does not exist in account {caller} ({facts.region_text}): the "
                "remediations that run it fail",
                path,
                fix="create the document, or use one of AWS's runbooks",
                accounts=(str(caller),),
            )
        elif document.exists is None and for_caller:
            yield Issue.could_not_check(
                f"SSM document {document.name}", document.error or "unknown", accounts=(str(caller),)
            )
        if organization and facts.member_role is None and others:
            yield Issue.could_not_check(
                f"that SSM document {document.name} is in each member account",
                "a remediation that names a document without its ARN runs the member account's own document of "
                "the name, and the members were not looked into (no --member-role)",
                accounts=tuple(others),
            )


def _shared_document(ctx: Context, document: SsmDocument, path: DocPath, others: list[str]) -> Iterator[Issue]:
    """A document named by its ARN: it exists, and is shared with `others` (the accounts it must be)."""
    facts = ctx.aws
    if document.exists is False:
        yield Issue(
            f"SSM document {document.name} does not exist: the remediations that run it fail",
            path,
            fix="create the document, or correct the ARN",
        )
    elif document.exists is None:
        yield Issue.could_not_check(
            f"SSM document {document.name}", document.error or "unknown", accounts=tuple(others)
        )
    elif document.shared_with is not None and "all" not in document.shared_with:
        lacking = [account for account in others if account not in document.shared_with]
        if lacking:
            name = document.name.split("/", 1)[-1]
            yield Issue(
                f"SSM document {document.name} is not shared with {facts.accounts_text(lacking)}: the "
                "remediations that run it fail there",
                path,
                fix=f"share it: aws ssm modify-document-permission --name {name} --permission-type Share "
                f"--account-ids-to-add {','.join(lacking[:3])}{',...' if len(lacking) > 3 else ''}",
                accounts=tuple(lacking),
            )


def _source_path(ctx: Context, function: str) -> DocPath:
    if ctx.is_template:
        for resource in deployed_rules(ctx.template):
            source = resource.properties.get("Source")
            identifier = source.get("SourceIdentifier") if isinstance(source, dict) else None
            if identifier is not None and ctx.template.evaluator.resolve(identifier) == function:
                return (*resource.path, "Properties", "Source", "SourceIdentifier")
    return ()


@rule("CP515", "lambda-not-invokable", Severity.ERROR, tags=("online", "members"), phase=Phase.ONLINE)
def lambda_not_invokable(ctx: Context) -> Iterator[Issue]:
    """## What it does
    For each custom Lambda rule, checks that its function exists and that the function's resource
    policy lets AWS Config (`config.amazonaws.com`) invoke it for every account the pack reaches. Each
    statement is evaluated as IAM would for the request AWS Config makes for each account (its
    `AWS:SourceAccount`, an `AWS:SourceArn` of a new rule of that account in the function's Region,
    and the organization's `aws:SourceOrgID`): all of a statement's conditions must hold, and a Deny
    that holds takes the grant away. A statement it cannot read (a condition on another key or with
    another operator, a NotPrincipal, an `AWS:SourceArn` naming one existing rule) makes the accounts
    it may concern "could not check", never an error. When one statement per account is what is
    missing, it also checks that they would fit Lambda's 20 KB policy limit. A grant only under
    `aws:PrincipalOrgID` is a warning, and so is a function in another Region than the pack.

    ## Why is this bad?
    The rule fails where AWS Config cannot invoke the function: "The AWS Lambda function ... cannot
    be invoked. Check the specified function ARN, and check the function's permissions." A policy
    that grows by one statement per account fails to grow at about 70 accounts:
    "PolicyLengthExceededException: The final policy size (20563) is bigger than the limit (20480)".

    ## Example
    A function that grants `lambda:InvokeFunction` to `events.amazonaws.com` only.

    ## Use instead
    One statement per account, as AWS's blog on cross-account rules does: `aws lambda add-permission
    --function-name ARN --principal config.amazonaws.com --action lambda:InvokeFunction
    --source-account ACCOUNT --statement-id config-ACCOUNT`; beyond about 70 accounts, copies of the
    function that each grant some of them.

    ## References
    - [documented] AWS Config API Reference, InsufficientPermissionsException: "For PutConfigRule, the
      Lambda function cannot be invoked. Check the function ARN, and check the function's
      permissions."
    - [reported] cloud-custodian/cloud-custodian#3530 - "The AWS Lambda function ... cannot be
      invoked", a function whose policy granted only events.amazonaws.com.
    - [documented] Lambda API Reference, GetPolicy: Policy "Maximum length of 20480"; [reported]
      ssc-spc-ccoe-cei/aws-guardrails-cac-solution doc/RESOURCE_POLICY_FIX.md: per-account statements
      exceed 20 KB at about 70 accounts.
    - [documented] AWS DevOps Blog, "How to Centrally Manage AWS Config Rules across Multiple AWS
      Accounts" (the developer guide's reference for organization packs' custom rules): one
      permission per account for config.amazonaws.com.
    - [inferred] IAM's `aws:PrincipalOrgID` is in the request context only when the principal belongs
      to an organization, which a service principal does not: a grant under it alone probably never
      matches, but no report confirms it (warning).
    - [inferred] No AWS text or report says AWS Config cannot invoke a function in another Region
      (warning).
    """
    facts = ctx.aws
    accounts = facts.reached_accounts or ([facts.caller_account] if facts.caller_account else [])
    for function in facts.functions:
        path = _source_path(ctx, function.arn)
        parts = function.arn.split(":")
        region = parts[3] if len(parts) > 6 else ""
        if facts.region and region and region != facts.region:
            yield Issue(
                f"Lambda function {function.arn} is in {region}, the pack in {facts.region}: AWS Config invokes a "
                "custom rule's function from the rule's Region",
                path,
                fix=f"deploy the function in {facts.region} too and name that one",
                severity=Severity.WARNING,
            )
        if function.exists is False:
            yield Issue(
                f'Lambda function {function.arn} does not exist: the rule cannot be created ("cannot be invoked")',
                path,
                fix="deploy the function first, or correct the ARN",
            )
            continue
        if function.exists is None or function.policy is None:
            yield Issue.could_not_check(
                f"Lambda function {function.arn}", function.error or "unknown", accounts=tuple(accounts)
            )
            continue
        yield from _invokers_issues(ctx, function.arn, function.policy, accounts, path)


def _invokers_issues(ctx: Context, arn: str, policy: str, accounts: list[str], path: DocPath) -> Iterator[Issue]:
    facts = ctx.aws
    granted = invokers(policy, arn, accounts, facts.organization_id)
    lacking = [account for account in accounts if account not in granted.granted]
    doubtful = [account for account in lacking if account in granted.doubtful]
    hoped = [account for account in lacking if account in granted.principal_org_only]
    certain = [account for account in lacking if account not in granted.doubtful and account not in hoped]
    if doubtful:
        yield Issue.could_not_check(
            f"whether Lambda function {arn} lets AWS Config invoke it for {facts.accounts_text(doubtful)}",
            "; ".join(dict.fromkeys(granted.doubtful[account] for account in doubtful)),
            accounts=tuple(doubtful),
        )
    if hoped:
        yield Issue(
            f"Lambda function {arn} lets AWS Config invoke it only under aws:PrincipalOrgID, which a service "
            f"principal does not carry: it may not be invoked for {facts.accounts_text(hoped)}",
            path,
            fix="grant each account with AWS:SourceAccount (aws lambda add-permission --source-account ACCOUNT)",
            severity=Severity.WARNING,
            accounts=tuple(hoped),
        )
    if not certain:
        return
    whom = facts.accounts_text(certain)
    yield Issue(
        f"Lambda function {arn} has no resource policy: AWS Config cannot invoke it for {whom}"
        if not policy
        else f"Lambda function {arn}'s resource policy does not let AWS Config (config.amazonaws.com) invoke it "
        f'for {whom}: the rule fails there ("cannot be invoked")',
        path,
        fix=f"for each account: aws lambda add-permission --function-name {arn} --principal config.amazonaws.com "
        "--action lambda:InvokeFunction --source-account ACCOUNT --statement-id config-ACCOUNT",
        accounts=tuple(certain),
    )
    after = granted.size + len(certain) * (granted.per_account_statement + 1)
    if ctx.request.scope == "organization" and after > LAMBDA_POLICY_MAX_BYTES:
        yield Issue(
            f"Lambda function {arn}: one AWS:SourceAccount statement for each of the {len(certain)} accounts would "
            f"make its resource policy about {after:,} bytes, over Lambda's limit of {LAMBDA_POLICY_MAX_BYTES:,} "
            "(PolicyLengthExceededException)",
            path,
            fix="split the accounts between copies of the function, each granting at most about 70 accounts",
            accounts=tuple(certain),
        )


@rule("CP519", "delivery-bucket-policy", Severity.WARNING, tags=("online",), phase=Phase.ONLINE)
def delivery_bucket_policy(ctx: Context) -> Iterator[Issue]:
    """## What it does
    For an organization pack with a `DeliveryS3Bucket`, checks that the bucket's policy grants what the
    conformance pack prerequisites ask: `s3:GetObject` and `s3:PutObject` on its objects (below the
    delivery prefix) and `s3:GetBucketAcl` on the bucket, to the `AWSServiceRoleForConfigConforms`
    role of every member account the pack reaches: each statement is evaluated for that role's
    request (its ARN, account, this organization's `aws:PrincipalOrgID`, over TLS), so AWS's example
    (principal `*` under `aws:PrincipalOrgID` and an `aws:PrincipalArn` of that role in any account)
    counts, and a grant to one account's role or to another role does not. A Deny that holds takes a
    grant away; a statement it cannot read (another key or operator, a NotPrincipal, a Resource that
    covers part of the prefix) makes the finding "could not check" instead.

    ## Why is this bad?
    AWS Config in the member accounts stores the pack's templates and results in this bucket with
    that role; without the grants it cannot. No public report shows a pack failing over it, so this
    is a warning.

    ## Example
    A delivery bucket whose policy grants only the management account.

    ## Use instead
    The bucket policy of "Prerequisites for Organization Conformance Packs" in the AWS Config
    Developer Guide.

    ## References
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs", organization
      section: the bucket policy with AllowGetObject (s3:GetObject, s3:PutObject on bucket/*) and
      AllowGetBucketAcl, for principal `*` under aws:PrincipalOrgID and an aws:PrincipalArn of
      AWSServiceRoleForConfigConforms.
    - [inferred] What AWS does when the grants are missing is unverified (warning).
    """
    facts = ctx.aws
    bucket = ctx.request.delivery_bucket
    if ctx.request.scope != "organization" or not bucket or facts.delivery_bucket is None:
        return
    if facts.delivery_bucket.exists is False:
        return  # CP508 says so
    policy = facts.bucket_policy
    if policy is None:
        if reason := facts.why_unavailable(Fact.DELIVERY_BUCKET_POLICY):
            yield Issue.could_not_check(f"the policy of delivery bucket {bucket}", reason)
        return
    members = [account for account in facts.reached_accounts if account != facts.management_account]
    grants = bucket_grants_missing(
        policy, bucket, ctx.request.delivery_prefix, members, partition_of(facts.region), facts.organization_id
    )
    if not grants.missing:
        return
    if grants.doubts:
        yield Issue.could_not_check(
            f"whether delivery bucket {bucket}'s policy grants {', '.join(grants.missing)}",
            "; ".join(grants.doubts),
        )
        return
    what = "has no bucket policy" if not policy else f"has a policy that does not grant {', '.join(grants.missing)}"
    yield Issue(
        f"delivery bucket {bucket} {what}: the member accounts' AWSServiceRoleForConfigConforms cannot use it",
        ("DeliveryS3Bucket",),
        fix="add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites",
        where="request",
    )
