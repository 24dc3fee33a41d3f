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


def render_text(report: Report, *, colour: bool = False, quiet: bool = False, offer_fixes: bool = True) -> str:
    style: Style = _ansi if colour else _plain
    out: list[str] = []
    for finding in report.findings:
        where = style(f"{location(finding)}:", "bold")
        label = style(finding.severity.label, finding.severity.label)
        out.append(f"{where} {label} {finding.rule} {finding.name}: {printable(finding.message)}")
        out.extend(_source_excerpt(finding, report.lines.get(finding.file, {}), style))
        if finding.fix:
            out.append(f"      = fix: {printable(finding.fix)}")
    if not quiet:
        out.append(summary(report))
        fixable = fixable_line(report) if offer_fixes else ""
        if fixable:
            out.append(fixable)
    return "".join(line + "\n" for line in out)


def location(finding: Finding) -> str:
    """`file:line:column`, or `file: option` for a finding about a command-line value."""
    if finding.origin is not None:
        return f"{printable(finding.file)}: {printable(finding.origin)}"
    return f"{printable(finding.file)}:{finding.span.line}:{finding.span.column}"


def summary(report: Report) -> str:
    """`Found 1 error in 2 files; 8 other files skipped (not conformance packs; --show-files lists them).`
    Packs checked without a template (it is in S3) are counted as requests, so no file is claimed that
    was not read."""
    checked = _count(report.files, "file")
    if report.without_template:
        requests = _count(report.without_template, "request")
        checked = f"{checked} and {requests}" if report.files else requests
        checked += (
            " (templates in S3 not read)" if report.without_template > 1 else " (its template is in S3, not read)"
        )
    skipped = (
        f"; {_count(report.skipped, 'other file')} skipped (not conformance packs; --show-files lists them)"
        if report.skipped
        else ""
    )
    if not report.files and not report.without_template:
        return f"No conformance packs found{skipped}."
    if not report.findings:
        return f"No problems found in {checked}{skipped}."
    counts = severity_counts(report.findings)
    parts = [
        f"{count} {label}{'s' if count != 1 and label != 'info' else ''}" for label, count in counts.items() if count
    ]
    return f"Found {', '.join(parts)} in {checked}{skipped}."


def fixable_line(report: Report) -> str:
    """`2 fixable with --fix (1 more with --unsafe-fixes).`, or nothing."""
    safe = sum(1 for finding in report.findings if finding.edits and not finding.unsafe)
    unsafe = sum(1 for finding in report.findings if finding.edits and finding.unsafe)
    if not safe and not unsafe:
        return ""
    more = f" ({unsafe} more with --unsafe-fixes)" if unsafe and safe else ""
    if not safe:
        return f"{unsafe} fixable with --fix --unsafe-fixes."
    return f"{safe} fixable with --fix{more}."


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' if number != 1 else ''}"
