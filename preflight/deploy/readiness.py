"""Each account a pack reaches, and whether the online pre-flight expects the pack to succeed there:
read from the findings that name accounts (the rules decide; this only sorts their verdicts by
account), for `deploy`'s table and its JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from preflight.model.facts import AwsFacts
from preflight.model.findings import Finding, Severity
from preflight.reporters.printable import printable

FAILS, AT_RISK, NOT_VERIFIED, READY = "fails", "at risk", "not verified", "ready"
NAME_WIDTH = 28


@dataclass(frozen=True)
class AccountReadiness:
    account: str
    name: str | None
    readiness: str  # FAILS, AT_RISK, NOT_VERIFIED or READY
    rules: tuple[str, ...] = ()  # the rules whose findings name the account, the worst first


def readiness(facts: AwsFacts | None, findings: Sequence[Finding]) -> tuple[AccountReadiness, ...] | None:
    """Every account the pack reaches, in the organization's order; None when that is not known. An
    error that names no account (the put itself is refused) fails every account; a check that could
    not run leaves the accounts it is about, or all of them when it names none, not verified."""
    if facts is None or facts.reached is None:
        return None
    verified = {member.account for member in facts.members or () if member.assumed and member.error is None}
    naming: dict[str, list[Finding]] = {}
    everywhere: list[Finding] = []
    for finding in findings:
        if not finding.accounts and (finding.severity is Severity.ERROR or finding.unverified):
            everywhere.append(finding)
        for account in finding.accounts:
            naming.setdefault(account, []).append(finding)
    # What applies to every account, once: one finding of each rule and kind stands for the others.
    shared = list({(f.rule, f.severity, f.unverified): f for f in everywhere}.values())
    rows = []
    for account, name in facts.reached:
        found = sorted((*naming.get(account, ()), *shared), key=lambda finding: (-finding.severity, finding.rule))
        problems = [finding for finding in found if not finding.unverified]
        worst = problems[0].severity if problems else None
        if worst is Severity.ERROR:
            verdict = FAILS
        elif worst is Severity.WARNING:
            verdict = AT_RISK
        elif account not in verified or len(problems) < len(found):
            verdict = NOT_VERIFIED
        else:
            verdict = READY
        rows.append(AccountReadiness(account, name, verdict, tuple(dict.fromkeys(f.rule for f in found))))
    return tuple(rows)


def readiness_table(pack: str, region: str | None, rows: Sequence[AccountReadiness]) -> str:
    """The accounts as a table, with a line saying how many are in each state."""
    states = (FAILS, AT_RISK, NOT_VERIFIED, READY)
    counts = {state: sum(1 for row in rows if row.readiness == state) for state in states}
    said = ", ".join(f"{count} {state}" for state, count in counts.items() if count)
    where = f" in {region}" if region else ""
    lines = [f"accounts {pack} reaches{where}: {said or 'none'}"]
    if not rows:
        return lines[0]
    names = [_short(printable(row.name or "")) for row in rows]
    width = max(len("name"), *(len(name) for name in names))
    lines.append(f"  {'account':<12}  {'name':<{width}}  {'readiness':<12}  findings")
    for row, name in zip(rows, names, strict=True):
        account = printable(row.account)
        lines.append(f"  {account:<12}  {name:<{width}}  {row.readiness:<12}  {', '.join(row.rules)}".rstrip())
    return "\n".join(lines)


def _short(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 3] + "..."
