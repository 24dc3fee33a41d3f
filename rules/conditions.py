"""CP208-CP209: conditions defined and used."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import Context, DocPath, Edit, Issue, Severity, rule


@rule("CP208", "undefined-condition", Severity.ERROR, tags=("template", "conditions"), cfn_lint=("E1028", "E8002"))
def undefined_condition(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a condition name used by a resource's `Condition`, an `Fn::If` or another condition that
    the `Conditions` section does not define.

    ## Why is this bad?
    CloudFormation rejects the template: "Template format error: Condition X is not defined."

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

    ## References
    - [documented] AWS CloudFormation Template Reference, "Condition functions": "You must define all
      conditions in the Conditions section of a template".
    - [reported] aws-cloudformation/cfn-lint#92 - CloudFormation: "Template format error: Condition
      ListenForHttps is not defined."
    """
    related = ctx.related
    for typo in related.misspelt_conditions:
        fix = f"did you mean {typo.meant!r}?" if typo.meant else None
        if typo.meant in related.unused_conditions:
            fix = f"did you mean {typo.meant!r}? It is defined and used nowhere else (CP209)"
        yield Issue(f"condition {typo.reference!r} is not defined in Conditions", typo.path, fix=fix)


@rule("CP209", "unused-condition", Severity.WARNING, tags=("template", "conditions"), cfn_lint=("W8001",), fix="safe")
def unused_condition(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a condition that nothing uses.

    ## Why is this bad?
    CloudFormation accepts it, so this is hygiene: it is dead weight in a template whose body is
    limited to 51,200 bytes, and usually means an `Fn::If` refers to the wrong name.

    ## Example
    A `HasMaxAge` condition left behind after its rule was removed.

    ## Use instead
    Delete the condition, or use it where it was meant to be used.

    ## Fix
    A condition that no other finding says is meant (CP208, CP403) is removed, its lines only; the
    `Conditions` section goes with its last condition (safe: nothing refers to it).

    ## References
    - [observed] Deployed packs carry unused conditions without failing (the Government of Canada
      organization pack has five), hence only a warning.
    """
    related = ctx.related
    for name in related.unused_conditions:
        typos = related.typos_of(name)
        needing = related.needing_condition(name)
        if needing:
            missing = needing[0]
            fix = (
                f"keep it: {missing.view.resource.logical_id} ({_line(ctx, missing.view.resource.path).strip()}) "
                f"lacks the required parameter "
                f"{missing.parameter.name!r} (CP403); add {missing.parameter.name}: !If [{name}, "
                f"!Ref {missing.declared}, !Ref AWS::NoValue] to its InputParameters"
            )
            edits: tuple[Edit, ...] = ()
        elif typos:
            where = _line(ctx, typos[0].path)
            fix = (
                f"keep it: {where}refers to {typos[0].reference!r}, which is not defined (CP208) and probably "
                "means this condition; correct that name"
            )
            edits = ()
        else:
            fix = "remove it, or use it where it was meant to be used"
            edits = _as_edits(ctx.editor.remove_member("Conditions", name)) if ctx.editor else ()
        users = related.users_of(name)
        used = f"is used only by unused conditions ({', '.join(map(repr, users))})" if users else "is never used"
        yield Issue(f"condition {name!r} {used}", ("Conditions", name), fix=fix, edits=edits)


def _line(ctx: Context, path: DocPath) -> str:
    return f"line {ctx.document.locate(path).line} " if ctx.document is not None else ""


def _as_edits(edit: Edit | None) -> tuple[Edit, ...]:
    return (edit,) if edit is not None else ()
