"""The `preflight` command's entry point, apart from the CLI so the process is set up before the
CLI's imports run."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import NoReturn


def run() -> NoReturn:
    """Load the CLI, then run it."""
    load_cli()()


def load_cli() -> Callable[[], NoReturn]:
    """Import the CLI with the cyclic garbage collector paused; return its entry point.

    Loading creates tens of thousands of objects (modules, functions, classes) and no garbage, yet
    the collector would scan them over and over while they are created and on every later full
    collection. It is paused while they load, and what they made is frozen out of later scans; the
    checks themselves run with the collector on.
    """
    gc.disable()
    try:
        from preflight.cli.main import run as run_cli
    finally:
        gc.freeze()
        gc.enable()
    return run_cli
