"""The `preflight` command's entry point, apart from the CLI so the process is set up before the
CLI's imports run."""

from __future__ import annotations

# typing.TYPE_CHECKING, as type checkers read it, without importing typing (a large module) before
# the collector is paused below.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn


def run() -> NoReturn:
    """Load the CLI, then run it."""
    load_cli()()


def load_cli() -> Callable[[], NoReturn]:
    """Import the CLI with the cyclic garbage collector paused (see preflight.cli.loading); return
    its entry point."""
    from preflight.cli.loading import collector_paused

    with collector_paused():
        from preflight.cli.main import run as run_cli
    return run_cli
