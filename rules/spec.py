"""CP150-CP152: limits across the packs of a spec file (`check --spec`, `deploy --spec`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from preflight.api import Context, Issue, Phase, Severity, rule

if TYPE_CHECKING:
    from preflight.api import PackSummary, SpecSummary


def _spec(ctx: Context) -> SpecSummary:
    assert ctx.spec is not None
    return ctx.spec


def _groups(spec: SpecSummary) -> dict[tuple[str, str | None], list[tuple[int, PackSummary]]]:
    """Packs by scope and Region: each Region is a separate set of packs."""
    groups: dict[tuple[str, str | None], list[tuple[int, PackSummary]]] = defaultdict(list)
    for index, pack in enumerate(spec.packs):
        groups[(pack.scope, pack.region)].append((index, pack))
    return groups


@rule("CP150", "duplicate-pack-name", Severity.ERROR, tags=("spec",), phase=Phase.SPEC)
def duplicate_pack_name(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports two packs of a spec file with the same name, scope and Region.

    ## Why is this bad?
    A put of an existing name updates that pack: the second deploy silently replaces the first
    pack's template (or fails with ResourceInUseException while the first is still rolling out).

    ## Example
    Two entries named `baseline`, copied and not renamed.

    ## Use instead
    One name per pack.

    ## References
    - [documented] AWS Config API Reference, PutConformancePack: "Creates or updates a conformance
      pack ... PutConformancePack is an idempotent API"; PutOrganizationConformancePack likewise
      creates or updates the named pack.
    - [documented] AWS Config API Reference, ResourceInUseException: "a conformance pack creation,
      update, and deletion is in progress".
    """
    for group in _groups(_spec(ctx)).values():
        seen: set[str] = set()
        for index, pack in group:
            if pack.name in seen:
                yield Issue(f"pack name {pack.name!r} is used twice", ("packs", index, "name"), where="request")
            seen.add(pack.name)


@rule("CP151", "too-many-packs", Severity.ERROR, tags=("spec", "quota"), phase=Phase.SPEC)
def too_many_packs(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a spec file with more packs for one scope and Region than the quota (50 organization
    packs per organization, 50 packs per account; configurable under `[tool.preflight.quotas]`).

    ## Why is this bad?
    The deploys past the quota fail with MaxNumberOfOrganizationConformancePacksExceededException
    (MaxNumberOfConformancePacksExceededException for account packs).

    ## Example
    A spec that gives every team its own pack.

    ## Use instead
    Merge packs.

    ## References
    - [documented] AWS Config Developer Guide, "Service Limits"
      (https://docs.aws.amazon.com/config/latest/developerguide/configlimits.html): 50 conformance
      packs per account and 50 per organization, not adjustable (the 2023 edition; quotas change, so
      they are configurable).
    - [documented] AWS Config API Reference, MaxNumberOfOrganizationConformancePacksExceededException:
      "You have reached the limit of the number of organization conformance packs you can create".
    """
    for (scope, _region), group in _groups(_spec(ctx)).items():
        names = list(dict.fromkeys(pack.name for _, pack in group))
        limit = ctx.quotas.packs_per_organization if scope == "organization" else ctx.quotas.packs_per_account
        if len(names) > limit:
            index = next(i for i, pack in group if pack.name == names[limit])
            yield Issue(
                f"{len(names)} {scope} packs in one Region; the quota is {limit} (this is pack {limit + 1})",
                ("packs", index, "name"),
                where="request",
            )


@rule("CP152", "rules-across-packs", Severity.ERROR, tags=("spec", "quota"), phase=Phase.SPEC)
def rules_across_packs(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Adds up the config rules of the spec's packs that reach the same account (per scope and Region)
    and compares the sum with the quota of rules per account across conformance packs (350 for
    organization packs, 150 for account packs).

    ## Why is this bad?
    AWS documents these quotas as not adjustable: the packs past them fail to create their rules in
    the accounts they reach.

    ## Example
    Three 130-rule organization packs.

    ## Use instead
    Remove rules that several packs share, or exclude accounts from some packs.

    ## References
    - [documented] AWS Config Developer Guide, "Service Limits": "Maximum number of AWS Config Rules per
      Region per account across all conformance packs: 150" and "... across all organization
      conformance packs: 350", not adjustable; "Deploying at the organization level counts in the
      limit for child accounts" (the 2023 edition; configurable under `[tool.preflight.quotas]`).
    - [reported] awslabs/aws-config-rules#385 - "there is a service limit of 150 rules ... across all
      conformance packs that can't be increased".
    """
    for (scope, _region), group in _groups(_spec(ctx)).items():
        limit = (
            ctx.quotas.rules_per_account_across_org_packs
            if scope == "organization"
            else ctx.quotas.rules_per_account_across_account_packs
        )
        total = 0
        for index, pack in group:
            total += pack.rules or 0
            if total > limit:
                yield Issue(
                    f"with pack {pack.name!r} an account gets {total} rules from this spec's {scope} packs; the "
                    f"quota is {limit}",
                    ("packs", index, "name"),
                    where="request",
                )
                break
