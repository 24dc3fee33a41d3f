"""CP407-CP409, CP411, CP412: how a config rule is triggered, scoped and sourced."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.api import API_LIMITS, FREQUENCIES, OWNERS, UNKNOWN, ConfigRuleView, Context, Issue, Severity, rule

_LAMBDA_ARN = r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[^:]+:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?"
_GUARD_RUNTIME = API_LIMITS.policy_runtime_pattern
_POLICY_MESSAGE_TYPES = ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification")


@rule("CP407", "frequency-on-change-triggered-rule", Severity.ERROR, tags=("template", "catalog"), fix="safe")
def frequency_on_change_triggered_rule(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports `MaximumExecutionFrequency` on a managed rule that only configuration changes trigger
    (per the catalog).

    ## Why is this bad?
    AWS fails the rule: "A maximum execution frequency for this rule is not allowed because only a
    change in resources triggers this managed rule."

    ## Example
    ```yaml
    Source: {Owner: AWS, SourceIdentifier: ELB_LOGGING_ENABLED}
    MaximumExecutionFrequency: TwentyFour_Hours
    ```

    ## Use instead
    Remove `MaximumExecutionFrequency`.

    ## Fix
    The `MaximumExecutionFrequency` line is removed (safe: AWS accepts nothing else).

    ## References
    - [documented] AWS Config API Reference, `ConfigRule.MaximumExecutionFrequency`: for "an Config
      managed rule that is triggered at a periodic frequency"; each managed rule's page gives its
      trigger type.
    - [reported] trussworks/terraform-aws-config PR #171 - "InvalidParameterValueException: A maximum
      execution frequency for this rule is not allowed because only a change in resources triggers
      this managed rule." (elb-logging-enabled, s3-bucket-level-public-access-prohibited).
    """
    for view in ctx.config_rules:
        managed = view.managed
        if managed is None or not managed.change_triggered or managed.periodic:
            continue
        if view.resolved(ctx.template, "MaximumExecutionFrequency") is not None:
            where = view.path + ("MaximumExecutionFrequency",)
            edit = ctx.editor.remove_entry(where) if ctx.editor is not None else None
            yield Issue(
                f"{managed.identifier} is triggered only by configuration changes; AWS rejects a "
                "MaximumExecutionFrequency for it",
                where,
                fix="remove MaximumExecutionFrequency",
                edits=(edit,) if edit is not None else (),
            )


@rule("CP408", "invalid-execution-frequency", Severity.ERROR, tags=("template",))
def invalid_execution_frequency(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks `MaximumExecutionFrequency` (of the rule and of each `SourceDetails` entry) against
    `One_Hour`, `Three_Hours`, `Six_Hours`, `Twelve_Hours` and `TwentyFour_Hours`, after parameters
    are applied.

    ## Why is this bad?
    AWS rejects any other value ("Member must satisfy enum value set").

    ## Example
    ```yaml
    MaximumExecutionFrequency: Daily
    ```

    ## Use instead
    ```yaml
    MaximumExecutionFrequency: TwentyFour_Hours
    ```

    ## References
    - [documented] AWS Config API Reference, shape `MaximumExecutionFrequency`: the enum One_Hour,
      Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours.
    """
    for view in ctx.config_rules:
        candidates = [
            (view.resolved(ctx.template, "MaximumExecutionFrequency"), view.path + ("MaximumExecutionFrequency",))
        ]
        source = view.source if isinstance(view.source, dict) else {}
        details = source.get("SourceDetails")
        if isinstance(details, list):
            for index, detail in enumerate(details):
                if isinstance(detail, dict) and "MaximumExecutionFrequency" in detail:
                    path = view.path + ("Source", "SourceDetails", index, "MaximumExecutionFrequency")
                    candidates.append((detail["MaximumExecutionFrequency"], path))
        for value, path in candidates:
            if not isinstance(value, str) or value in FREQUENCIES:
                continue  # unknown offline, absent, or not a string (the resource schema, CP420, reports that)
            yield Issue(
                f"MaximumExecutionFrequency {value!r} is not one of {', '.join(FREQUENCIES)}",
                path,
                fix=_nearest_frequency(value),
            )


def _nearest_frequency(value: object) -> str | None:
    from preflight.api import did_you_mean

    return did_you_mean(str(value), FREQUENCIES) if isinstance(value, str) else None


def _source_issues(view: ConfigRuleView) -> Iterator[Issue]:
    path = view.path + ("Source",)
    source = view.source
    if not isinstance(source, dict):
        return  # absent or not a mapping: the resource schema (CP420) reports it
    owner = view.owner
    if owner is UNKNOWN:
        return
    if owner not in OWNERS:
        yield Issue(f"Source Owner {owner!r} is not one of {', '.join(OWNERS)}", path + ("Owner",))
        return
    identifier = view.identifier
    if owner == "AWS" and identifier is None:
        yield Issue("an AWS managed rule needs a SourceIdentifier", path)
    if owner == "CUSTOM_LAMBDA":
        if identifier is None:
            yield Issue("a CUSTOM_LAMBDA rule needs the Lambda function's ARN as SourceIdentifier", path)
        elif isinstance(identifier, str) and not re.fullmatch(_LAMBDA_ARN, identifier):
            yield Issue(
                f"SourceIdentifier {identifier!r} is not a Lambda function ARN",
                path + ("SourceIdentifier",),
                fix="arn:aws:lambda:REGION:ACCOUNT:function:NAME",
            )
        if not source.get("SourceDetails"):
            yield Issue("a CUSTOM_LAMBDA rule needs SourceDetails (the events or the schedule that trigger it)", path)
    if owner == "CUSTOM_POLICY":
        yield from _policy_issues(source, path)


def _policy_issues(source: dict[str, object], path: tuple[str | int, ...]) -> Iterator[Issue]:
    details = source.get("CustomPolicyDetails")
    if not isinstance(details, dict):
        if details is not UNKNOWN:
            yield Issue("a CUSTOM_POLICY rule needs CustomPolicyDetails (PolicyRuntime and PolicyText)", path)
        return
    runtime = details.get("PolicyRuntime")
    if runtime is not UNKNOWN and not (isinstance(runtime, str) and re.fullmatch(_GUARD_RUNTIME, runtime)):
        yield Issue(
            f"PolicyRuntime {runtime!r} must be 'guard-2.x.x'",
            path + ("CustomPolicyDetails", "PolicyRuntime") if runtime is not None else path + ("CustomPolicyDetails",),
        )
    text = details.get("PolicyText")
    if text is None:
        yield Issue("CustomPolicyDetails needs PolicyText (the Guard rules)", path + ("CustomPolicyDetails",))
    elif isinstance(text, str) and len(text) > API_LIMITS.policy_text_max:
        yield Issue(
            f"PolicyText is {len(text):,} characters; AWS Config takes at most {API_LIMITS.policy_text_max:,}",
            path + ("CustomPolicyDetails", "PolicyText"),
        )
    source_details = source.get("SourceDetails")
    for index, detail in enumerate(source_details if isinstance(source_details, list) else []):
        message_type = detail.get("MessageType") if isinstance(detail, dict) else None
        if isinstance(message_type, str) and message_type not in _POLICY_MESSAGE_TYPES:
            yield Issue(
                f"a CUSTOM_POLICY rule is triggered only by {' or '.join(_POLICY_MESSAGE_TYPES)}, not {message_type}",
                path + ("SourceDetails", index, "MessageType"),
            )


@rule("CP409", "invalid-source", Severity.ERROR, tags=("template",), cfn_lint=("E3003",))
def invalid_source(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks each config rule's `Source`: `Owner` is `AWS`, `CUSTOM_LAMBDA` or `CUSTOM_POLICY`; a
    managed rule names its `SourceIdentifier`; a `CUSTOM_LAMBDA` rule names a Lambda function ARN and
    has `SourceDetails`; a `CUSTOM_POLICY` rule has `CustomPolicyDetails` with `PolicyRuntime:
    guard-2.x.x` and a `PolicyText` of at most 10,000 characters, and is triggered only by
    configuration item changes. The ARN's account field is CP410's to check.

    ## Why is this bad?
    AWS rejects the rule when it creates it in each account.

    ## Example
    ```yaml
    Source:
      Owner: CUSTOM_POLICY
      CustomPolicyDetails: {PolicyRuntime: guard-2.0}
    ```

    ## Use instead
    ```yaml
    Source:
      Owner: CUSTOM_POLICY
      SourceDetails: [{EventSource: aws.config, MessageType: ConfigurationItemChangeNotification}]
      CustomPolicyDetails:
        PolicyRuntime: guard-2.x.x
        PolicyText: "rule check { ... }"
    ```

    ## References
    - [documented] AWS Config API Reference, `Source.Owner` (CUSTOM_LAMBDA, AWS, CUSTOM_POLICY);
      PutConfigRule: a managed rule needs its identifier, a custom Lambda rule "the Amazon Resource
      Name (ARN) that Lambda assigns to the function"; `Source.SourceDetails`: for CUSTOM_POLICY "the
      only acceptable values ... are ConfigurationItemChangeNotification and
      OversizedConfigurationItemChangeNotification"; `CustomPolicyDetails`: PolicyRuntime pattern
      `guard-2.x.x`, PolicyText at most 10,000.
    - [reported] cloud-custodian/cloud-custodian PR #6114 - a custom rule whose SourceIdentifier was not
      the function's ARN "fails to deploy".
    """
    for view in ctx.config_rules:
        yield from _source_issues(view)


def _periodic_only(view: ConfigRuleView) -> bool:
    if view.managed is not None:
        return view.managed.periodic and not view.managed.change_triggered
    source = view.source if isinstance(view.source, dict) else {}
    details = source.get("SourceDetails")
    if view.owner != "CUSTOM_LAMBDA" or not isinstance(details, list) or not details:
        return False
    return all(isinstance(d, dict) and d.get("MessageType") == "ScheduledNotification" for d in details)


@rule("CP411", "scope-on-periodic-rule", Severity.WARNING, tags=("template", "catalog"), opt_in=True)
def scope_on_periodic_rule(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `Scope` on a rule that only runs periodically: a managed rule whose catalog trigger
    is periodic only, or a custom Lambda rule whose every `SourceDetails` entry is a
    `ScheduledNotification`. An empty scope (`ComplianceResourceTypes: []`) is not reported.

    Opt-in: the evidence is contested, so the rule runs only when selected by its full id
    (`--extend-select CP411`, or `extend-select = ["CP411"]` in the configuration); a prefix such
    as `CP4` does not turn it on.

    ## Why is this bad?
    Since February 2025 a direct `PutConfigRule` of a periodic rule with a `Scope` has been refused
    with InvalidParameterValueException in some Regions. Conformance packs with such scopes, AWS's
    own among them, have kept deploying, so this is a warning for teams that want to be ready should
    AWS extend the check to packs.

    ## Example
    ```yaml
    Scope: {ComplianceResourceTypes: ["AWS::IAM::User"]}
    Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
    ```

    ## Use instead
    Remove the `Scope`.

    ## References
    - [reported] cloud-custodian/cloud-custodian PR #10008 - a direct PutConfigRule of a periodic custom
      rule with a Scope fails with InvalidParameterValueException since about February 2025, Region by
      Region, citing AWS Support. This concerns PutConfigRule, not conformance packs.
    - [observed] AWS's console sample packs re-synced after that date keep a Scope on periodic managed
      rules: Operational-Best-Practices-for-FedRAMP-HighPart1.yaml (June 2025) and
      Cyber-Resilience-Best-Practices-for-S3-EBS-DynamoDB.yml (October 2025); 403 such scopes in 68
      of AWS's 97 sample packs.
    - [observed] ssc-spc-ccoe-cei/aws-guardrails-cac-solution `arch/templates/ConformancePack.yaml`, an
      organization pack re-released several times after February 2025, keeps a Scope on 37 periodic
      custom Lambda rules.
    """
    for view in ctx.config_rules:
        scope = view.resolved(ctx.template, "Scope")
        if not _scopes_anything(scope) or not _periodic_only(view):
            continue
        name = view.managed.identifier if view.managed is not None else "this custom rule"
        yield Issue(
            f"{name} runs only periodically; AWS has refused a Scope on periodic rules created directly "
            "(PutConfigRule) since 2025, though packs with one still deploy",
            view.path + ("Scope",),
            fix="remove the Scope",
        )


def _scopes_anything(scope: object) -> bool:
    """A Scope with a value in it: not absent, unknown offline, `{}` or `ComplianceResourceTypes: []`."""
    if not isinstance(scope, dict):
        return False
    return any(value not in (None, "", [], {}) for value in scope.values())


@rule("CP412", "managed-rule-not-in-region", Severity.ERROR, tags=("template", "catalog"))
def managed_rule_not_in_region(ctx: Context) -> Iterator[Issue]:
    """## What it does
    With a Region (`--region`, or with `--online` the one the calls go to), reports a managed rule
    that the catalog says is not offered in that Region.

    ## Why is this bad?
    The pack fails in every account of that Region: "The sourceIdentifier X is invalid". GovCloud
    and China Regions lack many rules.

    ## Example
    `preflight check pack.yaml --region us-gov-west-1` on a pack that uses a rule offered only in
    commercial Regions.

    ## Use instead
    Put the rule under a `Condition` on `AWS::Region`, or keep a separate pack for that Region.

    ## References
    - [documented] AWS Config Developer Guide, each managed rule's "AWS Region" line, and "Managed rules
      by Region availability".
    - [reported] awslabs/aws-config-rules#410 and #421 - AWS's CMMC and FedRAMP packs fail in GovCloud
      rule by rule ("only one error is displayed at a time"); #437: "The sourceIdentifier ... is invalid".
    """
    region = ctx.request.region or (ctx.facts.region if ctx.facts is not None else None)
    if not region:
        return
    for view in ctx.config_rules:
        if view.managed is not None and view.managed.available_in(region) is False:
            yield Issue(
                f"{view.managed.identifier} is not available in {region}",
                view.path + ("Source", "SourceIdentifier"),
                fix=f"according to the managed-rule catalog of {ctx.catalog.date}; availability grows over time",
            )
