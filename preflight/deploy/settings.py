"""How `deploy` and `status` run: the options of the AWS steps, and the clients they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from preflight.deploy.console import Console

if TYPE_CHECKING:
    from preflight.aws.session import Clients


@dataclass(frozen=True)
class DeploySettings:
    template_bucket: str | None = None
    template_prefix: str = "preflight/"
    minify: bool = False
    dry_run: bool = False
    offline: bool = False  # with dry_run: no AWS call at all (no online pre-flight, no template fetched)
    wait: bool = True
    timeout: float = 3600
    poll_interval: float = 15
    busy_timeout: float = 600
    profile: str | None = None
    endpoint_url: str | None = None
    member_role: str | None = None  # the role the online pre-flight assumes in each member account
    console: Console = field(default_factory=Console)
    raise_rule_errors: bool = False


def clients(settings: DeploySettings, region: str | None, *, attempts: int | None = None) -> Clients:
    from preflight.aws.session import ATTEMPTS, READ_TIMEOUT_SECONDS, AwsTarget, Clients

    # One answer never takes longer than the whole rollout may.
    read_timeout = min(READ_TIMEOUT_SECONDS, settings.timeout) if settings.timeout > 0 else READ_TIMEOUT_SECONDS
    target = AwsTarget(settings.profile, region, settings.endpoint_url)
    return Clients(target, attempts=attempts or ATTEMPTS, read_timeout=read_timeout)
