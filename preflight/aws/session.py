"""boto3 clients with the standard credential chain, standard retries and bounded timeouts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

RETRIES = {"mode": "standard", "max_attempts": 5}
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class AwsTarget:
    """Where to talk to: `endpoint_url` points every service at one local stand-in (moto)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


class Clients:
    """One boto3 session and its clients, created on first use."""

    def __init__(self, target: AwsTarget) -> None:
        self.target = target
        self._session = boto3.session.Session(profile_name=target.profile, region_name=target.region)
        self._clients: dict[str, Any] = {}
        self._config = Config(
            retries=RETRIES,  # type: ignore[arg-type]
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
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
