"""The command line: `preflight check`, `deploy`, `status`, `rules`, `explain`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from preflight import __version__
from preflight.engine.pipeline import Report, UsageError, check, expand_paths
from preflight.engine.runner import discover_rules
from preflight.load.request_file import PackRequest, RequestError, RequestInputs, build_request
from preflight.load.settings_file import SettingsError, load_settings, validate_selectors
from preflight.model.findings import Severity
from preflight.model.limits import SAFETY_LIMITS
from preflight.model.rule import Rule
from preflight.model.settings import Settings
from preflight.reporters.printable import printable

if TYPE_CHECKING:
    from preflight.aws.session import AwsTarget
    from preflight.model.facts import AwsFacts

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> NoReturn:
    click.echo(f"preflight: error: {printable(message)}", err=True)
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
    from preflight.knowledge.catalog import catalog_summary

    click.echo(f"preflight, version {__version__} ({catalog_summary()})")
    context.exit()


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version, help="Show the version."
)
def main() -> None:
    """Lint AWS Config conformance packs before AWS sees them."""


def lint_options(function: F) -> F:
    options = [
        click.option(
            "--select", multiple=True, metavar="IDS", help="Only these rules (ids or prefixes, comma-separated)."
        ),
        click.option(
            "--extend-select",
            multiple=True,
            metavar="IDS",
            help="Also these rules, on top of the selection (opt-in rules by their full id).",
        ),
        click.option(
            "--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or prefixes, comma-separated)."
        ),
        click.option(
            "--fail-level", type=click.Choice(["error", "warning", "info"]), help="Exit 1 at or above this severity."
        ),
        click.option(
            "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file."
        ),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def aws_options(function: F) -> F:
    options = [
        click.option("--profile", help="AWS profile (default: the standard credential chain)."),
        click.option("--endpoint-url", help="Send every AWS call here (a local stand-in such as moto)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def spec_option(function: F) -> F:
    return click.option(
        "--spec",
        "spec_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="A spec file of several packs with shared defaults (see the README).",
    )(function)


def _request_inputs(options: dict[str, Any]) -> RequestInputs:
    return RequestInputs(
        name=options["name"],
        scope=options["scope"],
        params=options["params"],
        params_file=options["params_file"],
        exclude_accounts=options["exclude_accounts"],
        delivery_bucket=options["delivery_bucket"],
        delivery_prefix=options["delivery_prefix"],
        template_s3_uri=options["template_s3_uri"],
        region=options["region"],
        request_file=options["request_file"],
    )


def _lint_setup(options: dict[str, Any]) -> tuple[Settings, tuple[Rule, ...]]:
    rules = discover_rules()
    ids = [rule.id for rule in rules]
    config = load_settings(options["config_path"], ids)
    overrides = _Overrides(options["select"], options["extend_select"], options["ignore"], options["fail_level"])
    return _apply_overrides(config, overrides, ids), rules


def _raise_rule_errors() -> bool:
    return os.environ.get("PREFLIGHT_RAISE_RULE_ERRORS") == "1"


@main.command("check")
@click.argument("paths", nargs=-1)
@request_options
@lint_options
@spec_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "junit", "github", "parseable"]),
    default="text",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file; the terminal gets the summary.",
)
@click.option("--stdin-filename", default="<stdin>", help="The name to report for `-` (standard input).")
@click.option(
    "--cfn-lint",
    "with_cfn_lint",
    is_flag=True,
    help="Also run cfn-lint on each template and report its findings as cfn-lint:<ID> (slower).",
)
@click.option("--online", is_flag=True, help="Also check the account and organization (read-only AWS calls).")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes to check files in (default: the cores)."
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (.preflight_cache/).")
@click.option(
    "--only-packs",
    is_flag=True,
    help="Skip files that name no AWS::Config:: resource type (for hooks that pass every YAML file).",
)
@aws_options
def check_command(paths: tuple[str, ...], **options: Any) -> None:
    """Check conformance pack templates (files, directories, or - for standard input)."""
    try:
        config, rules = _lint_setup(options)
        if options["spec_file"] is not None:
            report = _check_spec(paths, options, config, rules)
        else:
            report = _check_paths(paths, options, config, rules)
    except (SettingsError, RequestError, UsageError) as error:
        _fail(str(error))
    from preflight.reporters.render import render_chunks, summary_line

    colour = _use_colour(options["color"])
    chunks = render_chunks(
        options["output_format"],
        report,
        rules,
        colour=colour and options["output_format"] == "text",
        fail_level=config.fail_level,
    )
    if options["output"] is not None:
        try:
            with options["output"].open("w", encoding="utf-8", errors="surrogateescape") as stream:
                stream.writelines(chunks)
        except OSError as error:
            _fail(f"{options['output']}: cannot write the report: {error.strerror or error}")
        click.echo(f"{summary_line(report)} Report written to {printable(str(options['output']))}.")
    else:
        for chunk in chunks:
            click.echo(chunk, nl=False, color=colour)
    failing = any(finding.severity >= config.fail_level for finding in report.findings)
    sys.exit(1 if failing else 0)


def _aws_target(options: dict[str, Any], region: str | None) -> AwsTarget:
    from preflight.aws.session import AwsTarget

    return AwsTarget(profile=options["profile"], region=region, endpoint_url=options["endpoint_url"])


def _gather(options: dict[str, Any], request: PackRequest) -> AwsFacts:
    from preflight.aws.errors import describe_error
    from preflight.aws.gather import gather
    from preflight.aws.session import Clients

    try:
        return gather(Clients(_aws_target(options, request.region)), request)
    except Exception as error:
        raise UsageError(describe_error(error)) from None


def _check_paths(paths: tuple[str, ...], options: dict[str, Any], config: Settings, rules: Sequence[Rule]) -> Report:
    request = build_request(_request_inputs(options))
    if not paths and request.template_body is None and options["request_file"] is None:
        raise UsageError("nothing to check: give template files or directories, - for standard input, or --request")
    subjects = expand_paths(paths, options["stdin_filename"])
    if paths and not subjects:
        raise UsageError(f"no templates (.json, .template, .yaml, .yml) under {', '.join(paths)}")
    stdin_bytes = None
    if any(subject.path is None for subject in subjects):
        stdin_bytes = sys.stdin.buffer.read(SAFETY_LIMITS.max_file_bytes + 1)
    facts = _gather(options, request) if options["online"] else None
    cache = None
    if not options["no_cache"] and facts is None:
        from preflight.engine.cache import Cache, cache_directory, context_fingerprint

        enabled = [rule.id for rule in config.enabled(rules)]
        context = context_fingerprint(config, request, enabled, options["with_cfn_lint"], options["only_packs"])
        cache = Cache(cache_directory(config.root), context)
    return check(
        subjects,
        request,
        config,
        rules,
        stdin_bytes=stdin_bytes,
        raise_errors=_raise_rule_errors(),
        cfn_lint=options["with_cfn_lint"],
        facts=facts,
        jobs=options["jobs"] or os.cpu_count() or 1,
        cache=cache,
        only_packs=options["only_packs"],
    )


def _check_spec(paths: tuple[str, ...], options: dict[str, Any], config: Settings, rules: Sequence[Rule]) -> Report:
    from preflight.engine.pipeline import check_spec
    from preflight.load.spec_file import load_spec

    if paths or _request_inputs(options).any_given:
        raise UsageError("--spec describes every pack: give no PATH or request options with it")
    spec = load_spec(options["spec_file"])
    facts = [_gather(options, pack.request) for pack in spec.packs] if options["online"] else None
    return check_spec(
        spec, config, rules, raise_errors=_raise_rule_errors(), cfn_lint=options["with_cfn_lint"], facts=facts
    )


@main.command("deploy")
@click.argument("paths", nargs=-1)
@request_options
@lint_options
@spec_option
@aws_options
@click.option("--template-bucket", help="Upload templates over 51,200 bytes here (content-addressed keys).")
@click.option("--template-prefix", default="preflight/", show_default=True, help="Key prefix for uploaded templates.")
@click.option("--minify", is_flag=True, help="Send a compact JSON rendering of the template when that fits inline.")
@click.option("--dry-run", is_flag=True, help="Print the plan and the exact request; change nothing.")
@click.option("--no-wait", is_flag=True, help="Put, and do not follow the rollout (see `preflight status`).")
@click.option("--timeout", type=float, default=3600, show_default=True, help="Seconds to follow the rollout.")
@click.option("--poll-interval", type=float, default=15, show_default=True, help="Seconds between status polls.")
@click.option(
    "--busy-timeout", type=float, default=600, show_default=True, help="Seconds to wait for a busy pack before putting."
)
def deploy_command(paths: tuple[str, ...], **options: Any) -> None:
    """Lint, pre-flight online, plan, put and follow a conformance pack to the last account."""
    from preflight.deploy.run import DeploySettings, Pack, deploy_packs

    spec = None
    try:
        config, rules = _lint_setup(options)
        if options["spec_file"] is not None:
            from preflight.load.spec_file import load_spec

            if paths or _request_inputs(options).any_given:
                raise UsageError("--spec describes every pack: give no PATH or request options with it")
            spec = load_spec(options["spec_file"])
            packs = [Pack(pack.template, pack.request) for pack in spec.packs]
        else:
            request = build_request(_request_inputs(options))
            if len(paths) > 1:
                raise UsageError("deploy takes one template (or --spec for several)")
            if paths and not Path(paths[0]).is_file():
                raise UsageError(f"{paths[0]}: no such file")
            if not paths and request.template_body is None and request.template_s3_uri is None:
                raise UsageError("deploy needs the template: PATH, --request with a template, or --template-s3-uri")
            packs = [Pack(Path(paths[0]) if paths else None, request)]
    except (SettingsError, RequestError, UsageError) as error:
        _fail(str(error))
    settings = DeploySettings(
        template_bucket=options["template_bucket"],
        template_prefix=options["template_prefix"],
        minify=options["minify"],
        dry_run=options["dry_run"],
        wait=not options["no_wait"],
        timeout=options["timeout"],
        poll_interval=options["poll_interval"],
        busy_timeout=options["busy_timeout"],
        profile=options["profile"],
        endpoint_url=options["endpoint_url"],
        colour=_use_colour(options["color"]),
        raise_rule_errors=_raise_rule_errors(),
    )
    sys.exit(deploy_packs(packs, config, rules, settings, spec))


@main.command("status")
@click.argument("name")
@click.option("--scope", type=click.Choice(["organization", "account"]), default="organization", show_default=True)
@click.option("--region", help="The Region the pack is deployed to.")
@aws_options
@click.option("--timeout", type=float, default=3600, show_default=True, help="Seconds to follow the rollout.")
@click.option("--poll-interval", type=float, default=15, show_default=True, help="Seconds between status polls.")
@click.option("--no-wait", is_flag=True, help="Show the current state once.")
def status_command(name: str, **options: Any) -> None:
    """Follow (or resume following) a pack's rollout and report every account."""
    from preflight.deploy.run import DeploySettings, follow

    settings = DeploySettings(
        timeout=0 if options["no_wait"] else options["timeout"],
        poll_interval=options["poll_interval"],
        profile=options["profile"],
        endpoint_url=options["endpoint_url"],
    )
    sys.exit(follow(name, options["scope"], options["region"], settings))


@dataclass(frozen=True)
class _Overrides:
    select: Sequence[str]
    extend_select: Sequence[str]
    ignore: Sequence[str]
    fail_level: str | None


def _apply_overrides(config: Settings, overrides: _Overrides, ids: Sequence[str]) -> Settings:
    from dataclasses import replace

    select, ignore, fail_level = overrides.select, overrides.ignore, overrides.fail_level
    if select:
        config = replace(config, select=validate_selectors(_split_selectors(select), ids, "--select"))
    if overrides.extend_select:
        extra = validate_selectors(_split_selectors(overrides.extend_select), ids, "--extend-select")
        config = replace(config, extend_select=config.extend_select + extra)
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


@main.command("lsp")
def lsp_command() -> None:
    """Run the language server on standard input and output (for editors)."""
    from preflight.integrations.lsp import serve

    serve()


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule."""
    rules = discover_rules()
    if output_format == "json":
        import json

        rows = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.label,
                "opt_in": r.opt_in,
                "evidence": r.evidence,
                "tags": list(r.tags),
                "summary": r.summary,
                "references": [{"confidence": tag, "source": text} for tag, text in r.references],
            }
            for r in rules
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r.name) for r in rules)
    for r in rules:
        default = "opt-in " if r.opt_in else "       "
        click.echo(f"{r.id}  {r.severity.label:<7}  {default}  {r.name:<{width}}  {r.summary}")


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
    opt_in = ", opt-in: runs only when selected by its full id" if found.opt_in else ""
    click.echo(f"{found.id} {found.name} ({found.severity.label}{opt_in})\n")
    click.echo(found.documentation)


def run() -> NoReturn:
    """The `preflight` command: `main`, then a quick exit.

    Once the output is flushed there is nothing left to do, and tearing the interpreter down (freeing
    every node of every template one by one) takes longer than checking a pack; so the process ends
    here without it, as mypy's does.
    """
    try:
        result = main(prog_name="preflight")
        code = result if isinstance(result, int) else 0
    except SystemExit as leaving:
        code = _exit_status(leaving.code)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the descriptor closed (`preflight ... >&-`)
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`preflight check | head`) or a closed stream
            pass
    os._exit(code)


def _exit_status(code: object) -> int:
    """What the interpreter would make of `sys.exit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF if -(2**31) <= code < 2**31 else 0xFF
    if sys.stderr is not None:
        print(code, file=sys.stderr)
    return 1
