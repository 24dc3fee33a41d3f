"""Following a rollout: what a terminal and a log see. The snapshots are plain data; the AWS side is
covered over the wire in test_deploy.py."""

from __future__ import annotations

import io

import botocore.session

from preflight.aws.errors import PUT_ERRORS
from preflight.aws.s3_templates import Timing
from preflight.aws.watch import AccountStatus, Snapshot, account_table, describe_outcome, watch

PROGRESS = [
    Snapshot("CREATE_IN_PROGRESS", (AccountStatus("111111111111", "CREATE_IN_PROGRESS"),
                                    AccountStatus("222222222222", "CREATE_IN_PROGRESS"))),
    Snapshot("CREATE_IN_PROGRESS", (AccountStatus("111111111111", "CREATE_SUCCESSFUL"),
                                    AccountStatus("222222222222", "CREATE_IN_PROGRESS"))),
    Snapshot("CREATE_IN_PROGRESS", (AccountStatus("111111111111", "CREATE_SUCCESSFUL"),
                                    AccountStatus("222222222222", "CREATE_IN_PROGRESS"))),
    # The pack status can stay IN_PROGRESS after every account has finished (delegated administrators).
    Snapshot("CREATE_IN_PROGRESS", (AccountStatus("111111111111", "CREATE_SUCCESSFUL"),
                                    AccountStatus("222222222222", "CREATE_FAILED", "InsufficientPermissionsException",
                                                  "The AWS Lambda function cannot be invoked."))),
]  # fmt: skip


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _run(live: bool, timeout: float = 600) -> tuple[Snapshot, bool, str]:
    shots = iter(PROGRESS)
    clock = _Clock()
    out = io.StringIO()
    shot, finished = watch(
        None,  # type: ignore[arg-type]
        "baseline",
        "organization",
        timeout=timeout,
        timing=Timing(poll_interval=15, sleep=clock.sleep, clock=clock),
        out=out,
        live=live,
        fetch=lambda _clients, _name, _scope: next(shots),
    )
    return shot, finished, out.getvalue()


def test_a_log_gets_a_line_whenever_the_counts_change() -> None:
    shot, finished, text = _run(live=False)
    assert finished and not shot.succeeded
    assert text.splitlines() == [
        "baseline: 0/2 accounts done, 0 failed (CREATE_IN_PROGRESS), 00:00 elapsed",
        "baseline: 1/2 accounts done, 0 failed (CREATE_IN_PROGRESS), 00:15 elapsed",
        "baseline: 2/2 accounts done, 1 failed (CREATE_IN_PROGRESS), 00:45 elapsed",
    ]


def test_a_terminal_gets_one_redrawn_progress_line() -> None:
    _shot, _finished, text = _run(live=True)
    assert text.count("\r\033[2K") == 4 and text.endswith("00:45 elapsed\n") and text.count("\n") == 1


def test_timeout_and_the_final_table() -> None:
    shot, finished, _text = _run(live=False, timeout=20)
    assert not finished
    assert describe_outcome(shot, finished, "baseline") == (
        "baseline: not finished before the timeout (1/2 accounts done, 0 failed (CREATE_IN_PROGRESS)); "
        "resume with: preflight status baseline"
    )
    assert account_table(PROGRESS[-1]).splitlines() == [
        "account       status             error",
        "111111111111  CREATE_SUCCESSFUL",
        "222222222222  CREATE_FAILED      InsufficientPermissionsException: The AWS Lambda function cannot be invoked.",
    ]


def test_every_exception_of_both_puts_has_a_sentence() -> None:
    model = botocore.session.get_session().get_service_model("config")
    for operation in ("PutOrganizationConformancePack", "PutConformancePack"):
        for error in model.operation_model(operation).error_shapes:
            assert error.name in PUT_ERRORS, f"{operation}: {error.name}"


def test_rows_from_before_an_update_are_not_taken_for_its_result() -> None:
    from datetime import UTC, datetime, timedelta

    put_at = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    old = AccountStatus("111111111111", "CREATE_SUCCESSFUL", updated=put_at - timedelta(hours=3))
    new = AccountStatus("111111111111", "UPDATE_SUCCESSFUL", updated=put_at + timedelta(minutes=4))
    assert not Snapshot("UPDATE_IN_PROGRESS", (old,), since=put_at).finished
    assert Snapshot("UPDATE_IN_PROGRESS", (new,), since=put_at).finished
    assert Snapshot("UPDATE_SUCCESSFUL", (old,), since=put_at).finished  # the pack status is final
    assert Snapshot("UPDATE_IN_PROGRESS", (old,)).finished  # only watching: no put time to compare
