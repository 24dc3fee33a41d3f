"""JUnit XML: one test suite per file, one failing test case per finding (GitLab, Jenkins, Azure)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict

from preflight.model.findings import Finding, Report, Severity
from preflight.reporters.locations import relative_paths
from preflight.reporters.printable import printable_path

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """XML 1.0 cannot carry control characters or lone surrogates, even escaped."""
    return _NOT_XML.sub("\ufffd", text)


def render_junit(report: Report, fail_level: Severity = Severity.ERROR) -> str:
    """Findings at or above `fail_level` (as for the exit code) are failures; the rest are passing
    cases that carry their message."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    relative = relative_paths([*(finding.file for finding in report.findings), *report.checked_files])
    for finding in report.findings:
        by_file[printable_path(relative[finding.file])].append(finding)
    for file in report.checked_files:
        by_file.setdefault(printable_path(relative[file]), [])
    root = ElementTree.Element("testsuites", name="preflight")
    total_cases = total_failures = 0
    for file in sorted(by_file):
        findings = by_file[file]
        failures = [f for f in findings if f.severity >= fail_level]
        cases = max(len(findings), 1)
        total_cases, total_failures = total_cases + cases, total_failures + len(failures)
        name = _xml(file)
        suite = ElementTree.SubElement(
            root, "testsuite", name=name, tests=str(cases), failures=str(len(failures)), errors="0"
        )
        if not findings:
            ElementTree.SubElement(suite, "testcase", name="no findings", classname=name, file=name)
        for finding in findings:
            where = f"{finding.span.line}:{finding.span.column}" if finding.origin is None else _xml(finding.origin)
            case = ElementTree.SubElement(
                suite, "testcase", name=f"{finding.rule} {finding.name} at {where}", classname=name, file=name
            )
            if finding.origin is None:
                case.set("line", str(finding.span.line))
            text = f"{name}:{where}: {_xml(finding.message)}"
            if finding.fix:
                text += f"\nfix: {_xml(finding.fix)}"
            if finding.severity >= fail_level:
                failure = ElementTree.SubElement(
                    case, "failure", message=_xml(finding.message), type=f"{finding.severity.label} {finding.rule}"
                )
                failure.text = text
            else:
                ElementTree.SubElement(case, "system-out").text = text
    root.set("tests", str(total_cases))
    root.set("failures", str(total_failures))
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
