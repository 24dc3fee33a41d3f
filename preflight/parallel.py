"""A function over many items in forked processes, this one included, with results in item order.

Forking shares everything already loaded (rules, catalog, configuration) without pickling it, and
this process works through its own share instead of waiting. Only results travel back, pickled
through a pipe. A worker that dies (or cannot be started) loses nothing: this process redoes its
share. Where the platform cannot fork, everything runs here.
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
    """`[function(item) for item in items]`, computed in up to `workers` processes."""
    if workers <= 1 or len(items) <= 1 or not hasattr(os, "fork"):
        return [function(item) for item in items]
    shares = share_out(weights, min(workers, len(items)))
    children: list[tuple[int, int, list[int]]] = []
    for share in shares[1:]:
        started = _start_worker(function, items, share)
        if started is None:
            shares[0].extend(share)  # no process for it: done here
        else:
            children.append((*started, share))
    try:
        results: dict[int, Result] = {index: function(items[index]) for index in shares[0]}
        while children:
            pid, read_end, share = children.pop(0)
            received = _collect(pid, read_end)
            for index in share:
                results[index] = received[index] if index in received else function(items[index])
    finally:
        for pid, read_end, _ in children:  # only after an error here: stop the rest
            _abandon(pid, read_end)
    return [results[index] for index in range(len(items))]


def _start_worker(
    function: Callable[[Item], Result], items: Sequence[Item], share: list[int]
) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
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


def _abandon(pid: int, read_end: int) -> None:
    import signal

    os.close(read_end)
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass


def _collect(pid: int, read_end: int) -> dict[int, Any]:
    """The worker's results; empty when it failed (its items are then redone by the caller)."""
    import pickle

    with os.fdopen(read_end, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return {}
    try:
        received = pickle.loads(payload)
    except Exception:
        return {}
    return received if isinstance(received, dict) else {}
