"""What every command prints the same way, and how it ends."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from preflight.reporters.printable import printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> NoReturn:
    """Input the user must fix: one escaped line on standard error, exit 2."""
    click.echo(f"preflight: error: {printable(message)}", err=True)
    sys.exit(EXIT_USAGE)
