"""CP110-CP121: the pack name, delivery bucket and prefix, and excluded accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.api import MANAGED_PACK_SOURCE, Context, Issue, Phase, Severity, bucket_name_problem, rule

ORG_BUCKET_PREFIX = "awsconfigconforms"


@rule("CP110", "invalid-pack-name", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def invalid_pack_name(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks the conformance pack name: a letter followed by letters, digits and hyphens, at most
    128 characters for an organization pack and 256 for an account pack. A request file must name
    the pack.

    ## Why is this bad?
    The API rejects the request with a ValidationException, and a pack can never be renamed, so
    the name is worth getting right the first time.

    ## Example
    ```
    preflight check pack.yaml --name "CIS baseline_v2"
    ```

    ## Use instead
    ```
    preflight check pack.yaml --name cis-baseline-v2
    ```

    ## References
    - [documented] AWS Config API Reference: `OrganizationConformancePackName` length 1-128 and
      `ConformancePackName` length 1-256, both with pattern `[a-zA-Z][-a-zA-Z0-9]*`.
    - [documented] AWS Config Developer Guide, "Deploying a conformance pack using the console": the
      name "can contain hyphens but cannot contain spaces", and "You cannot change the name".
    """
    request = ctx.request
    path = (request.name_key,)
    if not request.name_given:
        if request.from_request_file is not None:
            yield Issue(f"the request has no {request.name_key}", path, where="request")
        return
    if request.name is None:
        return  # given, but not known here: a Ref, a Terraform expression
    name = request.name
    limit = ctx.limits.org_pack_name_max if request.scope == "organization" else ctx.limits.account_pack_name_max
    if not re.fullmatch(ctx.limits.pack_name_pattern, name):
        yield Issue(
            f"pack name {name!r} must start with a letter and contain only letters, digits and hyphens",
            path,
            fix="replace spaces, underscores and dots with hyphens",
            where="request",
        )
    if len(name) > limit:
        yield Issue(
            f"pack name is {len(name)} characters; an {request.scope} pack name takes at most {limit}",
            path,
            where="request",
        )


@rule("CP111", "invalid-delivery-bucket", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def invalid_delivery_bucket(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks `DeliveryS3Bucket`: a valid S3 bucket name of at most 63 characters that, for an
    organization pack, starts with `awsconfigconforms`. A managed conformance pack (`Source`) takes
    no delivery bucket.

    ## Why is this bad?
    AWS Config rejects an organization pack whose delivery bucket lacks the `awsconfigconforms`
    prefix, and S3 never accepts an invalid bucket name.

    ## Example
    ```
    --delivery-bucket conformance-results
    ```

    ## Use instead
    ```
    --delivery-bucket awsconfigconforms-results
    ```

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `DeliveryS3Bucket`: at most
      63 characters, "If used, it must be prefixed with awsconfigconforms".
    - [documented] AWS Config API Reference, PutConformancePack: for managed conformance packs "Do not
      specify ... DeliveryS3Bucket, or DeliveryS3KeyPrefix".
    - [documented] Amazon S3 User Guide, "Bucket naming rules".
    """
    bucket = ctx.request.delivery_bucket
    if not bucket:
        return
    path = ("DeliveryS3Bucket",)
    if MANAGED_PACK_SOURCE in ctx.request.other_sources:
        yield Issue(
            "a managed conformance pack (Source) takes no DeliveryS3Bucket",
            path,
            fix="remove DeliveryS3Bucket",
            where="request",
        )
        return
    if ctx.request.scope == "organization" and not bucket.startswith(ORG_BUCKET_PREFIX):
        yield Issue(
            f"delivery bucket {bucket!r} must start with {ORG_BUCKET_PREFIX!r} for an organization pack",
            path,
            fix=f"create a bucket named {ORG_BUCKET_PREFIX}-... and use it",
            where="request",
        )
    problem = bucket_name_problem(bucket)
    if problem is not None:
        yield Issue(f"delivery bucket {bucket!r} {problem}", path, where="request")


@rule("CP112", "delivery-prefix-too-long", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def delivery_prefix_too_long(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `DeliveryS3KeyPrefix` longer than 1,024 characters, or one given for a managed
    conformance pack (`Source`).

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A prefix generated from a long path of nested folder names.

    ## Use instead
    A short prefix such as `conformance/<pack-name>`.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack and PutConformancePack
      `DeliveryS3KeyPrefix`: length 0-1,024; for managed packs "Do not specify ... DeliveryS3KeyPrefix".
    """
    prefix = ctx.request.delivery_prefix
    limit = ctx.limits.delivery_prefix_max
    if prefix is not None and MANAGED_PACK_SOURCE in ctx.request.other_sources:
        yield Issue(
            "a managed conformance pack (Source) takes no DeliveryS3KeyPrefix",
            ("DeliveryS3KeyPrefix",),
            fix="remove DeliveryS3KeyPrefix",
            where="request",
        )
    elif prefix is not None and len(prefix) > limit:
        yield Issue(
            f"delivery key prefix is {len(prefix):,} characters; at most {limit:,}",
            ("DeliveryS3KeyPrefix",),
            where="request",
        )


@rule("CP120", "invalid-excluded-account", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def invalid_excluded_account(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks that every excluded account is a 12-digit AWS account id.

    ## Why is this bad?
    The API rejects the whole request. Write account ids as quoted strings: YAML readers disagree
    on whether an unquoted `012345678901` is a number (which loses the leading zero) or a string.

    ## Example
    ```yaml
    ExcludedAccounts: ["1234-5678-9012"]
    ```

    ## Use instead
    ```yaml
    ExcludedAccounts: ["210987654321"]   # the account's 12-digit id, quoted
    ```

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `ExcludedAccounts`: each
      item matches `\\d{12}`.
    """
    for index, account in enumerate(ctx.request.excluded_accounts):
        if not re.fullmatch(ctx.limits.account_id_pattern, account):
            yield Issue(
                f"excluded account {account!r} is not a 12-digit account id",
                ("ExcludedAccounts", index),
                fix="write account ids as quoted 12-digit strings",
                where="request",
            )


@rule("CP121", "too-many-excluded-accounts", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def too_many_excluded_accounts(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports more than 1,000 excluded accounts.

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    An exclusion list generated from every sandbox account of a large organization.

    ## Use instead
    Move those accounts into an organizational unit that the pack's accounts do not include, or
    deploy account packs instead.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `ExcludedAccounts`: at most
      1,000 items.
    """
    accounts = ctx.request.excluded_accounts
    limit = ctx.limits.excluded_accounts_max
    if len(accounts) > limit:
        yield Issue(
            f"{len(accounts):,} excluded accounts; the API takes at most {limit:,}",
            ("ExcludedAccounts",),
            where="request",
        )


@rule("CP122", "invalid-tags", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def invalid_tags(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks the request's `Tags`: at most 50, each key 1 to 128 characters and each value at most 256,
    no key twice, and no key that starts with `aws:`.

    ## Why is this bad?
    AWS refuses the put: the limits are the API's, and the `aws:` prefix is reserved for AWS's own
    tags.

    ## Example
    ```yaml
    Tags:
      - {Key: "aws:team", Value: platform}
    ```

    ## Use instead
    ```yaml
    Tags:
      - {Key: team, Value: platform}
    ```

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack and PutConformancePack
      `Tags` (TagsList: at most 50; TagKey 1-128, TagValue 0-256 characters).
    - [documented] AWS Config API Reference, Tag: "Tag keys can have a maximum character length of 128
      characters, and tag values can have a maximum length of 256 characters"; AWS General Reference,
      tagging best practices: "the aws: prefix is reserved for AWS use" (TagResource refuses it).
    - [inferred] Two tags of one key: a resource has one value a key (AWS refuses a duplicate key).
    """
    limits = ctx.limits
    tags = ctx.request.tags
    if len(tags) > limits.tags_max:
        yield Issue(f"{len(tags)} tags; AWS takes at most {limits.tags_max}", ("Tags",), where="request")
    seen: set[str] = set()
    for index, (key, value) in enumerate(tags):
        path = ("Tags", index)
        if not 1 <= len(key) <= limits.tag_key_max:
            yield Issue(f"tag key of {len(key)} characters; AWS takes 1 to {limits.tag_key_max}", path, where="request")
        elif key.lower().startswith("aws:"):
            yield Issue(f"tag key {key!r}: the aws: prefix is reserved for AWS", path, fix="drop the prefix",
                        where="request")  # fmt: skip
        if len(value) > limits.tag_value_max:
            most = limits.tag_value_max
            yield Issue(f"value of tag {key[:40]!r} is {len(value)} characters; AWS takes at most {most}", path,
                        where="request")  # fmt: skip
        if key in seen:
            yield Issue(f"tag key {key!r} is given twice", path, where="request", severity=Severity.WARNING)
        seen.add(key)
