"""CP211: remediation settings AWS Config takes only literally."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.api import REMEDIATION, Context, Issue, Severity, intrinsic_name, rule

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
    ```yaml
    AutomationAssumeRole:
      StaticValue:
        Values: ["arn:aws:iam::123456789012:role/Remediation"]
    ```

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
                    fix="write the ARN out: arn:aws:iam::123456789012:role/NAME",
                )
            elif not isinstance(value, str) or not re.fullmatch(_ROLE_ARN, value):
                yield Issue(f"AutomationAssumeRole {value!r} is not an IAM role ARN", path)
