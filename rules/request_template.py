"""CP101-CP104: how the template travels in the request (inline body or S3 object)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.context import Context
from preflight.findings import START_OF_FILE, Issue, Severity
from preflight.rule import rule
from preflight.s3names import bucket_name_problem


@rule("CP101", "template-body-too-large", Severity.ERROR, tags=("request", "size"), needs_template=False)
def template_body_too_large(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a template sent inline (`TemplateBody`, the default when no `--template-s3-uri` is
    given) that is longer than 51,200 bytes of UTF-8. Comments and indentation count.

    ## Why is this bad?
    The API rejects the request with a ValidationException; AWS's own NZISM sample once failed this
    way until comments were trimmed.

    ## Example
    A 52 KB pack with long descriptions, deployed with `--template-body file://pack.yaml`.

    ## Use instead
    Upload the template to S3 and pass `TemplateS3Uri` (`--template-s3-uri`, up to 300 KB), or
    trim comments and descriptions.
    """
    if ctx.loaded is None or not ctx.template_sent_inline:
        return
    size = ctx.loaded.body_bytes or ctx.loaded.raw_size
    limit = ctx.limits.template_body_max_bytes
    if size > limit:
        message = (
            f"template body is {size:,} bytes of UTF-8; TemplateBody takes at most {limit:,} "
            f"({size - limit:,} over; comments count)"
        )
        fix = "upload the template to S3 and pass --template-s3-uri (up to 300 KB), or trim comments"
        if ctx.request.template_body is not None:
            yield Issue(message, ("TemplateBody",), fix=fix, where="request")
        else:
            yield Issue(message, fix=fix, span=START_OF_FILE)


@rule("CP102", "s3-template-too-large", Severity.ERROR, tags=("request", "size"), needs_template=False)
def s3_template_too_large(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a template that will be uploaded to S3 (`--template-s3-uri`) and is larger than AWS's
    300 KB limit: an error above 307,200 bytes, a warning between 300,001 and 307,200 bytes (AWS
    does not say which "300 KB" it means).

    ## Why is this bad?
    AWS Config refuses to read a template object over the limit.

    ## Example
    A 310 KB pack combining several frameworks.

    ## Use instead
    Split the pack into two conformance packs.
    """
    if ctx.loaded is None or ctx.request.template_s3_uri is None:
        return
    size = ctx.loaded.raw_size
    if size > ctx.limits.s3_template_max_bytes:
        yield Issue(
            f"template is {size:,} bytes; a template in S3 may be at most 300 KB "
            f"({ctx.limits.s3_template_max_bytes:,} bytes)",
            fix="split the pack into two conformance packs",
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


@rule("CP103", "template-source", Severity.ERROR, tags=("request",), needs_template=False)
def template_source(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks that the request names its template exactly once: `TemplateBody` or `TemplateS3Uri` (or,
    for an account pack, `TemplateSSMDocumentDetails` or the `Source` of a managed conformance pack).
    Neither is an error; `TemplateBody` together with `TemplateS3Uri` is a warning.

    ## Why is this bad?
    With neither, the API rejects the request. With both, AWS Config silently uses the S3 object and
    ignores the body you reviewed.

    ## Example
    ```json
    {"OrganizationConformancePackName": "baseline",
     "TemplateBody": "Resources: ...",
     "TemplateS3Uri": "s3://packs/baseline.yaml"}
    ```

    ## Use instead
    Keep one of the two.
    """
    request = ctx.request
    sources = [
        name
        for name, present in (
            ("TemplateBody", request.template_body is not None),
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
        yield Issue(
            "both TemplateBody and TemplateS3Uri are given: AWS Config uses the S3 object and silently "
            "ignores TemplateBody",
            ("TemplateBody",),
            fix="remove one of the two",
            severity=Severity.WARNING,
            where="request",
        )
    elif len(sources) > 1:
        yield Issue(
            f"an account conformance pack takes exactly one template source, not {' and '.join(sources)}",
            (sources[-1],),
            where="request",
        )


_S3_URI = re.compile(r"s3://(?P<bucket>[^/]*)/(?P<key>.*)")


@rule("CP104", "invalid-template-s3-uri", Severity.ERROR, tags=("request",), needs_template=False)
def invalid_template_s3_uri(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks `TemplateS3Uri`: at most 1,024 characters, the form `s3://bucket/key` with a valid bucket
    name and a non-empty key.

    ## Why is this bad?
    The API accepts only `s3://` URIs (an `https://` object URL is rejected) and fails the pack when
    the object cannot be found.

    ## Example
    ```
    --template-s3-uri https://packs.s3.amazonaws.com/baseline.yaml
    ```

    ## Use instead
    ```
    --template-s3-uri s3://packs/baseline.yaml
    ```
    """
    uri = ctx.request.template_s3_uri
    if uri is None:
        return
    path = ("TemplateS3Uri",)
    limit = ctx.limits.template_s3_uri_max
    if not uri or len(uri) > limit:
        yield Issue(f"TemplateS3Uri is {len(uri)} characters; it must be 1 to {limit:,}", path, where="request")
        return
    match = _S3_URI.fullmatch(uri)
    if match is None:
        yield Issue(
            f"TemplateS3Uri {uri!r} is not of the form s3://bucket/key",
            path,
            fix="write the object's location as s3://BUCKET/KEY",
            where="request",
        )
        return
    problem = bucket_name_problem(match["bucket"])
    if problem is not None:
        yield Issue(f"TemplateS3Uri bucket {match['bucket']!r} {problem}", path, where="request")
    if not match["key"] or match["key"].endswith("/"):
        yield Issue(f"TemplateS3Uri {uri!r} names no object key", path, where="request")
