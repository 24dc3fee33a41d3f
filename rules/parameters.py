"""CP301-CP307: template parameters and the values the request gives them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from preflight.api import (
    PARAMETERS_KEY,
    PSEUDO_PARAMETERS,
    Context,
    DocPath,
    Edit,
    Issue,
    Severity,
    Suggestions,
    Unmatchable,
    full_match,
    intrinsic_name,
    rule,
    scalar_text,
)


@rule(
    "CP301",
    "undefined-reference",
    Severity.ERROR,
    tags=("template", "parameters"),
    cfn_lint=("E1012", "E1019", "E1020"),
)
def undefined_reference(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `Ref` or `${Name}` in `Fn::Sub` that names neither a template parameter, a resource,
    nor a pseudo parameter (`AWS::Region`, `AWS::Partition`, `AWS::AccountId`, ...).

    ## Why is this bad?
    CloudFormation rejects the template: "Template format error: Unresolved resource dependencies
    [X] in the Resources block of the template".

    ## Example
    ```yaml
    maxAccessKeyAge: !Ref MaxAccesKeyAge
    ```

    ## Use instead
    ```yaml
    maxAccessKeyAge: !Ref MaxAccessKeyAge
    ```

    ## References
    - [documented] AWS CloudFormation Template Reference, "Ref": the name of a parameter, a resource's
      logical id, or a pseudo parameter.
    - [reported] serverless/serverless#4535 - "Template format error: Unresolved resource dependencies
      [X] in the Resources block of the template".
    """
    template = ctx.template
    known = set(template.parameters) | {resource.logical_id for resource in template.resources} | PSEUDO_PARAMETERS
    suggestions = Suggestions(known)
    for name, path in template.references:
        if name not in known:
            yield Issue(
                f"{name!r} is not a parameter, resource or pseudo parameter of this template",
                path,
                fix=suggestions.did_you_mean(name),
            )


def _declared(names: Iterable[str]) -> str:
    listed = sorted(names)
    if not listed:
        return "remove it: the template declares no parameters"
    shown = ", ".join(listed[:10]) + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")
    return f"remove it, or pass one the template declares: {shown}"


@rule("CP302", "undeclared-input-parameter", Severity.ERROR, tags=("request", "parameters"))
def undeclared_input_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an input parameter in the request (`--param`, `--params-file`, `--request`) that the
    template does not declare.

    ## Why is this bad?
    CloudFormation fails the pack's stack in every account: "Parameters: [X] do not exist in the
    template" (or "Parameter values specified for a template which does not require them" when the
    template has no parameters). It is usually a typo, so the parameter you meant keeps its default.

    ## Example
    ```
    preflight check pack.yaml --param MaxAccesKeyAge=45
    ```

    ## Use instead
    ```
    preflight check pack.yaml --param MaxAccessKeyAge=45
    ```

    ## References
    - [reported] aws-samples/amazon-ec2-image-builder-samples#18 - CloudFormation: "Parameters:
      [TargetECRRepositoryName] do not exist in the template".
    - [documented] Terraform AWS provider, `aws_config_organization_conformance_pack` `input_parameter`:
      "the parameters must also be included in the template_body or in the template stored in Amazon S3".
    - [inferred] AWS Config passes the input parameters to each member account's stack unchanged.
    """
    declared = ctx.template.parameters
    suggestions = Suggestions(declared)
    for index, parameter in enumerate(ctx.request.parameters):
        if parameter.name not in declared:
            yield Issue(
                f"input parameter {parameter.name!r} is not declared in the template's Parameters",
                (PARAMETERS_KEY, index, "ParameterName"),
                fix=suggestions.did_you_mean(parameter.name) or _declared(declared),
                where="request",
            )


@rule("CP303", "parameter-without-value", Severity.ERROR, tags=("template", "parameters"))
def parameter_without_value(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a template parameter that has no `Default` and gets no value. Without request context it
    is a warning (the value may come at deploy time); once a request says which parameters it sends
    (`--param`, `--params-file`, `--request`, ...), it is an error.

    ## Why is this bad?
    The deployment fails in every account: "Parameters: [X] must have values".

    ## Example
    ```yaml
    Parameters:
      S3TargetBucketNameForEnableLogging:
        Type: String
    ```

    ## Use instead
    Give the value with `--param S3TargetBucketNameForEnableLogging=...`, or add a `Default`.

    ## References
    - [documented] AWS CloudFormation User Guide, "Parameters": a parameter without a `Default` must be
      given a value.
    - [reported] boto/botocore#2598 - CloudFormation: "Parameters: [EnvironmentName] must have values".
    """
    given = ctx.request.values()
    severity = Severity.ERROR if ctx.request.known else Severity.WARNING
    for name, declaration in ctx.template.parameters.items():
        if "Default" in declaration or name in given or name in ctx.request.unknown_values:
            continue
        context = "the request gives none" if ctx.request.known else "no request context was given"
        yield Issue(
            f"parameter {name!r} has no Default and {context}",
            ("Parameters", name),
            fix=f"pass --param {name}=VALUE (or add a Default)",
            severity=severity,
        )


@rule("CP304", "parameter-value-not-allowed", Severity.ERROR, tags=("template", "parameters"))
def parameter_value_not_allowed(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks each parameter's value (from the request, else its `Default`) against the parameter's
    `AllowedValues`, `AllowedPattern` and `MinLength`/`MaxLength`, and, for a `Number` parameter,
    `MinValue`/`MaxValue`. Patterns are matched with RE2, in time linear in the value whatever the
    pattern; a pattern RE2 cannot run (a lookahead, a backreference, a Java-only class) is a warning
    that the value was not checked.

    ## Why is this bad?
    CloudFormation rejects the value in every member account ("Parameter X failed to satisfy
    constraint"), after the put has succeeded.

    ## Example
    ```yaml
    Parameters:
      Frequency:
        Type: String
        Default: Daily
        AllowedValues: [One_Hour, Six_Hours, TwentyFour_Hours]
    ```

    ## Use instead
    A value from the allowed list (`TwentyFour_Hours`).

    ## References
    - [documented] AWS CloudFormation User Guide, "Parameters": `AllowedPattern` must match the whole
      value; `MinValue`/`MaxValue` apply to `Number` parameters; "All regular expressions in
      CloudFormation conform to the Java regex syntax" (cfn-regexes).
    - [reported] awslabs/aws-config-engine-for-compliance-as-code#12 - "Template validation error:
      Parameter SourceLambdaBucket failed to satisfy constraint".
    """
    given = ctx.request.values()
    index_of = {parameter.name: index for index, parameter in enumerate(ctx.request.parameters)}
    for name, declaration in ctx.template.parameters.items():
        value = ctx.parameter_values.get(name)
        if value is None:
            continue
        if name in given:
            path: DocPath = (PARAMETERS_KEY, index_of[name], "ParameterValue")
            where = "request"
        else:
            path, where = ("Parameters", name, "Default"), "template"
        numeric = declaration.get("Type") == "Number"
        for problem, severity in _constraint_problems(value, declaration, numeric=numeric):
            yield Issue(f"value {value!r} of parameter {name!r} {problem}", path, where=where, severity=severity)  # type: ignore[arg-type]


def _constraint_problems(value: str, declaration: object, *, numeric: bool) -> Iterator[tuple[str, Severity | None]]:
    """`numeric`: a `Number` parameter, the only type CloudFormation applies MinValue and MaxValue to."""
    assert isinstance(declaration, dict)
    allowed = declaration.get("AllowedValues")
    if isinstance(allowed, list) and value not in [scalar_text(item) for item in allowed]:
        yield "is not one of AllowedValues " + ", ".join(repr(scalar_text(item)) for item in allowed), None
    pattern = declaration.get("AllowedPattern")
    if isinstance(pattern, str):
        try:
            matched = full_match(pattern, value)
        except Unmatchable as reason:
            yield (
                f"was not checked against AllowedPattern {pattern!r}: {reason} (preflight matches patterns "
                "in linear time with RE2, which has no backreferences or lookaround; CloudFormation uses Java's "
                "regular expressions)",
                Severity.WARNING,
            )
        else:
            if not matched:
                yield f"does not match AllowedPattern {pattern!r}", None
    min_length, max_length = _number(declaration.get("MinLength")), _number(declaration.get("MaxLength"))
    if min_length is not None and len(value) < min_length:
        yield f"is shorter than MinLength {min_length:g}", None
    if max_length is not None and len(value) > max_length:
        yield f"is longer than MaxLength {max_length:g}", None
    number = _number(value) if numeric else None
    if number is None:
        return
    min_value, max_value = _number(declaration.get("MinValue")), _number(declaration.get("MaxValue"))
    if min_value is not None and number < min_value:
        yield f"is below MinValue {min_value:g}", None
    if max_value is not None and number > max_value:
        yield f"is above MaxValue {max_value:g}", None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:  # an integer too large for a float: beyond any limit
        return float("inf") if int(value) > 0 else float("-inf")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


@rule("CP305", "unused-parameter", Severity.WARNING, tags=("template", "parameters"), cfn_lint=("W2001",), fix="safe")
def unused_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a template parameter that no `Ref` or `Fn::Sub` uses.

    ## Why is this bad?
    CloudFormation accepts it, so this is hygiene: the value someone sets for it changes nothing,
    which is rarely what they expect, and it costs template bytes.

    ## Example
    A `MaxAccessKeyAge` parameter whose rule was deleted.

    ## Use instead
    Remove the parameter, or refer to it where it was meant to be used.

    ## Fix
    A parameter that no other finding says is meant (CP403, CP308) and that the request does not give is
    removed, its lines only; the `Parameters` section goes with its last parameter (safe: nothing
    refers to it).

    ## References
    - [observed] Deployed packs carry unused parameters without failing (AWS's
      `Operational-Best-Practices-for-ABS-CCIGv2-Material-Part-1.yaml` has three), hence only a warning.
    """
    related = ctx.related
    literal = {name: path for name, path, _offset in reversed(ctx.template.variables_outside_sub)}
    for name in related.unused_parameters:
        needing = related.needing(name)
        if name in literal:
            line = ctx.document.locate(literal[name]).line if ctx.document is not None else 0
            fix = f"use it: line {line} writes ${{{name}}} outside Fn::Sub (CP308); write !Ref {name} there"
            edits: tuple[Edit, ...] = ()
        elif needing:
            missing = needing[0]
            line = ctx.document.locate(missing.view.resource.path).line if ctx.document is not None else 0
            fix = (
                f"use it: {missing.view.resource.logical_id} (line {line}) lacks the required parameter "
                f"{missing.parameter.name!r} (CP403); add {missing.parameter.name}: !Ref {name} to its InputParameters"
            )
            edits = ()
        else:
            fix = "remove it, or reference it where it was meant to be used"
            # A parameter the request gives must stay declared (CP302), so it keeps its lines.
            edits = (
                ()
                if name in ctx.request.values()
                else _as_edits(ctx.editor.remove_member("Parameters", name) if ctx.editor else None)
            )
        yield Issue(f"parameter {name!r} is never used", ("Parameters", name), fix=fix, edits=edits)


@rule("CP306", "parameter-type-not-string", Severity.WARNING, tags=("template", "parameters"))
def parameter_type_not_string(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a template parameter whose `Type` is missing (an error) or is not `String` (a warning).

    ## Why is this bad?
    CloudFormation requires a `Type`. AWS's sample packs declare every parameter as `String` and
    pass managed-rule values as strings; other types (`Number`, `CommaDelimitedList`, or the rule
    types `int`, `boolean`, `CSV` from the documentation) have no evidence of working in packs.

    ## Example
    ```yaml
    MaxAccessKeyAge:
      Type: Number
      Default: 90
    ```

    ## Use instead
    ```yaml
    MaxAccessKeyAge:
      Type: String
      Default: "90"
    ```

    ## References
    - [documented] AWS Config Developer Guide, "Custom conformance pack": "For each parameter, Type must
      be specified."
    - [reported] bridgecrewio/checkov#2965 - CloudFormation: "Template format error: Every Parameters
      object must contain a Type member."
    - [observed] All 1,322 parameters of AWS's 97 sample packs and every parameter of the deployed packs in
      the wild corpus are `Type: String`; whether AWS Config passes other types through is unverified.
    """
    for name, declaration in ctx.template.parameters.items():
        kind = declaration.get("Type")
        if kind is None:
            yield Issue(
                f"parameter {name!r} has no Type; CloudFormation requires one",
                ("Parameters", name),
                fix="Type: String",
                severity=Severity.ERROR,
            )
        elif kind != "String":
            yield Issue(
                f"parameter {name!r} has Type {kind!r}; conformance packs pass parameters as String",
                ("Parameters", name, "Type"),
                fix="Type: String",
            )


@rule("CP307", "parameter-default-not-literal", Severity.ERROR, tags=("template", "parameters"), cfn_lint=("E2001",))
def parameter_default_not_literal(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a parameter whose `Default` is not a literal value: an intrinsic function (`!Ref
    AWS::Region`, `!Sub ...`), another mapping, or a list.

    ## Why is this bad?
    CloudFormation evaluates intrinsic functions only in resources, outputs and a few attributes, never
    in `Parameters`, and takes a `Default` only as a string or number: the template is rejected
    ("Template format error: Every Default member must be a string"), in every account of the pack.

    ## Example
    ```yaml
    Parameters:
      RegionName:
        Type: String
        Default: !Ref AWS::Region
    ```

    ## Use instead
    Refer to the pseudo parameter where the value is used (`!Ref AWS::Region` in the rule's
    `InputParameters`), or write the default out: `Default: us-east-1`. A list's default is one
    comma-separated string: `Default: "a,b"`.

    ## References
    - [documented] AWS CloudFormation User Guide, "Intrinsic function reference": intrinsic functions can
      be used only in resource properties, outputs, metadata attributes and update policy attributes;
      "Parameters": `Default` is "a value of the appropriate type".
    - [reported] cloudtools/troposphere#808 - an `Fn::Join` as a parameter's `Default`: "CloudFormation
      also rejects it with a validation error - Template validation error: Template format error: Every
      Default member must be a string." cfn-lint reports the same as E2001.
    """
    for name, declaration in ctx.template.parameters.items():
        default = declaration.get("Default")
        if isinstance(default, dict):
            kind = intrinsic_name(default)
            what = f"the intrinsic function {kind}" if kind else "a mapping"
            fix = "write the value out, or use the function where the parameter is used"
        elif isinstance(default, list):
            what, fix = "a list", 'write the list as one comma-separated string: Default: "a,b"'
        else:
            continue
        yield Issue(
            f"parameter {name!r} has {what} as its Default; CloudFormation takes only a literal value there",
            ("Parameters", name, "Default"),
            fix=fix,
        )


def _as_edits(edit: Edit | None) -> tuple[Edit, ...]:
    return (edit,) if edit is not None else ()
