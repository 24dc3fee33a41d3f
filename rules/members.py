"""CP510, CP512 and CP514: the member accounts an organization pack reaches (and the caller's own), as
the online pre-flight found them: through `--member-role` in each, or, without it, from what the
management account sees (earlier deployments' failed accounts, an organization aggregator)."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import REMEDIATION, Context, DocPath, Fact, Issue, Phase, Severity, rule

NO_RECORDER = "NoAvailableConfigurationRecorderException"


def _set_up_or_exclude(ctx: Context, account: str) -> str:
    if ctx.request.scope == "account":
        return "set up AWS Config in this account (a configuration recorder and a delivery channel) before the put"
    return (
        "set up AWS Config in that account (a configuration recorder and a delivery channel), or exclude it: "
        f"--exclude-account {account}"
    )


@rule("CP510", "no-configuration-recorder", Severity.ERROR, tags=("online", "members"), phase=Phase.ONLINE)
def no_configuration_recorder(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports each account the pack reaches that has no configuration recorder of its own in the pack's
    Region (read through `--member-role`, and always in the caller's account), and, as a warning, a
    recorder that is stopped. Without `--member-role`, it warns about the accounts where an earlier
    organization pack or organization rule failed with NoAvailableConfigurationRecorderException,
    and those an organization aggregator holds no resources of in the Region; when either could not
    be read, an info finding says that list may be partial.

    ## Why is this bad?
    AWS accepts the put; an hour later the pack fails in those accounts: "Failed to deploy
    conformance pack ... NoAvailableConfigurationRecorderException in 27 account(s)". A stopped
    recorder lets the pack deploy, but its rules have nothing to evaluate.

    ## Example
    A new account joined the organization before AWS Config was set up in it.

    ## Use instead
    Set up AWS Config (a recorder and a delivery channel) in every account first, or exclude the
    accounts that have none (`--exclude-account`).

    ## References
    - [documented] AWS Config API Reference, NoAvailableConfigurationRecorderException: "There are no
      customer managed configuration recorders available to record your resources"; service-linked
      recorders do not count.
    - [reported] superwerker/superwerker#291, awslabs/landing-zone-accelerator-on-aws#517,
      cloudposse/terraform-aws-components PR#1006: organization packs that failed in member accounts
      with NoAvailableConfigurationRecorderException.
    - [inferred] A stopped recorder, an earlier failure and an aggregator without the account's
      resources are signs, not proof: warnings.
    """
    facts = ctx.aws
    region = facts.region_text
    looked_into: set[str] = set()
    for member in facts.members or ():
        if member.recorders is None:
            continue  # not read: CP514 says so
        looked_into.add(member.account)
        label = facts.account_label(member.account)
        if member.recorders == 0:
            yield Issue(
                f"{label} has no configuration recorder in {region}: the pack fails there with {NO_RECORDER}",
                fix=_set_up_or_exclude(ctx, member.account),
                where="request",
                accounts=(member.account,),
            )
        elif not member.recording:
            yield Issue(
                f"{label}'s configuration recorder is stopped in {region}: the pack deploys there, but its rules "
                "evaluate nothing until it records",
                fix="start it in that account: aws configservice start-configuration-recorder",
                severity=Severity.WARNING,
                where="request",
                accounts=(member.account,),
            )
    reached = [account for account, _name in facts.reached or () if account not in looked_into]
    unread = set(reached)
    warned: set[str] = set()
    for failure in facts.earlier_failures or ():
        if failure.error_code != NO_RECORDER or failure.account not in unread or failure.account in warned:
            continue
        warned.add(failure.account)
        yield Issue(
            f"{facts.account_label(failure.account)}: {failure.kind} {failure.deployment} failed there with "
            f"{NO_RECORDER}; this pack will too unless the account has a recorder in {region} now",
            fix="look into it with --member-role ROLE, then " + _set_up_or_exclude(ctx, failure.account),
            severity=Severity.WARNING,
            where="request",
            accounts=(failure.account,),
        )
    for fact, what in (
        (Fact.EARLIER_STATUSES, "which accounts earlier organization packs and rules failed in"),
        (Fact.AGGREGATOR, "which accounts the organization aggregator holds resources of"),
    ):
        if facts.member_role is None and reached and (reason := facts.why_unavailable(fact)):
            yield Issue(
                f"could not read {what} (signs of accounts without a configuration recorder), so the list may be "
                f"partial: {reason}",
                fix="look into the members with --member-role ROLE",
                severity=Severity.INFO,
                where="request",
            )
    if facts.aggregated is not None:
        aggregator, sending = facts.aggregated
        for account in reached:
            if account in sending or account in warned:
                continue
            yield Issue(
                f"{facts.account_label(account)} sends no resources in {region} to the organization aggregator "
                f"{aggregator}: it may have no configuration recorder there, and the pack then fails with "
                f"{NO_RECORDER}",
                fix="look into it with --member-role ROLE, then " + _set_up_or_exclude(ctx, account),
                severity=Severity.WARNING,
                where="request",
                accounts=(account,),
            )


def _role_paths(ctx: Context, role: str) -> DocPath:
    """Where the template names `role` in a remediation's AutomationAssumeRole."""
    if not ctx.is_template:
        return ()
    for remediation in ctx.template.of_type(REMEDIATION):
        parameters = remediation.properties.get("Parameters")
        assume = parameters.get("AutomationAssumeRole") if isinstance(parameters, dict) else None
        static = assume.get("StaticValue") if isinstance(assume, dict) else None
        values = static.get("Values") if isinstance(static, dict) else None
        for index, value in enumerate(values if isinstance(values, list) else ()):
            if isinstance(value, str) and value.rsplit("/", 1)[-1] == role:
                return (*remediation.path, "Properties", "Parameters", "AutomationAssumeRole", "StaticValue",
                        "Values", index)  # fmt: skip
    return ()


@rule("CP512", "remediation-role-missing", Severity.ERROR, tags=("online", "members"), phase=Phase.ONLINE)
def remediation_role_missing(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a role named by a remediation's `AutomationAssumeRole` that does not exist in an account
    the pack reaches (read through `--member-role`, and in the caller's account). For an organization
    pack, AWS Config puts each member's id in place of the management account's in the ARN, so the
    role is looked up by name in each account.

    ## Why is this bad?
    The remediation cannot run in that account: Systems Manager has no role to assume. AWS asks for
    the role in every account before the put.

    ## Example
    `arn:aws:iam::210987654321:role/ConfigRemediation`, created in the management account only.

    ## Use instead
    Create the role in every account the pack reaches (a CloudFormation StackSet does), or exclude the
    accounts without it.

    ## References
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs": "Ensure a role
      with the specified name exists in all the accounts (master and member) of an organization. You
      must create this role in all accounts before calling PutOrganizationConformancePack."
    - [reported] awslabs/landing-zone-accelerator-on-aws#871 and #262: remediations whose
      AutomationAssumeRole was missing in member accounts.
    """
    facts = ctx.aws
    lacking: dict[str, list[str]] = {}
    for member in facts.members or ():
        for role in member.missing_roles:
            lacking.setdefault(role, []).append(member.account)
    for role, accounts in lacking.items():
        yield Issue(
            f"role {role}, the remediations' AutomationAssumeRole, is not in {facts.accounts_text(accounts)} "
            f"({facts.region_text}): the remediations cannot run there",
            _role_paths(ctx, role),
            fix=f"create {role} in every account the pack reaches (a StackSet does), or exclude those accounts",
            accounts=tuple(accounts),
        )


@rule("CP514", "members-not-verified", Severity.WARNING, tags=("online", "members"), phase=Phase.ONLINE)
def members_not_verified(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Says which accounts the pack reaches were not looked into. Without `--member-role` it is one info
    finding: the member accounts' recorders, rule quotas and remediation roles were not verified, and
    how to verify them. With it, each account where the role could not be assumed, or a read failed,
    is a warning naming the account and why ("could not check": deploy's table says "not verified").

    ## Why is this bad?
    The checks of CP510, CP511 and CP512 said nothing about those accounts: they may still fail an
    hour after the put.

    ## Example
    `--member-role OrganizationAccountAccessRole` in an organization where some accounts were invited
    (they have no such role unless someone created it).

    ## Use instead
    A role the caller may assume in every member account, with the read-only permissions
    `preflight permissions member` prints (`OrganizationAccountAccessRole`, `AWSControlTowerExecution`,
    or one of your own).

    ## References
    - [documented] AWS Organizations User Guide: OrganizationAccountAccessRole is created in accounts
      the organization creates, not in accounts it invites.
    - [inferred] An account that was not looked into is not known to fail: a warning, or info.
    """
    facts = ctx.aws
    if facts.reached is None:
        if reason := facts.why_unavailable(Fact.ORGANIZATION_ACCOUNTS):
            yield Issue.could_not_check("which accounts the pack reaches", reason)
        return
    others = [account for account, _name in facts.reached if account != facts.caller_account]
    if facts.member_role is None:
        if others:
            yield Issue(
                f"{len(others)} member account{'s' if len(others) != 1 else ''} the pack reaches "
                f"{'were' if len(others) != 1 else 'was'} not verified (configuration recorder, room for the "
                "rules, remediation roles): without a member role only the caller's own account is looked into",
                fix="pass --member-role ROLE (or member-role in the settings), a role you may assume in each member "
                "account, such as OrganizationAccountAccessRole or AWSControlTowerExecution",
                severity=Severity.INFO,
                where="request",
                accounts=tuple(others),
            )
        return
    for member in facts.members or ():
        if member.error is None:
            continue
        yield Issue.could_not_check(
            f"{'' if not member.assumed else 'all of '}{facts.account_label(member.account)}",
            member.error,
            accounts=(member.account,),
            fix=f"let the caller assume {facts.member_role} in that account, with the permissions "
            "`preflight permissions member` prints"
            if not member.assumed
            else f"give {facts.member_role} the permissions `preflight permissions member` prints",
        )
