"""`--cfn-lint`: run cfn-lint itself in this process, one runner for every file, and report its
matches as `cfn-lint:<ID>` findings. Imported only when asked for: cfn-lint takes about a second to
load."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from preflight.model.findings import Finding, Severity, Span
from preflight.reporters.printable import printable

PREFIX = "cfn-lint:"
DEFAULT_REGION = "us-east-1"
# Resource-level keys of AWS's own console packs, which cfn-lint calls unknown (E3001).
PACK_RESOURCE_ATTRIBUTES = frozenset({"Controls", "Description"})
_SEVERITIES = {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.INFO}


class CfnLint:
    """cfn-lint's runners, one per Region, each made on first use and reused for every template.
    `progress`: name each file on standard error (a terminal) as cfn-lint starts on it."""

    def __init__(self, *, progress: bool = False) -> None:
        self._runners: dict[str, Any] = {}
        self._progress = progress

    def lint(self, text: str, file: str, region: str | None) -> list[Finding]:
        from cfnlint.decode.decode import decode_str

        if self._progress:
            shown = printable(file)[-60:]
            sys.stderr.write(f"\rcfn-lint: {shown:<60}")
            sys.stderr.flush()

        template, errors = decode_str(text)
        matches = errors if errors else list(self._runner(region or DEFAULT_REGION).validate_template(template))
        return [finding for match in matches if (finding := _to_finding(match, file)) is not None]

    def _runner(self, region: str) -> Any:
        if region not in self._runners:
            from cfnlint.config import ConfigMixIn
            from cfnlint.runner import Runner

            self._runners[region] = Runner(ConfigMixIn(regions=[region]))
        return self._runners[region]


@dataclass(frozen=True)
class CfnLintRule:
    id: str
    summary: str
    description: str
    url: str


def describe_rule(rule_id: str) -> CfnLintRule | None:
    """cfn-lint's own description of one of its rules (`E3005`), or None when it has no such rule."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    rules = Runner(ConfigMixIn([])).rules
    if rule_id not in rules:
        return None
    found = rules[rule_id]
    return CfnLintRule(rule_id, str(found.shortdesc), str(found.description), str(found.source_url or ""))


def _to_finding(match: object, file: str) -> Finding | None:
    rule_id = str(match.rule.id)  # type: ignore[attr-defined]
    path = tuple(getattr(match, "path", None) or ())
    if rule_id == "E3001" and len(path) == 3 and path[0] == "Resources" and path[2] in PACK_RESOURCE_ATTRIBUTES:
        return None
    span = Span(
        int(match.linenumber),  # type: ignore[attr-defined]
        int(match.columnnumber),  # type: ignore[attr-defined]
        int(match.linenumberend),  # type: ignore[attr-defined]
        int(match.columnnumberend),  # type: ignore[attr-defined]
    )
    name = str(getattr(match.rule, "shortdesc", "") or rule_id).lower().replace(" ", "-")  # type: ignore[attr-defined]
    return Finding(
        PREFIX + rule_id,
        name,
        _SEVERITIES.get(rule_id[:1], Severity.WARNING),
        file,
        span,
        tuple(part if isinstance(part, (str, int)) else str(part) for part in path),
        str(match.message),  # type: ignore[attr-defined]
    )
