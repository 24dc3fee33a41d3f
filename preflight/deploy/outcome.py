"""What `deploy` and `status` did, as data: each pack's plan, what happened to it and its rollout, for
the exit code and the JSON document."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.model.findings import Finding
from preflight.model.plan import ACCOUNT_OPERATION, ORGANIZATION_OPERATION, Plan

if TYPE_CHECKING:
    from preflight.aws.watch import Snapshot
    from preflight.deploy.readiness import AccountReadiness

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Result(enum.StrEnum):
    PLANNED = "planned"  # a dry run: nothing uploaded or put
    REFUSED = "refused"  # an error among the findings stopped every pack before any change
    SKIPPED = "skipped"  # an earlier pack failed, so this one was not put
    FAILED = "failed"  # the template could not be read, or the upload, the put or the rollout failed
    PUT = "put"  # AWS accepted the put; the rollout was not followed (--no-wait)
    SUCCEEDED = "succeeded"  # every account succeeded
    TIMED_OUT = "timed-out"  # the rollout had not finished when --timeout passed
    UNFOLLOWED = "unfollowed"  # following the rollout stopped (a status call failed, or interrupted)
    UNKNOWN = "unknown"  # the put's answer was lost, and its status could not tell whether AWS took it

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self in (Result.PLANNED, Result.PUT, Result.SUCCEEDED) else EXIT_FAILED


@dataclass(frozen=True)
class PackOutcome:
    name: str
    scope: str
    result: Result
    plan: Plan | None = None
    template_checked: bool = True  # False: not linted (only in S3 under --offline, or the run stopped first)
    error: str | None = None  # the error line printed for this pack
    rollout: Snapshot | None = None  # the last status read
    # Each account the pack reaches as the online pre-flight judged it; None when it did not run.
    accounts: tuple[AccountReadiness, ...] | None = None

    @property
    def operation(self) -> str:
        if self.plan is not None:
            return self.plan.operation
        return ORGANIZATION_OPERATION if self.scope == "organization" else ACCOUNT_OPERATION


@dataclass(frozen=True)
class DeployOutcome:
    """`code` 2 (the run could not be tried) has no packs: its one line was printed."""

    code: int
    packs: tuple[PackOutcome, ...] = ()
    findings: tuple[Finding, ...] = ()
    files: int = 0
    dry_run: bool = False
    online_checked: bool = False
