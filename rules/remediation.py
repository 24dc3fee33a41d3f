"""CP211, CP212: remediation settings AWS Config takes only literally, and the rule a remediation needs
created first."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.api import CONFIG_RULE, REMEDIATION, Context, Edit, Issue, Severity, intrinsic_name, rule

_ROLE_ARN = r"arn:aws[a-z-]*:iam::[^:]*:role/\S+"


@rule("CP211", "automation-role-not-literal", Severity.ERROR, tags=("template", "remediation"))
def automation_role_not_literal(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks a remediation's `AutomationAssumeRole` parameter: its `StaticValue` must be a literal IAM
    role ARN, and an automatic remediation (`Automatic: true`) must have one. The ARN's account field
    is CP410's to check.

    ## Why is this bad?
    AWS Config does not resolve intrinsic functions (`!Sub`, `!Ref`, `!ImportValue`) for the
    automation execution role of a conformance pack, and automatic remediation needs the role. For
    an organization pack, write the management account's id: AWS Config replaces it with each
    member's.

    ## Example
    ```yaml
    AutomationAssumeRole:
      StaticValue:
        Values: [!Sub "arn:aws:iam::${AWS::AccountId}:role/Remediation"]
    ```

    ## Use instead
    The role's ARN written out, with the 12-digit id of your account (for an organization pack, the
    management account's): `Values: ["arn:aws:iam::<account id>:role/Remediation"]`.

    ## References
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs"
      (https://docs.aws.amazon.com/config/latest/developerguide/cpack-prerequisites.html): "AWS Config
      does not support AWS CloudFormation intrinsic functions for the automation execution role. You
      must provide the exact ARN of the role as a string."
    - [documented] AWS Config API Reference, PutRemediationConfigurations: "for automatic remediation
      configuration, the only valid assumeRole field value is AutomationAssumeRole and you need to
      provide a value for AutomationAssumeRole".
    """
    for remediation in ctx.template.of_type(REMEDIATION):
        properties = remediation.properties
        parameters = properties.get("Parameters")
        base = remediation.path + ("Properties", "Parameters", "AutomationAssumeRole")
        role = parameters.get("AutomationAssumeRole") if isinstance(parameters, dict) else None
        if role is None:
            automatic = ctx.template.evaluator.resolve(properties.get("Automatic"))
            if automatic is True or automatic == "true":
                yield Issue(
                    "automatic remediation without an AutomationAssumeRole parameter",
                    remediation.path + ("Properties", "Automatic"),
                    fix="add Parameters.AutomationAssumeRole.StaticValue.Values with the role's ARN",
                )
            continue
        static = role.get("StaticValue") if isinstance(role, dict) else None
        values = static.get("Values") if isinstance(static, dict) else None
        if intrinsic_name(role) or intrinsic_name(static) or intrinsic_name(values):
            yield Issue(
                "AutomationAssumeRole must be a literal role ARN; AWS Config does not resolve intrinsic functions here",
                base,
            )
            continue
        if not isinstance(values, list):
            continue
        for index, value in enumerate(values):
            path = base + ("StaticValue", "Values", index)
            if intrinsic_name(value):
                yield Issue(
                    f"AutomationAssumeRole must be a literal role ARN, not {intrinsic_name(value)}; AWS Config does "
                    "not resolve intrinsic functions here",
                    path,
                    fix="write the ARN out: arn:aws:iam::<12-digit id of the management account>:role/NAME",
                )
            elif not isinstance(value, str) or not re.fullmatch(_ROLE_ARN, value):
                yield Issue(f"AutomationAssumeRole {value!r} is not an IAM role ARN", path)


@rule("CP212", "remediation-without-depends-on", Severity.ERROR, tags=("template", "remediation"), fix="safe")
def remediation_without_depends_on(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `RemediationConfiguration` whose `DependsOn` does not name the config rule it remediates
    (the rule of the pack whose `ConfigRuleName` it gives).

    ## Why is this bad?
    The remediation names its rule by a string, which is no dependency to CloudFormation: in each
    account it may create the remediation first, and AWS Config rejects a remediation of a rule that
    does not exist yet, failing the pack in that account, or not, depending on timing.

    ## Example
    ```yaml
    BucketVersioningRemediation:
      Type: AWS::Config::RemediationConfiguration
      Properties:
        ConfigRuleName: s3-bucket-versioning-enabled
    ```

    ## Use instead
    ```yaml
    BucketVersioningRemediation:
      Type: AWS::Config::RemediationConfiguration
      DependsOn: BucketVersioning
      Properties:
        ConfigRuleName: s3-bucket-versioning-enabled
    ```

    ## Fix
    `DependsOn: <the rule's logical id>` is added after the remediation's `Type`, when the remediation
    has no `DependsOn` yet and the rule has no `Condition` (a dependency on a resource that a condition
    leaves out fails the stack). Safe: it changes only the order of creation.

    ## References
    - [reported] hashicorp/terraform-provider-aws#9348 (the remediation configuration resource's
      documentation): "Config Remediation Configuration requires an existing Config Rule to be present.
      Use of depends_on is recommended ... to avoid race conditions."
    - [observed] Every remediation of AWS's sample packs and of the packs from other repositories in the
      corpus (63 of 63) has a `DependsOn` on its rule.
    """
    rules = {}
    for resource in ctx.template.of_type(CONFIG_RULE):
        name = resource.properties.get("ConfigRuleName")
        if isinstance(name, str):
            rules[name] = resource
    for remediation in ctx.template.of_type(REMEDIATION):
        name = remediation.properties.get("ConfigRuleName")
        target = rules.get(name) if isinstance(name, str) else None
        if target is None:  # CP207 says what is wrong with the name
            continue
        depends = remediation.body.get("DependsOn")
        if depends == target.logical_id or (isinstance(depends, list) and target.logical_id in depends):
            continue
        edits: tuple[Edit, ...] = ()
        if depends is None and "Condition" not in target.body and ctx.editor is not None:
            edit = ctx.editor.add_entry_after(remediation.path + ("Type",), "DependsOn", target.logical_id)
            edits = (edit,) if edit is not None else ()
        yield Issue(
            f"remediation {remediation.logical_id!r} does not depend on its rule {target.logical_id!r}: "
            "CloudFormation may create it first, and AWS Config rejects a remediation of a rule that does not "
            "exist yet",
            remediation.path + (("DependsOn",) if depends is not None else ("Type",)),
            fix=f"add DependsOn: {target.logical_id}" if depends is None else f"add {target.logical_id} to DependsOn",
            edits=edits,
        )
