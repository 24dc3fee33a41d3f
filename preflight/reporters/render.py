"""One entry point for every output format; each renderer is imported only when used."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, get_args

from preflight.model.findings import Report, Severity
from preflight.model.rule import Rule

OutputFormat = Literal["text", "json", "sarif", "junit", "github", "parseable"]
FORMATS: tuple[str, ...] = get_args(OutputFormat)


def render_chunks(
    output_format: str,
    report: Report,
    rules: Sequence[Rule],
    *,
    colour: bool = False,
    fail_level: Severity = Severity.ERROR,
    quiet: bool = False,
) -> Iterator[str]:
    """The report in pieces to write one after another: JSON a finding at a time, others whole.
    `quiet`: the findings only (text loses its summary line)."""
    if output_format == "json":
        from preflight.reporters.json_report import json_chunks

        return json_chunks(report)
    if output_format == "sarif":
        from preflight.reporters.sarif import sarif_chunks

        return sarif_chunks(report, rules)
    return iter((render(output_format, report, rules, colour=colour, fail_level=fail_level, quiet=quiet),))


def render(
    output_format: str,
    report: Report,
    rules: Sequence[Rule],
    *,
    colour: bool = False,
    fail_level: Severity = Severity.ERROR,
    quiet: bool = False,
) -> str:
    if output_format == "json":
        from preflight.reporters.json_report import render_json

        return render_json(report)
    if output_format == "sarif":
        from preflight.reporters.sarif import render_sarif

        return render_sarif(report, rules)
    if output_format == "junit":
        from preflight.reporters.junit import render_junit

        return render_junit(report, fail_level)
    if output_format == "github":
        from preflight.reporters.github import render_github

        return render_github(report)
    if output_format == "parseable":
        from preflight.reporters.parseable import render_parseable

        return render_parseable(report)
    from preflight.reporters.text import render_text

    return render_text(report, colour=colour, quiet=quiet)


def summary_line(report: Report) -> str:
    from preflight.reporters.text import summary

    return summary(report)
