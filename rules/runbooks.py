"""CP213-CP219: a remediation's runbook and how it is called. The runbook catalog holds AWS's own
runbooks (`AWS-*`, `AWSConfigRemediation-*`, `AWSSupport-*`, ...) with the parameters AWS's runbook
reference gave them; a document of your own is left to the online checks (CP513)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from preflight.api import (
    API_LIMITS,
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
    intrinsic_name,
    rule,
)

if TYPE_CHECKING:
    from preflight.knowledge.runbooks import Runbook

AUTOMATION_ROLE = "AutomationAssumeRole"


def _target(ctx: Context, remediation: Resource) -> str | None:
    target = remediation.properties.get("TargetId")
    value = ctx.template.evaluator.resolve(target) if target is not None else None
    return value if isinstance(value, str) else None


def _parameters(remediation: Resource) -> Mapping[str, object]:
    parameters = remediation.properties.get("Parameters")
    return parameters if isinstance(parameters, dict) else {}


def _runbook(ctx: Context, remediation: Resource) -> Runbook | None:
    name = _target(ctx, remediation)
    return ctx.reference.runbooks.get(name) if name is not None and aws_runbook_family(name) else None


def _remediations(ctx: Context) -> Iterator[Resource]:
    for remediation in ctx.template.of_type(REMEDIATION):
        if ctx.template.is_deployed(remediation):
            yield remediation


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
    for remediation in _remediations(ctx):
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
    for remediation in _remediations(ctx):
        runbook = _runbook(ctx, remediation)
        if runbook is None or runbook.parameters is None:
            continue
        declared = list(runbook.parameters)
        for name in _parameters(remediation):
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
    for remediation in _remediations(ctx):
        runbook = _runbook(ctx, remediation)
        if runbook is None or runbook.parameters is None:
            continue
        given = {name.lower() for name in _parameters(remediation)}
        automatic = ctx.template.evaluator.resolve(remediation.properties.get("Automatic")) in (True, "true")
        path = remediation.path + (
            ("Properties", "Parameters") if _parameters(remediation) else ("Properties", "TargetId")
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
    for remediation in _remediations(ctx):
        runbook = _runbook(ctx, remediation)
        if runbook is None or runbook.parameters is None:
            continue
        for name, value in _parameters(remediation).items():
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
    for remediation in _remediations(ctx):
        parameters = _parameters(remediation)
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
    for remediation in _remediations(ctx):
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
    for remediation in _remediations(ctx):
        if _runbook(ctx, remediation) is None:
            continue
        rule_name = ctx.template.evaluator.resolve(remediation.properties.get("ConfigRuleName"))
        found = _rule_types(ctx, rule_name) if isinstance(rule_name, str) else None
        if found is None or any(kind in ("*", "AWS::::Account") for kind in found[1]):
            continue
        for name, value in _parameters(remediation).items():
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
