"""Where the human text of `deploy` and `status` goes: progress, plan prose, findings as text, hints.
On standard output, unless standard output carries the JSON document (`--format json`): then on
standard error. Error lines always go to standard error. Everything is escaped to be safe to print."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

import click

from preflight.model.findings import Report
from preflight.reporters.printable import printable


@dataclass(frozen=True)
class Console:
    to_stderr: bool = False
    colour: bool = False

    @property
    def stream(self) -> TextIO:
        return sys.stderr if self.to_stderr else sys.stdout

    @property
    def live(self) -> bool:
        """A terminal, where one progress line is redrawn."""
        return self.stream.isatty()

    def say(self, message: str) -> None:
        """Text that may quote input or AWS's replies, one escaped line at a time."""
        click.echo("\n".join(printable(line) for line in message.split("\n")), err=self.to_stderr)

    def error(self, message: str) -> None:
        click.echo(f"preflight: error: {printable(message)}", err=True)

    def findings(self, report: Report) -> None:
        if report.findings:
            from preflight.reporters.text import render_text

            click.echo(
                render_text(report, colour=self.colour, offer_fixes=False),
                nl=False,
                color=self.colour,
                err=self.to_stderr,
            )
