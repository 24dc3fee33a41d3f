"""CP110-CP121: the pack name, delivery bucket and prefix, and excluded accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.context import Context
from preflight.findings import Issue, Severity
from preflight.rule import rule
from preflight.s3names import bucket_name_problem

ORG_BUCKET_PREFIX = "awsconfigconforms"


@rule("CP110", "invalid-pack-name", Severity.ERROR, tags=("request",), needs_template=False)
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
    """
    request = ctx.request
    path = (request.name_key,)
    if not request.name_given:
        if request.from_request_file is not None:
            yield Issue(f"the request has no {request.name_key}", path, where="request")
        return
    name = request.name or ""
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


@rule("CP111", "invalid-delivery-bucket", Severity.ERROR, tags=("request",), needs_template=False)
def invalid_delivery_bucket(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks `DeliveryS3Bucket`: a valid S3 bucket name of at most 63 characters that, for an
    organization pack, starts with `awsconfigconforms`.

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
    """
    bucket = ctx.request.delivery_bucket
    if not bucket:
        return
    path = ("DeliveryS3Bucket",)
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


@rule("CP112", "delivery-prefix-too-long", Severity.ERROR, tags=("request",), needs_template=False)
def delivery_prefix_too_long(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `DeliveryS3KeyPrefix` longer than 1,024 characters.

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A prefix generated from a long path of nested folder names.

    ## Use instead
    A short prefix such as `conformance/<pack-name>`.
    """
    prefix = ctx.request.delivery_prefix
    limit = ctx.limits.delivery_prefix_max
    if prefix is not None and len(prefix) > limit:
        yield Issue(
            f"delivery key prefix is {len(prefix):,} characters; at most {limit:,}",
            ("DeliveryS3KeyPrefix",),
            where="request",
        )


@rule("CP120", "invalid-excluded-account", Severity.ERROR, tags=("request",), needs_template=False)
def invalid_excluded_account(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks that every excluded account is a 12-digit AWS account id.

    ## Why is this bad?
    The API rejects the whole request. (An unquoted `012345678901` in a YAML request file is the
    number 12345678901 to the AWS CLI, which rejects it: preflight stops there with exit 2.)

    ## Example
    ```yaml
    ExcludedAccounts: ["1234-5678-9012"]
    ```

    ## Use instead
    ```yaml
    ExcludedAccounts: ["123456789012"]
    ```
    """
    for index, account in enumerate(ctx.request.excluded_accounts):
        if not re.fullmatch(ctx.limits.account_id_pattern, account):
            yield Issue(
                f"excluded account {account!r} is not a 12-digit account id",
                ("ExcludedAccounts", index),
                fix="write account ids as quoted 12-digit strings",
                where="request",
            )


@rule("CP121", "too-many-excluded-accounts", Severity.ERROR, tags=("request",), needs_template=False)
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
    """
    accounts = ctx.request.excluded_accounts
    limit = ctx.limits.excluded_accounts_max
    if len(accounts) > limit:
        yield Issue(
            f"{len(accounts):,} excluded accounts; the API takes at most {limit:,}",
            ("ExcludedAccounts",),
            where="request",
        )
