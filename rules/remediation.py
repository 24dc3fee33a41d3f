"""CP211, CP212, CP217, CP218: remediation settings AWS Config takes only literally, the rule a
remediation needs created first, and the kinds and ranges of its settings."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.api import API_LIMITS, CONFIG_RULE, REMEDIATION, Context, Edit, Issue, Severity, intrinsic_name, rule

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


@rule("CP217", "remediation-parameter-kind", Severity.ERROR, tags=("template", "remediation"))
def remediation_parameter_kind(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks each remediation parameter's value: exactly one of `StaticValue` (with `Values`) and
    `ResourceValue` (whose `Value` is `RESOURCE_ID`, the one value AWS takes), and at most 25
    parameters and 25 static values of at most 256 characters each. More than one parameter given
    the resource's id is a warning: each gets the same id.

    ## Why is this bad?
    AWS refuses the remediation: "There were invalid RemediationParameterValues for configurations
    for AWS Config Rules".

    ## Example
    ```yaml
    InstanceIds:
      ResourceValue: {Value: RESOURCE_ID}
      StaticValue: {Values: [i-0123]}
    ```

    ## Use instead
    One of them: `ResourceValue: {Value: RESOURCE_ID}`.

    ## References
    - [documented] AWS Config API Reference, RemediationParameterValue: "You must select either a
      dynamic value or a static value"; ResourceValue `Value`: one of `RESOURCE_ID`; the limits of
      RemediationParameters and StaticValue.
    - [reported] hashicorp/terraform-provider-aws#31428 - "InvalidParameterValueException: There were
      invalid RemediationParameterValues" for a parameter with both a ResourceValue and a StaticValue.
    - [inferred] Two parameters given the resource id is legal and rarely meant (warning).
    """
    limits = API_LIMITS
    for remediation in ctx.template.deployed(REMEDIATION):
        parameters = remediation.mapping("Parameters")
        base = remediation.path + ("Properties", "Parameters")
        if len(parameters) > limits.remediation_parameters_max:
            most = limits.remediation_parameters_max
            yield Issue(f"{len(parameters)} remediation parameters; AWS takes at most {most}", base)
        resource_parameters = []
        for name, value in parameters.items():
            path = base + (name,)
            if not isinstance(value, dict) or intrinsic_name(value):
                continue
            kinds = [kind for kind in ("StaticValue", "ResourceValue") if kind in value]
            if len(kinds) == 2:
                yield Issue(f"parameter {name!r} has both a StaticValue and a ResourceValue: AWS takes one",
                            path, fix="keep one of them")  # fmt: skip
            elif not kinds:
                yield Issue(f"parameter {name!r} has neither a StaticValue nor a ResourceValue", path)
            resource = value.get("ResourceValue")
            if isinstance(resource, dict):
                given = ctx.template.evaluator.resolve(resource.get("Value"))
                if isinstance(given, str) and given not in limits.remediation_resource_values:
                    yield Issue(f"ResourceValue {given!r}: the only value AWS takes is RESOURCE_ID",
                                path + ("ResourceValue", "Value"), fix="write RESOURCE_ID")  # fmt: skip
                resource_parameters.append(name)
            static = value.get("StaticValue")
            values = static.get("Values") if isinstance(static, dict) else None
            if isinstance(values, list):
                if len(values) > limits.remediation_static_values_max:
                    most = limits.remediation_static_values_max
                    yield Issue(
                        f"{len(values)} static values; AWS takes at most {most}", path + ("StaticValue", "Values")
                    )
                for index, item in enumerate(values):
                    if isinstance(item, str) and not 1 <= len(item) <= limits.remediation_static_value_max:
                        most = limits.remediation_static_value_max
                        yield Issue(
                            f"a static value of {len(item)} characters; AWS takes 1 to {most}",
                            path + ("StaticValue", "Values", index),
                        )
        if len(resource_parameters) > 1:
            yield Issue(
                f"{len(resource_parameters)} parameters ({', '.join(resource_parameters)}) are given the resource's "
                "id: each gets the same one",
                base + (resource_parameters[1],),
                severity=Severity.WARNING,
            )


def _literal_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


@rule("CP218", "remediation-setting-out-of-range", Severity.ERROR, tags=("template", "remediation"))
def remediation_setting_out_of_range(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks a remediation's settings against the API: `TargetType` is `SSM_DOCUMENT`,
    `MaximumAutomaticAttempts` 1 to 25, `RetryAttemptSeconds` 1 to 2,678,000, and
    `ExecutionControls.SsmControls` percentages 1 to 100. A `TargetVersion` that is no SSM document
    version (`1`, `$DEFAULT`, `$LATEST`) is a warning.

    ## Why is this bad?
    AWS refuses the remediation, and with it the pack.

    ## Example
    `MaximumAutomaticAttempts: 30`.

    ## Use instead
    `MaximumAutomaticAttempts: 25` or fewer.

    ## References
    - [documented] AWS Config API Reference, RemediationConfiguration: TargetType one of
      `SSM_DOCUMENT`, MaximumAutomaticAttempts 1-25, RetryAttemptSeconds 1-2678000; SsmControls
      percentages 1-100 (the installed botocore model; a test compares them).
    - [inferred] The TargetVersion is the SSM document's version that Automation runs; SSM's
      DocumentVersion is `$LATEST`, `$DEFAULT` or a number (warning).
    """
    limits = API_LIMITS
    ranges = {
        "MaximumAutomaticAttempts": (limits.automatic_attempts_min, limits.automatic_attempts_max),
        "RetryAttemptSeconds": (limits.retry_attempt_seconds_min, limits.retry_attempt_seconds_max),
    }
    for remediation in ctx.template.deployed(REMEDIATION):
        properties = remediation.properties
        base = remediation.path + ("Properties",)
        target_type = ctx.template.evaluator.resolve(properties.get("TargetType"))
        if isinstance(target_type, str) and target_type not in limits.remediation_target_types:
            yield Issue(f"TargetType {target_type!r}: AWS takes only SSM_DOCUMENT", base + ("TargetType",),
                        fix="write SSM_DOCUMENT")  # fmt: skip
        for key, (low, high) in ranges.items():
            number = _literal_number(ctx.template.evaluator.resolve(properties.get(key)))
            if number is not None and not low <= number <= high:
                yield Issue(f"{key} {number:,} is out of range: AWS takes {low:,} to {high:,}", base + (key,))
        controls = properties.get("ExecutionControls")
        ssm = controls.get("SsmControls") if isinstance(controls, dict) else None
        for key in ("ConcurrentExecutionRatePercentage", "ErrorPercentage"):
            number = _literal_number(ctx.template.evaluator.resolve(ssm.get(key))) if isinstance(ssm, dict) else None
            if number is not None and not limits.percentage_min <= number <= limits.percentage_max:
                yield Issue(f"{key} {number} is out of range: AWS takes {limits.percentage_min} to "
                            f"{limits.percentage_max}", base + ("ExecutionControls", "SsmControls", key))  # fmt: skip
        version = ctx.template.evaluator.resolve(properties.get("TargetVersion"))
        if isinstance(version, (str, int)) and not isinstance(version, bool):
            if not re.fullmatch(limits.document_version_pattern, str(version)):
                yield Issue(
                    f"TargetVersion {str(version)!r} is no SSM document version (a number, $DEFAULT or $LATEST)",
                    base + ("TargetVersion",),
                    severity=Severity.WARNING,
                )
