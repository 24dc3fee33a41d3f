"""Human output: `file:line:col: severity CPnnn name: message`, the source line with a caret, a summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from preflight.model.findings import Finding, Report
from preflight.reporters.printable import printable
from preflight.reporters.summary import severity_counts

Style = Callable[[str, str], str]

_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;34m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"


def _plain(text: str, _style: str) -> str:
    return text


def _ansi(text: str, style: str) -> str:
    return f"{_COLOURS[style]}{text}{_RESET}"


def _source_excerpt(finding: Finding, lines: Mapping[int, str], style: Style) -> list[str]:
    raw = lines.get(finding.span.line)
    if raw is None:
        return []
    raw = raw.rstrip("\r\n")
    if len(raw) > 200:
        return []
    column = max(finding.span.column, 1)
    end = column + 1
    if finding.span.end_line == finding.span.line and finding.span.end_column > column:
        end = min(finding.span.end_column, max(len(raw) + 1, column + 1))
    # Escaped characters take more room than they did: the caret moves with them.
    source = printable(raw)
    start = len(printable(raw[: column - 1])) + 1
    width = max(len(printable(raw[: end - 1])) + 1 - start, 1)
    gutter = f"{finding.span.line:>5} | "
    pointer = " " * (len(gutter) - 2) + "| " + " " * (start - 1) + "^" + "~" * (width - 1)
    return [style(gutter, "dim") + source, style(pointer, finding.severity.label)]


def render_text(report: Report, *, colour: bool = False) -> str:
    style: Style = _ansi if colour else _plain
    out: list[str] = []
    for finding in report.findings:
        where = style(f"{location(finding)}:", "bold")
        label = style(finding.severity.label, finding.severity.label)
        out.append(f"{where} {label} {finding.rule} {finding.name}: {printable(finding.message)}")
        out.extend(_source_excerpt(finding, report.lines.get(finding.file, {}), style))
        if finding.fix:
            out.append(f"      = fix: {printable(finding.fix)}")
    out.append(summary(report))
    return "\n".join(out) + "\n"


def location(finding: Finding) -> str:
    """`file:line:column`, or `file: option` for a finding about a command-line value."""
    if finding.origin is not None:
        return f"{printable(finding.file)}: {printable(finding.origin)}"
    return f"{printable(finding.file)}:{finding.span.line}:{finding.span.column}"


def summary(report: Report) -> str:
    counts = severity_counts(report.findings)
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    if not report.findings:
        return f"No problems found in {files}."
    parts = [
        f"{count} {label}{'s' if count != 1 and label != 'info' else ''}" for label, count in counts.items() if count
    ]
    return f"Found {', '.join(parts)} in {files}."
