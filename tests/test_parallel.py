from __future__ import annotations

import os
import subprocess
import sys

import pytest

from preflight.engine.parallel import fork_map, share_out

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="the platform cannot fork")


def test_shares_balance_heaviest_first_and_keep_item_order() -> None:
    assert share_out([5, 1, 1, 1, 1, 1], 2) == [[0], [1, 2, 3, 4, 5]]
    assert share_out([3, 3, 2, 2, 2], 2) == [[0, 2, 4], [1, 3]]
    assert share_out([0, 0, 0], 2) == [[0, 2], [1]]  # empty files still count as work
    assert share_out([7], 4) == [[0]]


@needs_fork
def test_results_come_back_in_item_order_from_every_process() -> None:
    parent = os.getpid()
    results = fork_map(lambda item: (item * item, os.getpid() == parent), list(range(20)), 3, [1] * 20)
    assert [value for value, _ in results] == [item * item for item in range(20)]
    assert {here for _, here in results} == {True, False}  # this process and workers both did some


@needs_fork
def test_a_worker_that_dies_loses_nothing() -> None:
    parent = os.getpid()

    def square_or_die(item: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # every worker dies before sending anything
        return item * item

    assert fork_map(square_or_die, list(range(10)), 4, list(range(10))) == [item * item for item in range(10)]


@needs_fork
def test_the_first_failing_item_decides_the_error_as_in_a_serial_run() -> None:
    def fail_on_three_and_four(item: int) -> int:
        if item in (3, 4):
            raise ValueError(f"item {item}")
        return item

    assert share_out([1] * 6, 2) == [[0, 2, 4], [1, 3, 5]]  # 4 is done here, 3 in the worker
    with pytest.raises(ValueError, match="item 3"):
        fork_map(fail_on_three_and_four, list(range(6)), 2, [1] * 6)


@needs_fork
def test_an_error_in_a_worker_is_raised_here_as_in_a_serial_run() -> None:
    def fail_on_seven(item: int) -> int:
        if item == 7:
            raise ValueError("seven")
        return item

    with pytest.raises(ValueError, match="seven"):
        fork_map(fail_on_seven, list(range(10)), 2, [1] * 10)


def test_one_worker_or_one_item_runs_here() -> None:
    parent = os.getpid()
    assert fork_map(lambda item: os.getpid() == parent, [1, 2, 3], 1, [1, 1, 1]) == [True, True, True]
    assert fork_map(lambda item: os.getpid() == parent, [1], 8, [1]) == [True]


# Each script runs in a fresh interpreter: there, any child process left behind is one of fork_map's.
NO_WORKER_LEFT = """
try:
    os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    print("no worker left")
"""

STOPS_WORKERS = """
import os
from preflight.engine.parallel import fork_map

parent = os.getpid()

def fail_here(item):
    if os.getpid() == parent:
        raise ValueError("here")
    return item

try:
    fork_map(fail_here, list(range(6)), 3, [1] * 6)
except ValueError:
    pass
"""


# An interrupt while this process waits for a worker's results.
INTERRUPTED_WHILE_COLLECTING = """
import os, signal, time
from preflight.engine.parallel import fork_map

parent = os.getpid()

def slow_in_workers(item):
    if os.getpid() != parent:
        time.sleep(30)
    return item

def interrupt(signum, frame):
    raise KeyboardInterrupt

signal.signal(signal.SIGALRM, interrupt)
signal.setitimer(signal.ITIMER_REAL, 0.5)
try:
    fork_map(slow_in_workers, list(range(4)), 2, [1] * 4)
except KeyboardInterrupt:
    pass
"""


@needs_fork
@pytest.mark.parametrize("script", [STOPS_WORKERS, INTERRUPTED_WHILE_COLLECTING], ids=["error", "interrupt"])
def test_an_error_or_interrupt_here_stops_the_workers(script: str) -> None:
    result = subprocess.run([sys.executable, "-c", script + NO_WORKER_LEFT], capture_output=True, text=True, timeout=60)
    assert (result.stdout, result.stderr) == ("no worker left\n", "")
