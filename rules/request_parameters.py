"""CP130-CP133: the input parameters sent with the request."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import MANAGED_PACK_SOURCE, PARAMETERS_KEY, Context, Issue, Phase, Severity, rule


@rule("CP130", "too-many-input-parameters", Severity.ERROR, tags=("request", "parameters"), phase=Phase.REQUEST)
def too_many_input_parameters(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a request with more input parameters than AWS takes: a custom account pack (one with a
    template) at most 60, a managed account pack (`Source`) at most 330 (errors). An organization
    pack with 61 to 330 is a warning: AWS documents the limit of 60 for custom packs on the account
    API only, and the organization API's model says 330.

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A params file with a value for every parameter of three merged packs.

    ## Use instead
    Give values only for parameters without a suitable Default, or split the pack.

    ## References
    - [documented] AWS Config API Reference, PutConformancePack `ConformancePackInputParameters`:
      "Custom conformance packs can have at most 60 input parameters. Managed conformance packs can
      have at most 330 input parameters." (botocore 1.44: list max 330).
    - [documented] AWS CloudFormation, `AWS::Config::OrganizationConformancePack` and
      `AWS::Config::ConformancePack`: `ConformancePackInputParameters` "Maximum: 60".
    """
    count = len(ctx.request.parameters)
    limits = ctx.limits
    managed = MANAGED_PACK_SOURCE in ctx.request.other_sources
    if count > limits.input_parameters_max:
        limit = limits.input_parameters_max
        yield Issue(
            f"{count} input parameters; the API takes at most {limit}", (PARAMETERS_KEY, limit), where="request"
        )
    elif count > limits.custom_pack_input_parameters_max and not managed:
        limit = limits.custom_pack_input_parameters_max
        if ctx.request.scope == "account":
            yield Issue(
                f"{count} input parameters; a custom conformance pack takes at most {limit}",
                (PARAMETERS_KEY, limit),
                where="request",
            )
        else:
            yield Issue(
                f"{count} input parameters; AWS documents at most {limit} for custom conformance packs (the "
                f"organization API states no limit of its own below {limits.input_parameters_max})",
                (PARAMETERS_KEY, limit),
                where="request",
                severity=Severity.WARNING,
            )


@rule("CP131", "input-parameter-name-too-long", Severity.ERROR, tags=("request", "parameters"), phase=Phase.REQUEST)
def input_parameter_name_too_long(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an input parameter name longer than 255 characters.

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A generated name that concatenates a rule name and every parameter it feeds.

    ## Use instead
    Short parameter names; CloudFormation itself allows at most 255 characters.

    ## References
    - [documented] AWS Config API Reference, `ConformancePackInputParameter.ParameterName`: length
      0-255.
    """
    limit = ctx.limits.parameter_name_max
    for index, parameter in enumerate(ctx.request.parameters):
        if len(parameter.name) > limit:
            yield Issue(
                f"input parameter name is {len(parameter.name)} characters; at most {limit}",
                (PARAMETERS_KEY, index, "ParameterName"),
                where="request",
            )


@rule("CP132", "input-parameter-value-too-long", Severity.ERROR, tags=("request", "parameters"), phase=Phase.REQUEST)
def input_parameter_value_too_long(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an input parameter value longer than 4,096 characters (1,024 for a managed conformance
    pack, one with `Source`).

    ## Why is this bad?
    The API rejects the request with a ValidationException.

    ## Example
    A comma-separated list of every AMI id in the organization as one value.

    ## Use instead
    Shorter values; for long lists, use tags or a rule that reads an SSM parameter.

    ## References
    - [documented] AWS Config API Reference, `ConformancePackInputParameter`: "For managed conformance
      packs ... values can have a maximum length of 1024 characters. For custom conformance packs ...
      4096 characters."
    """
    managed = MANAGED_PACK_SOURCE in ctx.request.other_sources
    limit = ctx.limits.managed_pack_parameter_value_max if managed else ctx.limits.parameter_value_max
    for index, parameter in enumerate(ctx.request.parameters):
        if len(parameter.value) > limit:
            yield Issue(
                f"value of input parameter {parameter.name!r} is {len(parameter.value):,} characters; "
                f"at most {limit:,}",
                (PARAMETERS_KEY, index, "ParameterValue"),
                where="request",
            )


@rule("CP133", "duplicate-input-parameter", Severity.WARNING, tags=("request", "parameters"), phase=Phase.REQUEST)
def duplicate_input_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an input parameter given twice in the same list (a params file or a request file).
    Values given in several places (`--request`, then `--params-file`, then `--param`) are not
    duplicates: the later one replaces the earlier.

    ## Why is this bad?
    AWS documents nothing for duplicate names: it may refuse the request or deploy with the value
    you did not review. A warning, since neither is verified.

    ## Example
    ```json
    [{"ParameterName": "MaxAccessKeyAge", "ParameterValue": "90"},
     {"ParameterName": "MaxAccessKeyAge", "ParameterValue": "45"}]
    ```

    ## Use instead
    One entry per parameter.

    ## References
    - [inferred] Neither the API model nor the documentation says whether parameter names must be
      unique; no public report shows what AWS does.
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
