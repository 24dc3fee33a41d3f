"""CP101-CP104: how the template travels in the request (inline body or S3 object)."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import START_OF_FILE, Context, Issue, Phase, Severity, bucket_name_problem, rule, split_s3_uri


@rule("CP101", "template-body-too-large", Severity.ERROR, tags=("request", "size"), phase=Phase.REQUEST)
def template_body_too_large(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a template sent inline (`TemplateBody`, the default when no `--template-s3-uri` is
    given) that is longer than 51,200 characters: an error. A template of at most 51,200
    characters that is longer than 51,200 bytes of UTF-8 (multibyte text) is a warning, since AWS
    does not say whether the limit counts bytes or characters. Comments and indentation count.
    When `deploy --minify` sends a compact JSON rendering instead, the body as sent is measured.

    ## Why is this bad?
    The API rejects the request ("Member must have length less than or equal to 51200"); AWS's own
    NZISM sample failed this way until comments were trimmed.

    ## Example
    A 52 KB pack with long descriptions, deployed with `--template-body file://pack.yaml`.

    ## Use instead
    Upload the template to S3 and pass `TemplateS3Uri` (`--template-s3-uri`, up to 300 KB), split it
    into packs that each fit (`preflight split PACK --out DIR`, which also writes a spec file that
    deploys them together), or trim comments and descriptions.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack and PutConformancePack,
      `TemplateBody`: "a maximum length of 51,200 bytes" (botocore: max 51200).
    - [reported] awslabs/aws-config-rules#399 - the NZISM sample (~51,461 characters) failed to deploy
      until AWS "trimmed some comment characters from the yaml to bring it under the 51200 limit".
    - [reported] awslabs/aws-config-rdk#247 - "'templateBody' failed to satisfy constraint: Member must
      have length less than or equal to 51200".
    - [inferred] Whether AWS counts bytes or characters is not published, hence the warning between the two.
    """
    if ctx.loaded is None or not ctx.template_sent_inline:
        return
    if ctx.sent_body is not None:  # deploy sends another rendering (minified): that is what counts
        size, characters = len(ctx.sent_body.encode("utf-8")), len(ctx.sent_body)
    else:
        size = ctx.loaded.body_bytes or ctx.loaded.raw_size
        characters = len(ctx.loaded.text) if ctx.loaded.text is not None else size
    limit = ctx.limits.template_body_max_bytes
    if size <= limit:
        return
    fix = (
        "upload the template to S3 and pass --template-s3-uri (up to 300 KB), split it into packs that each fit "
        "(preflight split PACK --out DIR), or trim comments"
    )
    if characters > limit:
        message = (
            f"template body is {characters:,} characters; TemplateBody takes at most {limit:,} "
            f"({characters - limit:,} over; comments count)"
        )
        severity = None
    else:
        message = (
            f"template body is {size:,} bytes of UTF-8 but {characters:,} characters: over {limit:,} if AWS counts "
            "bytes, within it if AWS counts characters (AWS does not say which)"
        )
        severity = Severity.WARNING
    if ctx.request.template_body is not None:
        yield Issue(message, ("TemplateBody",), fix=fix, where="request", severity=severity)
    else:
        yield Issue(message, fix=fix, span=START_OF_FILE, severity=severity)


@rule("CP102", "s3-template-too-large", Severity.ERROR, tags=("request", "size"), phase=Phase.REQUEST)
def s3_template_too_large(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a template that will be uploaded to S3 (`--template-s3-uri`) and is larger than AWS's
    300 KB limit: an error above 307,200 bytes, a warning between 300,001 and 307,200 bytes (AWS
    does not say which "300 KB" it means).

    ## Why is this bad?
    AWS Config does not read a template object over the limit.

    ## Example
    A 310 KB pack combining several frameworks.

    ## Use instead
    Split the pack into two conformance packs.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `TemplateS3Uri`: "The uri
      must point to the conformance pack template (max size: 300 KB)".
    - [inferred] Whether 300 KB is 300,000 or 307,200 bytes is not published, hence the warning band.
    """
    if ctx.loaded is None or ctx.request.template_s3_uri is None:
        return
    size = ctx.loaded.raw_size
    if size > ctx.limits.s3_template_max_bytes:
        yield Issue(
            f"template is {size:,} bytes; a template in S3 may be at most 300 KB "
            f"({ctx.limits.s3_template_max_bytes:,} bytes)",
            fix="split it into packs that each fit: preflight split PACK --out DIR",
            span=START_OF_FILE,
        )
    elif size > ctx.limits.s3_template_warn_bytes:
        yield Issue(
            f"template is {size:,} bytes: over 300,000, and AWS does not say whether 300 KB means "
            f"300,000 or {ctx.limits.s3_template_max_bytes:,} bytes",
            fix="keep the template at or under 300,000 bytes to be safe",
            severity=Severity.WARNING,
            span=START_OF_FILE,
        )


@rule("CP103", "template-source", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def template_source(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks that the request names its template exactly once: `TemplateBody` or `TemplateS3Uri` (or,
    for an account pack, `TemplateSSMDocumentDetails` or the `Source` of a managed conformance pack).

    ## Why is this bad?
    With neither, the API rejects the request. With both, the API says "not both", and for an
    organization pack AWS Config silently uses the S3 object and ignores the body you reviewed.

    ## Example
    ```json
    {"OrganizationConformancePackName": "baseline",
     "TemplateBody": "Resources: ...",
     "TemplateS3Uri": "s3://packs/baseline.yaml"}
    ```

    ## Use instead
    Keep one of the two.

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack: "You must specify either
      the TemplateS3Uri or the TemplateBody parameter, but not both. If you provide both Config uses the
      TemplateS3Uri parameter and ignores the TemplateBody parameter."
    - [documented] AWS Config API Reference, PutConformancePack: "For custom conformance packs, you must
      specify only one of TemplateS3Uri, TemplateBody, TemplateSSMDocumentDetails."
    """
    request = ctx.request
    sources = [
        name
        for name, present in (
            ("TemplateBody", request.template_body is not None or request.body_unread is not None),
            ("TemplateS3Uri", request.template_s3_uri is not None),
        )
        if present
    ] + list(request.other_sources)
    if not sources and ctx.loaded is None:
        yield Issue(
            "the request names no template: give TemplateBody or TemplateS3Uri",
            (request.name_key,),
            fix="add TemplateS3Uri, or pass the template file as PATH",
            where="request",
        )
    elif "TemplateBody" in sources and "TemplateS3Uri" in sources and len(sources) == 2:
        ignored = (
            ": AWS Config uses the S3 object and silently ignores TemplateBody"
            if request.scope == "organization"
            else "; the API takes exactly one"
        )
        yield Issue(
            f"both TemplateBody and TemplateS3Uri are given{ignored}",
            ("TemplateBody",),
            fix="remove one of the two",
            where="request",
        )
    elif len(sources) > 1:
        yield Issue(
            f"an account conformance pack takes exactly one template source, not {' and '.join(sources)}",
            (sources[-1],),
            where="request",
        )


@rule("CP104", "invalid-template-s3-uri", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def invalid_template_s3_uri(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks `TemplateS3Uri`: at most 1,024 characters, the form `s3://bucket/key` with a valid bucket
    name and a non-empty key.

    ## Why is this bad?
    The API accepts only `s3://` URIs (an `https://` object URL is rejected), and a URI with an
    invalid bucket or no key names no template.

    ## Example
    ```
    --template-s3-uri https://packs.s3.amazonaws.com/baseline.yaml
    ```

    ## Use instead
    ```
    --template-s3-uri s3://packs/baseline.yaml
    ```

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `TemplateS3Uri`: length
      1-1,024, pattern `s3://.*`, "Location of file containing the template body (s3://bucketname/prefix)".
    - [documented] Amazon S3 User Guide, "Bucket naming rules"
      (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
    """
    uri = ctx.request.template_s3_uri
    if uri is None:
        return
    path = ("TemplateS3Uri",)
    limit = ctx.limits.template_s3_uri_max
    if not uri or len(uri) > limit:
        yield Issue(f"TemplateS3Uri is {len(uri)} characters; it must be 1 to {limit:,}", path, where="request")
        return
    location = split_s3_uri(uri)
    if location is None:
        yield Issue(
            f"TemplateS3Uri {uri!r} is not of the form s3://bucket/key",
            path,
            fix="write the object's location as s3://BUCKET/KEY",
            where="request",
        )
        return
    bucket, key = location
    problem = bucket_name_problem(bucket)
    if problem is not None:
        yield Issue(f"TemplateS3Uri bucket {bucket!r} {problem}", path, where="request")
    if not key or key.endswith("/"):
        yield Issue(f"TemplateS3Uri {uri!r} names no object key", path, where="request")
