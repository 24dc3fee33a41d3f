"""`preflight deploy` and `preflight status`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click

from preflight.cli.extras import AWS, require
from preflight.cli.loading import collector_paused
from preflight.cli.options import (
    AwsOptions,
    F,
    LintOptions,
    aws_options,
    lint_options,
    raise_rule_errors,
    request_options,
    spec_alone,
    spec_option,
    take,
)
from preflight.cli.terminal import EXIT_USAGE, fail
from preflight.engine.runner import discover_rules
from preflight.load.request import build_request
from preflight.model.errors import InputError, UsageError
from preflight.model.request import RequestInputs

OutputFormat = Literal["text", "json"]


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"], case_sensitive=False),
        default="text",
        show_default=True,
        help="json: one JSON document on standard output, and every other line on standard error.",
    )(function)


@dataclass(frozen=True)
class DeployOptions:
    paths: tuple[str, ...]
    request: RequestInputs
    lint: LintOptions
    aws: AwsOptions
    spec_file: Path | None
    template_bucket: str | None
    template_prefix: str
    minify: bool
    dry_run: bool
    offline: bool
    no_wait: bool
    timeout: float
    poll_interval: float
    busy_timeout: float
    output_format: OutputFormat


@click.command("deploy")
@click.argument("paths", nargs=-1)
@request_options
@lint_options
@spec_option
@aws_options
@click.option("--template-bucket", help="Upload templates over 51,200 bytes here (content-addressed keys).")
@click.option("--template-prefix", default="preflight/", show_default=True, help="Key prefix for uploaded templates.")
@click.option("--minify", is_flag=True, help="Send a compact JSON rendering of the template when that fits inline.")
@click.option("--dry-run", is_flag=True, help="Print the plan and the exact request; change nothing.")
@click.option("--offline", is_flag=True, help="With --dry-run: plan without any AWS call (no online checks).")
@click.option("--no-wait", is_flag=True, help="Put, and do not follow the rollout (see `preflight status`).")
@click.option("--timeout", type=float, default=3600, show_default=True, help="Seconds to follow the rollout.")
@click.option("--poll-interval", type=float, default=15, show_default=True, help="Seconds between status polls.")
@click.option(
    "--busy-timeout", type=float, default=600, show_default=True, help="Seconds to wait for a busy pack before putting."
)
@format_option
def deploy_command(paths: tuple[str, ...], **given: Any) -> None:
    """Lint, pre-flight online, plan, put and follow a conformance pack to the last account."""
    request, lint, aws = take(RequestInputs, given), take(LintOptions, given), take(AwsOptions, given)
    sys.exit(deploy(DeployOptions(paths, request, lint, aws, **given)))


def deploy(options: DeployOptions) -> int:
    require(AWS, "deploy")
    from preflight.deploy.console import Console
    from preflight.deploy.run import Pack, deploy_packs
    from preflight.deploy.settings import DeploySettings

    with collector_paused():  # the rule modules
        rules = discover_rules()
    spec = None
    try:
        if options.offline and not options.dry_run:
            raise UsageError("--offline plans without calling AWS, so it goes with --dry-run")
        # Each template is checked with its folder's settings, as `check TEMPLATE` checks it.
        scopes = options.lint.scopes(rules)
        settings = scopes.root
        if options.spec_file is not None:
            from preflight.load.spec_file import load_spec

            spec_alone(options.paths, options.request)
            spec = load_spec(options.spec_file)
            settings = scopes.for_folder(options.spec_file.parent)
            packs = [
                Pack(pack.template, pack.request, pack.template_bucket, _folder(scopes, pack.template))
                for pack in spec.packs
            ]
        else:
            packs = [_pack(options)]
            if packs[0].template is not None:
                settings = scopes.for_folder(packs[0].template.parent)
        role = options.aws.role(scopes.root)
    except InputError as error:
        fail(str(error))
    deploy_settings = DeploySettings(
        template_bucket=options.template_bucket,
        template_prefix=options.template_prefix,
        minify=options.minify,
        dry_run=options.dry_run,
        offline=options.offline,
        wait=not options.no_wait,
        timeout=options.timeout,
        poll_interval=options.poll_interval,
        busy_timeout=options.busy_timeout,
        profile=options.aws.profile,
        endpoint_url=options.aws.endpoint_url,
        member_role=role,
        console=Console(to_stderr=options.output_format == "json", colour=options.lint.colour),
        raise_rule_errors=raise_rule_errors(),
    )
    outcome = deploy_packs(packs, settings, rules, deploy_settings, spec)
    if options.output_format == "json" and outcome.code != EXIT_USAGE:
        from preflight.deploy.document import deploy_document

        click.echo(deploy_document(outcome), nl=False)
    return outcome.code


def _folder(scopes: Any, template: Path | None) -> Any:
    return scopes.for_folder(template.parent) if template is not None else None


def _pack(options: DeployOptions) -> Any:
    from preflight.deploy.run import Pack

    request = build_request(options.request)
    paths = options.paths
    if len(paths) > 1:
        raise UsageError("deploy takes one template (or --spec for several)")
    if paths and not Path(paths[0]).is_file():
        raise UsageError(f"{paths[0]}: no such file")
    if paths and _holds_a_pack(Path(paths[0])):
        raise UsageError(
            f"{paths[0]}: a CloudFormation stack or Terraform file holding a conformance pack: deploy it with "
            "CloudFormation or Terraform (`preflight check` checks its packs), or deploy a pack's own file"
        )
    if not paths and request.template_body is None and request.template_s3_uri is None:
        raise UsageError("deploy needs the template: PATH, --request with a template, or --template-s3-uri")
    return Pack(Path(paths[0]) if paths else None, request)


def _holds_a_pack(path: Path) -> bool:
    """A CloudFormation stack with a pack resource, or a Terraform file: hosts, which deploy does not
    put (preflight.knowledge.hosts)."""
    from preflight.knowledge.hosts import hosted_packs, may_host
    from preflight.load.parsing import load_template_bytes, read_bytes
    from preflight.load.paths import TERRAFORM_SUFFIX

    if path.suffix.lower() == TERRAFORM_SUFFIX:
        return True
    data, _problem = read_bytes(path)
    return data is not None and may_host(data) and bool(hosted_packs(load_template_bytes(data, str(path))))


@dataclass(frozen=True)
class StatusOptions:
    name: str
    aws: AwsOptions
    scope: Literal["organization", "account"]
    region: str | None
    timeout: float
    poll_interval: float
    no_wait: bool
    output_format: OutputFormat


@click.command("status")
@click.argument("name")
@click.option("--scope", type=click.Choice(["organization", "account"]), default="organization", show_default=True)
@click.option("--region", help="The Region the pack is deployed to.")
@aws_options
@click.option("--timeout", type=float, default=3600, show_default=True, help="Seconds to follow the rollout.")
@click.option("--poll-interval", type=float, default=15, show_default=True, help="Seconds between status polls.")
@click.option("--no-wait", is_flag=True, help="Show the current state once.")
@format_option
def status_command(name: str, **given: Any) -> None:
    """Follow (or resume following) a pack's rollout and report every account."""
    aws = take(AwsOptions, given)
    sys.exit(status(StatusOptions(name, aws, **given)))


def status(options: StatusOptions) -> int:
    """Exit 0 when every account succeeded; 1 when the rollout failed or did not finish; 2 when its
    status could not be read at all."""
    require(AWS, "status")
    from preflight.deploy.console import Console
    from preflight.deploy.rollout import status as follow_status
    from preflight.deploy.settings import DeploySettings

    settings = DeploySettings(
        timeout=0 if options.no_wait else options.timeout,
        poll_interval=options.poll_interval,
        profile=options.aws.profile,
        endpoint_url=options.aws.endpoint_url,
        console=Console(to_stderr=options.output_format == "json"),
    )
    outcome = follow_status(options.name, options.scope, options.region, settings)
    if outcome is None:
        return EXIT_USAGE
    if options.output_format == "json":
        from preflight.deploy.document import status_document

        click.echo(status_document(outcome), nl=False)
    return outcome.result.exit_code
