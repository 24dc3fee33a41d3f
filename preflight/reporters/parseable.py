"""One finding per line, `file:line:col: severity: [ID] message`, for editors and problem matchers.
File names and messages have their control characters escaped, so no input can forge a line."""

from __future__ import annotations

from preflight.model.findings import Report
from preflight.reporters.printable import printable
from preflight.reporters.text import location


def render_parseable(report: Report) -> str:
    return "".join(f"{location(f)}: {f.severity.label}: [{f.rule}] {printable(f.message)}\n" for f in report.findings)
