"""CP208-CP209: conditions defined and used."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import Context
from preflight.findings import DocPath, Issue, Severity
from preflight.rule import rule
from preflight.suggest import did_you_mean
from preflight.template import Template


def condition_references(template: Template) -> Iterator[tuple[str, DocPath]]:
    """Every use of a condition name: a resource's `Condition`, the first argument of `Fn::If`, and
    `Condition` inside another condition."""
    for resource in template.resources:
        name = resource.body.get("Condition")
        if isinstance(name, str):
            yield name, resource.path + ("Condition",)
    for path, node in template.walk():
        if not isinstance(node, dict) or len(node) != 1:
            continue
        if "Fn::If" in node:
            arguments = node["Fn::If"]
            if isinstance(arguments, list) and arguments and isinstance(arguments[0], str):
                yield arguments[0], path + ("Fn::If", 0)
        elif "Condition" in node and path[:1] == ("Conditions",) and isinstance(node["Condition"], str):
            yield node["Condition"], path + ("Condition",)


@rule("CP208", "undefined-condition", Severity.ERROR, tags=("template", "conditions"))
def undefined_condition(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a condition name used by a resource's `Condition`, an `Fn::If` or another condition that
    the `Conditions` section does not define.

    ## Why is this bad?
    CloudFormation rejects the template ("Unresolved dependencies" / "Condition not defined").

    ## Example
    ```yaml
    Conditions:
      HasMaxAge: !Not [!Equals ["", !Ref MaxAge]]
    ...
    InputParameters:
      maxAccessKeyAge: !If [HasMaxAccessKeyAge, !Ref MaxAge, !Ref AWS::NoValue]
    ```

    ## Use instead
    Use the name the `Conditions` section defines (`HasMaxAge`).
    """
    defined = ctx.template.conditions
    for name, path in condition_references(ctx.template):
        if name not in defined:
            yield Issue(f"condition {name!r} is not defined in Conditions", path, fix=did_you_mean(name, defined))


@rule("CP209", "unused-condition", Severity.WARNING, tags=("template", "conditions"))
def unused_condition(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a condition that nothing uses.

    ## Why is this bad?
    It is dead weight in a template whose body is limited to 51,200 bytes, and usually means an
    `Fn::If` refers to the wrong name.

    ## Example
    A `HasMaxAge` condition left behind after its rule was removed.

    ## Use instead
    Delete the condition.
    """
    used = {name for name, _ in condition_references(ctx.template)}
    for name in ctx.template.conditions:
        if name not in used:
            yield Issue(f"condition {name!r} is never used", ("Conditions", name), fix="remove it")
