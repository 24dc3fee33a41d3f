"""CP201-CP203: what a conformance pack template may contain at all."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import CONFIG_RULE, REMEDIATION, Context, Issue, Severity, did_you_mean, rule

SUPPORTED_SECTIONS = frozenset(
    {"AWSTemplateFormatVersion", "Description", "Parameters", "Conditions", "Mappings", "Resources"}
)
# CloudFormation sections that no AWS document and no known deployed pack uses: unverified in a pack.
UNVERIFIED_SECTIONS = frozenset({"Outputs", "Metadata", "Transform", "Rules", "Hooks"})
# Intrinsic functions that deployed conformance packs use (AWS's samples and documentation, and the
# Government of Canada organization pack for Fn::Join).
SUPPORTED_FUNCTIONS = frozenset(
    {"Ref", "Condition", "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Sub", "Fn::FindInMap",
     "Fn::ImportValue", "Fn::Join"}
)  # fmt: skip
# CloudFormation functions that no known deployed pack uses: unverified in a pack.
UNVERIFIED_FUNCTIONS = frozenset(
    {"Fn::GetAtt", "Fn::Select", "Fn::Split", "Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::Transform"}
)
# Functions CloudFormation runs only when the template declares `Transform: AWS::LanguageExtensions`.
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
LANGUAGE_EXTENSION_FUNCTIONS = frozenset({"Fn::Length", "Fn::ToJsonString", "Fn::ForEach"})
STACK_PSEUDO_PARAMETERS = frozenset({"AWS::StackName", "AWS::StackId", "AWS::NotificationARNs"})


@rule("CP201", "unsupported-resource-type", Severity.ERROR, tags=("template",), cfn_lint=("E3001", "E3006"))
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

    ## References
    - [documented] AWS Config API Reference, PutConformancePack `TemplateBody`: "You can use a YAML
      template with two resource types: Config rule (AWS::Config::ConfigRule) and remediation action
      (AWS::Config::RemediationConfiguration)."
    - [observed] Every resource of AWS's 97 sample packs and of every deployed pack in the wild corpus
      is one of the two types.
    """
    for resource in ctx.template.resources:
        if resource.logical_id in ctx.template.resource_loops:
            continue  # an Fn::ForEach loop, not a resource (CP203)
        if not resource.is_mapping:
            yield Issue(f"resource {resource.logical_id!r} is not a mapping", resource.path)
        elif resource.type is None:
            yield Issue(f"resource {resource.logical_id!r} has no Type", resource.path)
        elif resource.type not in (CONFIG_RULE, REMEDIATION):
            yield Issue(
                f"resource type {resource.type} is not allowed in a conformance pack "
                f"(only {CONFIG_RULE} and {REMEDIATION})",
                resource.path + ("Type",),
                fix=did_you_mean(str(resource.type), (CONFIG_RULE, REMEDIATION))
                or "deploy this resource in a separate stack",
            )


@rule("CP202", "unsupported-section", Severity.ERROR, tags=("template",), cfn_lint=("E1001",))
def unsupported_section(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks the template's top-level sections. `Parameters`, `Conditions`, `Mappings`, `Resources`,
    `Description` and `AWSTemplateFormatVersion` are used by deployed packs; the version must be
    `2010-09-09`. A name CloudFormation does not know is an error. `Outputs`, `Metadata`,
    `Transform`, `Rules` and `Hooks` are CloudFormation sections that no AWS document and no known
    deployed pack uses: a warning, since whether AWS Config accepts them is unverified.

    ## Why is this bad?
    CloudFormation rejects an unknown section ("Invalid template property or properties") and any
    format version but `2010-09-09`, in every member account's stack. A `Transform` also needs its
    macro in every member account, and a transform such as SAM produces resources a pack may not
    contain.

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

    ## References
    - [reported] Versent/cfn-check#3 - CloudFormation: "Template validation error: Invalid template
      property or properties [outputs]" for a top-level key it does not know.
    - [documented] AWS CloudFormation User Guide, "Format version"
      (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/format-version-structure.html):
      "The latest template format version is 2010-09-09 and is currently the only valid value."
    - [observed] `AWSTemplateFormatVersion` and `Description` in deployed organization packs
      (aws-samples/aws-cloud-compliance-assurance `aws-org-conformancepack/cft/org-confpack-pci.yml`);
      `Mappings` in aws-samples/aws-config-tagging-remediation-example's organization pack.
    - [observed] No AWS sample or known deployed pack has `Outputs`, `Rules`, `Transform` or `Hooks`;
      the Government of Canada organization pack added a `Metadata` section once (commit 23bdb7c) and
      removed it 41 minutes later, without saying why.
    """
    for section, value in ctx.template.data.items():
        if section in SUPPORTED_SECTIONS:
            if section == "AWSTemplateFormatVersion" and str(value) != "2010-09-09":
                yield Issue(
                    f"AWSTemplateFormatVersion must be '2010-09-09', not {value!r}",
                    (section,),
                    fix="AWSTemplateFormatVersion: '2010-09-09'",
                )
        elif section in UNVERIFIED_SECTIONS:
            yield Issue(
                f"no AWS document or known deployed conformance pack has a {section} section; unverified "
                "whether AWS Config accepts it",
                (section,),
                fix=f"remove the {section} section",
                severity=Severity.WARNING,
            )
        else:
            yield Issue(
                f"unknown top-level section {section!r}; CloudFormation rejects the template",
                (section,),
                fix=did_you_mean(section, SUPPORTED_SECTIONS | UNVERIFIED_SECTIONS)
                or "valid sections: " + ", ".join(sorted(SUPPORTED_SECTIONS)),
            )


@rule("CP203", "unsupported-intrinsic-function", Severity.ERROR, tags=("template",))
def unsupported_intrinsic_function(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports intrinsic functions that CloudFormation or a conformance pack cannot use. An unknown
    `Fn::` name is an error, and so are `Fn::Length`, `Fn::ToJsonString` and `Fn::ForEach` without
    `Transform: AWS::LanguageExtensions`. CloudFormation functions that no known deployed pack uses
    (`Fn::GetAtt`, `Fn::Select`, `Fn::Split`, `Fn::Base64`, `Fn::GetAZs`, `Fn::Cidr`,
    `Fn::Transform`) and the stack pseudo parameters (`AWS::StackName`, `AWS::StackId`,
    `AWS::NotificationARNs`) are warnings. `Ref`, `Condition`, `Fn::If`, `Fn::Equals`, `Fn::Not`,
    `Fn::And`, `Fn::Or`, `Fn::Sub`, `Fn::FindInMap`, `Fn::ImportValue` and `Fn::Join` are used by
    deployed packs and never reported.

    ## Why is this bad?
    CloudFormation rejects an unknown function ("Encountered unsupported function") and the
    language-extension functions without their transform, in every member account's stack. The
    stack pseudo parameters give each member account's generated stack name
    (`awsconfigconforms-...`), not the pack's.

    ## Example
    ```yaml
    MaximumExecutionFrequency: !Length [!Ref Frequencies]
    ```

    ## Use instead
    ```yaml
    MaximumExecutionFrequency: !Ref Frequency
    ```

    ## References
    - [reported] aws/aws-cli#2746 - CloudFormation: "Template Error: Encountered unsupported function:
      Fn::Condition Supported functions are: [Fn::Base64, Fn::GetAtt, ...]".
    - [documented] AWS CloudFormation User Guide, "AWS::LanguageExtensions transform"
      (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-languageextension-transform.html):
      Fn::ForEach, Fn::Length and Fn::ToJsonString work only when the template declares the transform.
    - [observed] ssc-spc-ccoe-cei/aws-guardrails-cac-solution `arch/templates/ConformancePack.yaml`,
      deployed as an organization pack across releases from 2024 to 2026, builds every Lambda ARN with
      `Fn::Join` (and `Fn::Sub` inside it); AWS's samples use `Ref`, `Fn::If`, `Fn::Equals`,
      `Fn::Not`, `Fn::Sub` and `Fn::FindInMap`.
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs": an
      `Fn::ImportValue` export must exist in every member account of an organization pack.
    - [inferred] No known deployed pack uses the warned functions or pseudo parameters; AWS Config
      pre-processes the template (it renames rules and refuses intrinsic functions in some
      properties), so support for the rest is unverified.
    """
    declared = ctx.template.data.get("Transform")
    transforms = declared if isinstance(declared, list) else [declared]
    with_extensions = LANGUAGE_EXTENSIONS in transforms
    loops = [(("Resources",), key, None) for key in ctx.template.resource_loops]
    for path, key, argument in [*loops, *ctx.template.intrinsic_calls]:
        if key == "Ref":
            if isinstance(argument, str) and argument in STACK_PSEUDO_PARAMETERS:
                yield Issue(
                    f"Ref {argument} gives each member account's generated stack (awsconfigconforms-...), not the "
                    "pack; no known deployed pack uses it",
                    path + (key,),
                    severity=Severity.WARNING,
                )
            continue
        function = "Fn::ForEach" if key.startswith("Fn::ForEach::") else key
        if not function.startswith("Fn::") or function in SUPPORTED_FUNCTIONS:
            continue
        if function in LANGUAGE_EXTENSION_FUNCTIONS:
            if not with_extensions:
                yield Issue(
                    f"{function} needs `Transform: {LANGUAGE_EXTENSIONS}`; CloudFormation rejects it otherwise",
                    path + (key,),
                    fix=f"declare Transform: {LANGUAGE_EXTENSIONS}, or write the value out",
                )
        elif function in UNVERIFIED_FUNCTIONS:
            yield Issue(
                f"no known deployed conformance pack uses {function}; unverified whether AWS Config accepts it",
                path + (key,),
                fix="use Fn::Sub, Fn::Join, Fn::If or a parameter instead",
                severity=Severity.WARNING,
            )
        else:
            yield Issue(
                f"unknown intrinsic function {key}; CloudFormation rejects the template",
                path + (key,),
                fix=did_you_mean(key, SUPPORTED_FUNCTIONS | UNVERIFIED_FUNCTIONS | LANGUAGE_EXTENSION_FUNCTIONS),
            )
