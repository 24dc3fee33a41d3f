"""JUnit XML: one test suite per file, one failing test case per finding (GitLab, Jenkins, Azure)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict

from preflight.check import Report
from preflight.findings import Finding, Severity
from preflight.reporters.locations import relative_path


def render_junit(report: Report) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_file[relative_path(finding.file)].append(finding)
    for file in report.checked_files:
        by_file.setdefault(relative_path(file), [])
    root = ElementTree.Element("testsuites", name="preflight", tests=str(max(len(report.findings), 1)))
    root.set("failures", str(sum(1 for f in report.findings if f.severity >= Severity.WARNING)))
    for file in sorted(by_file):
        findings = by_file[file]
        failures = [f for f in findings if f.severity >= Severity.WARNING]
        suite = ElementTree.SubElement(
            root, "testsuite", name=file, tests=str(max(len(findings), 1)), failures=str(len(failures)), errors="0"
        )
        if not findings:
            ElementTree.SubElement(suite, "testcase", name="no findings", classname=file, file=file)
        for finding in findings:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=f"{finding.rule} {finding.name} at {finding.span.line}:{finding.span.column}",
                classname=file,
                file=file,
                line=str(finding.span.line),
            )
            text = f"{file}:{finding.span.line}:{finding.span.column}: {finding.message}"
            if finding.fix:
                text += f"\nfix: {finding.fix}"
            if finding.severity >= Severity.WARNING:
                failure = ElementTree.SubElement(
                    case, "failure", message=finding.message, type=f"{finding.severity.label} {finding.rule}"
                )
                failure.text = text
            else:
                ElementTree.SubElement(case, "system-out").text = text
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
