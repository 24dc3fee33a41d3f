"""Counts shared by the reporters."""

from __future__ import annotations

from collections.abc import Iterable

from preflight.model.findings import Finding, Severity


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {severity.label: 0 for severity in sorted(Severity, reverse=True)}
    for finding in findings:
        counts[finding.severity.label] += 1
    return counts
