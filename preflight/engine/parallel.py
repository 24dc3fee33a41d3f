"""A function over many items in forked processes, this one included, with results in item order.

Forking shares everything already loaded (rules, catalog, configuration) without pickling it, and
this process works through its own share instead of waiting. Only results travel back, pickled
through a pipe. A worker that dies (or cannot be started) loses nothing: this process redoes its
share. Where the platform cannot fork, everything runs here.

Not concurrent.futures: its pool pickles the function it runs, and the functions here are closures
over the run's rules and settings; its import alone costs a folder check 12 ms
(python bench/library_copies.py, medians of 15 whole runs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def share_out(weights: Sequence[int], workers: int) -> list[list[int]]:
    """Item indices per worker: heaviest first, each to the least loaded worker, so the slowest share
    is as short as it can be; each share in item order."""
    loads = [0] * workers
    shares: list[list[int]] = [[] for _ in range(workers)]
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += max(1, weights[index])
    return [sorted(share) for share in shares if share]


def fork_map(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int, weights: Sequence[int]
) -> list[Result]:
    """`[function(item) for item in items]`, computed in up to `workers` processes. When items fail,
    the error of the first failing item is raised, as in the serial loop."""
    if workers <= 1 or len(items) <= 1 or not hasattr(os, "fork"):
        return [function(item) for item in items]
    shares = share_out(weights, min(workers, len(items)))
    children: list[tuple[int, int, list[int]]] = []
    reaped: set[int] = set()
    outcomes: dict[int, tuple[bool, Any]] = {}
    try:
        for share in shares[1:]:
            started = _start_worker(function, items, share)
            if started is None:
                shares[0].extend(share)  # no process for it: done here
            else:
                children.append((*started, share))
        for index in shares[0]:
            outcomes[index] = _attempt(function, items[index])
        for pid, read_end, share in children:
            received = _collect(pid, read_end)
            reaped.add(pid)
            for index in share:
                outcomes[index] = (True, received[index]) if index in received else _attempt(function, items[index])
    finally:
        for pid, read_end, _ in children:
            os.close(read_end)
            if pid not in reaped:  # only after an error or an interrupt here: stop the rest
                _stop(pid)
    for index in range(len(items)):
        succeeded, outcome = outcomes[index]
        if not succeeded:
            raise outcome
    return [outcomes[index][1] for index in range(len(items))]


def _attempt(function: Callable[[Item], Result], item: Item) -> tuple[bool, Any]:
    try:
        return True, function(item)
    except Exception as error:
        return False, error


def _start_worker(
    function: Callable[[Item], Result], items: Sequence[Item], share: list[int]
) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:  # at the process limit, say
        os.close(read_end)
        os.close(write_end)
        return None
    if pid:
        os.close(write_end)
        return pid, read_end
    import pickle  # here, not at the top: a single-file run never forks

    code = 1
    try:  # the worker: compute, send, and leave without running this process's exit handlers
        os.close(read_end)
        payload = pickle.dumps({index: function(items[index]) for index in share}, pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as stream:
            stream.write(payload)
        code = 0
    finally:
        os._exit(code)


def _stop(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass


def _collect(pid: int, read_end: int) -> dict[int, Any]:
    """The worker's results, once it has ended (and been reaped); empty when it failed, and its
    items are then redone by the caller. The caller closes `read_end`."""
    import pickle

    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return {}
    try:
        received = pickle.loads(b"".join(chunks))
    except Exception:
        return {}
    return received if isinstance(received, dict) else {}
