"""SARIF 2.1.0, as GitHub code scanning and other SARIF consumers read it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

from preflight import __version__
from preflight.model.findings import Finding, Report, Severity
from preflight.model.rule import Rule
from preflight.reporters.locations import relative_paths
from preflight.reporters.printable import printable_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "preflight/v1"


def _rule_descriptor(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "fullDescription": {"text": rule.summary or rule.name},
        "help": {"text": rule.documentation, "markdown": rule.documentation},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.tags)},
    }


def _external_descriptor(finding: Finding) -> dict[str, object]:
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def fingerprint(finding: Finding, relative: str) -> str:
    """Stable across runs and across edits elsewhere in the file: no line numbers in it."""
    key = "\x00".join((finding.rule, relative, "/".join(str(part) for part in finding.path), finding.message))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _artifact(file: str, relative: str) -> dict[str, str]:
    """A path below the working directory is relative to %SRCROOT%; anything else is an absolute URI."""
    encoded = quote(relative.encode("utf-8", "surrogateescape"))
    if relative.startswith(("../", "/", "<")) or "#" in relative:
        if relative.startswith("<"):
            return {"uri": encoded}
        absolute = str(Path(file.split("#", 1)[0]).resolve()).encode("utf-8", "surrogateescape")
        return {"uri": "file://" + quote(absolute)}
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


def _fix(finding: Finding, artifact: dict[str, str]) -> dict[str, object]:
    """The finding's edits as SARIF replacements (1-based lines and columns, end exclusive)."""
    replacements = [
        {
            "deletedRegion": {"startLine": e.span.line, "startColumn": e.span.column, "endLine": e.span.end_line,
                              "endColumn": e.span.end_column},
            "insertedContent": {"text": printable_path(e.text)},
        }
        for e in finding.edits
    ]  # fmt: skip
    safety = "unsafe: applied by --unsafe-fixes" if finding.unsafe else "applied by --fix"
    description = f"{finding.fix or 'fix'} ({safety})"
    return {"description": {"text": printable_path(description)},
            "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}]}  # fmt: skip


def _unique(print_: str, seen: dict[str, int]) -> str:
    """Findings that look the same (a key repeated three times) still get fingerprints of their own."""
    count = seen.get(print_, 0)
    seen[print_] = count + 1
    return print_ if count == 0 else f"{print_}:{count}"


def render_sarif(report: Report, rules: Sequence[Rule]) -> str:
    return "".join(sarif_chunks(report, rules))


def sarif_chunks(report: Report, rules: Sequence[Rule]) -> Iterator[str]:
    """The document with its results one a line, so thousands of results are never held twice; the
    rest is indented as usual."""
    descriptors = [_rule_descriptor(rule) for rule in rules]
    index = {str(descriptor["id"]): position for position, descriptor in enumerate(descriptors)}
    for finding in report.findings:
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_external_descriptor(finding))
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "preflight",
                        "fullName": "conformance-preflight",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [],
            }
        ],
    }
    head, tail = json.dumps(document, indent=2, ensure_ascii=False).rsplit('"results": []', 1)
    if not report.findings:
        yield head + '"results": []' + tail + "\n"
        return
    yield head + '"results": [\n'
    relative = relative_paths(finding.file for finding in report.findings)
    artifacts = {file: _artifact(file, path) for file, path in relative.items()}
    seen: dict[str, int] = {}
    last = len(report.findings) - 1
    for position, finding in enumerate(report.findings):
        span = finding.span
        region = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": max(span.end_line, span.line),
            "endColumn": span.end_column
            if (span.end_line, span.end_column) > (span.line, span.column)
            else span.column + 1,
        }
        message = printable_path(
            (f"{finding.origin}: " if finding.origin else "")
            + finding.message
            + (f" (fix: {finding.fix})" if finding.fix else "")
        )
        location: dict[str, object] = {"artifactLocation": artifacts[finding.file]}
        if finding.origin is None:  # a command-line value has no region in the file
            location["region"] = region
        result = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.severity],
            "message": {"text": message},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {FINGERPRINT: _unique(fingerprint(finding, relative[finding.file]), seen)},
        }
        if finding.edits:
            result["fixes"] = [_fix(finding, artifacts[finding.file])]
        if finding.accounts:
            result["properties"] = {"accounts": [printable_path(account) for account in finding.accounts]}
        yield "        " + json.dumps(result, ensure_ascii=False) + (",\n" if position < last else "\n")
    yield "      ]" + tail + "\n"
