"""CP416-CP418: what the managed-rule catalog knows of a rule besides its parameters: that AWS has
discontinued it, that its availability in the pack's Region is in doubt, and, without a Region, that
some of the pack's rules are not offered everywhere."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import Context, Issue, Severity, rule

SHOWN_RULES = 3  # rules CP418 names; the rest are counted


def deployment_region(ctx: Context) -> str | None:
    """The Region the pack goes to: `--region`, or with `--online` the one the calls went to."""
    return ctx.request.region or (ctx.facts.region if ctx.facts is not None else None)


@rule("CP416", "discontinued-managed-rule", Severity.WARNING, tags=("template", "catalog"))
def discontinued_managed_rule(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a managed rule that AWS has discontinued, with the date and the replacement when AWS
    names one.

    ## Why is this bad?
    The rule deploys, and shows in the pack, but never evaluates anything: "Evaluation results will
    no longer be generated." Nothing fails, so nothing tells you.

    ## Example
    `SourceIdentifier: ECS_TASK_DEFINITION_MEMORY_HARD_LIMIT` (discontinued on 2026-04-03).

    ## Use instead
    The replacement AWS names, a custom rule, or nothing.

    ## References
    - [documented] AWS Config Developer Guide, ecs-task-definition-memory-hard-limit: "As of April 3,
      2026, AWS Config has discontinued support for this managed rule. Evaluation results will no
      longer be generated." (docs/catalogs/managed-rule-notes.json holds each such note.)
    - [inferred] The pack still deploys: a warning.
    """
    for view in ctx.config_rules:
        gone = view.managed.discontinued if view.managed is not None else None
        if gone is None:
            continue
        instead = f"use {gone.replacement} instead" if gone.replacement else "AWS names no replacement"
        yield Issue(
            f"AWS discontinued {view.managed.identifier} on {gone.date}: it deploys but no longer evaluates "  # type: ignore[union-attr]
            "anything",
            view.path + ("Source", "SourceIdentifier"),
            fix=f"remove the rule or replace it; {instead}",
        )


@rule("CP417", "managed-rule-region-doubt", Severity.WARNING, tags=("template", "catalog"))
def managed_rule_region_doubt(ctx: Context) -> Iterator[Issue]:
    """## What it does
    With a Region, reports a managed rule whose availability there is in doubt, though the catalog's
    newest list offers it there: an earlier version of AWS's page for the rule excluded the Region,
    or the rule was reported failing there.

    ## Why is this bad?
    If the Region does not offer the rule after all, the pack fails in every account there: "The
    sourceIdentifier X is invalid".

    ## Example
    `EC2_STOPPED_INSTANCE` with `--region af-south-1`: the newest page offers it in every Region; an
    earlier one excluded Cape Town.

    ## Use instead
    Deploy the pack to one account in that Region first, or put the rule under a `Condition` on
    `AWS::Region`.

    ## References
    - [documented] Earlier versions of AWS's managed-rule pages (2024-2025) that excluded the Regions
      (docs/catalogs/managed-rule-notes.json names each); the newest pages include them, hence a
      warning and not an error.
    - [reported] niaid/terraform-aws-managed-config-rules#46 - MULTI_REGION_CLOUD_TRAIL_ENABLED failed
      in GovCloud ("The sourceIdentifier ... is invalid"), though its page names every Region;
      awslabs/aws-config-rules#437 - EC2_STOPPED_INSTANCE in a Region that did not offer it.
    """
    region = deployment_region(ctx)
    if not region:
        return
    for view in ctx.config_rules:
        if view.managed is None or view.managed.available_in(region) is False:
            continue  # not offered there at all: CP412
        for doubt in view.managed.region_doubts:
            if region in doubt.regions:
                yield Issue(
                    f"{view.managed.identifier} may not be offered in {region}: {doubt.source}",
                    view.path + ("Source", "SourceIdentifier"),
                    fix=f"try the pack in one account in {region} first, or put the rule under a Condition on "
                    "AWS::Region",
                )
                break


@rule("CP418", "regional-rules-without-region", Severity.INFO, tags=("template", "catalog"), once=True)
def regional_rules_without_region(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Without a Region (`--region`, or `region` in a spec), says once a run when some of the pack's
    managed rules are not offered in every Region, so that the pack is checked for the Region it goes
    to (CP412) before it is deployed there: for the first pack it applies to, and how many more. The
    language server, which has no Region to be given, does not report it.

    ## Why is this bad?
    A pack that deploys in one Region fails in another, one rule at a time: GovCloud and the China
    Regions lack many managed rules.

    ## Example
    A pack with `ECS_TASK_DEFINITION_MEMORY_HARD_LIMIT`, which 18 Regions lack, checked without
    `--region`.

    ## Use instead
    `preflight check pack.yaml --region eu-central-2`.

    ## References
    - [documented] AWS Config Developer Guide, each managed rule's "AWS Region" line, and "Managed rules
      by Region availability".
    """
    if deployment_region(ctx):
        return
    regional = [
        (view.managed.identifier, tuple(sorted(view.managed.regions_except or ())))
        for view in ctx.config_rules
        if view.managed is not None and (view.managed.regions_only is not None or view.managed.regions_except)
    ]
    if not regional:
        return
    regional = list(dict.fromkeys(regional))
    shown = "; ".join(
        f"{identifier} (not in {', '.join(regions[:3])}{f' and {len(regions) - 3} more' if len(regions) > 3 else ''})"
        if regions
        else f"{identifier} (only in some)"
        for identifier, regions in regional[:SHOWN_RULES]
    )
    more = f"; and {len(regional) - SHOWN_RULES} more" if len(regional) > SHOWN_RULES else ""
    verb = "is" if len(regional) == 1 else "are"
    yield Issue(
        f"{len(regional)} of the pack's managed rules {verb} not offered in every Region: {shown}{more}",
        ("Resources",),
        fix="pass --region (or region in a spec file) to check the pack for the Region it goes to",
    )
