"""CP420: resource properties against CloudFormation's resource provider schemas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from preflight.context import Context
from preflight.findings import DocPath, Issue, Severity
from preflight.resource_schemas import PACK_RESOURCE_TYPES, SchemasUnavailable, load_pack_schemas
from preflight.rule import rule
from preflight.schema_check import validate

RESOURCE_ATTRIBUTES = frozenset(
    {"Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy", "UpdateReplacePolicy",
     "CreationPolicy", "UpdatePolicy"}
)  # fmt: skip
# Resource-level keys that AWS's own console packs carry next to Type and Properties.
PACK_ATTRIBUTES = frozenset({"Controls", "Description"})


@rule("CP420", "resource-schema", Severity.ERROR, tags=("template", "schema"))
def resource_schema(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Validates every `AWS::Config::ConfigRule` and `AWS::Config::RemediationConfiguration` against the
    CloudFormation resource provider schema that cfn-lint ships: unknown or misspelt properties,
    missing required properties, wrong types, lengths, read-only properties (`Arn`, `ConfigRuleId`,
    `Compliance`) and unknown resource attributes. Intrinsic functions count as CloudFormation
    evaluates them: both branches of `Fn::If`, `AWS::NoValue` as absent, and `Ref`/`Fn::Sub` as
    strings. The `Controls` and `Description` attributes of AWS's console packs are accepted.

    ## Why is this bad?
    CloudFormation rejects the resource in every member account's stack ("Properties validation
    failed"), after the put has succeeded.

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
    """
    resources = [resource for resource in ctx.template.resources if resource.type in PACK_RESOURCE_TYPES]
    if not resources:
        return
    try:
        schemas = load_pack_schemas()
    except SchemasUnavailable as error:
        yield Issue(f"resource schemas unavailable, properties not checked: {error}", severity=Severity.INFO)
        return
    for resource in resources:
        for attribute in resource.body:
            if attribute not in RESOURCE_ATTRIBUTES and attribute not in PACK_ATTRIBUTES:
                yield Issue(f"unknown resource attribute {attribute!r}", resource.path + (attribute,))
        schema = schemas[resource.type]  # type: ignore[index]
        properties_path = resource.path + ("Properties",)
        raw = resource.body.get("Properties")
        if raw is None:
            if schema.get("required"):
                yield Issue(
                    f"{resource.type} needs Properties ({', '.join(schema['required'])})",  # type: ignore[arg-type]
                    resource.path,
                )
            continue
        for path, message in validate(raw, schema, schema, properties_path):
            yield Issue(f"{_property_name(path[len(properties_path) :])}: {message}", path)
        yield from _read_only(raw, schema, properties_path)


def _read_only(properties: object, schema: Mapping[str, object], base: DocPath) -> Iterator[Issue]:
    pointers = schema.get("readOnlyProperties")
    if not isinstance(properties, dict) or not isinstance(pointers, list):
        return
    for pointer in pointers:
        parts = [part for part in str(pointer).split("/") if part and part != "properties"]
        node: object = properties
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            yield Issue(
                f"{'.'.join(parts)} is read-only: AWS sets it, a template cannot", base + tuple(parts), fix="remove it"
            )


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
