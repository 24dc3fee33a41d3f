"""`preflight deploy`: the safe steps, in order.

(a) lint every pack (and, for a spec, the limits across packs), refusing on any error; (b) the
online pre-flight of every pack, refusing on any error (skipped with --offline, a dry run that calls
no AWS at all); (c) the plan (inline body, minified body or S3 upload); (d) the put, waiting out a
busy pack; (e) following the rollout to the last account (preflight.deploy.rollout). Nothing changes
in AWS until every pack has passed (a) and (b)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.deploy.outcome import EXIT_FAILED, EXIT_USAGE, DeployOutcome, PackOutcome, Result
from preflight.deploy.readiness import readiness, readiness_table
from preflight.deploy.settings import DeploySettings, clients
from preflight.engine.pipeline import Job, PackInput, run
from preflight.load.parsing import Loaded, load_template_bytes, load_template_file, load_template_text
from preflight.model.findings import Finding, Report, Severity
from preflight.model.limits import API_LIMITS
from preflight.model.request import PackRequest
from preflight.model.rule import OFFLINE, Phase, Rule
from preflight.model.settings import Settings

if TYPE_CHECKING:
    from preflight.aws.session import Clients
    from preflight.load.spec_file import Spec
    from preflight.model.facts import AwsFacts
    from preflight.model.plan import Plan, StoredTemplate


@dataclass(frozen=True)
class Pack:
    template: Path | None
    request: PackRequest
    template_bucket: str | None = None  # a spec's `template-bucket`; --template-bucket goes over it
    settings: Settings | None = None  # its folder's, when they are not the run's (a spec's templates)


class _Stop(Exception):
    """The run ends before any pack is put: `outcome` says how; its lines have been printed."""

    def __init__(self, outcome: DeployOutcome) -> None:
        super().__init__(outcome.code)
        self.outcome = outcome


@dataclass(frozen=True)
class Source:
    """A pack's template, read once: what is checked is what is planned, minified and sent. `in_s3` is
    set when the template is an S3 object, fetched (bounded) and checked as it was fetched; `loaded` is
    None when it was not read at all (only in S3, and --offline)."""

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
    if uri is None or settings.offline:
        return Source(None)
    from preflight.aws.s3_templates import fetch_template
    from preflight.model.plan import StoredTemplate

    fetched = fetch_template(clients(settings, pack.request.region), uri)
    stored = StoredTemplate(uri, fetched.etag)
    if fetched.size > API_LIMITS.s3_template_max_bytes:  # CP102 reports it; the rest was not read
        return Source(Loaded(uri, None, raw_size=fetched.size), stored)
    return Source(replace(load_template_bytes(fetched.body, uri), raw_size=fetched.size), stored)


def _name(pack: Pack) -> str:
    return pack.request.name or "(unnamed)"


def _sources(packs: Sequence[Pack], settings: DeploySettings) -> list[Source]:
    """Each template read once; a template that is only in S3 is fetched (the one AWS call before the lint)."""
    from preflight.aws.errors import describe_error
    from preflight.aws.s3_templates import DeployError

    sources = []
    for pack in packs:
        try:
            sources.append(_read(pack, settings))
        except DeployError as error:
            settings.console.error(str(error))
            outcomes = [
                PackOutcome(_name(other), other.request.scope, Result.FAILED if other is pack else Result.SKIPPED,
                            template_checked=False, error=str(error) if other is pack else None)
                for other in packs
            ]  # fmt: skip
            raise _Stop(DeployOutcome(EXIT_FAILED, tuple(outcomes), dry_run=settings.dry_run)) from None
        except Exception as error:
            settings.console.error(describe_error(error))
            raise _Stop(DeployOutcome(EXIT_USAGE)) from None
    return sources


def _plans(packs: Sequence[Pack], sources: Sequence[Source], settings: DeploySettings) -> list[Plan]:
    from preflight.deploy.plan import PlanError, PlanOptions, make_plan

    plans = []
    for pack, source in zip(packs, sources, strict=True):
        bucket = settings.template_bucket or pack.template_bucket
        options = PlanOptions(bucket, settings.template_prefix, settings.minify)
        try:
            plans.append(make_plan(source.loaded, pack.request, options, in_s3=source.in_s3))
        except PlanError as error:
            settings.console.error(str(error))
            raise _Stop(DeployOutcome(EXIT_USAGE)) from None
    return plans


def _as_sent(pack: Pack, source: Source, plan: Plan, facts: AwsFacts | None = None) -> PackInput:
    """The pack as it will be sent: an uploaded template is checked against the S3 limit (CP102), not
    the inline one (CP101), and a minified body is measured as sent."""
    request = pack.request
    if plan.upload is not None:
        request = replace(request, template_s3_uri=plan.upload.uri)
    sources = (source.loaded,) if source.loaded is not None else ()
    return PackInput(request, sources, facts, sent_body=plan.minified_body, settings=pack.settings)


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


@dataclass(frozen=True)
class _Checked:
    """What the lint and the pre-flight found so far, and every pack as planned."""

    planned: tuple[PackOutcome, ...]
    findings: tuple[Finding, ...] = ()
    files: int = 0
    online_checked: bool = False

    def outcome(self, code: int, packs: Sequence[PackOutcome], dry_run: bool) -> DeployOutcome:
        return DeployOutcome(code, tuple(packs), self.findings, self.files, dry_run, self.online_checked)


def _checked(
    checked: _Checked,
    report: Report,
    names: str,
    settings: DeploySettings,
    online: bool,
    fail_level: Severity,
    tables: Sequence[str] = (),
) -> _Checked:
    """`checked` with the findings of `report`, which are printed; any finding at or above the fail level
    (an error, unless `--fail-level` or the settings say lower) refuses every pack, as it fails `check`.
    `tables` (the accounts each pack reaches) are printed after the findings, on a dry run or a refusal."""
    settings.console.findings(report)
    findings = tuple(sorted((*checked.findings, *report.findings), key=Finding.sort_key))
    checked = replace(checked, findings=findings, files=max(checked.files, report.files), online_checked=online)
    failing = [finding for finding in report.findings if finding.severity >= fail_level]
    if settings.dry_run or failing:
        for table in tables:
            settings.console.say(table)
    if failing:
        settings.console.say(f"refusing to deploy {names}: {_failing(failing, fail_level)} above must be fixed first")
        refused = [replace(pack, result=Result.REFUSED) for pack in checked.planned]
        raise _Stop(checked.outcome(EXIT_FAILED, refused, settings.dry_run))
    return checked


def _merged(reports: Sequence[Report]) -> Report:
    findings = tuple(sorted((finding for report in reports for finding in report.findings), key=Finding.sort_key))
    lines: dict[str, Mapping[int, str]] = {}
    for report in reports:
        lines.update(report.lines)
    return Report(findings, sum(report.files for report in reports), lines)


def _region(pack: PackInput) -> str | None:
    return pack.facts.region if pack.facts is not None else None


def _failing(findings: Sequence[Finding], fail_level: Severity) -> str:
    """`2 errors`, or `1 error, 2 warnings (--fail-level warning)` when the level is lower."""
    from preflight.reporters.summary import severity_counts

    counts = severity_counts(findings)
    said = ", ".join(
        f"{count} {label}{'s' if count != 1 and label != 'info' else ''}" for label, count in counts.items() if count
    )
    return said if fail_level is Severity.ERROR else f"{said} (fail level: {fail_level.label})"


def deploy_packs(
    packs: Sequence[Pack], config: Settings, rules: Sequence[Rule], settings: DeploySettings, spec: Spec | None = None
) -> DeployOutcome:
    try:
        return _deploy(packs, config, rules, settings, spec)
    except _Stop as stop:
        return stop.outcome


def _deploy(
    packs: Sequence[Pack], config: Settings, rules: Sequence[Rule], settings: DeploySettings, spec: Spec | None
) -> DeployOutcome:
    from preflight.aws.errors import describe_error
    from preflight.aws.online import gather_facts, needs_of

    console = settings.console
    names = ", ".join(_name(pack) for pack in packs)
    if not all(pack.request.name for pack in packs):
        console.error("deploy needs each pack's name: --name NAME (or the name in --request / --spec)")
        return DeployOutcome(EXIT_USAGE)
    sources = _sources(packs, settings)
    plans = _plans(packs, sources, settings)
    planned = tuple(
        PackOutcome(plan.name, plan.scope, Result.PLANNED, plan, template_checked=source.loaded is not None)
        for plan, source in zip(plans, sources, strict=True)
    )
    # (a) lint: nothing else needs AWS yet.
    sent = [_as_sent(pack, source, plan) for pack, source, plan in zip(packs, sources, plans, strict=True)]
    linted = _lint(sent, config, rules, settings, spec, OFFLINE)
    checked = _checked(_Checked(planned), linted, names, settings, False, config.fail_level)
    # (b) the online pre-flight.
    if settings.offline:
        console.say("online checks skipped (--offline): no AWS call was made")
        for plan, one in zip(plans, planned, strict=True):
            if not one.template_checked:
                uri = plan.request["TemplateS3Uri"]
                console.say(f"{one.name}: the template at {uri} was not fetched, so it was not checked (--offline)")
    else:
        try:
            sent = [
                replace(one, facts=gather_facts(clients(settings, one.request.region), one.request,
                                                needs_of(one.sources, one.request), settings.member_role))
                for one in sent
            ]  # fmt: skip
        except Exception as error:
            console.error(describe_error(error))
            return DeployOutcome(EXIT_USAGE)
        reports = [_lint([one], config, rules, settings, spec, frozenset({Phase.ONLINE})) for one in sent]
        judged = tuple(
            replace(outcome, accounts=readiness(one.facts, report.findings))
            for outcome, one, report in zip(planned, sent, reports, strict=True)
        )
        checked = replace(checked, planned=judged)
        planned = judged
        tables = [
            readiness_table(outcome.name, one.request.region or _region(one), outcome.accounts)
            for outcome, one in zip(judged, sent, strict=True)
            if outcome.accounts is not None
        ]
        checked = _checked(checked, _merged(reports), names, settings, True, config.fail_level, tables)
    # (c) to (e), one pack at a time; a failure stops the rest.
    done: list[PackOutcome] = []
    for pack, outcome in zip(packs, planned, strict=True):
        if done and done[-1].result.exit_code != 0:
            done.append(replace(outcome, result=Result.SKIPPED))
            continue
        done.append(_put_and_follow(pack, outcome, settings))
    return checked.outcome(max((one.result.exit_code for one in done), default=0), done, settings.dry_run)


def _put_and_follow(pack: Pack, outcome: PackOutcome, settings: DeploySettings) -> PackOutcome:
    from preflight.aws.errors import describe_error
    from preflight.aws.s3_templates import AnswerLost, DeployError, Timing, confirm_unchanged, put, upload

    console, plan = settings.console, outcome.plan
    assert plan is not None
    console.say(f"plan for {plan.name} ({plan.operation}):")
    for note in plan.notes:
        console.say(f"  - {note}")
    if settings.dry_run:
        if not console.to_stderr:  # the JSON document carries the request
            console.say(plan.as_json())
        console.say(f"dry run: nothing was uploaded or put for {plan.name}")
        return outcome
    timing = Timing(poll_interval=settings.poll_interval, busy_timeout=settings.busy_timeout)
    put_at = datetime.now(UTC)
    try:
        made = clients(settings, pack.request.region)
        stored = upload(made, plan) or plan.stored
        if stored is not None:
            confirm_unchanged(made, stored)
        for attempt in range(1, PUT_ATTEMPTS + 1):
            put_at = datetime.now(UTC)
            try:
                # Sent once (no automatic retry): a put whose answer is lost, or that a server or a proxy
                # answered with an error page, is looked up before it is sent again.
                put(clients(settings, pack.request.region, attempts=1), plan, timing, console.say)
                break
            except AnswerLost as lost:
                applied = _look_up(made, outcome, settings, put_at, str(lost), attempt)
                if applied is not None:
                    return applied
                timing.sleep(settings.poll_interval)
        else:
            message = f"AWS did not take the put of {plan.name} in {PUT_ATTEMPTS} attempts; deploy again later"
            console.error(message)
            return replace(outcome, result=Result.FAILED, error=message)
    except DeployError as error:
        console.error(str(error))
        return replace(outcome, result=Result.FAILED, error=str(error))
    except Exception as error:
        why = describe_error(error)
        console.error(why)
        return replace(outcome, result=Result.FAILED, error=why)
    console.say(f"put {plan.name}: accepted by AWS Config")
    return _accepted(made, outcome, settings, put_at)


# A put AWS shows was not applied (its answer lost, or an error page from a proxy) is sent this often at most.
PUT_ATTEMPTS = 3


def _accepted(made: Clients, outcome: PackOutcome, settings: DeploySettings, put_at: datetime) -> PackOutcome:
    from preflight.deploy.rollout import follow

    accepted = replace(outcome, result=Result.PUT)
    if not settings.wait:
        settings.console.say(f"not following the rollout; follow it with: preflight status {outcome.name}")
        return accepted
    return follow(made, accepted, settings, put_at)


def _look_up(
    made: Clients, outcome: PackOutcome, settings: DeploySettings, put_at: datetime, why: str, attempt: int
) -> PackOutcome | None:
    """After a put whose answer was lost: the pack's status says whether AWS took it. The outcome when
    it did (followed), or when that cannot be told; None when AWS shows it did not, so it is sent again."""
    from preflight.aws.watch import CLOCK_SKEW, PackNotFound, snapshot, within

    console, name = settings.console, outcome.name
    console.say(f"the answer to the put of {name} was lost ({why}); looking up whether AWS took it")
    try:
        shot = within(settings.poll_interval + 60, lambda: snapshot(made, name, outcome.scope))
    except PackNotFound:
        shot = None
        not_applied = True
    except Exception:
        return _unknown(
            outcome, settings, f"could not tell whether AWS accepted the put; look with: preflight status {name}"
        )
    else:
        if shot is None or shot.pack_status == "UNKNOWN":
            return _unknown(
                outcome, settings, f"could not tell whether AWS accepted the put; look with: preflight status {name}"
            )
        not_applied = (
            shot.updated is not None
            and shot.updated < put_at - CLOCK_SKEW
            and not shot.pack_status.endswith("PROGRESS")
        )
    if not_applied:
        state = f"as before the put ({shot.pack_status})" if shot is not None else "no such pack"
        if attempt < PUT_ATTEMPTS:
            console.say(
                f"AWS shows {state}: the put was not applied; sending it again ({attempt + 1} of {PUT_ATTEMPTS})"
            )
        return None
    assert shot is not None
    console.say(f"AWS has {name} ({shot.pack_status}): the put was accepted, and is not sent again")
    return _accepted(made, outcome, settings, put_at)


def _unknown(outcome: PackOutcome, settings: DeploySettings, message: str) -> PackOutcome:
    settings.console.error(message)
    return replace(outcome, result=Result.UNKNOWN, error=message)
