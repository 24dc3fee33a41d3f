"""CP401-CP406: managed-rule identifiers and InputParameters, checked against the catalog."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from preflight.api import (
    INTEGER_TEXT,
    NUMBER_TEXT,
    PROCESS_CHECK,
    UNKNOWN,
    ConfigRuleView,
    Context,
    Edit,
    Issue,
    Misspellings,
    Severity,
    Suggestions,
    closest,
    literal_path,
    parameter_items,
    rule,
    scalar_text,
)


@rule("CP401", "unknown-managed-rule", Severity.ERROR, tags=("template", "catalog"), fix="unsafe")
def unknown_managed_rule(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an `Owner: AWS` rule whose `SourceIdentifier` is not in the managed-rule catalog. It is an
    error when the identifier plainly misspells one of the catalog (the same words but one, and that
    one a typo; a different case, hyphens for underscores, a missing underscore) or is no identifier at
    all (a placeholder such as `<Managed Rule Name>`: identifiers are upper-case words joined by
    underscores). Otherwise it is a warning that names the catalog's date, because AWS adds managed
    rules faster than any catalog. `AWS_CONFIG_PROCESS_CHECK` (process checks) is always valid.

    ## Why is this bad?
    AWS accepts the put and then fails the pack in each member account: "The sourceIdentifier X is
    invalid".

    ## Example
    ```yaml
    Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_PUBLIC_READ_PROHIBITTED}
    ```

    ## Use instead
    ```yaml
    Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_PUBLIC_READ_PROHIBITED}
    ```

    ## Fix
    With `--unsafe-fixes`, an identifier is replaced by the one it misspells, or else by the catalog
    entry nearest to it when no other entry is as near, where its text is: in `Source`, or in the
    `Default` of the one parameter it comes from. Unsafe: a near name may be a different rule.

    ## References
    - [documented] AWS Config API Reference, `Source.SourceIdentifier`: "For Config Managed rules, a
      predefined identifier from a list".
    - [reported] awslabs/aws-config-rules#437 - "The sourceIdentifier EC2_STOPPED_INSTANCE is invalid.
      Please refer to the documentation for a list of valid sourceIdentifiers that can be used when
      AWS is the Owner."; niaid/terraform-aws-managed-config-rules#46 and awslabs/aws-config-rules#410,
      #421: the pack fails in every member account.
    - [inferred] An identifier that misspells none may be newer than the catalog, hence a warning. No
      identifier of the catalog would be taken for a misspelling of another if it were missing from it
      (checked for all 834), so a newer rule named like AWS names its rules is not called a misspelling.
    """
    suggestions = Suggestions(ctx.catalog.lines, cutoff=0.6)
    misspellings = Misspellings(ctx.catalog.lines)
    for view in ctx.config_rules:
        if view.owner != "AWS" or not isinstance(view.identifier, str) or view.managed is not None:
            continue
        identifier = view.identifier
        if identifier == PROCESS_CHECK:
            continue
        meant = misspellings.of(identifier)
        ranked = suggestions.ranked(identifier.upper(), count=3)
        nearest = [candidate for candidate, _ in ranked]
        replacement = meant or closest(ranked)
        where = view.path + ("Source", "SourceIdentifier")
        edits: tuple[Edit, ...] = ()
        source = view.resource.properties.get("Source")
        raw = source.get("SourceIdentifier") if isinstance(source, dict) else None
        written = literal_path(ctx.template, where, raw, ctx.request.values())
        if replacement is not None and written is not None and ctx.editor is not None:
            edit = ctx.editor.replace_scalar(written, identifier, replacement)
            edits = (edit,) if edit is not None else ()
        if meant is not None:
            message = f"{identifier!r} is not a managed rule identifier: it misspells {meant!r}"
            fix, severity = f"write {meant}", None
        elif not re.fullmatch(_IDENTIFIER, identifier):
            message = (
                f"{identifier!r} is not a managed rule identifier (those are upper-case words joined by "
                "underscores, such as S3_BUCKET_VERSIONING_ENABLED)"
            )
            fix, severity = _suggested(replacement, nearest), None
        else:
            message = (
                f"{identifier!r} is not in the managed-rule catalog of {ctx.catalog.date} ({len(ctx.catalog):,} "
                "rules): AWS fails the pack with it unless AWS added the rule since"
            )
            fix, severity = _suggested(replacement, nearest), Severity.WARNING
        yield Issue(message, where, fix=fix, edits=edits, unsafe=True, severity=severity)


_IDENTIFIER = r"[A-Z0-9]+(?:_[A-Z0-9]+)*"


def _suggested(replacement: str | None, nearest: list[str]) -> str:
    if replacement is not None:
        return f"did you mean {replacement}?"
    if nearest:
        return f"did you mean one of {', '.join(nearest)}?"
    return "see the AWS Config managed rules list"


@rule("CP402", "unknown-managed-rule-parameter", Severity.ERROR, tags=("template", "catalog"), fix="unsafe")
def unknown_managed_rule_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an `InputParameters` key that the managed rule does not take, and suggests the
    nearest (parameter names are case-sensitive: `maxAccessKeyAge`, not `MaxAccessKeyAge`).

    ## Why is this bad?
    AWS refuses the rule in every account: "Unknown parameters provided in the inputParameters".

    ## Example
    ```yaml
    InputParameters: {MaxAccessKeyAge: "90"}
    ```

    ## Use instead
    ```yaml
    InputParameters: {maxAccessKeyAge: "90"}
    ```

    ## Fix
    With `--unsafe-fixes`, a key of `InputParameters` written as a mapping is renamed to the rule's
    parameter nearest to it (the same name in another case, or the closest spelling when no other is
    as close), unless the rule already has that parameter. Unsafe: the value may not suit the
    parameter it now sets.

    ## References
    - [reported] hashicorp/terraform-provider-aws#773 - CLOUDWATCH_ALARM_SETTINGS_CHECK given
      `evaluationPeriod` (the rule takes `evaluationPeriods`): "Unknown parameters provided in the
      inputParameters".
    - [documented] AWS Config Developer Guide, the managed rule's page: the parameters it takes.
    """
    for view in ctx.config_rules:
        if view.managed is None:
            continue
        known = view.managed.parameters
        for name in parameter_items(view):
            if name in known:
                continue
            same_case = [candidate for candidate in known if candidate.lower() == name.lower()]
            ranked = [(candidate, 1.0) for candidate in same_case] or Suggestions(known).ranked(name, count=2)
            nearest = [candidate for candidate, _ in ranked]
            if same_case:
                hint: str | None = f"parameter names are case-sensitive: use {same_case[0]!r}"
            elif nearest:
                hint = f"did you mean {nearest[0]!r}?"
            else:
                hint = (
                    f"{view.managed.identifier} takes: {', '.join(known)}"
                    if known
                    else f"{view.managed.identifier} takes no parameters"
                )
            edits: tuple[Edit, ...] = ()
            replacement = closest(ranked)
            if replacement is not None and replacement not in parameter_items(view) and ctx.editor is not None:
                edit = ctx.editor.rename_key(view.parameters_path(name), name, replacement)
                edits = (edit,) if edit is not None and view.parameters_path(name)[-1] == name else ()
            yield Issue(
                f"{view.managed.identifier} has no parameter {name!r}",
                view.parameters_path(name),
                fix=hint,
                edits=edits,
                unsafe=True,
            )


@rule("CP403", "missing-managed-rule-parameter", Severity.ERROR, tags=("template", "catalog"))
def missing_managed_rule_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a managed rule that lacks a required parameter, with `Fn::If` and `AWS::NoValue`
    applied using the given parameter values and defaults.

    ## Why is this bad?
    AWS fails the rule in each account: "The required parameter X is not present in the
    inputParameters". The console's defaults are not applied through the API.

    ## Example
    ```yaml
    Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
    ```

    ## Use instead
    ```yaml
    InputParameters: {maxAccessKeyAge: "90"}
    Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
    ```

    ## References
    - [reported] awslabs/aws-config-rules#407 - deploying AWS's CCN-ENS-Medium conformance pack: "The
      required parameter clusterDbEncrypted, loggingEnabled is not present in the inputParameters
      (Service: AmazonConfig; Status Code: 400; Error Code: InvalidParameterValueException".
    - [reported] niaid/terraform-aws-managed-config-rules#57 and hashicorp/terraform-provider-aws#16665 -
      the same error, and the console's default is not applied through the API.
    - [documented] AWS Config Developer Guide, each managed rule's page marks its optional parameters.
    """
    for missing in ctx.related.missing_parameters:
        view, parameter = missing.view, missing.parameter
        assert view.managed is not None
        default = f" (AWS documents {parameter.default!r} as the console's default)" if parameter.default else ""
        where = view.parameters_path() if view.input_parameters is not None else view.path + ("Source",)
        if missing.declared is not None and missing.condition is not None:
            fix = (
                f"add InputParameters: {{{parameter.name}: !If [{missing.condition}, !Ref {missing.declared}, "
                f"!Ref AWS::NoValue]}} (the template declares {missing.declared} and the condition "
                f"{missing.condition} for it, and uses neither, CP209)"
            )
        elif missing.declared is not None:
            fix = (
                f"add InputParameters: {{{parameter.name}: !Ref {missing.declared}}} (the template declares "
                f"{missing.declared} and uses it nowhere else, CP305)"
            )
        else:
            fix = f"add InputParameters: {{{parameter.name}: ...}}"
        yield Issue(
            f"{view.managed.identifier} requires parameter {parameter.name!r}, which is not present{default}",
            where,
            fix=fix,
        )


def _rewritten(ctx: Context, view: ConfigRuleView, name: str, old: str, new: str) -> tuple[Edit, ...]:
    """The edit that rewrites an input parameter's value where its text is written."""
    raw = view.input_parameters_raw
    if ctx.editor is None or not isinstance(raw, dict) or name not in raw:
        return ()
    where = literal_path(ctx.template, view.parameters_path(name), raw[name], ctx.request.values())
    edit = ctx.editor.replace_scalar(where, old, new) if where is not None else None
    return (edit,) if edit is not None else ()


# The one managed rule whose documentation says a boolean written other than `true` reads as false.
CASE_SENSITIVE_BOOLEANS = frozenset({"IAM_PASSWORD_POLICY"})


def _type_problem(kind: str, value: str, identifier: str) -> tuple[str, Severity] | None:
    if kind == "int" and not INTEGER_TEXT.fullmatch(value):
        return f"{value!r} is not an integer", Severity.WARNING
    if kind == "double" and not NUMBER_TEXT.fullmatch(value):
        return f"{value!r} is not a number", Severity.WARNING
    if kind == "boolean" and value not in ("true", "false"):
        documented = identifier in CASE_SENSITIVE_BOOLEANS
        severity = Severity.ERROR if documented else Severity.WARNING
        reads = "AWS Config reads it as false" if documented else "AWS Config may read it as false"
        if value.lower() in ("true", "false"):
            return f"{value!r} must be lower-case: {reads}", severity
        return f"{value!r} is not 'true' or 'false': {reads}", severity
    if kind == "CSV" and value and any(not item.strip() for item in value.split(",")):
        return f"{value!r} has an empty item in its comma-separated list", Severity.WARNING
    return None


@rule("CP404", "managed-rule-parameter-type", Severity.ERROR, tags=("template", "catalog"), fix="safe")
def managed_rule_parameter_type(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks each managed-rule parameter's effective value (parameters, `Fn::If` and conditions
    applied) against the parameter's type. A `boolean` must be exactly `true` or `false`: an error
    for `IAM_PASSWORD_POLICY`, whose documentation says anything else reads as false, a warning for
    other rules. An `int` or `double` that does not parse and a `CSV` list with an empty item are
    warnings. An `InputParameters` string that is not a JSON object is an error. Values that cannot
    be known offline are not checked.

    ## Why is this bad?
    The rule evaluates something other than what you wrote: AWS's own FedRAMP sample shipped `TRUE`
    and reported every account's password policy non-compliant. An `InputParameters` string must be
    JSON.

    ## Example
    ```yaml
    InputParameters: {RequireSymbols: "TRUE", MaxPasswordAge: "ninety"}
    ```

    ## Use instead
    ```yaml
    InputParameters: {RequireSymbols: "true", MaxPasswordAge: "90"}
    ```

    ## Fix
    A `boolean` written in another case (`'TRUE'`, `False`) is rewritten in lower case where its text
    is: in `InputParameters`, or in the `Default` of the one parameter it comes from (safe).

    ## References
    - [documented] AWS Config Developer Guide, "iam-password-policy": "The true and false values for
      the rule parameters are case-sensitive. If true is not provided in lowercase, it will be treated
      as false."
    - [reported] awslabs/aws-config-rules#434 (and #366, aws-samples/aws-secure-environment-accelerator#1099)
      - with the FedRAMP High sample's `'TRUE'`, "AWS Config was marking my password policy as
      non-compliant".
    - [documented] AWS Config API Reference, `ConfigRule.InputParameters`: "A string, in JSON format".
    - [observed] AWS's console templates (synced May 2025) still write `'TRUE'` for
      REDSHIFT_CLUSTER_CONFIGURATION_CHECK; no report says how other rules read it, hence warnings.
    """
    for view in ctx.config_rules:
        if isinstance(view.input_parameters, str):
            yield Issue(
                "InputParameters is a string but not a JSON object",
                view.parameters_path(),
                fix='write InputParameters as a mapping, or as a JSON object such as {"name": "value"}',
            )
            continue
        if view.managed is None:
            continue
        for name, value in parameter_items(view).items():
            parameter = view.managed.parameters.get(name)
            if parameter is None or value is UNKNOWN or isinstance(value, (dict, list)) or value is None:
                continue
            text = scalar_text(value)
            problem = _type_problem(parameter.type, text, view.managed.identifier)
            if problem is not None:
                message, severity = problem
                edits: tuple[Edit, ...] = ()
                hint = None
                if parameter.type == "boolean" and text.lower() in ("true", "false"):
                    edits = _rewritten(ctx, view, name, text, text.lower())
                    hint = f"write {text.lower()!r}"
                yield Issue(
                    f"{name} ({parameter.type}): {message}",
                    view.parameters_path(name),
                    severity=severity,
                    fix=hint,
                    edits=edits,
                )


@rule("CP405", "input-parameters-too-long", Severity.ERROR, tags=("template",))
def input_parameters_too_long(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a rule whose `InputParameters`, as the JSON string AWS Config receives once parameters
    and conditions are applied, is longer than 1,024 characters. Values that cannot be known offline
    count as empty, so a finding is certain.

    ## Why is this bad?
    The rule fails to create in every account. The template's text can look longer than the
    limit and still fit, because `Fn::If` drops unused entries first.

    ## Example
    An `ec2-instance-managed-by-systems-manager`-style rule given a long list of application names.

    ## Use instead
    Shorter values, or split the rule into two rules with different scopes.

    ## References
    - [documented] AWS Config API Reference, `ConfigRule.InputParameters`: length 1-1,024.
    """
    limit = ctx.limits.rule_input_parameters_max
    for view in ctx.config_rules:
        if not isinstance(view.input_parameters, dict):
            continue
        known = {name: "" if value is UNKNOWN else value for name, value in view.input_parameters.items()}
        try:
            text = json.dumps(known, separators=(",", ":"), ensure_ascii=False, default=str)
        except ValueError:
            continue
        if len(text) > limit:
            yield Issue(
                f"InputParameters is {len(text):,} characters as JSON; AWS Config takes at most {limit:,}",
                view.parameters_path(),
            )


@rule("CP406", "non-string-input-parameter", Severity.WARNING, tags=("template",), fix="safe")
def non_string_input_parameter(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an `InputParameters` value written as a bare number, boolean or null (`90`, `true`)
    instead of a string.

    ## Why is this bad?
    AWS Config expects every value as a string, and tools disagree on how they serialise bare
    values (`True` or `true`, `90` or `90.0`). AWS's own 2020 CIS sample has bare values, so this is
    a warning, not an error.

    ## Example
    ```yaml
    InputParameters: {maxAccessKeyAge: 90}
    ```

    ## Use instead
    ```yaml
    InputParameters: {maxAccessKeyAge: "90"}
    ```

    ## Fix
    A bare number or boolean written in `InputParameters` is put in double quotes as the text it
    stands for (`90` as `"90"`, `True` as `"true"`); one written otherwise (`0x1F`, `1e3`) is left
    alone. Safe: AWS Config receives the same text.

    ## References
    - [reported] hashicorp/terraform-provider-aws#773 - managed rules work "as long as the json is
      'string' based"; niaid/terraform-aws-managed-config-rules PR #15: "AWS Config expects all values
      as strings".
    - [observed] AWS's `Operational-Best-Practices-for-CIS.yaml` (2020) writes `maxAccessKeyAge: 90` and
      `RequireSymbols: true`, and no failure of it is reported.
    """
    for view in ctx.config_rules:
        for name, value in parameter_items(view).items():
            if value is None or isinstance(value, (bool, int, float)):
                shown = scalar_text(value) if value is not None else "null"
                edit = None
                raw = view.input_parameters_raw
                if value is not None and ctx.editor is not None and isinstance(raw, dict) and name in raw:
                    edit = ctx.editor.quote_scalar(view.parameters_path(name), shown)
                yield Issue(
                    f"InputParameters value {name}: {shown} is not a string",
                    view.parameters_path(name),
                    fix=f'quote it: {name}: "{scalar_text(value) if value is not None else ""}"',
                    edits=(edit,) if edit is not None else (),
                )
