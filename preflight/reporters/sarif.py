"""SARIF 2.1.0, as GitHub code scanning and other SARIF consumers read it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from urllib.parse import quote

from preflight import __version__
from preflight.check import Report
from preflight.findings import Finding, Severity
from preflight.reporters.locations import relative_path
from preflight.rule import Rule

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
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def render_sarif(report: Report, rules: Sequence[Rule]) -> str:
    descriptors = [_rule_descriptor(rule) for rule in rules]
    index = {str(descriptor["id"]): position for position, descriptor in enumerate(descriptors)}
    results = []
    for finding in report.findings:
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_external_descriptor(finding))
        relative = relative_path(finding.file)
        span = finding.span
        region = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": max(span.end_line, span.line),
            "endColumn": span.end_column
            if (span.end_line, span.end_column) > (span.line, span.column)
            else span.column + 1,
        }
        message = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": index[finding.rule],
                "level": LEVELS[finding.severity],
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": quote(relative), "uriBaseId": "%SRCROOT%"},
                            "region": region,
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT: fingerprint(finding, relative)},
            }
        )
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
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
