"""The command line: `preflight check`, `preflight rules`, `preflight explain`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from preflight import __version__
from preflight.check import UsageError, check, expand_paths
from preflight.config import Config, ConfigError, load_config, validate_selectors
from preflight.engine import discover_rules
from preflight.findings import Severity
from preflight.limits import SAFETY_LIMITS
from preflight.request import RequestError, RequestInputs, build_request
from preflight.rule import Rule

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> NoReturn:
    click.echo(f"preflight: error: {message}", err=True)
    sys.exit(2)


def _split_selectors(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def request_options(function: F) -> F:
    """The request context, shared by the commands that lint a pack."""
    options = [
        click.option("--name", help="Pack name (OrganizationConformancePackName or ConformancePackName)."),
        click.option(
            "--scope",
            type=click.Choice(["organization", "account"]),
            help="put-organization-conformance-pack (default) or put-conformance-pack.",
        ),
        click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="An input parameter (repeatable)."),
        click.option(
            "--params-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Input parameters: [{ParameterName, ParameterValue}], [{ParameterKey, ParameterValue}] or a mapping.",
        ),
        click.option(
            "--exclude-account",
            "exclude_accounts",
            multiple=True,
            metavar="ID",
            help="An excluded account (repeatable).",
        ),
        click.option("--delivery-bucket", help="DeliveryS3Bucket."),
        click.option("--delivery-prefix", help="DeliveryS3KeyPrefix."),
        click.option(
            "--template-s3-uri", help="The template will be uploaded here (the local file is what is uploaded)."
        ),
        click.option("--region", help="The Region the pack is deployed to."),
        click.option(
            "--request",
            "request_file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="The request document as `aws configservice put-*-conformance-pack --cli-input-json` takes it.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


class _OneLineErrors(click.Group):
    """Usage errors as one line on standard error and exit 2, like every other error of preflight."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            _fail("interrupted")
        except click.ClickException as error:
            context = getattr(error, "ctx", None)
            hint = f" (see `{context.command_path} --help`)" if context is not None else ""
            _fail(f"{error.format_message()}{hint}")
        except Exception as error:
            if os.environ.get("PREFLIGHT_DEBUG") == "1":
                raise
            _fail(f"internal error: {type(error).__name__}: {error} (PREFLIGHT_DEBUG=1 shows the traceback)")


def _print_version(context: click.Context, _parameter: click.Parameter, value: bool) -> None:
    if not value or context.resilient_parsing:
        return
    from preflight.catalog import catalog_summary

    click.echo(f"preflight, version {__version__} ({catalog_summary()})")
    context.exit()


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version, help="Show the version."
)
def main() -> None:
    """Lint AWS Config conformance packs before AWS sees them."""


@main.command("check")
@click.argument("paths", nargs=-1)
@request_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--select", multiple=True, metavar="IDS", help="Only these rules (ids or prefixes, comma-separated).")
@click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or prefixes, comma-separated).")
@click.option("--fail-level", type=click.Choice(["error", "warning", "info"]), help="Exit 1 at or above this severity.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--stdin-filename", default="<stdin>", help="The name to report for `-` (standard input).")
@click.option(
    "--cfn-lint",
    "with_cfn_lint",
    is_flag=True,
    help="Also run cfn-lint on each template and report its findings as cfn-lint:<ID> (slower).",
)
def check_command(
    paths: tuple[str, ...],
    name: str | None,
    scope: str | None,
    params: tuple[str, ...],
    params_file: Path | None,
    exclude_accounts: tuple[str, ...],
    delivery_bucket: str | None,
    delivery_prefix: str | None,
    template_s3_uri: str | None,
    region: str | None,
    request_file: Path | None,
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_level: str | None,
    config_path: Path | None,
    color: str,
    stdin_filename: str,
    with_cfn_lint: bool,
) -> None:
    """Check conformance pack templates (files, directories, or - for standard input)."""
    rules = discover_rules()
    ids = [rule.id for rule in rules]
    try:
        config = load_config(config_path, ids)
        config = _apply_overrides(config, select, ignore, fail_level, ids)
        inputs = RequestInputs(
            name=name,
            scope=scope,  # type: ignore[arg-type]
            params=params,
            params_file=params_file,
            exclude_accounts=exclude_accounts,
            delivery_bucket=delivery_bucket,
            delivery_prefix=delivery_prefix,
            template_s3_uri=template_s3_uri,
            region=region,
            request_file=request_file,
        )
        request = build_request(inputs)
        if not paths and request.template_body is None and request_file is None:
            raise UsageError("nothing to check: give template files or directories, - for standard input, or --request")
        subjects = expand_paths(paths, stdin_filename)
        if paths and not subjects:
            raise UsageError(
                f"no templates ({', '.join(sorted({'.yaml', '.yml', '.json', '.template'}))}) under {', '.join(paths)}"
            )
        stdin_bytes = None
        if any(subject.path is None for subject in subjects):
            stdin_bytes = sys.stdin.buffer.read(SAFETY_LIMITS.max_file_bytes + 1)
        report = check(
            subjects,
            request,
            config,
            rules,
            stdin_bytes=stdin_bytes,
            raise_errors=os.environ.get("PREFLIGHT_RAISE_RULE_ERRORS") == "1",
            cfn_lint=with_cfn_lint,
        )
    except (ConfigError, RequestError, UsageError) as error:
        _fail(str(error))
    if output_format == "json":
        from preflight.reporters.json_report import render_json

        click.echo(render_json(report), nl=False)
    else:
        from preflight.reporters.text import render_text

        colour = _use_colour(color)
        click.echo(render_text(report, colour=colour), nl=False, color=colour)
    failing = any(finding.severity >= config.fail_level for finding in report.findings)
    sys.exit(1 if failing else 0)


def _apply_overrides(
    config: Config, select: Sequence[str], ignore: Sequence[str], fail_level: str | None, ids: Sequence[str]
) -> Config:
    from dataclasses import replace

    if select:
        config = replace(config, select=validate_selectors(_split_selectors(select), ids, "--select"))
    if ignore:
        config = replace(config, ignore=config.ignore + validate_selectors(_split_selectors(ignore), ids, "--ignore"))
    if fail_level:
        config = replace(config, fail_level=Severity.parse(fail_level))
    return config


def _use_colour(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule."""
    rules = discover_rules()
    if output_format == "json":
        import json

        rows = [
            {"id": r.id, "name": r.name, "severity": r.severity.label, "tags": list(r.tags), "summary": r.summary}
            for r in rules
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r.name) for r in rules)
    for r in rules:
        click.echo(f"{r.id}  {r.severity.label:<7}  {r.name:<{width}}  {r.summary}")


@main.command("explain")
@click.argument("rule_id")
def explain_command(rule_id: str) -> None:
    """Show a rule's documentation, such as `preflight explain CP101`."""
    wanted = rule_id.strip().upper()
    rules: dict[str, Rule] = {r.id: r for r in discover_rules()}
    by_name = {r.name: r for r in rules.values()}
    found = rules.get(wanted) or by_name.get(rule_id.strip())
    if found is None:
        _fail(f"unknown rule {rule_id!r} (see `preflight rules`)")
    click.echo(f"{found.id} {found.name} ({found.severity.label})\n")
    click.echo(found.documentation)
