"""`--cfn-lint`: run cfn-lint itself in this process, one runner for every file, and report its
matches as `cfn-lint:<ID>` findings. Imported only when asked for: cfn-lint takes about a second to
load."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from preflight.model.findings import Finding, Severity, Span

PREFIX = "cfn-lint:"
# cfn-lint rules that report what a CP rule already reports; the CP finding on the same line wins.
EQUIVALENT_RULES: dict[str, frozenset[str]] = {
    "E0000": frozenset({"CP001", "CP002", "CP003", "CP004", "CP005", "CP006", "CP007"}),
    "E1001": frozenset({"CP202"}),
    "E1012": frozenset({"CP301"}),
    "E1020": frozenset({"CP420"}),
    "W1030": frozenset({"CP420"}),
    "E1028": frozenset({"CP208"}),
    "E1019": frozenset({"CP301"}),
    "E3001": frozenset({"CP201", "CP420"}),
    "E3002": frozenset({"CP420"}),
    "E3003": frozenset({"CP420", "CP409"}),
    "E3006": frozenset({"CP201"}),
    "E3012": frozenset({"CP420", "CP206"}),
    "E3033": frozenset({"CP420"}),
    "W2001": frozenset({"CP305"}),
    "W8001": frozenset({"CP209"}),
    "E8002": frozenset({"CP208"}),
}
# Resource-level keys of AWS's own console packs, which cfn-lint calls unknown (E3001).
PACK_RESOURCE_ATTRIBUTES = frozenset({"Controls", "Description"})
_SEVERITIES = {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.INFO}


class CfnLint:
    """One cfn-lint runner, reused for every template."""

    def __init__(self, region: str | None) -> None:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        self._runner = Runner(ConfigMixIn(regions=[region or "us-east-1"]))

    def lint(self, text: str, file: str) -> list[Finding]:
        from cfnlint.decode.decode import decode_str

        template, errors = decode_str(text)
        matches = errors if errors else list(self._runner.validate_template(template))
        return [finding for match in matches if (finding := _to_finding(match, file)) is not None]


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


def without_duplicates(theirs: Iterable[Finding], ours: Sequence[Finding]) -> list[Finding]:
    """Drop cfn-lint findings that repeat a CP finding of an equivalent rule on the same line."""
    lines = {(finding.file, finding.span.line, finding.rule) for finding in ours}
    kept = []
    for finding in theirs:
        equivalents = EQUIVALENT_RULES.get(finding.rule[len(PREFIX) :], frozenset())
        if any((finding.file, finding.span.line, rule) in lines for rule in equivalents):
            continue
        kept.append(finding)
    return kept
