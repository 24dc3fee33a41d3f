"""CP213-CP216, CP219: a remediation's runbook and how it is called. The runbook catalog holds AWS's own
runbooks (`AWS-*`, `AWSConfigRemediation-*`, `AWSSupport-*`, ...) with the parameters AWS's runbook
reference gave them; a document of your own is left to the online checks (CP513)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from preflight.api import (
    REMEDIATION,
    Context,
    Issue,
    Misspellings,
    Resource,
    Severity,
    Suggestions,
    aws_runbook_family,
    camel_words,
    closest,
    effective_rule_name,
    rule,
)

if TYPE_CHECKING:
    from preflight.knowledge.runbooks import Runbook

AUTOMATION_ROLE = "AutomationAssumeRole"


def _target(ctx: Context, remediation: Resource) -> str | None:
    target = remediation.properties.get("TargetId")
    value = ctx.template.evaluator.resolve(target) if target is not None else None
    return value if isinstance(value, str) else None


def _runbook(ctx: Context, remediation: Resource) -> Runbook | None:
    name = _target(ctx, remediation)
    return ctx.reference.runbooks.get(name) if name is not None and aws_runbook_family(name) else None


def _pages_date(ctx: Context) -> str:
    return re.sub(r".*\((\d{4}-\d{2}-\d{2})\).*", r"\1", ctx.reference.runbooks.sources.get("pages", ""))


@rule("CP213", "unknown-runbook", Severity.ERROR, tags=("template", "remediation", "catalog"))
def unknown_runbook(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a remediation whose `TargetId` is named like one of AWS's runbooks (`AWS-`,
    `AWSConfigRemediation-`, `AWSSupport-`, `AWSPremiumSupport-`, `AWSEC2-`) but is not in the runbook
    catalog. It is an error when the name plainly misspells one of the catalog's (a word misspelt, an
    ending dropped, hyphens or case changed), and a warning, naming the catalog's date, otherwise: AWS
    adds runbooks. Letter case alone is not a difference: AWS's pages and documents disagree on it.

    ## Why is this bad?
    The remediation cannot run: "The target (SSM document) must exist".

    ## Example
    `TargetId: AWSConfigRemediation-RestrictBucketSSLRequestOnly`.

    ## Use instead
    `TargetId: AWSConfigRemediation-RestrictBucketSSLRequestsOnly`.

    ## References
    - [documented] AWS Config API Reference, PutRemediationConfigurations: "The target (SSM document)
      must exist and have permissions to use the target."
    - [documented] AWS Systems Manager Automation runbook reference: the names of AWS's runbooks
      (the catalog: each runbook's page as of 2021-05-07, and the names of the current index).
    - [inferred] A name that misspells none may be newer than the catalog, hence a warning.
    """
    catalog = ctx.reference.runbooks
    by_words = {camel_words(name): name for name in catalog.names()}
    misspellings = Misspellings(by_words)
    suggestions = Suggestions(catalog.names(), cutoff=0.8)
    for remediation in ctx.template.deployed(REMEDIATION):
        name = _target(ctx, remediation)
        if name is None or not aws_runbook_family(name) or catalog.get(name) is not None:
            continue
        path = remediation.path + ("Properties", "TargetId")
        words = misspellings.of(camel_words(name))
        meant = by_words.get(words) if words is not None else None
        if meant is not None:
            yield Issue(f"{name!r} is not one of AWS's runbooks: it misspells {meant!r}", path, fix=f"write {meant}")
            continue
        nearest = closest(suggestions.ranked(name, 2))
        yield Issue(
            f"{name!r} is not in the runbook catalog of {catalog.date} ({len(catalog)} runbooks): the remediation "
            "cannot run unless AWS added it since",
            path,
            fix=f"did you mean {nearest}?" if nearest else "see the AWS Systems Manager Automation runbook reference",
            severity=Severity.WARNING,
        )


@rule("CP214", "unknown-runbook-parameter", Severity.ERROR, tags=("template", "remediation", "catalog"))
def unknown_runbook_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a remediation parameter that its runbook (one of AWS's, in the catalog with its
    parameters) does not declare. An error when it misspells one the runbook declares (a different
    case, a letter or two), a warning otherwise: the catalog's parameters are those of the runbook
    reference's page of 2021-05-07, and runbooks gain parameters.

    ## Why is this bad?
    Automation runs a runbook only with "execution parameters, which match the declared parameters
    in the Automation runbook": the remediation fails, and the parameter meant is not set.

    ## Example
    `bucketName:` for `AWSConfigRemediation-RestrictBucketSSLRequestsOnly`, which takes `BucketName`.

    ## Use instead
    The parameter's name as the runbook declares it: `BucketName`.

    ## References
    - [documented] AWS Systems Manager API Reference, StartAutomationExecution `Parameters`: "A
      key-value map of execution parameters, which match the declared parameters in the Automation
      runbook."
    - [documented] AWS Systems Manager Automation runbook reference: each runbook's parameters.
    """
    for remediation in ctx.template.deployed(REMEDIATION):
        runbook = _runbook(ctx, remediation)
        if runbook is None or runbook.parameters is None:
            continue
        declared = list(runbook.parameters)
        for name in remediation.mapping("Parameters"):
            if name in runbook.parameters:
                continue
            path = remediation.path + ("Properties", "Parameters", name)
            same = [known for known in declared if known.lower() == name.lower()]
            meant = same[0] if same else closest(Suggestions(declared, cutoff=0.8).ranked(name, 2))
            if meant is not None:
                yield Issue(f"{runbook.name} has no parameter {name!r}: it misspells {meant!r}", path,
                            fix=f"write {meant}")  # fmt: skip
            else:
                yield Issue(
                    f"{runbook.name} declares no parameter {name!r} in the runbook reference of {_pages_date(ctx)} "
                    f"(it takes {', '.join(declared)})",
                    path,
                    fix="remove it, unless AWS added it to the runbook since",
                    severity=Severity.WARNING,
                )


@rule("CP215", "missing-runbook-parameter", Severity.ERROR, tags=("template", "remediation", "catalog"))
def missing_runbook_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a parameter that a remediation's runbook requires (the runbook reference marks it
    "(Required)" and gives it no default) and the remediation does not give. An automatic remediation
    without `AutomationAssumeRole` is CP211's.

    ## Why is this bad?
    The remediation fails each time it runs: "Missing required parameter: InstanceIds in user inputs."

    ## Example
    `AWSConfigRemediation-RestrictBucketSSLRequestsOnly` with `AutomationAssumeRole` and no `BucketName`.

    ## Use instead
    ```yaml
    BucketName:
      ResourceValue: {Value: RESOURCE_ID}
    ```

    ## References
    - [reported] CrowdStrike/aws-ssm-distributor#135 - `InvalidAutomationExecutionParametersException`:
      "Missing required parameter: InstanceIds in user inputs."
    - [reported] awslabs/landing-zone-accelerator-on-aws#871 - a remediation created without its
      parameters "will silently create a failing" configuration.
    - [documented] AWS Systems Manager Automation runbook reference: each parameter's "(Required)".
    """
    for remediation in ctx.template.deployed(REMEDIATION):
        runbook = _runbook(ctx, remediation)
        if runbook is None or runbook.parameters is None:
            continue
        given = {name.lower() for name in remediation.mapping("Parameters")}
        automatic = ctx.template.evaluator.resolve(remediation.properties.get("Automatic")) in (True, "true")
        path = remediation.path + (
            ("Properties", "Parameters") if remediation.mapping("Parameters") else ("Properties", "TargetId")
        )
        for name, parameter in runbook.parameters.items():
            if parameter.required is not True or name.lower() in given:
                continue
            if name == AUTOMATION_ROLE and automatic:
                continue  # CP211
            yield Issue(f"{runbook.name} requires the parameter {name!r}, which the remediation does not give", path,
                        fix=f"add {name} under Parameters, with a StaticValue or a ResourceValue")  # fmt: skip


@rule("CP216", "runbook-parameter-value", Severity.ERROR, tags=("template", "remediation", "catalog"))
def runbook_parameter_value(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks a static value against the values the runbook reference lists for the parameter ("Valid
    values"). A value that differs from one of them only in case is an error (the values are
    case-sensitive); another value is a warning naming the reference's date, since runbooks gain
    values (a newer volume type, say).

    ## Why is this bad?
    The remediation fails when it runs: "Parameter \\"Action\\" has value \\"install\\" not found in
    [Install, Uninstall]."

    ## Example
    `GrantedPermission: {StaticValue: {Values: [full_control]}}` for `AWS-ConfigureS3BucketLogging`.

    ## Use instead
    `FULL_CONTROL`.

    ## References
    - [reported] CrowdStrike/aws-ssm-distributor#100 - `InvalidAutomationExecutionParametersException`:
      "Parameter \\"Action\\" has value \\"install\\" not found in [Install, Uninstall]."
    - [documented] AWS Systems Manager Automation runbook reference: each parameter's valid values.
    """
    for remediation in ctx.template.deployed(REMEDIATION):
        runbook = _runbook(ctx, remediation)
        if runbook is None or runbook.parameters is None:
            continue
        for name, value in remediation.mapping("Parameters").items():
            parameter = runbook.parameters.get(name)
            static = value.get("StaticValue") if isinstance(value, dict) else None
            values = static.get("Values") if isinstance(static, dict) else None
            if parameter is None or parameter.allowed is None or not isinstance(values, list):
                continue
            for index, given in enumerate(values):
                if not isinstance(given, str) or given in parameter.allowed:
                    continue
                path = remediation.path + ("Properties", "Parameters", name, "StaticValue", "Values", index)
                same = [allowed for allowed in parameter.allowed if allowed.lower() == given.lower()]
                if same:
                    yield Issue(f"{name} of {runbook.name} takes {same[0]!r}, not {given!r}: the values are "
                                "case-sensitive", path, fix=f"write {same[0]}")  # fmt: skip
                else:
                    yield Issue(
                        f"{given!r} is not among the values the runbook reference of {_pages_date(ctx)} lists for "
                        f"{name} of {runbook.name}: {', '.join(parameter.allowed)}",
                        path,
                        severity=Severity.WARNING,
                    )


# What a runbook parameter that takes the resource's id names, by its name: the resource type it must be.
_RESOURCE_PARAMETERS = {
    "BucketName": "AWS::S3::Bucket", "S3BucketName": "AWS::S3::Bucket",
    "GroupId": "AWS::EC2::SecurityGroup", "SecurityGroupId": "AWS::EC2::SecurityGroup",
    "AllocationId": "AWS::EC2::EIP", "VolumeId": "AWS::EC2::Volume", "VpcId": "AWS::EC2::VPC",
    "DbInstanceIdentifier": "AWS::RDS::DBInstance", "DBInstanceIdentifier": "AWS::RDS::DBInstance",
    "TableName": "AWS::DynamoDB::Table", "TrailName": "AWS::CloudTrail::Trail",
    "IAMUserName": "AWS::IAM::User", "UserName": "AWS::IAM::User", "FunctionName": "AWS::Lambda::Function",
}  # fmt: skip


def _rule_types(ctx: Context, name: str) -> tuple[Resource, tuple[str, ...]] | None:
    """The rule named `name` and the resource types it evaluates (its Scope, else the catalog's)."""
    for view in ctx.config_rules:
        if effective_rule_name(ctx.template, view.resource) != name:
            continue
        scope = view.resolved(ctx.template, "Scope")
        types = scope.get("ComplianceResourceTypes") if isinstance(scope, dict) else None
        if isinstance(types, list) and types and all(isinstance(kind, str) for kind in types):
            return view.resource, tuple(types)
        if view.managed is not None and view.managed.resource_types:
            return view.resource, view.managed.resource_types
        return None
    return None


@rule("CP219", "runbook-resource-mismatch", Severity.WARNING, tags=("template", "remediation", "catalog"))
def runbook_resource_mismatch(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a remediation that gives its rule's noncompliant resource (`RESOURCE_ID`) to a runbook
    parameter naming another kind of resource than the rule evaluates: a bucket runbook's
    `BucketName` on a rule about IAM users. Only where the parameter's name says the kind (`BucketName`,
    `GroupId`, `AllocationId`, ...) and the rule's resource types are known (its Scope, or the
    managed-rule catalog).

    ## Why is this bad?
    The runbook is handed an id of another resource: it fails, or acts on nothing.

    ## Example
    `AWS-DisableS3BucketPublicReadWrite` (`S3BucketName: RESOURCE_ID`) on `IAM_USER_MFA_ENABLED`.

    ## Use instead
    A runbook for the resources the rule evaluates.

    ## References
    - [documented] AWS Config Developer Guide, "Remediating Noncompliant Resources": `RESOURCE_ID`
      is the id of the noncompliant resource the rule evaluated.
    - [inferred] What a parameter names is read from its name: a warning.
    """
    for remediation in ctx.template.deployed(REMEDIATION):
        if _runbook(ctx, remediation) is None:
            continue
        rule_name = ctx.template.evaluator.resolve(remediation.properties.get("ConfigRuleName"))
        found = _rule_types(ctx, rule_name) if isinstance(rule_name, str) else None
        if found is None or any(kind in ("*", "AWS::::Account") for kind in found[1]):
            continue
        for name, value in remediation.mapping("Parameters").items():
            kind = _RESOURCE_PARAMETERS.get(name)
            resource = value.get("ResourceValue") if isinstance(value, dict) else None
            if kind is None or not isinstance(resource, dict) or kind in found[1]:
                continue
            yield Issue(
                f"{name} takes the id of an {kind}, but rule {rule_name!r} evaluates {', '.join(found[1])}: the "
                "runbook is given the id of another kind of resource",
                remediation.path + ("Properties", "Parameters", name),
                fix="use a runbook for the rule's resources",
            )
