"""`preflight rules` and `preflight explain`: what each rule checks, and the evidence behind it."""

from __future__ import annotations

import click

from preflight.cli.terminal import fail
from preflight.docs import explanation
from preflight.engine.runner import discover_rules
from preflight.model.rule import Rule


@click.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule."""
    rules = discover_rules()
    if output_format == "json":
        import json

        click.echo(json.dumps([_as_json(rule) for rule in rules], indent=2, ensure_ascii=False))
        return
    width = max(len(rule.name) for rule in rules)
    for rule in rules:
        default = "opt-in " if rule.opt_in else "       "
        click.echo(f"{rule.id}  {rule.severity.label:<7}  {default}  {rule.name:<{width}}  {rule.summary}")


def _as_json(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity.label,
        "opt_in": rule.opt_in,
        "evidence": rule.evidence,
        "fix": rule.fix,
        "tags": list(rule.tags),
        "summary": rule.summary,
        "references": [{"confidence": tag, "source": text} for tag, text in rule.references],
    }


@click.command("explain")
@click.argument("rule_id")
def explain_command(rule_id: str) -> None:
    """Show a rule's documentation, such as `preflight explain CP101` (or `cfn-lint:E3005`)."""
    if rule_id.strip().lower().startswith("cfn-lint:"):
        _explain_cfn_lint(rule_id.strip()[len("cfn-lint:") :].upper())
        return
    wanted = rule_id.strip().upper()
    rules = {rule.id: rule for rule in discover_rules()}
    by_name = {rule.name: rule for rule in rules.values()}
    found = rules.get(wanted) or by_name.get(rule_id.strip())
    if found is None:
        fail(f"unknown rule {rule_id!r} (see `preflight rules`)")
    click.echo(explanation(found))


def _explain_cfn_lint(rule_id: str) -> None:
    try:
        from preflight.integrations.cfn_lint import describe_rule
    except ImportError:
        fail(f"cfn-lint:{rule_id} is a rule of cfn-lint, which is not installed")
    described = describe_rule(rule_id)
    if described is None:
        fail(f"cfn-lint has no rule {rule_id!r} (see `cfn-lint --list-rules`)")
    ours = [rule for rule in discover_rules() if rule_id in rule.cfn_lint]
    click.echo(f"cfn-lint:{rule_id} {described.summary} (a rule of cfn-lint's, run with --cfn-lint)\n")
    click.echo(described.description + ("" if described.description.endswith(".") else "."))
    if described.url:
        click.echo(f"Documentation: {described.url}")
    if ours:
        names = ", ".join(f"{rule.id} ({rule.name})" for rule in ours)
        click.echo(
            f"\npreflight reports the same problem as {names}: where both report it on one line, only the "
            "preflight finding is kept."
        )
