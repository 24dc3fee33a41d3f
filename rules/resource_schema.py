"""CP420: resource properties against CloudFormation's resource provider schemas."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import PACK_RESOURCE_TYPES, Context, DocPath, Issue, SchemasUnavailable, Severity, rule

RESOURCE_ATTRIBUTES = frozenset(
    {"Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy", "UpdateReplacePolicy",
     "CreationPolicy", "UpdatePolicy"}
)  # fmt: skip
# Resource-level keys that AWS's own console packs carry next to Type and Properties.
PACK_ATTRIBUTES = frozenset({"Controls", "Description"})


@rule(
    "CP420",
    "resource-schema",
    Severity.ERROR,
    tags=("template", "schema"),
    cfn_lint=("E1020", "W1030", "E3001", "E3002", "E3003", "E3012", "E3033"),
)
def resource_schema(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Validates every `AWS::Config::ConfigRule` and `AWS::Config::RemediationConfiguration` against the
    CloudFormation resource provider schema that cfn-lint ships: unknown or misspelt properties,
    missing required properties, wrong types, lengths, read-only properties (`Arn`, `ConfigRuleId`,
    `Compliance`) and unknown resource attributes. Intrinsic functions count as CloudFormation
    evaluates them: both branches of `Fn::If`, `AWS::NoValue` as absent, `Ref`/`Fn::Sub`/`Fn::Join`
    as strings, except that a `Ref` to a `CommaDelimitedList` or `List<...>` parameter is a list, as
    are `Fn::Split`, `Fn::GetAZs` and `Fn::Cidr`. The `Controls` and `Description` attributes of AWS's
    console packs are accepted.

    ## Why is this bad?
    CloudFormation rejects the resource in every member account's stack ("Property validation
    failure"), after the put has succeeded.

    ## Example
    ```yaml
    Type: AWS::Config::RemediationConfiguration
    Properties:
      ConfigRuleName: s3-bucket-versioning-enabled
      TargetID: AWS-ConfigureS3BucketVersioning
    ```

    ## Use instead
    ```yaml
    Type: AWS::Config::RemediationConfiguration
    Properties:
      ConfigRuleName: s3-bucket-versioning-enabled
      TargetId: AWS-ConfigureS3BucketVersioning
      TargetType: SSM_DOCUMENT
    ```

    ## References
    - [documented] AWS Config Developer Guide, "Conformance packs" (troubleshooting): a pack is deployed
      as a CloudFormation stack in each account, whose events show the failures.
    - [reported] awslabs/aws-config-rules#421 - deploying AWS's FedRAMP pack: "Property validation
      failure: [Value of property {/InputParameters} does not match type {String}]", "the same issue
      when trying to deploy the same conformance pack in Config in the AWS console".
    - [observed] AWS's sample packs carry resource-level `Controls` and `Description` and deploy, so
      those two attributes are accepted.
    """
    resources = [resource for resource in ctx.template.resources if resource.type in PACK_RESOURCE_TYPES]
    if not resources:
        return
    validators = ctx.reference.pack_validators
    if isinstance(validators, SchemasUnavailable):
        yield Issue(f"resource schemas unavailable, properties not checked: {validators}", severity=Severity.INFO)
        return
    for resource in resources:
        for attribute in resource.body:
            if attribute not in RESOURCE_ATTRIBUTES and attribute not in PACK_ATTRIBUTES:
                yield Issue(f"unknown resource attribute {attribute!r}", resource.path + (attribute,))
        validator = validators[resource.type]  # type: ignore[index]
        schema = validator.root
        properties_path = resource.path + ("Properties",)
        raw = resource.body.get("Properties")
        if raw is None:
            if schema.get("required"):
                yield Issue(
                    f"{resource.type} needs Properties ({', '.join(schema['required'])})",  # type: ignore[arg-type]
                    resource.path,
                )
            continue
        for path, message in validator.problems(raw, schema, properties_path, ctx.template.list_parameters):
            yield Issue(f"{_property_name(path[len(properties_path) :])}: {message}", path)
        yield from _read_only(raw, validator.read_only_paths, properties_path)


def _read_only(properties: object, read_only_paths: tuple[tuple[str, ...], ...], base: DocPath) -> Iterator[Issue]:
    if not isinstance(properties, dict):
        return
    for parts in read_only_paths:
        node: object = properties
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            message = f"{'.'.join(parts)} is read-only: AWS sets it, a template cannot"
            yield Issue(message, base + parts, fix="remove it")


def _property_name(path: DocPath) -> str:
    """`Source.SourceDetails[0].MessageType`; intrinsic functions are shown as where the value comes from."""
    parts: list[str] = []
    after_if = False
    for part in path:
        if after_if:
            parts[-1] += f" (Fn::If {'true' if part == 1 else 'false'} branch)"
            after_if = False
        elif part == "Fn::If":
            after_if = True
        elif isinstance(part, str) and (part == "Ref" or part.startswith("Fn::")):
            continue
        elif isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
        else:
            parts.append(part)
    return ".".join(parts) or "Properties"
