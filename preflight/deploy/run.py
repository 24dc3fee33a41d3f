"""`preflight deploy` and `preflight status`: the safe steps, in order.

(a) lint every pack (and, for a spec, the limits across packs), refusing on any error; (b) the
online pre-flight of every pack, refusing on any error; (c) the plan (inline body, minified body or
S3 upload); (d) the put, waiting out a busy pack; (e) following the rollout to the last account.
Nothing changes in AWS until every pack has passed (a) and (b)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from preflight.engine.pipeline import Job, PackInput, run
from preflight.load.parsing import Loaded, load_template_bytes, load_template_file, load_template_text
from preflight.load.request_file import PackRequest
from preflight.model.findings import Report, Severity
from preflight.model.limits import API_LIMITS
from preflight.model.rule import OFFLINE, Phase, Rule
from preflight.model.settings import Settings
from preflight.reporters.printable import printable

if TYPE_CHECKING:
    from preflight.aws.session import Clients
    from preflight.load.spec_file import Spec
    from preflight.model.facts import AwsFacts
    from preflight.model.plan import Plan, StoredTemplate

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


@dataclass(frozen=True)
class Pack:
    template: Path | None
    request: PackRequest


class Refused(Exception):
    """A step refused to go on; `code` is the exit code and the message has been printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _say(message: str) -> None:
    """Text that may quote input or AWS's replies, one escaped line at a time."""
    click.echo("\n".join(printable(line) for line in message.split("\n")))


def _error(message: str) -> None:
    click.echo(f"preflight: error: {printable(message)}", err=True)


def _clients(settings: DeploySettings, region: str | None, *, attempts: int | None = None) -> Clients:
    from preflight.aws.session import ATTEMPTS, READ_TIMEOUT_SECONDS, AwsTarget, Clients

    # One answer never takes longer than the whole rollout may.
    read_timeout = min(READ_TIMEOUT_SECONDS, settings.timeout) if settings.timeout > 0 else READ_TIMEOUT_SECONDS
    target = AwsTarget(settings.profile, region, settings.endpoint_url)
    return Clients(target, attempts=attempts or ATTEMPTS, read_timeout=read_timeout)


@dataclass(frozen=True)
class Source:
    """A pack's template, read once: what is checked is what is planned, minified and sent. `in_s3` is
    set when the template is an S3 object, fetched (bounded) and checked as it was fetched."""

    loaded: Loaded | None
    in_s3: StoredTemplate | None = None


def _read(pack: Pack, settings: DeploySettings) -> Source:
    if pack.template is not None:
        return Source(load_template_file(pack.template, pack.template.as_posix()))
    body = pack.request.template_body
    if body is not None:
        return Source(
            load_template_text(body.text, body.file, line_offset=body.line_offset, column_offset=body.column_offset)
        )
    uri = pack.request.template_s3_uri
    if uri is None:
        return Source(None)
    from preflight.aws.s3_templates import fetch_template
    from preflight.model.plan import StoredTemplate

    fetched = fetch_template(_clients(settings, pack.request.region), uri)
    stored = StoredTemplate(uri, fetched.etag)
    if fetched.size > API_LIMITS.s3_template_max_bytes:  # CP102 reports it; the rest was not read
        return Source(Loaded(uri, None, raw_size=fetched.size), stored)
    return Source(replace(load_template_bytes(fetched.body, uri), raw_size=fetched.size), stored)


def _show(report: Report, settings: DeploySettings) -> None:
    if report.findings:
        from preflight.reporters.text import render_text

        click.echo(render_text(report, colour=settings.colour), nl=False, color=settings.colour)


def _refuse_on_errors(report: Report, what: str) -> None:
    errors = sum(1 for finding in report.findings if finding.severity >= Severity.ERROR)
    if errors:
        _say(f"refusing to deploy {what}: {errors} error{'s' if errors != 1 else ''} above must be fixed first")
        raise Refused(EXIT_FAILED)


def _plans(packs: Sequence[Pack], sources: Sequence[Source], settings: DeploySettings) -> list[Plan]:
    from preflight.deploy.plan import PlanError, PlanOptions, make_plan

    options = PlanOptions(settings.template_bucket, settings.template_prefix, settings.minify)
    plans = []
    for pack, source in zip(packs, sources, strict=True):
        try:
            plans.append(make_plan(source.loaded, pack.request, options, in_s3=source.in_s3))
        except PlanError as error:
            _error(str(error))
            raise Refused(EXIT_USAGE) from None
    return plans


def _as_sent(pack: Pack, source: Source, plan: Plan, facts: AwsFacts | None = None) -> PackInput:
    """The pack as it will be sent: an uploaded template is checked against the S3 limit (CP102), not
    the inline one (CP101), and a minified body is measured as sent."""
    request = pack.request
    if plan.upload is not None:
        request = replace(request, template_s3_uri=plan.upload.uri)
    sources = (source.loaded,) if source.loaded is not None else ()
    return PackInput(request, sources, facts, sent_body=plan.minified_body)


def _lint(
    inputs: Sequence[PackInput],
    config: Settings,
    rules: Sequence[Rule],
    settings: DeploySettings,
    spec: Spec | None,
    phases: frozenset[Phase],
) -> Report:
    """Every pack (and a spec's cross-pack limits) as it was read, with the requests as they will be sent."""
    job = Job(
        tuple(inputs), config, tuple(rules), phases, spec_file=spec.file if spec is not None else None,
        raise_errors=settings.raise_rule_errors,
    )  # fmt: skip
    return run(job)


def deploy_packs(
    packs: Sequence[Pack], config: Settings, rules: Sequence[Rule], settings: DeploySettings, spec: Spec | None = None
) -> int:
    try:
        return _deploy(packs, config, rules, settings, spec)
    except Refused as refused:
        return refused.code


def _deploy(
    packs: Sequence[Pack], config: Settings, rules: Sequence[Rule], settings: DeploySettings, spec: Spec | None
) -> int:
    from preflight.aws.errors import describe_error
    from preflight.aws.gather import gather
    from preflight.aws.s3_templates import DeployError

    names = ", ".join(pack.request.name or "(unnamed)" for pack in packs)
    if not all(pack.request.name for pack in packs):
        _error("deploy needs each pack's name: --name NAME (or the name in --request / --spec)")
        return EXIT_USAGE
    # Each template is read once; a template that is only in S3 is fetched (the one AWS call before the lint).
    try:
        sources = [_read(pack, settings) for pack in packs]
    except DeployError as error:
        _error(str(error))
        return EXIT_FAILED
    except Exception as error:
        _error(describe_error(error))
        return EXIT_USAGE
    plans = _plans(packs, sources, settings)
    # (a) lint: nothing else needs AWS yet.
    sent = [_as_sent(pack, source, plan) for pack, source, plan in zip(packs, sources, plans, strict=True)]
    report = _lint(sent, config, rules, settings, spec, OFFLINE)
    _show(report, settings)
    _refuse_on_errors(report, names)
    # (b) the online pre-flight.
    try:
        sent = [replace(one, facts=gather(_clients(settings, one.request.region), one.request)) for one in sent]
    except Exception as error:
        _error(describe_error(error))
        return EXIT_USAGE
    report = _lint(sent, config, rules, settings, spec, frozenset({Phase.ONLINE}))
    _show(report, settings)
    _refuse_on_errors(report, names)
    # (c) to (e), one pack at a time; a failure stops the rest.
    for pack, plan in zip(packs, plans, strict=True):
        code = _put_and_follow(pack, plan, settings)
        if code != EXIT_OK:
            return code
    return EXIT_OK


def _put_and_follow(pack: Pack, plan: Plan, settings: DeploySettings) -> int:
    from preflight.aws.errors import describe_error
    from preflight.aws.s3_templates import AnswerLost, DeployError, Timing, confirm_unchanged, put, upload

    _say(f"plan for {plan.name} ({plan.operation}):")
    for note in plan.notes:
        _say(f"  - {note}")
    if settings.dry_run:
        _say(plan.as_json())
        _say(f"dry run: nothing was uploaded or put for {plan.name}")
        return EXIT_OK
    timing = Timing(poll_interval=settings.poll_interval, busy_timeout=settings.busy_timeout)
    put_at = datetime.now(UTC)
    try:
        clients = _clients(settings, pack.request.region)
        stored = upload(clients, plan) or plan.stored
        if stored is not None:
            confirm_unchanged(clients, stored)
        put_at = datetime.now(UTC)
        # Sent once: a put whose answer is lost is found out by reading the pack's status, not re-sent.
        put(_clients(settings, pack.request.region, attempts=1), plan, timing, _say)
    except AnswerLost as lost:
        return _after_lost_answer(clients, plan, settings, put_at, str(lost))
    except DeployError as error:
        _error(str(error))
        return EXIT_FAILED
    except Exception as error:
        _error(describe_error(error))
        return EXIT_FAILED
    _say(f"put {plan.name}: accepted by AWS Config")
    if not settings.wait:
        _say(f"not following the rollout; follow it with: preflight status {plan.name}")
        return EXIT_OK
    return _follow(clients, plan.name, plan.scope, settings, put_at, pack_known=True)


def _after_lost_answer(clients: Clients, plan: Plan, settings: DeploySettings, put_at: datetime, why: str) -> int:
    """The put went out once and its answer was lost: the pack's status says whether AWS took it."""
    from preflight.aws.watch import CLOCK_SKEW, snapshot, within

    _say(f"the answer to the put of {plan.name} was lost ({why}); it was sent once and is not sent again")
    try:
        shot = within(settings.poll_interval + 60, lambda: snapshot(clients, plan.name, plan.scope))
    except Exception:
        shot = None
    if shot is None or shot.pack_status == "UNKNOWN":
        _error(f"could not tell whether AWS accepted the put; look with: preflight status {plan.name}")
        return EXIT_FAILED
    if shot.updated is not None and shot.updated < put_at - CLOCK_SKEW and not shot.pack_status.endswith("PROGRESS"):
        _error(
            f"AWS still shows {plan.name} as before the put ({shot.pack_status}): it was probably not accepted; "
            f"look with: preflight status {plan.name}, and deploy again"
        )
        return EXIT_FAILED
    _say(f"AWS has {plan.name} ({shot.pack_status}): the put was accepted")
    if not settings.wait:
        _say(f"not following the rollout; follow it with: preflight status {plan.name}")
        return EXIT_OK
    return _follow(clients, plan.name, plan.scope, settings, put_at, pack_known=True)


def follow(name: str, scope: str, region: str | None, settings: DeploySettings) -> int:
    """`preflight status`: like following after a put, except that a status that cannot be read at all
    (no credentials or Region, no such pack) is exit 2 with one line: there is no rollout to resume."""
    from preflight.aws.errors import describe_error

    try:
        clients = _clients(settings, region)
    except Exception as error:
        _error(describe_error(error))
        return EXIT_USAGE
    return _follow(clients, name, scope, settings, None, pack_known=False)


def _follow(
    clients: Clients, name: str, scope: str, settings: DeploySettings, put_at: datetime | None, *, pack_known: bool
) -> int:
    """Exit 0 when every account succeeded; 1 when one failed, the timeout passed, the watch was
    interrupted or AWS refused a later status call (the rollout goes on in AWS: `preflight status`
    resumes). A first status call that fails is exit 1 too after a put (`pack_known`: the pack exists),
    and exit 2 otherwise."""
    from preflight.aws.errors import describe_error
    from preflight.aws.s3_templates import Timing
    from preflight.aws.watch import StatusUnreadable, account_table, describe_outcome, watch

    timing = Timing(poll_interval=settings.poll_interval)
    try:
        shot, finished = watch(
            clients, name, scope, timeout=settings.timeout, timing=timing, out=sys.stdout,
            live=sys.stdout.isatty(), since=put_at,
        )  # fmt: skip
    except KeyboardInterrupt:
        _say(f"\ninterrupted; the rollout goes on in AWS: resume with: preflight status {name}")
        return EXIT_FAILED
    except StatusUnreadable as unread:
        if not pack_known:
            _error(_unreadable(clients, name, scope, unread.cause))
            return EXIT_USAGE
        _error(f"{_reason(unread.cause)}; the rollout goes on in AWS: resume with: preflight status {name}")
        return EXIT_FAILED
    except Exception as error:
        _error(f"{describe_error(error)}; the rollout goes on in AWS: resume with: preflight status {name}")
        return EXIT_FAILED
    _say(account_table(shot).rstrip("\n"))
    _say(describe_outcome(shot, finished, name))
    return EXIT_OK if finished and shot.succeeded else EXIT_FAILED


def _reason(error: Exception) -> str:
    from preflight.aws.errors import describe_error
    from preflight.aws.watch import AWSTimeout

    return str(error) if isinstance(error, AWSTimeout) else describe_error(error)


def _unreadable(clients: Clients, name: str, scope: str, error: Exception) -> str:
    """Why the status of `name` could not be read; for a pack that is not there, whether the other
    scope has it."""
    from preflight.aws.watch import PackNotFound, pack_exists

    if not isinstance(error, PackNotFound):
        return _reason(error)
    other = "account" if scope == "organization" else "organization"
    missing = f"there is no {scope} conformance pack named {name} in {clients.region}"
    elsewhere = pack_exists(clients, name, other)
    if elsewhere:
        return f"{missing}, but there is an {other} conformance pack of that name: pass --scope {other}"
    if elsewhere is None:
        return f"{missing}: check the name and the Region (--region), or pass --scope {other} for an {other} pack"
    return f"{missing}, nor an {other} conformance pack of that name: check the name and the Region (--region)"
