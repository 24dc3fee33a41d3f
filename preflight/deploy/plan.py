"""How a pack will be sent: inline `TemplateBody`, or an upload to S3 and `TemplateS3Uri`. Pure: the
plan (preflight.model.plan) is data, printed by `--dry-run` and carried out by `deploy`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from preflight.knowledge.s3_names import split_s3_uri
from preflight.load.parsing import Loaded
from preflight.model.limits import API_LIMITS
from preflight.model.plan import ACCOUNT_OPERATION, ORGANIZATION_OPERATION, Plan, StoredTemplate, Upload
from preflight.model.request import PackRequest


class PlanError(Exception):
    """The pack cannot be sent as asked; one line for the user."""


@dataclass(frozen=True)
class PlanOptions:
    template_bucket: str | None = None
    template_prefix: str = "preflight/"
    minify: bool = False


def _minified(loaded: Loaded) -> str | None:
    """The same template as compact JSON; None unless reading it back gives exactly the checked values."""
    if loaded.document is None:
        return None
    try:
        compact = json.dumps(loaded.document.data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return compact if json.loads(compact) == loaded.document.data else None


def make_plan(
    loaded: Loaded | None, request: PackRequest, options: PlanOptions, *, in_s3: StoredTemplate | None = None
) -> Plan:
    """`in_s3`: the template is the S3 object named by the request's TemplateS3Uri, fetched and checked
    as `loaded`; its URI is sent as is. `loaded` is None when it was not read at all (a dry run
    with --offline)."""
    if not request.name:
        raise PlanError("deploy needs the pack's name: --name NAME (or the name in --request / --spec)")
    if request.unsent:
        raise PlanError(
            f"the request's {', '.join(request.unsent)}: deploy does not send it yet; deploy this pack with the "
            "AWS CLI, or without it"
        )
    if request.other_sources:
        raise PlanError(
            f"the request's {' and '.join(request.other_sources)}: deploy does not send a template from an SSM "
            "document or a managed pack; deploy this one with the AWS CLI (check checks it)"
        )
    limit = API_LIMITS.template_body_max_bytes
    notes: list[str] = []
    upload: Upload | None = None
    minified_body: str | None = None
    source: dict[str, object]
    if in_s3 is not None or loaded is None:
        if request.template_s3_uri is None:
            raise PlanError("the pack names no template: a file, a TemplateBody or a TemplateS3Uri")
        source = {"TemplateS3Uri": request.template_s3_uri}
        checked = f"checked as fetched (ETag {in_s3.etag})" if in_s3 is not None else "not checked (offline)"
        notes.append(f"template already in S3 at {request.template_s3_uri}, {checked}, sent as TemplateS3Uri")
    else:
        if loaded.text is None:
            raise PlanError(f"{loaded.file}: the template could not be read")
        body = loaded.text.encode("utf-8")
        inline: str | None = None
        if options.minify and request.template_s3_uri is None:
            compact = _minified(loaded)
            size = len(compact.encode("utf-8")) if compact is not None else None
            if compact is None or size is None:
                notes.append("the template has no compact JSON rendering (it did not parse): not minified")
            elif size >= len(body):
                notes.append(f"compact JSON ({size:,} bytes) is no smaller than the template: not minified")
            elif size <= limit:
                inline = minified_body = compact
                notes.append(f"minified to compact JSON: {size:,} bytes, {len(body) - size:,} bytes saved")
            else:
                notes.append(f"compact JSON is still {size:,} bytes, over {limit:,}: uploading the template instead")
        if inline is None and len(body) <= limit and request.template_s3_uri is None:
            inline = loaded.text
            notes.append(f"template sent inline as TemplateBody ({len(body):,} bytes of {limit:,})")
        if inline is not None:
            source = {"TemplateBody": inline}
        else:
            if request.template_s3_uri is not None:
                location = split_s3_uri(request.template_s3_uri)
                if location is None:
                    raise PlanError(f"TemplateS3Uri {request.template_s3_uri!r} is not of the form s3://bucket/key")
                bucket, key = location
            elif options.template_bucket:
                digest = hashlib.sha256(body).hexdigest()[:16]
                suffix = ".json" if loaded.file.endswith(".json") else ".yaml"
                bucket, key = options.template_bucket, f"{options.template_prefix}{request.name}/{digest}{suffix}"
            else:
                raise PlanError(
                    f"the template is {len(body):,} bytes, over the {limit:,} bytes TemplateBody takes: pass "
                    "--template-bucket BUCKET to upload it to S3 (or --minify if a compact rendering fits)"
                )
            upload = Upload(bucket, key, body)
            source = {"TemplateS3Uri": upload.uri}
            notes.append(f"template to be uploaded to {upload.uri} ({len(body):,} bytes) and sent as TemplateS3Uri")

    api_request: dict[str, object] = {request.name_key: request.name, **source}
    if request.delivery_bucket:
        api_request["DeliveryS3Bucket"] = request.delivery_bucket
    if request.delivery_prefix:
        api_request["DeliveryS3KeyPrefix"] = request.delivery_prefix
    if request.parameters:
        api_request["ConformancePackInputParameters"] = [
            {"ParameterName": p.name, "ParameterValue": p.value} for p in request.parameters
        ]
    if request.excluded_accounts:
        api_request["ExcludedAccounts"] = list(request.excluded_accounts)
    if request.tags:
        api_request["Tags"] = [{"Key": key, "Value": value} for key, value in request.tags]
    operation = ORGANIZATION_OPERATION if request.scope == "organization" else ACCOUNT_OPERATION
    return Plan(request.name, request.scope, operation, api_request, upload, tuple(notes), minified_body, in_s3)
