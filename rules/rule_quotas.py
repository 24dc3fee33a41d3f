"""CP509 and CP511: room for the pack's rules under AWS Config's rule quotas, in the caller's account
and in each member account the pack reaches (read through --member-role)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from preflight.api import (
    Context,
    Fact,
    Issue,
    Phase,
    Severity,
    count_rules,
    deployed_rules,
    effective_rule_name,
    rule,
    tally_rules,
)

if TYPE_CHECKING:
    from preflight.api import RuleTally


@rule("CP509", "rules-per-account-quota", Severity.ERROR, tags=("online", "quota"), phase=Phase.ONLINE)
def rules_per_account_quota(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Adds this pack's rules to the config rules already in the caller's account and compares the sum
    with the quotas: rules per account across conformance packs (350 for organization packs, 150 for
    account packs) and rules per account (1,000). An update does not count the pack's own rules twice.
    An organization pack that does not reach the caller's account (it is excluded) is not counted there.

    ## Why is this bad?
    The pack's rules fail to create in the accounts that are full ("the account already contains
    the maximum number of 1000 rules").

    ## Example
    A 130-rule pack added to an account whose existing packs already hold 300 rules.

    ## Use instead
    Remove rules that several packs share, or split the accounts between packs.

    ## References
    - [documented] AWS Config API Reference, MaxNumberOfConfigRulesExceededException: "the account
      already contains the maximum number of 1000 rules".
    - [documented] AWS Config Developer Guide, "Service Limits": 150 rules per account across
      conformance packs and 350 across organization conformance packs, not adjustable (2023 edition;
      configurable here).
    - [reported] hashicorp/terraform-provider-aws PR #21722 - "MaxNumberOfConfigRulesExceededException:
      Failed to put config rule ... because the account already contains 250 config rules" (an earlier
      quota).
    """
    facts = ctx.aws
    if not ctx.is_template:  # the pack's rules are unknown (its template is in S3)
        return
    if facts.config_rule_names is None:
        if reason := facts.why_unavailable(Fact.CONFIG_RULES):
            yield Issue.could_not_check("the number of config rules in the account", reason)
        return
    caller = facts.caller_account
    if ctx.request.scope == "organization" and facts.reached is not None and caller not in facts.reached_set:
        return  # the pack does not reach the caller's account
    ours: list[object] = [effective_rule_name(ctx.template, resource) for resource in deployed_rules(ctx.template)]
    yield from _over_quota(
        ctx, caller or "the caller's account", tally_rules(facts.config_rule_names, ours), ours,
        (caller,) if caller else (),
        ("remove rules that several packs share, or split the accounts between packs",
         "delete config rules the account no longer uses, or deploy fewer rules"),
    )  # fmt: skip


def _over_quota(
    ctx: Context,
    account: str,
    existing: RuleTally,
    ours: list[object],
    accounts: tuple[str, ...],
    fixes: tuple[str, str],
) -> Iterator[Issue]:
    """The quota of rules from conformance packs, then the quota of all rules (`fixes`: for each)."""
    counted = count_rules(existing, ours, ctx.request.name in (ctx.aws.existing_packs or ()))
    organization = ctx.request.scope == "organization"
    pack_quota = (
        ctx.quotas.rules_per_account_across_org_packs
        if organization
        else ctx.quotas.rules_per_account_across_account_packs
    )
    if counted.from_packs_after > pack_quota:
        yield Issue(
            f"{account} already has {counted.from_packs} rules from conformance packs; with this pack's "
            f"{counted.ours} it would have {counted.from_packs_after}, over the quota of {pack_quota}",
            ("Resources",),
            fix=fixes[0],
            accounts=accounts,
        )
    if counted.after > ctx.quotas.rules_per_account:
        yield Issue(
            f"{account} already has {counted.others} config rules; with this pack's {counted.ours} it would have "
            f"{counted.after}, over the quota of {ctx.quotas.rules_per_account}",
            ("Resources",),
            fix=fixes[1],
            accounts=accounts,
        )


@rule("CP511", "member-rules-quota", Severity.ERROR, tags=("online", "quota", "members"), phase=Phase.ONLINE)
def member_rules_quota(ctx: Context) -> Iterator[Issue]:
    """## What it does
    CP509 for each member account the pack reaches, as `--member-role` reads it there: the account's
    config rules plus this pack's against the rules-per-account quota (1,000) and the quota of rules
    from conformance packs (350 for organization packs).

    ## Why is this bad?
    The pack fails in each account that has no room, with MaxNumberOfConfigRulesExceededException, an
    hour after the put, while it succeeds everywhere else.

    ## Example
    A member account where a team's own automation created 950 rules, and a pack of 60.

    ## Use instead
    Remove unused rules in that account, exclude it (`--exclude-account`), or deploy fewer rules.

    ## References
    - [documented] AWS Config API Reference, MaxNumberOfConfigRulesExceededException: "the account
      already contains the maximum number of 1000 rules".
    - [documented] AWS Config Developer Guide, "Service Limits": 350 rules per account across
      organization conformance packs.
    - [reported] hashicorp/terraform-provider-aws PR #21722 - "MaxNumberOfConfigRulesExceededException:
      Failed to put config rule ... because the account already contains 250 config rules".
    """
    facts = ctx.aws
    if not ctx.is_template or not facts.members:
        return
    ours: list[object] = [effective_rule_name(ctx.template, resource) for resource in deployed_rules(ctx.template)]
    for member in facts.members:
        if member.account == facts.caller_account or member.rules is None:
            continue  # the caller's account is CP509's; an account not read is CP514's
        label = f"{facts.account_label(member.account)} in {facts.region or 'the Region'}"
        yield from _over_quota(
            ctx, label, member.rules, ours, (member.account,),
            (f"remove rules from that account, exclude it (--exclude-account {member.account}), or deploy fewer rules",)
            * 2,
        )  # fmt: skip
