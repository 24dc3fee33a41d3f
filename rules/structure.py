"""CP201-CP203: what a conformance pack template may contain at all."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import Context
from preflight.findings import Issue, Severity
from preflight.rule import rule
from preflight.template import CONFIG_RULE, REMEDIATION

SUPPORTED_SECTIONS = frozenset(
    {"AWSTemplateFormatVersion", "Description", "Parameters", "Conditions", "Mappings", "Resources"}
)
UNSUPPORTED_CLOUDFORMATION_SECTIONS = frozenset({"Outputs", "Metadata", "Transform", "Rules", "Hooks"})
SUPPORTED_FUNCTIONS = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::If",
        "Fn::Equals",
        "Fn::Not",
        "Fn::And",
        "Fn::Or",
        "Fn::Sub",
        "Fn::FindInMap",
        "Fn::ImportValue",
    }
)
UNSUPPORTED_CLOUDFORMATION_FUNCTIONS = frozenset(
    {
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::Base64",
        "Fn::GetAZs",
        "Fn::Cidr",
        "Fn::Length",
        "Fn::ToJsonString",
        "Fn::Transform",
        "Fn::ForEach",
        "Fn::FindInMap::DefaultValue",
    }
)
STACK_PSEUDO_PARAMETERS = frozenset({"AWS::StackName", "AWS::StackId", "AWS::NotificationARNs"})


@rule("CP201", "unsupported-resource-type", Severity.ERROR, tags=("template",))
def unsupported_resource_type(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a resource whose `Type` is missing or is anything other than
    `AWS::Config::ConfigRule` or `AWS::Config::RemediationConfiguration`.

    ## Why is this bad?
    A conformance pack may contain only these two resource types; AWS rejects the template.

    ## Example
    ```yaml
    Resources:
      LogBucket:
        Type: AWS::S3::Bucket
    ```

    ## Use instead
    Create supporting resources (buckets, roles, Lambda functions) in a separate CloudFormation stack
    or StackSet, and reference them by ARN.
    """
    for resource in ctx.template.resources:
        if not resource.is_mapping:
            yield Issue(f"resource {resource.logical_id!r} is not a mapping", resource.path)
        elif resource.type is None:
            yield Issue(f"resource {resource.logical_id!r} has no Type", resource.path)
        elif resource.type not in (CONFIG_RULE, REMEDIATION):
            yield Issue(
                f"resource type {resource.type} is not allowed in a conformance pack "
                f"(only {CONFIG_RULE} and {REMEDIATION})",
                resource.path + ("Type",),
                fix="deploy this resource in a separate stack",
            )


@rule("CP202", "unsupported-section", Severity.ERROR, tags=("template",))
def unsupported_section(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks the template's top-level sections. `Parameters`, `Conditions`, `Mappings`, `Resources`,
    `Description` and `AWSTemplateFormatVersion` (which must be `2010-09-09`) are supported.
    `Outputs`, `Metadata`, `Transform`, `Rules` and `Hooks` are CloudFormation sections that no AWS
    documentation or sample uses in a conformance pack (warning); any other name is an error.

    ## Why is this bad?
    CloudFormation rejects unknown sections ("Invalid template property"), and a `Transform` (such as
    SAM) would produce resources a pack may not contain.

    ## Example
    ```yaml
    Parameter:
      MaxAccessKeyAge: {Type: String, Default: "90"}
    ```

    ## Use instead
    ```yaml
    Parameters:
      MaxAccessKeyAge: {Type: String, Default: "90"}
    ```
    """
    for section, value in ctx.template.data.items():
        if section in SUPPORTED_SECTIONS:
            if section == "AWSTemplateFormatVersion" and value != "2010-09-09":
                yield Issue(
                    f"AWSTemplateFormatVersion must be '2010-09-09', not {value!r}",
                    (section,),
                    fix="AWSTemplateFormatVersion: '2010-09-09'",
                )
        elif section in UNSUPPORTED_CLOUDFORMATION_SECTIONS:
            yield Issue(
                f"section {section} is not supported in conformance packs (no AWS documentation or sample uses it)",
                (section,),
                fix=f"remove the {section} section",
                severity=Severity.WARNING,
            )
        else:
            yield Issue(
                f"unknown top-level section {section!r}; CloudFormation rejects the template",
                (section,),
                fix="valid sections: " + ", ".join(sorted(SUPPORTED_SECTIONS)),
            )


@rule("CP203", "unsupported-intrinsic-function", Severity.ERROR, tags=("template",))
def unsupported_intrinsic_function(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports intrinsic functions a conformance pack cannot use. Unknown `Fn::` names are errors.
    CloudFormation functions with no evidence of support in conformance packs (`Fn::GetAtt`,
    `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::Base64`, `Fn::GetAZs`, `Fn::Cidr`, ...) and the stack
    pseudo parameters (`AWS::StackName`, `AWS::StackId`, `AWS::NotificationARNs`) are warnings.
    `Ref`, `Fn::If`, `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Fn::Sub`, `Fn::FindInMap` and
    `Fn::ImportValue` are supported.

    ## Why is this bad?
    The pack fails to deploy, or a value silently differs in every member account (each member's
    stack has its own name).

    ## Example
    ```yaml
    ConfigRuleName: !Join ["-", [!Ref Prefix, s3-versioning]]
    ```

    ## Use instead
    ```yaml
    ConfigRuleName: !Sub "${Prefix}-s3-versioning"
    ```
    """
    for path, key, argument in ctx.template.intrinsic_calls:
        if key == "Ref":
            if isinstance(argument, str) and argument in STACK_PSEUDO_PARAMETERS:
                yield Issue(
                    f"Ref {argument} differs in every member account's stack; conformance packs do not document it",
                    path + (key,),
                    severity=Severity.WARNING,
                )
            continue
        if not key.startswith("Fn::") or key in SUPPORTED_FUNCTIONS:
            continue
        if key in UNSUPPORTED_CLOUDFORMATION_FUNCTIONS:
            yield Issue(
                f"{key} is not supported in conformance packs (no AWS documentation or sample uses it)",
                path + (key,),
                fix="use Fn::Sub, Fn::If or a parameter instead",
                severity=Severity.WARNING,
            )
        else:
            yield Issue(f"unknown intrinsic function {key}", path + (key,))
