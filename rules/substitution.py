"""CP308: `${Name}` written where no `Fn::Sub` substitutes it."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import PSEUDO_PARAMETERS, Context, Issue, Severity, rule


@rule("CP308", "variable-outside-sub", Severity.ERROR, tags=("template", "parameters"), cfn_lint=("E1029",))
def variable_outside_sub(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports `${Name}` in a resource's string that is not inside `Fn::Sub`, where Name is a template
    parameter, a pseudo parameter (`${AWS::Region}`) or a resource of the template.

    ## Why is this bad?
    Only `Fn::Sub` substitutes `${...}`: anywhere else CloudFormation passes the text on as it is, so
    every account's rule receives the literal `${MaxAccessKeyAge}` instead of the parameter's value,
    and the parameter the author meant to use is unused (CP305).

    ## Example
    ```yaml
    InputParameters:
      maxAccessKeyAge: "${MaxAccessKeyAge}"
    ```

    ## Use instead
    ```yaml
    InputParameters:
      maxAccessKeyAge: !Ref MaxAccessKeyAge        # or !Sub "${MaxAccessKeyAge}"
    ```

    ## References
    - [documented] AWS CloudFormation User Guide, `Fn::Sub`: "substitutes variables in an input string
      with values that you specify"; no other place of a template substitutes `${...}`.
    - [reported] cfn-lint E1029 ("Found an embedded parameter outside of an Fn::Sub") reports the same
      text as an error.
    """
    parameters = ctx.template.parameters
    for name, path, offset in ctx.template.variables_outside_sub:
        kind = "parameter" if name in parameters else "pseudo parameter" if name in PSEUDO_PARAMETERS else "resource"
        yield Issue(
            f"${{{name}}} is not inside Fn::Sub, so the {kind} is not substituted: AWS receives the text "
            f"'${{{name}}}' as it is",
            path,
            fix=f"write !Ref {name}, or wrap the string in !Sub" if kind != "resource" else "wrap the string in !Sub",
            span=ctx.position_in_value(path, offset),
        )
