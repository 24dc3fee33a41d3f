"""The JSON contract of DESIGN.md: stable keys, findings sorted by file, line, column, rule."""

from __future__ import annotations

import json
from collections.abc import Iterator

from preflight import __version__
from preflight.model.findings import Finding, Report
from preflight.reporters.printable import printable_path
from preflight.reporters.summary import severity_counts

FORMAT_VERSION = 1


def finding_to_dict(finding: Finding) -> dict[str, object]:
    """Positions are null for a finding about a command-line value; `origin` names the option."""
    placed = finding.origin is None
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.label,
        "file": printable_path(finding.file),
        "line": finding.span.line if placed else None,
        "column": finding.span.column if placed else None,
        "end_line": finding.span.end_line if placed else None,
        "end_column": finding.span.end_column if placed else None,
        "origin": None if placed else printable_path(finding.origin or ""),
        "path": list(finding.path),
        "message": printable_path(finding.message),
        "fix": None if finding.fix is None else printable_path(finding.fix),
        "edits": [
            {"line": e.span.line, "column": e.span.column, "end_line": e.span.end_line,
             "end_column": e.span.end_column, "text": printable_path(e.text)}
            for e in finding.edits
        ],
        "applicability": None if not finding.edits else "unsafe" if finding.unsafe else "safe",
        "accounts": list(finding.accounts),
    }  # fmt: skip


def render_json(report: Report) -> str:
    return "".join(json_chunks(report))


def json_chunks(report: Report) -> Iterator[str]:
    """The document a finding at a time, exactly as `json.dumps(document, indent=2)` writes it, so a
    report of many findings is never held twice in memory."""
    head = {
        "version": FORMAT_VERSION,
        "tool": {"name": "preflight", "version": __version__},
        "summary": {
            "files": report.files,
            "skipped": report.skipped,
            "without_template": report.without_template,
            **severity_counts(report.findings),
        },
    }
    text = json.dumps(head, indent=2, ensure_ascii=False)
    if not report.findings:
        yield text[:-2] + ',\n  "findings": []\n}\n'
        return
    yield text[:-2] + ',\n  "findings": [\n'
    last = len(report.findings) - 1
    for index, finding in enumerate(report.findings):
        yield _finding_text(finding_to_dict(finding)) + (",\n" if index < last else "\n")
    yield "  ]\n}\n"


def _finding_text(entry: dict[str, object]) -> str:
    """`json.dumps(entry, indent=2)` indented by four more spaces, for the flat entries of the contract,
    without the pure-Python encoder that `indent` otherwise needs."""
    lines = []
    for key, value in entry.items():
        if isinstance(value, list):
            items = ",\n".join(f"        {_scalar(item)}" for item in value)
            text = f"[\n{items}\n      ]" if value else "[]"
        else:
            text = _scalar(value)
        lines.append(f'      "{key}": {text}')
    return "    {\n" + ",\n".join(lines) + "\n    }"


_scalar = json.JSONEncoder(ensure_ascii=False).encode
