"""GitHub Actions workflow commands: annotations on the pull request's lines."""

from __future__ import annotations

from preflight.model.findings import Report, Severity
from preflight.reporters.locations import relative_paths
from preflight.reporters.printable import printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    lines = []
    relative = relative_paths(finding.file for finding in report.findings)
    for finding in report.findings:
        span = finding.span
        place: tuple[tuple[str, object], ...] = (
            ("line", span.line),
            ("col", span.column),
            ("endLine", max(span.end_line, span.line)),
            ("endColumn", span.end_column),
        )
        properties = ",".join(
            f"{key}={_property(str(value))}"
            for key, value in (
                ("file", printable(relative[finding.file])),
                *(place if finding.origin is None else ()),  # a command-line value: no line to mark
                ("title", f"{finding.rule} {finding.name}"),
            )
        )
        message = (f"{finding.origin}: " if finding.origin else "") + finding.message
        message += f" (fix: {finding.fix})" if finding.fix else ""
        lines.append(f"::{COMMANDS[finding.severity]} {properties}::{_data(printable(message))}")
    return "".join(line + "\n" for line in lines)
