"""Carry out a plan: upload (verified by reading it back), confirm that the template in S3 is still the
one that was checked, then put, sent once; a busy pack is waited out for a bounded time."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from preflight.aws.errors import describe_error, error_code, refuse_credentials
from preflight.aws.replies import reply_text
from preflight.aws.session import Clients
from preflight.knowledge.s3_names import split_s3_uri
from preflight.model.limits import API_LIMITS
from preflight.model.plan import Plan, StoredTemplate


class DeployError(Exception):
    """A step failed; one line for the user."""


class AnswerLost(Exception):
    """The put was sent and its answer never arrived: AWS may or may not have accepted it."""


@dataclass(frozen=True)
class Timing:
    poll_interval: float = 15.0
    busy_timeout: float = 600.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class Fetched:
    """A template read from S3: at most the S3 limit plus one byte of it, its full size and ETag."""

    uri: str
    body: bytes
    size: int
    etag: str


def fetch_template(clients: Clients, uri: str) -> Fetched:
    """The template object at `uri`, read once and bounded by the S3 template limit."""
    location = split_s3_uri(uri)
    if location is None or not all(location):
        raise DeployError(f"TemplateS3Uri {uri!r} is not of the form s3://bucket/key")
    bucket, key = location
    limit = API_LIMITS.s3_template_max_bytes
    try:
        answer = clients("s3").get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{limit}")
    except ClientError as error:
        refuse_credentials(error)
        if error_code(error) in ("NoSuchKey", "404", "NoSuchBucket"):
            raise DeployError(f"{uri} does not exist") from None
        raise
    body = answer["Body"].read(limit + 1)
    total = str(answer.get("ContentRange", "")).rpartition("/")[2]
    size = int(total) if total.isdigit() else len(body)
    return Fetched(uri, body, size, str(answer.get("ETag", "")))


def upload(clients: Clients, plan: Plan) -> StoredTemplate | None:
    """Upload the plan's body, then read it back: the object must hold exactly those bytes."""
    if plan.upload is None:
        return None
    s3 = clients("s3")
    body = plan.upload.body
    digest = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
    s3.put_object(Bucket=plan.upload.bucket, Key=plan.upload.key, Body=body, ContentMD5=digest)
    stored = s3.get_object(Bucket=plan.upload.bucket, Key=plan.upload.key)
    content = stored["Body"].read(len(body) + 1)
    if hashlib.sha256(content).digest() != hashlib.sha256(body).digest():
        raise DeployError(f"{plan.upload.uri} does not hold the uploaded template after the upload (checksum differs)")
    return StoredTemplate(plan.upload.uri, str(stored.get("ETag", "")))


def confirm_unchanged(clients: Clients, stored: StoredTemplate) -> None:
    """Right before the put: the object AWS will read is still the one that was checked."""
    bucket, key = split_s3_uri(stored.uri) or ("", "")
    try:
        now = clients("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        refuse_credentials(error)
        raise
    if str(now.get("ETag", "")) != stored.etag:
        raise DeployError(f"{stored.uri} changed after it was checked; nothing was put: deploy again")


def put(clients: Clients, plan: Plan, timing: Timing, say: Callable[[str], None]) -> None:
    """Put the pack, sent once (`clients` must not retry); while AWS says ResourceInUseException, wait
    and put again until busy_timeout. A put whose answer is lost raises AnswerLost."""
    operation = getattr(clients("config"), plan.operation)
    started = timing.clock()
    while True:
        try:
            operation(**plan.request)
            return
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if isinstance(status, int) and status >= 500:  # a server or a proxy failed: applied or not?
                raise AnswerLost(describe_error(error)) from error
            if error_code(error) != "ResourceInUseException":
                raise
            waited = timing.clock() - started
            if waited >= timing.busy_timeout:
                raise
            say(f"pack {plan.name} is busy (an earlier operation is running); retrying in {timing.poll_interval:g}s")
            timing.sleep(timing.poll_interval)
        except (EndpointConnectionError, ConnectTimeoutError):
            raise  # never reached AWS
        except Exception as error:  # a timeout or a closed connection after the request was sent
            raise AnswerLost(f"{type(error).__name__}: {reply_text(str(error))}") from error
