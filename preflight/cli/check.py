"""`preflight check`: files, a request or a spec file in, one report out."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click

from preflight.cli.extras import AWS, CFN_LINT, require
from preflight.cli.loading import collector_paused
from preflight.cli.options import (
    A_FILE,
    AwsOptions,
    LintOptions,
    aws_options,
    lint_options,
    raise_rule_errors,
    request_options,
    spec_alone,
    spec_option,
    take,
)
from preflight.cli.terminal import EXIT_FAILED, EXIT_OK, fail
from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.load.paths import expand_paths
from preflight.load.request_file import PackRequest, RequestInputs, build_request
from preflight.model.errors import InputError, UsageError
from preflight.model.findings import Report
from preflight.model.limits import SAFETY_LIMITS
from preflight.model.rule import Rule
from preflight.model.settings import Settings
from preflight.reporters.printable import printable

OutputFormat = Literal["text", "json", "sarif", "junit", "github", "parseable"]


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[str, ...]
    request: RequestInputs
    lint: LintOptions
    aws: AwsOptions
    spec_file: Path | None
    output_format: OutputFormat
    output: Path | None
    stdin_filename: str
    with_cfn_lint: bool
    online: bool
    jobs: int | None
    no_cache: bool
    only_packs: bool


@click.command("check")
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
    type=A_FILE,
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
def command(paths: tuple[str, ...], **given: Any) -> None:
    """Check conformance pack templates (files, directories, or - for standard input)."""
    request, lint, aws = take(RequestInputs, given), take(LintOptions, given), take(AwsOptions, given)
    sys.exit(check(CheckOptions(paths, request, lint, aws, **given)))


def check(options: CheckOptions) -> int:
    if options.online:
        require(AWS, "check --online")
    if options.with_cfn_lint:
        require(CFN_LINT, "check --cfn-lint")
    with collector_paused():  # the rule modules
        rules = discover_rules()
    try:
        settings = options.lint.settings(rules)
        job = _spec_job(options, settings, rules) if options.spec_file is not None else _job(options, settings, rules)
    except InputError as error:
        fail(str(error))
    report = run(job)
    _render(report, options, rules, settings)
    failing = any(finding.severity >= settings.fail_level for finding in report.findings)
    return EXIT_FAILED if failing else EXIT_OK


def _job(options: CheckOptions, settings: Settings, rules: tuple[Rule, ...]) -> Job:
    request = build_request(options.request)
    paths = options.paths
    if not paths and request.template_body is None and options.request.request_file is None:
        raise UsageError("nothing to check: give template files or directories, - for standard input, or --request")
    subjects = expand_paths(paths, options.stdin_filename)
    if paths and not subjects:
        raise UsageError(f"no templates (.json, .template, .yaml, .yml) under {', '.join(paths)}")
    if request.template_body is not None and subjects:
        raise UsageError(
            f"{request.from_request_file}: the request carries a TemplateBody; give no PATH as well "
            "(or drop TemplateBody from the request)"
        )
    stdin = None
    if any(subject.path is None for subject in subjects):
        stdin = sys.stdin.buffer.read(SAFETY_LIMITS.max_file_bytes + 1)
    facts = _gather(options.aws, request) if options.online else None
    cache = None
    if not options.no_cache and facts is None:
        from preflight.engine.cache import Cache, cache_directory, run_fingerprint

        fingerprint = run_fingerprint(settings, request, settings.enabled(rules), options.with_cfn_lint,
                                      options.only_packs)  # fmt: skip
        cache = Cache(cache_directory(settings.root), fingerprint)
    return Job(
        (PackInput(request, tuple(subjects), facts),),
        settings,
        rules,
        stdin=stdin,
        jobs=options.jobs or os.cpu_count() or 1,
        cache=cache,
        only_packs=options.only_packs,
        raise_errors=raise_rule_errors(),
        external=_cfn_lint() if options.with_cfn_lint else None,
    )


def _spec_job(options: CheckOptions, settings: Settings, rules: tuple[Rule, ...]) -> Job:
    from preflight.load.paths import subjects_for
    from preflight.load.spec_file import load_spec

    assert options.spec_file is not None
    spec_alone(options.paths, options.request)
    spec = load_spec(options.spec_file)
    packs = tuple(
        PackInput(
            pack.request,
            tuple(subjects_for(pack.template)),
            _gather(options.aws, pack.request) if options.online else None,
        )
        for pack in spec.packs
    )
    return Job(
        packs,
        settings,
        rules,
        spec_file=spec.file,
        raise_errors=raise_rule_errors(),
        external=_cfn_lint() if options.with_cfn_lint else None,
    )


def _cfn_lint() -> Any:
    from preflight.integrations.cfn_lint import CfnLint

    return CfnLint().lint


def _gather(aws: AwsOptions, request: PackRequest) -> Any:
    from preflight.aws.errors import describe_error
    from preflight.aws.gather import gather
    from preflight.aws.session import AwsTarget, Clients

    try:
        return gather(Clients(AwsTarget(aws.profile, request.region, aws.endpoint_url)), request)
    except Exception as error:
        raise UsageError(describe_error(error)) from None


def _render(report: Report, options: CheckOptions, rules: tuple[Rule, ...], settings: Settings) -> None:
    from preflight.reporters.render import render_chunks, summary_line

    colour = options.lint.colour
    chunks = render_chunks(
        options.output_format,
        report,
        rules,
        colour=colour and options.output_format == "text",
        fail_level=settings.fail_level,
    )
    if options.output is None:
        for chunk in chunks:
            click.echo(chunk, nl=False, color=colour)
        return
    try:
        with options.output.open("w", encoding="utf-8", errors="surrogateescape") as stream:
            stream.writelines(chunks)
    except OSError as error:
        fail(f"{options.output}: cannot write the report: {error.strerror or error}")
    click.echo(f"{summary_line(report)} Report written to {printable(str(options.output))}.")
