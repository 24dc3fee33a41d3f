"""`preflight check`: files, a request or a spec file in, one report out."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

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
from preflight.cli.terminal import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.load.paths import TEMPLATE_SUFFIXES, Subject, expand_paths
from preflight.load.request import build_request
from preflight.load.settings_file import SettingsScopes, validate_globs
from preflight.model.errors import InputError, UsageError
from preflight.model.findings import Report
from preflight.model.limits import SAFETY_LIMITS
from preflight.model.request import PackRequest, RequestInputs
from preflight.model.rule import Rule
from preflight.model.settings import COMMAND_LINE, Settings
from preflight.reporters.printable import printable
from preflight.reporters.render import FORMATS, OutputFormat

if TYPE_CHECKING:
    from preflight.fix.files import FixOutcome


@dataclass(eq=False, frozen=True)
class CheckOptions:
    """Every option of `preflight check`, typed."""

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
    exclude: tuple[str, ...]
    extend_exclude: tuple[str, ...]
    respect_gitignore: bool | None
    statistics: bool
    exit_zero: bool
    quiet: bool
    show_settings: bool
    show_files: bool
    fix: bool
    diff: bool
    unsafe_fixes: bool


EXIT_STATUS = """\b
Exit status:
  0  no finding at or above the fail level (default: error)
  1  findings at or above the fail level; with --diff, something to fix
  2  usage or settings error, a path that does not exist, a fixed file that could not
     be written, or preflight itself failed"""


@click.command("check", epilog=EXIT_STATUS)
@click.argument("paths", nargs=-1)
@request_options
@lint_options
@spec_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS, case_sensitive=False),
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
    help="Check named files only if they are conformance packs, as files found in folders are (for hooks).",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Paths not to search (replaces the default list).")
@click.option("--extend-exclude", multiple=True, metavar="GLOB", help="Paths not to search, besides the default list.")
@click.option(
    "--respect-gitignore/--no-respect-gitignore",
    default=None,
    help="Skip what git ignores when searching folders (default: on).",
)
@click.option("--statistics", is_flag=True, help="Count the findings by rule instead of listing them.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only, no summary.")
@click.option("--show-settings", is_flag=True, help="Print the settings in effect and where each came from.")
@click.option(
    "--show-files", is_flag=True, help="List every file found, checked or skipped, with the reason; check nothing."
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes to the files, then report what is left.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change no file.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also the fixes that may change meaning.")
@aws_options
def command(paths: tuple[str, ...], **given: Any) -> None:
    """Check conformance pack templates (files, directories, or - for standard input)."""
    request, lint, aws = take(RequestInputs, given), take(LintOptions, given), take(AwsOptions, given)
    sys.exit(check(CheckOptions(paths, request, lint, aws, **given)))


def check(options: CheckOptions) -> int:
    if options.online:
        from preflight.cli.extras import AWS, require

        require(AWS, "check --online")
    if options.with_cfn_lint:
        from preflight.cli.extras import CFN_LINT, require

        require(CFN_LINT, "check --cfn-lint")
    with collector_paused():  # the rule modules
        rules = discover_rules()
    missing: tuple[str, ...] = ()
    unusable: tuple[str, ...] = ()
    try:
        scopes = options.lint.scopes(rules, lambda settings: _with_search_options(settings, options))
        settings = scopes.root
        if options.show_settings:
            from preflight.reporters.settings import describe_settings

            click.echo(describe_settings(settings), nl=False)
            return EXIT_OK
        if options.show_files:
            return _show_files(options, scopes)
        if options.spec_file is not None:
            job = _spec_job(options, scopes, rules)
        else:
            job, missing, unusable = _job(options, scopes, rules)
    except InputError as error:
        fail(str(error))
    if (
        options.fix
        and not options.diff
        and any(isinstance(source, Subject) and source.path is None for pack in job.packs for source in pack.sources)
    ):
        fail("--fix writes files and cannot write standard input: use --diff")
    if options.diff and options.output_format.lower() != "text":
        fail(f"--diff prints a unified diff, not {options.output_format.lower()}: leave out --format")
    report = run(job)
    if settings.cfn_lint and sys.stderr.isatty():
        click.echo("\r" + " " * 71 + "\r", nl=False, err=True)  # clear the progress line
    if job.cache is not None:
        job.cache.prune()
    if options.diff:
        return _show_diff(job, report, options)
    fixed = None
    if options.fix:
        from preflight.fix.files import fix

        fixed = fix(job, report, unsafe=options.unsafe_fixes, write=True)
        if fixed.files:
            report = run(job)  # what is left, in the files as written
        report = _without_refused_edits(report, fixed)
    _render(report, options, rules, settings)
    if fixed is not None:
        _say_fixed(fixed, options)
    for path in missing:  # after the report, so a typo in one path does not hide the others' findings
        click.echo(f"preflight: error: {printable(path)}: no such file or directory", err=True)
    for line in unusable:
        click.echo(f"preflight: error: {printable(line)} (the files below it were not checked)", err=True)
    if missing or unusable or (fixed is not None and fixed.unwritable):
        return EXIT_USAGE
    failing = any(finding.severity >= settings.fail_level for finding in report.findings)
    return EXIT_FAILED if failing and not options.exit_zero else EXIT_OK


def _show_diff(job: Job, report: Report, options: CheckOptions) -> int:
    """The fixes as a unified diff on standard output, a count on standard error; exit 1 when there
    is something to fix, as ruff's --diff."""
    from preflight.fix.files import fix

    terminal = sys.stdout.isatty()
    outcome = fix(job, report, unsafe=options.unsafe_fixes, write=False, diff=True, terminal=terminal)
    click.echo(outcome.diff, nl=False)
    if not options.quiet:
        click.echo(f"Would fix {_count(outcome.fixed, 'finding')} in {_count(outcome.files, 'file')}.", err=True)
    for file, why in outcome.unpatchable:
        click.echo(f"preflight: warning: {printable(file)}: {why}, so patch cannot apply the diff; use --fix", err=True)
    for file, why in outcome.unwritable:
        click.echo(f"preflight: error: {printable(file)}: cannot fix it: {printable(why)}", err=True)
    if outcome.unwritable:
        return EXIT_USAGE
    return EXIT_FAILED if outcome.fixed and not options.exit_zero else EXIT_OK


def _without_refused_edits(report: Report, fixed: FixOutcome) -> Report:
    """The report after --fix, less the edits --fix did not make because they add an error: they are
    not "fixable with --fix"."""
    if not fixed.refused:
        return report
    findings = tuple(
        replace(finding, edits=()) if (finding.file, finding.rule, finding.span) in fixed.refused else finding
        for finding in report.findings
    )
    return replace(report, findings=findings)


def _say_fixed(outcome: FixOutcome, options: CheckOptions) -> None:
    for file, why in outcome.unwritable:
        click.echo(f"preflight: error: {printable(file)}: cannot write the fixed file: {printable(why)}", err=True)
    if options.quiet or not outcome.fixed:
        return
    line = f"Fixed {_count(outcome.fixed, 'finding')} in {_count(outcome.files, 'file')}."
    click.echo(line, err=options.output_format.lower() != "text" and options.output is None)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' if number != 1 else ''}"


def _with_search_options(settings: Settings, options: CheckOptions) -> Settings:
    given = dict(settings.origins)
    if options.exclude:
        exclude = validate_globs(options.exclude, "--exclude")
        settings, given["exclude"] = replace(settings, exclude=exclude), COMMAND_LINE
    if options.extend_exclude:
        extended = settings.extend_exclude + validate_globs(options.extend_exclude, "--extend-exclude")
        settings, given["extend-exclude"] = replace(settings, extend_exclude=extended), COMMAND_LINE
    if options.exclude or options.extend_exclude:
        globs = (*options.exclude, *options.extend_exclude)
        settings = replace(settings, command_line_globs=globs, command_line_root=Path.cwd())
    if options.respect_gitignore is not None:
        respect = options.respect_gitignore
        settings, given["respect-gitignore"] = replace(settings, respect_gitignore=respect), COMMAND_LINE
    if options.with_cfn_lint:
        settings, given["cfn-lint"] = replace(settings, cfn_lint=True), COMMAND_LINE
    return replace(settings, origins=tuple(given.items()))


def _paths(options: CheckOptions) -> tuple[str, ...]:
    """The paths given; none given, with no request to check, is the working directory (as ruff does)."""
    if options.paths or options.request.request_file is not None:
        return options.paths
    return (".",)


def _show_files(options: CheckOptions, scopes: SettingsScopes) -> int:
    """`--show-files`: every file the paths name or a folder search finds, checked or skipped, and what
    the search passed over, each with the reason; nothing is checked."""
    from preflight.reporters.files import render_files

    if options.spec_file is not None:
        raise UsageError("--show-files lists the files of PATHs; a spec file names its templates itself")
    if options.output_format.lower() not in ("text", "json"):
        raise UsageError(f"--show-files prints text or json, not {options.output_format.lower()}")
    expanded = expand_paths(_paths(options), scopes, options.stdin_filename)
    listing = render_files(expanded, options.only_packs, options.output_format.lower())
    if options.output is None:
        click.echo(listing, nl=False)
    else:
        _write_report(options.output, [listing])
    for path in expanded.missing:
        click.echo(f"preflight: error: {printable(path)}: no such file or directory", err=True)
    for line in expanded.unusable:
        click.echo(f"preflight: error: {printable(line)} (the files below it were not checked)", err=True)
    return EXIT_USAGE if expanded.missing or expanded.unusable else EXIT_OK


def _job(
    options: CheckOptions, scopes: SettingsScopes, rules: tuple[Rule, ...]
) -> tuple[Job, tuple[str, ...], tuple[str, ...]]:
    settings = scopes.root
    request = build_request(options.request)
    paths = _paths(options)
    expanded = expand_paths(paths, scopes, options.stdin_filename)
    subjects = expanded.subjects
    if paths and not subjects and expanded.unusable:
        raise UsageError(expanded.unusable[0])
    if paths and not subjects and not expanded.missing:
        suffixes = ", ".join(sorted(TEMPLATE_SUFFIXES))
        raise UsageError(f"no templates ({suffixes}) under {', '.join(paths)}")
    if paths and not subjects:
        raise UsageError(f"{expanded.missing[0]}: no such file or directory")
    if request.template_body is not None and subjects:
        raise UsageError(
            f"{request.from_request_file}: the request carries a TemplateBody; give no PATH as well "
            "(or drop TemplateBody from the request)"
        )
    stdin = None
    if any(subject.path is None for subject in subjects):
        stdin = sys.stdin.buffer.read(SAFETY_LIMITS.max_file_bytes + 1)
    role = options.aws.role(settings) if options.online else None
    templates = [subject.path for subject in subjects if subject.path is not None]
    facts = _gather(options.aws, request, templates, role) if options.online else None
    cache = None
    if not options.no_cache and facts is None:
        from preflight.cli.extras import GUARD, installed
        from preflight.engine.cache import Cache, cache_directory, run_fingerprint

        fingerprint = run_fingerprint(request, settings.cfn_lint, options.only_packs, guard_installed=installed(GUARD))
        cache = Cache(cache_directory(settings), fingerprint)
    job = Job(
        (PackInput(request, tuple(subjects), facts),),
        settings,
        rules,
        stdin=stdin,
        jobs=options.jobs or os.cpu_count() or 1,
        cache=cache,
        only_packs=options.only_packs,
        raise_errors=raise_rule_errors(),
        external=_cfn_lint(len(subjects)) if settings.cfn_lint else None,
    )
    return job, expanded.missing, expanded.unusable


def _spec_job(options: CheckOptions, scopes: SettingsScopes, rules: tuple[Rule, ...]) -> Job:
    """Each template with its folder's settings, as `check TEMPLATE` checks it; the spec's own rules with
    the spec file's folder's."""
    from preflight.load.spec_file import load_spec

    assert options.spec_file is not None
    spec_alone(options.paths, options.request)
    spec = load_spec(options.spec_file)
    packs = tuple(
        PackInput(
            pack.request,
            tuple(_subject(pack.template, scopes)) if pack.template is not None else (),
            _gather(options.aws, pack.request, [pack.template], options.aws.role(scopes.root))
            if options.online
            else None,
            settings=scopes.for_folder(pack.template.parent) if pack.template is not None else None,
        )
        for pack in spec.packs
    )
    settings = scopes.for_folder(options.spec_file.parent)
    return Job(
        packs,
        settings,
        rules,
        spec_file=spec.file,
        raise_errors=raise_rule_errors(),
        external=_cfn_lint(len(packs)) if settings.cfn_lint else None,
    )


def _subject(template: Path, scopes: SettingsScopes) -> list[Subject]:
    settings = scopes.for_folder(template.parent)
    return [Subject(template.as_posix(), template, settings=None if settings is scopes.root else settings)]


def _cfn_lint(files: int) -> Any:
    from preflight.integrations.cfn_lint import CfnLint

    if sys.stderr.isatty():
        click.echo(f"running cfn-lint on {files:,} file{'s' if files != 1 else ''} too (about 0.3 s each)...", err=True)
    return CfnLint(progress=sys.stderr.isatty()).lint


def _gather(aws: AwsOptions, request: PackRequest, templates: Iterable[Path | None], role: str | None) -> Any:
    from preflight.aws.errors import describe_error
    from preflight.aws.online import gather_facts, needs_of
    from preflight.aws.session import AwsTarget, Clients

    if request.template_body is not None:
        from preflight.load.parsing import load_template_text

        body = request.template_body
        loaded = [load_template_text(body.text, body.file, line_offset=body.line_offset)]
        needs = needs_of(loaded, request)
    else:
        needs = needs_of(templates, request)
    try:
        return gather_facts(Clients(AwsTarget(aws.profile, request.region, aws.endpoint_url)), request, needs, role)
    except InputError:
        raise
    except Exception as error:
        raise UsageError(describe_error(error)) from None


def _write_report(path: Path, chunks: Iterable[str]) -> None:
    """The report written whole, or not at all: beside the file, then renamed over it (a full disk
    leaves an older report as it was, never half of a new one)."""
    from preflight.load.files import write_whole

    problem = write_whole(path, chunks)
    if problem is not None:
        fail(f"{printable(str(path))}: cannot write the report: {problem}")


def _render(report: Report, options: CheckOptions, rules: tuple[Rule, ...], settings: Settings) -> None:
    from preflight.reporters.render import render_chunks, summary_line

    colour = options.lint.colour
    output_format = options.output_format.lower()
    if options.statistics:
        from preflight.reporters.statistics import render_statistics

        chunks = iter((render_statistics(report, output_format),))
    else:
        chunks = render_chunks(
            output_format,
            report,
            rules,
            colour=colour and output_format == "text",
            fail_level=settings.fail_level,
            quiet=options.quiet,
        )
    if options.output is None:
        for chunk in chunks:
            click.echo(chunk, nl=False, color=colour)
        return
    _write_report(options.output, chunks)
    if not options.quiet:
        click.echo(f"{summary_line(report)} Report written to {printable(str(options.output))}.")
