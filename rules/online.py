"""CP501-CP508: account and organization state, read from the facts the online pre-flight gathered
(`check --online`, and always before `deploy`). These rules make no AWS call themselves."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import (
    ORGANIZATION_NONE,
    ORGANIZATION_PRESENT,
    Context,
    Fact,
    Issue,
    Phase,
    Severity,
    rule,
)


@rule("CP501", "no-organization", Severity.ERROR, tags=("online",), phase=Phase.ONLINE)
def no_organization(ctx: Context) -> Iterator[Issue]:
    """## What it does
    For an organization pack, reports a caller whose account belongs to no AWS Organization.

    ## Why is this bad?
    The put fails with NoAvailableOrganizationException or OrganizationAccessDeniedException ("This
    action can only be made by accounts in an AWS Organization").

    ## Example
    Deploying from a standalone sandbox account.

    ## Use instead
    Run from the organization's management account or a delegated administrator, or deploy an account
    pack (`--scope account`).

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack errors:
      NoAvailableOrganizationException ("Organization is no longer available") and
      OrganizationAccessDeniedException.
    - [reported] aws-samples/aws2tf#86 - "OrganizationAccessDeniedException ... This action can only be
      made by accounts in an AWS Organization".
    """
    facts = ctx.aws
    if ctx.request.scope != "organization":
        return
    if facts.organization == ORGANIZATION_NONE:
        yield Issue(
            f"account {facts.caller_account or '(unknown)'} is not in an AWS Organization",
            (ctx.request.name_key,),
            fix="run from the management account or a delegated administrator, or use --scope account",
            where="request",
        )
    elif facts.organization is None and (reason := facts.why_unavailable(Fact.ORGANIZATION)):
        yield Issue.could_not_check("the organization", reason)


@rule("CP502", "all-features-not-enabled", Severity.ERROR, tags=("online",), phase=Phase.ONLINE)
def all_features_not_enabled(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an organization that has only consolidated billing, not all features.

    ## Why is this bad?
    The put fails with OrganizationAllFeaturesNotEnabledException.

    ## Example
    An organization created for consolidated billing only.

    ## Use instead
    Enable all features in AWS Organizations (`EnableAllFeatures`), then deploy.

    ## References
    - [documented] AWS Config API Reference, OrganizationAllFeaturesNotEnabledException: "Config
      resource cannot be created because your organization does not have all features enabled";
      PutOrganizationConformancePack: "Ensure you call EnableAllFeatures API".
    """
    facts = ctx.aws
    if ctx.request.scope == "organization" and facts.organization == ORGANIZATION_PRESENT:
        if facts.organization_feature_set not in (None, "ALL"):
            yield Issue(
                f"the organization's feature set is {facts.organization_feature_set}, not ALL",
                (ctx.request.name_key,),
                fix="enable all features in AWS Organizations",
                where="request",
            )


@rule("CP503", "caller-not-administrator", Severity.ERROR, tags=("online",), phase=Phase.ONLINE)
def caller_not_administrator(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a caller that is neither the organization's management account nor a registered
    delegated administrator for `config-multiaccountsetup.amazonaws.com`.

    ## Why is this bad?
    The put fails with OrganizationAccessDeniedException.

    ## Example
    Deploying an organization pack from a member account.

    ## Use instead
    Run from the management account, or register the account as a delegated administrator:
    `aws organizations register-delegated-administrator --service-principal
    config-multiaccountsetup.amazonaws.com --account-id ...`.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack: "Only a management account
      and a delegated administrator can call this API. When calling this API with a delegated
      administrator, you must ensure Organizations ListDelegatedAdministrator permissions are added".
    """
    facts = ctx.aws
    if ctx.request.scope != "organization" or facts.organization != ORGANIZATION_PRESENT:
        return
    caller = facts.caller_account
    if caller is None:
        yield Issue.could_not_check("the caller's account", facts.why_unavailable(Fact.CALLER_IDENTITY) or "unknown")
        return
    if caller == facts.management_account:
        return
    if facts.delegated_administrators is None:
        reason = facts.why_unavailable(Fact.DELEGATED_ADMINISTRATORS) or "the delegated administrators are unknown"
        if reason.startswith("AccessDenied"):
            # AWS lets only the management account and delegated administrators list them, and a delegated
            # administrator needs that permission for the put too: either way the put is refused.
            yield Issue(
                f"account {caller} may not list the delegated administrators for "
                "config-multiaccountsetup.amazonaws.com: it is not the management account, and a delegated "
                "administrator without organizations:ListDelegatedAdministrators is refused as well",
                (ctx.request.name_key,),
                fix="run from the management account, or register this account as a delegated administrator and "
                "grant it organizations:ListDelegatedAdministrators",
                where="request",
            )
        else:
            yield Issue.could_not_check("whether this account is a delegated administrator", reason)
    elif caller not in facts.delegated_administrators:
        yield Issue(
            f"account {caller} is neither the management account ({facts.management_account}) nor a delegated "
            "administrator for config-multiaccountsetup.amazonaws.com",
            (ctx.request.name_key,),
            fix="run from the management account, or register this account as a delegated administrator",
            where="request",
        )


@rule("CP504", "excluded-account-not-in-organization", Severity.WARNING, tags=("online",), phase=Phase.ONLINE)
def excluded_account_not_in_organization(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an excluded account that is not a member of the organization.

    ## Why is this bad?
    It is almost always a typo, so the account you meant to exclude gets the pack (and fails there,
    if that is why it was excluded).

    ## Example
    `--exclude-account 210987654312` for account 210987654321.

    ## Use instead
    The account id as `aws organizations list-accounts` shows it.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `ExcludedAccounts`: "A list
      of Amazon Web Services accounts to be excluded from an organization conformance pack"; nothing
      says AWS refuses an id outside the organization, hence a warning.
    - [reported] superwerker/superwerker#291 - an organization pack failed in 27 accounts that had no
      configuration recorder; excluding them (ExcludedAccounts) is the fix, so a mistyped id leaves one
      failing.
    """
    facts = ctx.aws
    if ctx.request.scope != "organization" or not ctx.request.excluded_accounts:
        return
    if facts.accounts is None:
        if reason := facts.why_unavailable(Fact.ORGANIZATION_ACCOUNTS):
            yield Issue.could_not_check("the excluded accounts against the organization", reason)
        return
    for index, account in enumerate(ctx.request.excluded_accounts):
        if account not in facts.accounts:
            yield Issue(
                f"excluded account {account} is not in the organization",
                ("ExcludedAccounts", index),
                where="request",
            )


@rule("CP505", "pack-limit-reached", Severity.ERROR, tags=("online", "quota"), phase=Phase.ONLINE)
def pack_limit_reached(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a new pack when the organization (or account) already has as many conformance packs as
    the quota allows (50; `[tool.preflight.quotas] packs-per-organization`, `packs-per-account`).

    ## Why is this bad?
    The put fails with MaxNumberOfOrganizationConformancePacksExceededException (or
    MaxNumberOfConformancePacksExceededException).

    ## Example
    A 51st organization pack.

    ## Use instead
    Merge packs, or delete one that is no longer needed.

    ## References
    - [documented] AWS Config Developer Guide, "Service Limits": 50 conformance packs per account and
      per organization, not adjustable (2023 edition; configurable here).
    - [documented] AWS Config API Reference, MaxNumberOfOrganizationConformancePacksExceededException.
    """
    facts = ctx.aws
    if facts.existing_packs is None:
        if reason := facts.why_unavailable(
            Fact.ORGANIZATION_PACKS if ctx.request.scope == "organization" else Fact.ACCOUNT_PACKS
        ):
            yield Issue.could_not_check("the number of conformance packs", reason)
        return
    if ctx.request.name in facts.existing_packs:
        return
    limit = ctx.quotas.packs_per_organization if ctx.request.scope == "organization" else ctx.quotas.packs_per_account
    if len(facts.existing_packs) >= limit:
        yield Issue(
            f"there are already {len(facts.existing_packs)} {ctx.request.scope} conformance packs; "
            f"the quota is {limit}",
            (ctx.request.name_key,),
            fix="delete a pack you no longer need, or merge packs",
            where="request",
        )


@rule("CP506", "pack-busy", Severity.WARNING, tags=("online",), phase=Phase.ONLINE)
def pack_busy(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a pack whose create, update or delete is still in progress.

    ## Why is this bad?
    A put now fails with ResourceInUseException. It is a warning because the state passes:
    `preflight deploy` waits for the operation to end (bounded by `--busy-timeout`) before it puts.

    ## Example
    Deploying again while the previous rollout is still reaching member accounts.

    ## Use instead
    Wait for it: `preflight status NAME`.

    ## References
    - [documented] AWS Config API Reference, ResourceInUseException: "For PutConformancePack and
      PutOrganizationConformancePack, a conformance pack creation, update, and deletion is in
      progress. Try your request again later."
    """
    facts = ctx.aws
    status = facts.pack_status
    if status is None and (reason := facts.why_unavailable(Fact.PACK_STATUS)):
        yield Issue.could_not_check(f"whether pack {ctx.request.name} is busy", reason)
    if status and status.endswith("_IN_PROGRESS"):
        yield Issue(
            f"pack {ctx.request.name} is {status}: a put now fails with ResourceInUseException",
            (ctx.request.name_key,),
            fix=f"wait for it: preflight status {ctx.request.name}",
            where="request",
        )


@rule("CP507", "s3-template-problem", Severity.ERROR, tags=("online", "size"), phase=Phase.ONLINE)
def s3_template_problem(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks the template object named by `TemplateS3Uri`. When the template exists only in S3 it must
    exist, be readable and be at most 300 KB. When a local file will be uploaded there, an object that
    is already there with another size is a warning: the put uses whatever S3 holds at that moment.

    ## Why is this bad?
    AWS Config cannot read a missing, unreadable or oversized template; the pack fails.

    ## Example
    `TemplateS3Uri: s3://packs/baseline.yaml` before anything was uploaded.

    ## Use instead
    Upload first (`preflight deploy` does), or fix the URI.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `TemplateS3Uri`: "The uri
      must point to the conformance pack template (max size: 300 KB). You must have access to read
      Amazon S3 bucket."
    - [documented] AWS Config API Reference, InsufficientPermissionsException: "You do not have
      permission to read Amazon S3 bucket".
    """
    found = ctx.aws.template_object
    if found is None:
        return
    path = ("TemplateS3Uri",)
    if ctx.loaded is None:
        if found.exists is False:
            yield Issue(f"template object {found.uri} does not exist", path, where="request")
        elif found.exists is None:
            yield Issue.could_not_check(f"the template object {found.uri}", found.error or "unknown")
        elif found.size is not None and found.size > ctx.limits.s3_template_max_bytes:
            yield Issue(
                f"template object {found.uri} is {found.size:,} bytes; AWS Config reads at most 300 KB",
                path,
                where="request",
            )
    elif found.exists and found.size is not None and found.size != ctx.loaded.body_bytes:
        yield Issue(
            f"{found.uri} holds {found.size:,} bytes, the local template {ctx.loaded.body_bytes:,}: the put uses "
            "whatever S3 holds at that moment",
            path,
            fix="upload the local file before the put (preflight deploy does)",
            severity=Severity.WARNING,
            where="request",
        )


@rule("CP508", "delivery-bucket-missing", Severity.WARNING, tags=("online",), phase=Phase.ONLINE)
def delivery_bucket_missing(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `DeliveryS3Bucket` that does not exist, or cannot be checked.

    ## Why is this bad?
    AWS Config stores the pack's templates and artifacts in the delivery bucket. No public report
    shows a pack failing over a missing bucket, so this is a warning.

    ## Example
    `--delivery-bucket awsconfigconforms-results` before the bucket was created.

    ## Use instead
    Create the bucket, with a policy that lets AWSServiceRoleForConfigConforms write to it.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `DeliveryS3Bucket`: "The name
      of the Amazon S3 bucket where Config stores conformance pack templates"; AWS Config Developer
      Guide, "Prerequisites for conformance packs": the bucket and the policy it needs.
    - [inferred] Whether a missing bucket fails the deployment is unverified.
    """
    bucket = ctx.aws.delivery_bucket
    if bucket is None:
        return
    if bucket.exists is False:
        yield Issue(f"delivery bucket {bucket.name} does not exist", ("DeliveryS3Bucket",), where="request")
    elif bucket.exists is None:
        yield Issue.could_not_check(f"the delivery bucket {bucket.name}", bucket.error or "unknown")
