"""CP204-CP207, CP210: the config rules in a pack, counted and named as AWS will deploy them."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.config_rule import PACK_SUFFIX_LENGTH, deployed_rules, effective_rule_name
from preflight.context import Context
from preflight.findings import Issue, Severity
from preflight.intrinsics import intrinsic_name
from preflight.rule import rule
from preflight.template import CONFIG_RULE, REMEDIATION


@rule("CP204", "too-many-config-rules", Severity.ERROR, tags=("template", "quota"))
def too_many_config_rules(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Counts the config rules the pack will deploy (resources whose `Condition` is false with the
    given parameter values do not count) and reports the first one over the quota of 130 rules per
    conformance pack (`[tool.preflight.quotas] rules-per-pack`). When only rules under conditions
    that cannot be evaluated offline push the count over, it is a warning.

    ## Why is this bad?
    AWS rejects the template: "Number of resources provided in the template exceeds the allowed
    limit". AWS's own HIPAA sample once shipped 131 rules and failed this way.

    ## Example
    A pack that merges two frameworks into 150 rules.

    ## Use instead
    Split the rules into two packs, or remove rules that both frameworks share.
    """
    template = ctx.template
    possible = deployed_rules(template)
    certain = [resource for resource in possible if template.deployment(resource) is True]
    limit = ctx.quotas.rules_per_pack
    if len(certain) > limit:
        yield Issue(
            f"the pack deploys {len(certain)} config rules; a conformance pack holds at most {limit} "
            f"(this is rule {limit + 1})",
            certain[limit].path,
            fix="split the pack into two conformance packs",
        )
    elif len(possible) > limit:
        yield Issue(
            f"the pack deploys up to {len(possible)} config rules, depending on conditions that cannot be "
            f"evaluated offline; a conformance pack holds at most {limit} (this is rule {limit + 1})",
            possible[limit].path,
            fix="pass the parameter values the pack will get (--param, --params-file)",
            severity=Severity.WARNING,
        )


@rule("CP205", "duplicate-config-rule-name", Severity.ERROR, tags=("template",))
def duplicate_config_rule_name(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports two deployed config rules with the same `ConfigRuleName` (after parameters and
    conditions are applied). Rules under conditions that cannot be evaluated offline are not
    compared, since they may be alternatives of each other.

    ## Why is this bad?
    Rule names are unique per account and Region; the deployment fails, and remediations, which
    refer to rules by name, would be ambiguous.

    ## Example
    Two resources both named `s3-bucket-versioning-enabled`, copied from two sample packs.

    ## Use instead
    Keep one of them, or give each a distinct name.
    """
    seen: dict[str, str] = {}
    template = ctx.template
    # Rules under conditions that cannot be evaluated may be alternatives of each other: not compared.
    for resource in (r for r in deployed_rules(template) if template.deployment(r) is True):
        name = effective_rule_name(ctx.template, resource)
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Issue(
                f"ConfigRuleName {name!r} is also used by resource {seen[name]!r}",
                resource.path + ("Properties", "ConfigRuleName"),
                fix="give every config rule a unique name",
            )
        else:
            seen[name] = resource.logical_id


@rule("CP206", "invalid-config-rule-name", Severity.ERROR, tags=("template",))
def invalid_config_rule_name(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks each `ConfigRuleName`: 1 to 128 characters, not only whitespace. A name
    longer than 101 characters is a warning, since AWS appends `-conformance-pack-` and a
    9-character id to the deployed rule's name.

    ## Why is this bad?
    AWS rejects names outside these limits when it creates the rule in each account, long after the
    put succeeded.

    ## Example
    ```yaml
    ConfigRuleName: "  "
    ```

    ## Use instead
    ```yaml
    ConfigRuleName: s3-bucket-versioning-enabled
    ```
    """
    limit = ctx.limits.config_rule_name_max
    for resource in ctx.template.of_type(CONFIG_RULE):
        if "ConfigRuleName" not in resource.properties:
            continue
        path = resource.path + ("Properties", "ConfigRuleName")
        name = effective_rule_name(ctx.template, resource)
        if not isinstance(name, str):
            continue  # unknown offline, dropped by AWS::NoValue, or not a string (CP420 reports that)
        if not name.strip():
            yield Issue("ConfigRuleName is empty or only whitespace", path)
        elif len(name) > limit:
            yield Issue(f"ConfigRuleName is {len(name)} characters; at most {limit}", path)
        elif len(name) > limit - PACK_SUFFIX_LENGTH:
            yield Issue(
                f"ConfigRuleName is {len(name)} characters; with the {PACK_SUFFIX_LENGTH}-character suffix AWS "
                f"appends in each account it would exceed {limit}",
                path,
                fix=f"keep rule names at or under {limit - PACK_SUFFIX_LENGTH} characters",
                severity=Severity.WARNING,
            )


@rule("CP207", "remediation-without-rule", Severity.ERROR, tags=("template", "remediation"))
def remediation_without_rule(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `RemediationConfiguration` whose `ConfigRuleName` is not the name of a config rule
    deployed by the same pack (a `Ref` to the rule's logical id counts as its name).

    ## Why is this bad?
    AWS Config renames pack rules in each account, so a remediation can only attach to a rule of its
    own pack; otherwise the deployment fails.

    ## Example
    ```yaml
    ConfigRuleName: s3-bucket-versioning   # the rule is named s3-bucket-versioning-enabled
    ```

    ## Use instead
    Use the exact `ConfigRuleName` of the rule in the pack, and add `DependsOn` on that rule.
    """
    template = ctx.template
    rules = deployed_rules(template)
    names: set[str] = set()
    for resource in rules:
        name = effective_rule_name(template, resource)
        if not isinstance(name, str):
            return  # a name that cannot be known offline might match anything
        names.add(name)
    rule_ids = {resource.logical_id for resource in rules}
    for remediation in template.of_type(REMEDIATION):
        if not template.is_deployed(remediation) or "ConfigRuleName" not in remediation.properties:
            continue
        raw = remediation.properties["ConfigRuleName"]
        if intrinsic_name(raw) == "Ref" and isinstance(raw["Ref"], str) and raw["Ref"] in rule_ids:  # type: ignore[index]
            continue
        value = template.evaluator.resolve(raw)
        if isinstance(value, str) and value not in names:
            yield Issue(
                f"remediation refers to config rule {value!r}, which this pack does not deploy",
                remediation.path + ("Properties", "ConfigRuleName"),
                fix="use the ConfigRuleName of a rule in this pack",
            )


@rule("CP210", "no-config-rules", Severity.ERROR, tags=("template",))
def no_config_rules(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a pack that deploys no config rule, either because it has none or because every rule's
    `Condition` is false with the given parameter values. When no request context is given and the
    defaults switch every rule off, it is a warning (the pack is meant to be configured).

    ## Why is this bad?
    An empty pack fails to deploy, or deploys and checks nothing.

    ## Example
    ```yaml
    Resources: {}
    ```

    ## Use instead
    At least one `AWS::Config::ConfigRule`.
    """
    template = ctx.template
    if deployed_rules(template):
        return
    if template.of_type(CONFIG_RULE):
        if ctx.request.known:
            yield Issue(
                "every config rule's Condition is false with the request's parameter values: the pack deploys no rule",
                ("Resources",),
            )
        else:
            yield Issue(
                "every config rule's Condition is false with the parameters' defaults: deployed without "
                "parameter values, the pack has no rule",
                ("Resources",),
                fix="pass the parameters that enable rules (--param NAME=true)",
                severity=Severity.WARNING,
            )
    else:
        yield Issue("the pack has no AWS::Config::ConfigRule resource", ("Resources",))
