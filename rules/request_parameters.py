"""CP130-CP133: the input parameters sent with the request."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import Context
from preflight.findings import Issue, Severity
from preflight.request import PARAMETERS_KEY
from preflight.rule import rule


@rule("CP130", "too-many-input-parameters", Severity.ERROR, tags=("request", "parameters"), needs_template=False)
def too_many_input_parameters(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a request with more input parameters than the API accepts (330 since botocore 1.44;
    it was 60 before).

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A params file with a value for every parameter of three merged packs.

    ## Use instead
    Give values only for parameters without a suitable Default, or split the pack.
    """
    count = len(ctx.request.parameters)
    limit = ctx.limits.input_parameters_max
    if count > limit:
        yield Issue(
            f"{count} input parameters; the API takes at most {limit}",
            (PARAMETERS_KEY, limit),
            where="request",
        )


@rule("CP131", "input-parameter-name-too-long", Severity.ERROR, tags=("request", "parameters"), needs_template=False)
def input_parameter_name_too_long(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an input parameter name longer than 255 characters.

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A generated name that concatenates a rule name and every parameter it feeds.

    ## Use instead
    Short parameter names; CloudFormation itself allows at most 255 characters.
    """
    limit = ctx.limits.parameter_name_max
    for index, parameter in enumerate(ctx.request.parameters):
        if len(parameter.name) > limit:
            yield Issue(
                f"input parameter name is {len(parameter.name)} characters; at most {limit}",
                (PARAMETERS_KEY, index, "ParameterName"),
                where="request",
            )


@rule("CP132", "input-parameter-value-too-long", Severity.ERROR, tags=("request", "parameters"), needs_template=False)
def input_parameter_value_too_long(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an input parameter value longer than 4,096 characters.

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A comma-separated list of every AMI id in the organization as one value.

    ## Use instead
    Shorter values; for long lists, use tags or a rule that reads an SSM parameter.
    """
    limit = ctx.limits.parameter_value_max
    for index, parameter in enumerate(ctx.request.parameters):
        if len(parameter.value) > limit:
            yield Issue(
                f"value of input parameter {parameter.name!r} is {len(parameter.value):,} characters; "
                f"at most {limit:,}",
                (PARAMETERS_KEY, index, "ParameterValue"),
                where="request",
            )


@rule("CP133", "duplicate-input-parameter", Severity.ERROR, tags=("request", "parameters"), needs_template=False)
def duplicate_input_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an input parameter given twice in the same list (a params file or a request file).
    Values given in several places (`--request`, then `--params-file`, then `--param`) are not
    duplicates: the later one replaces the earlier.

    ## Why is this bad?
    Which value AWS uses is not defined; the pack may deploy with the value you did not review.

    ## Example
    ```json
    [{"ParameterName": "MaxAccessKeyAge", "ParameterValue": "90"},
     {"ParameterName": "MaxAccessKeyAge", "ParameterValue": "45"}]
    ```

    ## Use instead
    One entry per parameter.
    """
    seen: set[str] = set()
    for index, parameter in enumerate(ctx.request.parameters):
        if parameter.name in seen:
            yield Issue(
                f"input parameter {parameter.name!r} is given more than once",
                (PARAMETERS_KEY, index, "ParameterName"),
                fix="keep one entry per parameter",
                where="request",
            )
        seen.add(parameter.name)
