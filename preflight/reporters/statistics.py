"""`check --statistics`: how many findings each rule made, most first."""

from __future__ import annotations

import json
from collections import Counter

from preflight.model.findings import Report


def render_statistics(report: Report, output_format: str) -> str:
    names = {finding.rule: (finding.name, finding.severity.label) for finding in report.findings}
    counts = sorted(Counter(finding.rule for finding in report.findings).items(), key=lambda item: (-item[1], item[0]))
    if output_format == "json":
        rows = [{"rule": rule, "name": names[rule][0], "severity": names[rule][1], "count": count}
                for rule, count in counts]  # fmt: skip
        return json.dumps(rows, indent=2) + "\n"
    if not counts:
        return ""
    width = max(len(str(count)) for _, count in counts)
    rule_width = max(len(rule) for rule, _ in counts)
    return "".join(
        f"{count:>{width}}  {rule:<{rule_width}}  {names[rule][1]:<7}  {names[rule][0]}\n" for rule, count in counts
    )
