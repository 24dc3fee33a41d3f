"""Loading code without the cyclic garbage collector watching, for the entry point and the commands.

Loading modules creates tens of thousands of long-lived objects and no garbage, yet the collector
would scan them while they are created and on every later full collection: it is paused while they
load, and what they made is frozen out of later scans. The checks then run with it on, at a
threshold that suits a short process building large trees. Imports nothing heavy, so the entry
point can use it before anything else is loaded."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Collect the youngest generation after this many net allocations: the default (700) runs a
# collection every few hundred nodes of a template, and almost none of them are cycles.
YOUNG_THRESHOLD = 50_000


@contextmanager
def collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, 20, 20)
        if collecting:
            gc.enable()
