"""One finding per line, `file:line:col: severity: [ID] message`, for editors and problem matchers."""

from __future__ import annotations

from preflight.check import Report


def render_parseable(report: Report) -> str:
    return "".join(
        f"{f.file}:{f.span.line}:{f.span.column}: {f.severity.label}: [{f.rule}] {f.message.replace(chr(10), ' ')}\n"
        for f in report.findings
    )
