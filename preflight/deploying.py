"""`preflight deploy` and `preflight status`: the safe steps, in order, for each pack.

(a) lint, refusing on any error; (b) the online pre-flight; (c) the plan (inline body or S3 upload);
(d) the put, waiting out a busy pack; (e) following the rollout to the last account."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import click

from preflight.check import Report, Subject, check
from preflight.config import Config
from preflight.findings import Severity
from preflight.loader import Loaded, load_template_file, load_template_text
from preflight.request import PackRequest
from preflight.rule import Rule

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class DeploySettings:
    template_bucket: str | None = None
    template_prefix: str = "preflight/"
    minify: bool = False
    dry_run: bool = False
    wait: bool = True
    timeout: float = 3600
    poll_interval: float = 15
    busy_timeout: float = 600
    profile: str | None = None
    endpoint_url: str | None = None
    colour: bool = False
    raise_rule_errors: bool = False


def _say(message: str) -> None:
    click.echo(message)


def _clients(settings: DeploySettings, region: str | None) -> object:
    from preflight.aws.session import AwsTarget, Clients

    return Clients(AwsTarget(settings.profile, region, settings.endpoint_url))


def _load(template: Path | None, request: PackRequest) -> Loaded:
    if template is not None:
        return load_template_file(template, template.as_posix())
    body = request.template_body
    assert body is not None
    return load_template_text(body.text, body.file, line_offset=body.line_offset, column_offset=body.column_offset)


def deploy_packs(
    packs: Sequence[tuple[Path | None, PackRequest]], config: Config, rules: Sequence[Rule], settings: DeploySettings
) -> int:
    for template, request in packs:
        code = _deploy_one(template, request, config, rules, settings)
        if code != EXIT_OK:
            return code
    return EXIT_OK


def _deploy_one(
    template: Path | None, request: PackRequest, config: Config, rules: Sequence[Rule], settings: DeploySettings
) -> int:
    from preflight.aws.deploy import DeployError, Timing, put, upload
    from preflight.aws.errors import describe_error
    from preflight.aws.gather import gather
    from preflight.aws.plan import PlanError, PlanOptions, make_plan
    from preflight.reporters.text import render_text

    name = request.name or "(unnamed)"
    loaded = _load(template, request)
    try:
        plan = make_plan(
            loaded, request, PlanOptions(settings.template_bucket, settings.template_prefix, settings.minify)
        )
    except PlanError as error:
        _say(f"preflight: error: {error}")
        return EXIT_USAGE
    # Lint the request as it will be sent: an uploaded template is checked against the S3 limit
    # (CP102), not the inline one; a minified body that fits needs no CP101.
    linted = replace(request, template_s3_uri=plan.upload.uri) if plan.upload is not None else request
    clients = _clients(settings, request.region)
    try:
        facts = gather(clients, linted)  # type: ignore[arg-type]
    except Exception as error:
        _say(f"preflight: error: {describe_error(error)}")
        return EXIT_USAGE
    subjects = [Subject(template.as_posix(), template)] if template is not None else []
    report: Report = check(subjects, linted, config, rules, raise_errors=settings.raise_rule_errors, facts=facts)
    if plan.upload is None and "TemplateBody" in plan.request and plan.request["TemplateBody"] != loaded.text:
        report = replace(report, findings=tuple(f for f in report.findings if f.rule != "CP101"))
    if report.findings:
        click.echo(render_text(report, colour=settings.colour), nl=False, color=settings.colour)
    errors = sum(1 for finding in report.findings if finding.severity >= Severity.ERROR)
    if errors:
        _say(f"refusing to deploy {name}: {errors} error{'s' if errors != 1 else ''} above must be fixed first")
        return EXIT_FAILED

    _say(f"plan for {plan.name} ({plan.operation}):")
    for note in plan.notes:
        _say(f"  - {note}")
    if settings.dry_run:
        _say(plan.as_json())
        _say(f"dry run: nothing was uploaded or put for {plan.name}")
        return EXIT_OK

    timing = Timing(poll_interval=settings.poll_interval, busy_timeout=settings.busy_timeout)
    try:
        upload(clients, plan)  # type: ignore[arg-type]
        put(clients, plan, timing, _say)  # type: ignore[arg-type]
    except DeployError as error:
        _say(f"preflight: error: {error}")
        return EXIT_FAILED
    except Exception as error:
        _say(f"preflight: error: {describe_error(error)}")
        return EXIT_FAILED
    _say(f"put {plan.name}: accepted by AWS Config")
    if not settings.wait:
        _say(f"not following the rollout; follow it with: preflight status {plan.name}")
        return EXIT_OK
    return _follow(clients, plan.name, plan.scope, settings)


def follow(name: str, scope: str, region: str | None, settings: DeploySettings) -> int:
    from preflight.aws.errors import describe_error

    try:
        return _follow(_clients(settings, region), name, scope, settings)
    except Exception as error:
        _say(f"preflight: error: {describe_error(error)}")
        return EXIT_USAGE


def _follow(clients: object, name: str, scope: str, settings: DeploySettings) -> int:
    from preflight.aws.deploy import Timing
    from preflight.aws.watch import account_table, describe_outcome, watch

    timing = Timing(poll_interval=settings.poll_interval)
    shot, finished = watch(
        clients,  # type: ignore[arg-type]
        name,
        scope,
        timeout=settings.timeout,
        timing=timing,
        out=sys.stdout,
        live=sys.stdout.isatty(),
    )
    click.echo(account_table(shot), nl=False)
    _say(describe_outcome(shot, finished, name))
    return EXIT_OK if finished and shot.succeeded else EXIT_FAILED
