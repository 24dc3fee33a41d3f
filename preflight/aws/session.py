"""boto3 clients with the standard credential chain, standard retries and bounded timeouts."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

ATTEMPTS = 5
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to: `endpoint_url` points every service at one local stand-in (moto)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


class Clients:
    """One boto3 session and its clients, created on first use. `attempts` bounds botocore's retries
    (1: a call that changes something is sent once); `read_timeout` how long one answer may take."""

    def __init__(self, target: AwsTarget, *, attempts: int = ATTEMPTS, read_timeout: float = READ_TIMEOUT_SECONDS):
        self.target = target
        self._session = boto3.session.Session(profile_name=target.profile, region_name=target.region)
        # A proxy's or gateway's plain-text or HTML 5xx page is an AWS-style error, so botocore retries it
        # as it retries AWS's own 5xx answers, and reports its first line instead of raw HTML.
        self._session.events.register_first("before-parse", _structured_error_page)
        self._clients: dict[str, Any] = {}
        self._config = Config(
            retries={"mode": "standard", "total_max_attempts": attempts},
            connect_timeout=min(CONNECT_TIMEOUT_SECONDS, read_timeout),
            read_timeout=read_timeout,
            user_agent_extra="conformance-preflight",
        )

    @property
    def region(self) -> str | None:
        region = self._session.region_name
        return str(region) if region else None

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self.target.endpoint_url, config=self._config
            )
        return self._clients[service]


_STATUS_CODES = {500: "InternalFailure", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}
_TAG = re.compile(r"<[^>]*>")


def first_meaningful_line(page: str) -> str:
    """The title or first line of text of an error page, without its markup, at most 200 characters."""
    title = re.search(r"<title[^>]*>(.*?)</title>", page, re.IGNORECASE | re.DOTALL)
    text = title.group(1) if title else _TAG.sub(" ", page)
    for line in html.unescape(text).splitlines():
        line = " ".join(line.split())
        if line:
            return line[:200]
    return ""


def _structured_error_page(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
    status = int(response_dict.get("status_code") or 0)
    body = response_dict.get("body") or b""
    if status < 500 or not isinstance(body, bytes):
        return
    protocol = operation_model.service_model.resolved_protocol
    stripped = body.lstrip()
    if protocol in ("json", "rest-json"):
        if stripped.startswith(b"{"):
            return
    elif stripped.startswith(b"<?xml") or (stripped.startswith(b"<") and b"<Code>" in stripped[:4096]):
        return
    if protocol == "smithy-rpc-v2-cbor":
        return
    code = _STATUS_CODES.get(status, f"HTTP{status}")
    message = first_meaningful_line(body[:65536].decode("utf-8", "replace")) or f"HTTP {status}"
    if protocol in ("json", "rest-json"):
        response_dict["body"] = json.dumps({"__type": code, "message": message}).encode()
    else:
        escaped = html.escape(message)
        response_dict["body"] = (
            f"<ErrorResponse><Error><Code>{code}</Code><Message>{escaped}</Message></Error></ErrorResponse>"
            if protocol in ("query", "ec2")
            else f"<Error><Code>{code}</Code><Message>{escaped}</Message></Error>"
        ).encode()


_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def redact(text: str) -> str:
    """`text` without the user and password an endpoint URL may carry (`http://user:pass@host`)."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)
