"""CP518: the Region the pack is deployed to, against AWS's tables of the Regions that offer
conformance packs and organization conformance packs."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import Context, Issue, Offered, Phase, Severity, Suggestions, closest, rule


@rule("CP518", "region-not-offered", Severity.ERROR, tags=("request",), phase=Phase.REQUEST)
def region_not_offered(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Looks the pack's Region (`--region`, or with `--online` the Region the calls go to) up in AWS's
    two Region tables: the Regions with conformance packs, and those with organization conformance
    packs (shipped with the tool, with their date; `preflight --version` shows it). A name that is
    no Region AWS has is an error; a Region AWS opened after the tables, or documents in another
    partition (China, the isolated Regions), is a warning naming the tables' date.

    ## Why is this bad?
    In a Region without the feature AWS Config answers with an AccessDeniedException with an empty
    message, which reads like a missing permission.

    ## Example
    `--region us-east-3`, or `--region eu-west` for `eu-west-1`.

    ## Use instead
    A Region from the tables (the AWS Config Developer Guide, "Conformance Packs", Region Support).

    ## References
    - [documented] AWS Config Developer Guide: conformance-packs.html ("Region Support") and
      conformance-pack-organization-apis.html, the two tables this data comes from.
    - [reported] aws/aws-sdk#151 - DescribeConformancePacks "always returns AccessDeniedException in
      af-south-1" before the Region had the feature; hashicorp/terraform-provider-aws#18357 - the
      same in GovCloud.
    - [inferred] A Region missing from tables older than it says nothing of it (warning).
    """
    region = ctx.request.region or (ctx.facts.region if ctx.facts is not None else None)
    if not region:
        return
    tables = ctx.reference.regions
    organization = ctx.request.scope == "organization"
    kind = "organization conformance packs" if organization else "conformance packs"
    verdict = tables.offered(region, ctx.request.scope)
    if verdict is Offered.LISTED:
        return
    if verdict is Offered.UNLISTED:
        yield Issue(
            f"{region} is not in AWS's table of the Regions with {kind} of {tables.date}: it opened later or is "
            "documented elsewhere, so whether it offers them is not known here",
            ("Region",),
            fix="check the AWS Config Developer Guide's Region Support for this Region",
            severity=Severity.WARNING,
            where="request",
        )
        return
    known = sorted(tables.conformance_packs | tables.organization_conformance_packs | tables.known)
    likely = closest(Suggestions(known).ranked(region, 2))
    yield Issue(
        f"{region} is not an AWS Region{f' (did you mean {likely!r}?)' if likely else ''}",
        ("Region",),
        fix=f"deploy to one of the {len(tables)} Regions of AWS's table of {tables.date}",
        where="request",
    )
