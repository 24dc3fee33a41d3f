"""boto3 clients with the standard credential chain, standard retries and bounded timeouts."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from preflight.aws.replies import structured_error_page

ATTEMPTS = 5
# What botocore takes for a Region name, less what it lets through (a trailing line break, which then
# ends up in a signed header and that header, credentials and all, in the error).
REGION_NAME = re.compile(r"[a-z0-9-]{1,64}")


class NotARegion(ValueError):
    """A Region name (from --region, a spec, the profile or AWS_REGION) that is no Region name."""


CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to: `endpoint_url` points every service at one local stand-in (moto)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


@dataclass(frozen=True)
class TemporaryCredentials:
    """What sts:AssumeRole answers: credentials that act in another account."""

    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    token: str = field(repr=False)


class Clients:
    """One boto3 session and its clients, created on first use. `attempts` bounds botocore's retries
    (1: a call that changes something is sent once); `read_timeout` how long one answer may take.
    The clients of a role assumed in another account (`assumed`) share the session, so AWS's service
    models are read once however many accounts are looked into; clients are made under a lock, as
    those accounts are looked into from several threads at once."""

    def __init__(
        self,
        target: AwsTarget,
        *,
        attempts: int = ATTEMPTS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        credentials: TemporaryCredentials | None = None,
        shared: tuple[boto3.session.Session, threading.Lock] | None = None,
    ):
        self.target = target
        self._attempts, self._read_timeout = attempts, read_timeout
        self._credentials = credentials
        if shared is not None:
            self._session, self._lock = shared
        else:
            self._session = boto3.session.Session(profile_name=target.profile, region_name=target.region)
            self._lock = threading.Lock()
            # A proxy's or gateway's plain-text or HTML error page is an AWS-style error: botocore retries
            # a 5xx one as it retries AWS's own, and its message is its status and first line, not raw HTML.
            self._session.events.register_first("before-parse", structured_error_page)
        region = self._session.region_name
        if region is not None and not REGION_NAME.fullmatch(str(region)):
            raise NotARegion(f"{str(region)!r} is no Region name (such as us-east-1): check --region or AWS_REGION")
        self._clients: dict[str, Any] = {}
        self._config = Config(
            retries={"mode": "standard", "total_max_attempts": attempts},
            connect_timeout=min(CONNECT_TIMEOUT_SECONDS, read_timeout),
            read_timeout=read_timeout,
            user_agent_extra="conformance-preflight",
        )

    def assumed(self, credentials: TemporaryCredentials) -> Clients:
        """Clients that act with `credentials` (a role assumed in another account), in this Region."""
        target = AwsTarget(None, self.region, self.target.endpoint_url)
        return Clients(
            target, attempts=self._attempts, read_timeout=self._read_timeout, credentials=credentials,
            shared=(self._session, self._lock),
        )  # fmt: skip

    def limited(self, attempts: int, read_timeout: float) -> Clients:
        """These clients' credentials and Region, with other bounds on retries and on waiting."""
        return Clients(
            self.target, attempts=attempts, read_timeout=read_timeout, credentials=self._credentials,
            shared=(self._session, self._lock),
        )  # fmt: skip

    def in_region(self, region: str) -> Clients:
        """Clients of the same credentials in another Region (a Lambda function's)."""
        if region == self.region:
            return self
        target = AwsTarget(self.target.profile, region, self.target.endpoint_url)
        return Clients(target, attempts=self._attempts, read_timeout=self._read_timeout)

    @property
    def region(self) -> str | None:
        region = self._session.region_name
        return str(region) if region else None

    def __call__(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                given = self._credentials
                keys = (
                    {"aws_access_key_id": given.access_key, "aws_secret_access_key": given.secret_key,
                     "aws_session_token": given.token}
                    if given is not None else {}
                )  # fmt: skip
                self._clients[service] = self._session.client(
                    service, endpoint_url=self.target.endpoint_url, config=self._config, **keys
                )
            return self._clients[service]


_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
# A request's signature quoted back in an error (an invalid header value): the access key id, the
# signature and a session token.
_SIGNED = re.compile(r"(?i)\b(Credential=|Signature=|X-Amz-Security-Token[=:]\s*)[^\s,;'\"]+")


def redact(text: str) -> str:
    """`text` without the user and password an endpoint URL may carry (`http://user:pass@host`), nor
    any part of a request's signature an error quotes."""
    return _SIGNED.sub(r"\1***", _URL_CREDENTIALS.sub(r"\1***@", text))
