"""deploy's accounts table: how findings become each account's readiness, and the table as printed."""

from __future__ import annotations

from preflight.deploy.readiness import AccountReadiness, readiness, readiness_table
from preflight.model.facts import AwsFacts, MemberAccount
from preflight.model.findings import COULD_NOT_CHECK, NO_POSITION, Finding, Severity

MANAGEMENT, AUDIT, LOGS = "210987654321", "310987654321", "410987654321"
REACHED = ((MANAGEMENT, "Management"), (AUDIT, "Audit"), (LOGS, "Log Archive"))
LOOKED_INTO = AwsFacts(reached=REACHED, members=tuple(MemberAccount(a, n, True) for a, n in REACHED))


def _finding(rule: str, severity: Severity, message: str, *accounts: str) -> Finding:
    return Finding(
        rule, "name", severity, "pack.yaml", NO_POSITION, (), message, origin="AWS account", accounts=accounts
    )


def _verdicts(facts: AwsFacts, *findings: Finding) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(row.account, row.readiness, row.rules) for row in readiness(facts, findings) or ()]


def test_findings_that_name_accounts_decide_theirs() -> None:
    assert _verdicts(
        LOOKED_INTO,
        _finding("CP510", Severity.ERROR, "no recorder", AUDIT),
        _finding("CP512", Severity.WARNING, "stopped", AUDIT, LOGS),
    ) == [(MANAGEMENT, "ready", ()), (AUDIT, "fails", ("CP510", "CP512")), (LOGS, "at risk", ("CP512",))]


def test_an_error_that_names_no_account_fails_every_account() -> None:
    refused = _finding("CP517", Severity.ERROR, "the caller may not iam:GetRole")
    assert _verdicts(LOOKED_INTO, refused) == [(a, "fails", ("CP517",)) for a, _n in REACHED]


def test_a_check_that_could_not_run_leaves_its_accounts_not_verified() -> None:
    unchecked = _finding("CP515", Severity.WARNING, f"{COULD_NOT_CHECK}Lambda function f: AccessDenied", AUDIT)
    assert _verdicts(LOOKED_INTO, unchecked) == [
        (MANAGEMENT, "ready", ()), (AUDIT, "not verified", ("CP515",)), (LOGS, "ready", ()),
    ]  # fmt: skip
    everywhere = _finding("CP517", Severity.WARNING, f"{COULD_NOT_CHECK}the caller's permissions: AccessDenied")
    assert [row[1] for row in _verdicts(LOOKED_INTO, everywhere)] == ["not verified"] * 3
    # A problem found outranks what could not be checked; an account not looked into is not verified.
    partly = AwsFacts(
        reached=REACHED, members=(MemberAccount(MANAGEMENT, None, True), MemberAccount(AUDIT, None, False))
    )
    assert _verdicts(partly, unchecked, _finding("CP510", Severity.WARNING, "stopped", AUDIT)) == [
        (MANAGEMENT, "ready", ()), (AUDIT, "at risk", ("CP510", "CP515")), (LOGS, "not verified", ()),
    ]  # fmt: skip


def test_the_table_shows_names_and_ids_escaped_and_long_names_cut() -> None:
    rows = (
        AccountReadiness(MANAGEMENT, "evil\x1b[2J\nname", "fails", ("CP510",)),
        AccountReadiness(AUDIT, "a" * 40, "ready"),
    )
    assert readiness_table("baseline", "us-east-1", rows).splitlines() == [
        "accounts baseline reaches in us-east-1: 1 fails, 1 ready",
        "  account       name                          readiness     findings",
        f"  {MANAGEMENT}  evil\\e[2J\\nname               fails         CP510",
        f"  {AUDIT}  {'a' * 25}...  ready",
    ]


def test_findings_about_every_account_are_counted_once_per_rule() -> None:
    """1,000 accounts and 1,000 errors that name none: each row lists the rule once, and the work is
    one pass over the findings and one over the accounts (bench-free: a row holds one finding per rule)."""
    many = tuple((f"6{n:011d}", None) for n in range(1_000))
    facts = AwsFacts(reached=many, members=tuple(MemberAccount(a, None, True) for a, _n in many))
    errors = [_finding("CP517", Severity.ERROR, f"denied {n}") for n in range(1_000)]
    rows = readiness(facts, errors) or ()
    assert {(row.readiness, row.rules) for row in rows} == {("fails", ("CP517",))} and len(rows) == 1_000
