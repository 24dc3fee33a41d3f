"""Carry out a plan: upload (verified), then put, waiting out a busy pack for a bounded time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from preflight.aws.errors import error_code
from preflight.aws.plan import Plan
from preflight.aws.session import Clients


class DeployError(Exception):
    """A step failed; one line for the user."""


@dataclass(frozen=True)
class Timing:
    poll_interval: float = 15.0
    busy_timeout: float = 600.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def upload(clients: Clients, plan: Plan) -> None:
    if plan.upload is None:
        return
    s3 = clients("s3")
    s3.put_object(Bucket=plan.upload.bucket, Key=plan.upload.key, Body=plan.upload.body)
    stored = s3.head_object(Bucket=plan.upload.bucket, Key=plan.upload.key)
    size = int(stored.get("ContentLength", -1))
    if size != len(plan.upload.body):
        raise DeployError(f"{plan.upload.uri} holds {size:,} bytes after the upload, not {len(plan.upload.body):,}")


def put(clients: Clients, plan: Plan, timing: Timing, say: Callable[[str], None]) -> None:
    """Put the pack; while AWS says ResourceInUseException, wait and try again until busy_timeout."""
    operation = getattr(clients("config"), plan.operation)
    started = timing.clock()
    while True:
        try:
            operation(**plan.request)
            return
        except ClientError as error:
            if error_code(error) != "ResourceInUseException":
                raise
            waited = timing.clock() - started
            if waited >= timing.busy_timeout:
                raise
            say(f"pack {plan.name} is busy (an earlier operation is running); retrying in {timing.poll_interval:g}s")
            timing.sleep(timing.poll_interval)
