"""The JSON contract of DESIGN.md: stable keys, findings sorted by file, line, column, rule."""

from __future__ import annotations

import json

from preflight import __version__
from preflight.check import Report
from preflight.findings import Finding
from preflight.reporters.summary import severity_counts

FORMAT_VERSION = 1


def finding_to_dict(finding: Finding) -> dict[str, object]:
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.label,
        "file": finding.file,
        "line": finding.span.line,
        "column": finding.span.column,
        "end_line": finding.span.end_line,
        "end_column": finding.span.end_column,
        "path": list(finding.path),
        "message": finding.message,
        "fix": finding.fix,
    }


def render_json(report: Report) -> str:
    document = {
        "version": FORMAT_VERSION,
        "tool": {"name": "preflight", "version": __version__},
        "summary": {"files": report.files, **severity_counts(report.findings)},
        "findings": [finding_to_dict(finding) for finding in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
