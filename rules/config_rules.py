"""CP204-CP207, CP210: the config rules in a pack, counted and named as AWS will deploy them."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import (
    CONFIG_RULE,
    PACK_SUFFIX_LENGTH,
    REMEDIATION,
    Context,
    Issue,
    Resource,
    Severity,
    Template,
    deployed_rules,
    effective_rule_name,
    intrinsic_name,
    rule,
)


@rule("CP204", "too-many-config-rules", Severity.ERROR, tags=("template", "quota"))
def too_many_config_rules(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Counts the config rules the pack will deploy (resources whose `Condition` is false with the
    given parameter values do not count) and reports the first one over the quota of 130 rules per
    conformance pack (`[tool.preflight.quotas] rules-per-pack`). It is a warning when only rules
    under conditions that cannot be evaluated offline push the count over, or when only rules that
    their `Condition` switches off do (AWS's error speaks of the resources in the template, so it
    may count them).

    ## Why is this bad?
    AWS rejects the template: "Number of resources provided in the template exceeds the allowed
    limit". AWS's own HIPAA sample once shipped 131 rules and failed this way.

    ## Example
    A pack that merges two frameworks into 150 rules.

    ## Use instead
    Split the pack into packs that each fit (`preflight split PACK --out DIR` writes them and a spec
    file that deploys them together), or remove rules that both frameworks share.

    ## References
    - [documented] AWS Config Developer Guide, "Service Limits": at most 130 AWS Config rules per
      conformance pack, not adjustable.
    - [reported] awslabs/aws-config-rules#430 - "ConformancePackTemplateValidationException: Invalid
      conformance pack template provided. Errors found: [Number of resources provided in the template
      exceeds the allowed limit]" for the 131-rule HIPAA sample; fixed by removing one rule (#433).
    - [inferred] Whether AWS counts rules that their Condition switches off is unverified.
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
            fix="split it into packs that each fit: preflight split PACK --out DIR",
        )
    elif len(possible) > limit:
        yield Issue(
            f"the pack deploys up to {len(possible)} config rules, depending on conditions that cannot be "
            f"evaluated offline; a conformance pack holds at most {limit} (this is rule {limit + 1})",
            possible[limit].path,
            fix="pass the parameter values the pack will get (--param, --params-file)",
            severity=Severity.WARNING,
        )
    elif len(written := template.of_type(CONFIG_RULE)) > limit:
        yield Issue(
            f"the template has {len(written)} config rules, {len(written) - len(possible)} of them switched off by "
            f"their Condition; AWS's error counts the resources provided in the template, so it may refuse more "
            f"than {limit} (this is rule {limit + 1})",
            written[limit].path,
            fix="split it (preflight split PACK --out DIR), or remove the rules that are switched off",
            severity=Severity.WARNING,
        )


@rule("CP205", "duplicate-config-rule-name", Severity.ERROR, tags=("template",))
def duplicate_config_rule_name(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports two deployed config rules with the same `ConfigRuleName` (after parameters and
    conditions are applied). Rules under conditions that cannot be evaluated offline are not
    compared, since they may be alternatives of each other.

    ## Why is this bad?
    `ConfigRuleName` is the rule's primary identifier: the second create fails with AlreadyExists,
    or one rule silently overwrites the other, and remediations, which refer to rules by name, are
    ambiguous.

    ## Example
    Two resources both named `s3-bucket-versioning-enabled`, copied from two sample packs.

    ## Use instead
    Keep one of them, or give each a distinct name.

    ## References
    - [documented] The CloudFormation resource schema of `AWS::Config::ConfigRule` (as cfn-lint ships
      it): `primaryIdentifier` is `/properties/ConfigRuleName`; CloudFormation's resource contract
      fails a second create of one identifier with AlreadyExists.
    - [reported] aws-cloudformation/cfn-lint#1326 - a request to catch "duplicate Config Rules when
      deploying either via CloudFormation or Conformance Packs".
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


@rule("CP206", "invalid-config-rule-name", Severity.ERROR, tags=("template",), cfn_lint=("E3012",))
def invalid_config_rule_name(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks each `ConfigRuleName`: written out (no intrinsic function), 1 to 128 characters, not only
    whitespace. A name longer than 101 characters is a warning, since AWS appends
    `-conformance-pack-` and a 9-character id to the deployed rule's name.

    ## Why is this bad?
    AWS Config does not support intrinsic functions in `ConfigRuleName`, and rejects names outside
    these limits when it creates the rule in each account.

    ## Example
    ```yaml
    ConfigRuleName: !Sub "${Prefix}-s3-versioning"
    ```

    ## Use instead
    ```yaml
    ConfigRuleName: s3-bucket-versioning-enabled
    ```

    ## References
    - [documented] AWS Config API Reference, `ConfigRule.ConfigRuleName`: length 1-128, pattern `.*\\S.*`.
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs", current edition
      as stored in Japanese (https://docs.aws.amazon.com/ja_jp/config/latest/developerguide/cpack-prerequisites.html):
      AWS Config does not support CloudFormation intrinsic functions for the automation execution role
      or `ConfigRuleName`; use the full rule name without intrinsic functions. (The archived 2023
      English edition names only the role.)
    - [observed] No deployed pack in AWS's samples or the wild corpus builds a `ConfigRuleName`; only
      templates deployed as plain CloudFormation stacks do.
    - [observed] Deployed pack rules are named `<ConfigRuleName>-conformance-pack-<9 characters>`, such
      as `vpc-flow-logs-enabled-conformance-pack-8bzjqtjiy`; whether AWS truncates or refuses a name
      that the suffix pushes over 128 is unverified (the warning).
    """
    limit = ctx.limits.config_rule_name_max
    for resource in ctx.template.of_type(CONFIG_RULE):
        if "ConfigRuleName" not in resource.properties:
            continue
        path = resource.path + ("Properties", "ConfigRuleName")
        function = intrinsic_name(resource.properties["ConfigRuleName"])
        if function is not None:
            yield Issue(
                f"ConfigRuleName must be the rule's full name, written out: AWS Config does not support intrinsic "
                f"functions ({function}) in ConfigRuleName",
                path,
                fix="write the name out, such as s3-bucket-versioning-enabled",
            )
            continue
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
    deployed by the same pack, or is not written out (a `Ref` to the rule's logical id, an
    `Fn::Sub`): the fix gives the rule's name.

    ## Why is this bad?
    AWS Config renames pack rules in each account and attaches a remediation by the name written in
    the pack, so a remediation can only attach to a rule of its own pack, named literally;
    otherwise the deployment fails.

    ## Example
    ```yaml
    ConfigRuleName: s3-bucket-versioning   # the rule is named s3-bucket-versioning-enabled
    ```

    ## Use instead
    Use the exact `ConfigRuleName` of the rule in the pack, and add `DependsOn` on that rule.

    ## References
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs", current edition
      as stored in Japanese: no intrinsic functions in `ConfigRuleName`; use the full rule name.
    - [documented] AWS Config API Reference, PutRemediationConfigurations: "The Config rule must already
      exist for you to add a remediation configuration".
    - [observed] All 63 remediations in AWS's samples and the wild corpus use the literal
      `ConfigRuleName` of a rule in the same template, with `DependsOn` on it.
    """
    template = ctx.template
    rules = deployed_rules(template)
    resolved = [effective_rule_name(template, resource) for resource in rules]
    # A name that cannot be known offline might match anything: then only written-out names are checked.
    names = {name for name in resolved if isinstance(name, str)} if all(isinstance(n, str) for n in resolved) else None
    rule_ids = {resource.logical_id: resource for resource in rules}
    for remediation in template.of_type(REMEDIATION):
        if not template.is_deployed(remediation) or "ConfigRuleName" not in remediation.properties:
            continue
        raw = remediation.properties["ConfigRuleName"]
        function = intrinsic_name(raw)
        if function is not None:
            yield Issue(
                f"a remediation's ConfigRuleName must be the rule's full name, written out: AWS Config does not "
                f"support intrinsic functions ({function}) in ConfigRuleName",
                remediation.path + ("Properties", "ConfigRuleName"),
                fix=_written_name(template, raw, rule_ids),
            )
            continue
        value = template.evaluator.resolve(raw)
        if names is not None and isinstance(value, str) and value not in names:
            yield Issue(
                f"remediation refers to config rule {value!r}, which this pack does not deploy",
                remediation.path + ("Properties", "ConfigRuleName"),
                fix="use the ConfigRuleName of a rule in this pack",
            )


def _written_name(template: Template, raw: object, rules: dict[str, Resource]) -> str:
    """The fix for a remediation that names its rule with `!Ref LogicalId`: that rule's literal name."""
    target = raw.get("Ref") if isinstance(raw, dict) else None
    resource = rules.get(target) if isinstance(target, str) else None
    name = effective_rule_name(template, resource) if resource is not None else None
    if isinstance(name, str):
        return f"ConfigRuleName: {name}"
    return "write the rule's ConfigRuleName out"


@rule("CP210", "no-config-rules", Severity.ERROR, tags=("template",))
def no_config_rules(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a pack with no `AWS::Config::ConfigRule` resource (an error). A pack whose rules are all
    switched off by their `Condition` with the given parameter values (or with the defaults, when no
    request context is given) is a warning: AWS ships such a pack itself, meant to be configured.

    ## Why is this bad?
    A pack without rules is rejected by CloudFormation or checks nothing; a pack whose every rule is
    switched off deploys and checks nothing.

    ## Example
    ```yaml
    Resources: {}
    ```

    ## Use instead
    At least one `AWS::Config::ConfigRule`, switched on by the parameters you pass.

    ## References
    - [reported] CloudFormation: "Template format error: At least one Resources member must be defined."
      (mludvig/aws-ethereum-miner#7).
    - [documented] AWS Config API Reference, PutConformancePack `TemplateBody`: a pack holds config rules
      and remediation actions, and a remediation needs its rule.
    - [observed] AWS's `Operational-Best-Practices-for-NZISM-Extension.yaml` switches all 12 rules off
      with its defaults.
    """
    template = ctx.template
    if deployed_rules(template):
        return
    if template.of_type(CONFIG_RULE):
        if ctx.request.known:
            yield Issue(
                "every config rule's Condition is false with the request's parameter values: the pack deploys no rule",
                ("Resources",),
                fix="pass the parameters that enable rules (--param NAME=true)",
                severity=Severity.WARNING,
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
