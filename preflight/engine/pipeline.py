"""The one pipeline every command runs: read each pack's template, build its context, run the rules
of the job's phases, then the cross-pack rules of a spec, then one suppression stage (inline and
Metadata suppressions, then the configuration's ignores), into one sorted report. `check`,
`check --online`, `check --spec`, `deploy` and the language server differ only in the `Job` they
describe."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from preflight.engine.context import Context
from preflight.engine.parallel import fork_map
from preflight.engine.runner import crashed, internal_error, run_rules
from preflight.engine.suppression import (
    FileSuppressions,
    Suppression,
    apply,
    comment_suppressions,
    metadata_suppressions,
    of_file,
    suppress,
)
from preflight.knowledge.hosts import may_host
from preflight.knowledge.reference import Reference
from preflight.load.parsing import Loaded, decode, load_template_bytes, load_template_text, read_bytes, shown_text
from preflight.load.paths import TERRAFORM_SUFFIX, Subject
from preflight.model.findings import START_OF_FILE, DocPath, Finding, Report, Span
from preflight.model.request import Origin, PackRequest
from preflight.model.rule import EVERY_PHASE, Phase, Rule
from preflight.model.settings import Settings

if TYPE_CHECKING:
    from preflight.engine.cache import Cache
    from preflight.knowledge.hosts import HostedPack
    from preflight.model.facts import AwsFacts
    from preflight.model.spec import PackSummary


# Another linter run on every template (cfn-lint, with --cfn-lint): (text, file, Region) -> its
# findings, which are merged.
ExternalLinter = Callable[[str, str, str | None], list[Finding]]


@dataclass(eq=False, repr=False, frozen=True)
class PackInput:
    """One pack: its request and what to check with it. With no `sources`, the template is the
    request's TemplateBody, or there is none (the template is in S3)."""

    request: PackRequest
    sources: tuple[Subject | Loaded, ...] = ()  # files to read, or templates already read
    facts: AwsFacts | None = None  # what the online pre-flight gathered for this request
    sent_body: str | None = None  # the body deploy sends, when it is not the template's text (minified)
    settings: Settings | None = None  # its template's folder's, when they are not the run's


@dataclass(eq=False, repr=False, frozen=True)
class Job:
    """`spec_file`: the packs are a spec file's, and its cross-pack rules run once after them.
    `stdin`: the bytes of the source read from standard input. `jobs`: processes to check files in
    (the output is the same). `cache`: reuse the results of files whose every input is unchanged."""

    packs: tuple[PackInput, ...]
    settings: Settings
    rules: tuple[Rule, ...]
    phases: frozenset[Phase] = EVERY_PHASE
    spec_file: str | None = None
    stdin: bytes | None = None
    jobs: int = 1
    cache: Cache | None = None
    only_packs: bool = False  # check a named file only if it is a pack (as a found one always is)
    raise_errors: bool = False
    external: ExternalLinter | None = None
    reference: Reference = field(default_factory=Reference)


# What a source turned out to be: a template checked, a pack checked without one (its template is in
# S3), or a file skipped because it is no conformance pack.
Checked = Literal["template", "request", "skipped"]


@dataclass(eq=False, repr=False, frozen=True)
class _Result:
    """What checking one file of one pack gave."""

    pack: int
    file: str
    checked: Checked
    scope: int  # the index of the settings it was checked with, in the run's list of them
    findings: tuple[Finding, ...] = ()  # before suppressions (but a hosted pack's own Metadata's)
    # The suppressions and lines of each file whose text its checking had at hand: its own, and the body
    # file a Terraform pack reads (not a body placed in its request file, whose text the request kept).
    files: Mapping[str, FileSuppressions] = field(default_factory=dict)
    config_rules: int | None = None  # deployed config rules, counted for a spec's cross-pack limits
    # Whether the result is about the file alone, so it may be cached: no finding, suppressed or not,
    # was about this run (a Guard worker killed, an internal error).
    lasting: bool = True


def run(job: Job) -> Report:
    settings = _settings_met(job)
    scope_of = {id(one): index for index, one in enumerate(settings)}
    enabled = [tuple(rule for rule in one.enabled(job.rules) if rule.phase in job.phases) for one in settings]
    work = [(index, source) for index, pack in enumerate(job.packs) for source in pack.sources or (None,)]

    def check_one(item: int) -> _Result:
        index, source = work[item]
        scope = scope_of[id(_settings_of(job, job.packs[index], source))]
        try:
            return _check_source(job, _Scope(scope, settings[scope], enabled[scope]), index, source)
        except Exception as error:  # one file's failure never loses another file's findings
            if job.raise_errors:
                raise
            file = source.display if isinstance(source, Subject) else _file_of(job.packs[index].request, source)
            return _Result(index, file, "template", scope, (crashed(file, "reading", error),))

    sizes = [source.size if isinstance(source, Subject) else 0 for _index, source in work]
    results: list[_Result] = fork_map(check_one, list(range(len(work))), job.jobs, sizes)
    scoped = [(result.scope, finding) for result in results for finding in result.findings]
    if job.spec_file is not None and Phase.SPEC in job.phases:
        scoped.extend((0, finding) for finding in _across_packs(job, enabled[0], results))
    kept, lines = _suppression_stage(job, settings, enabled, results, scoped)
    kept.sort(key=Finding.sort_key)
    kept = _once_a_run(kept, {rule.id for rule in job.rules if rule.once})
    checked = tuple(dict.fromkeys(result.file for result in results if result.checked != "skipped" and result.file))
    return Report(
        tuple(kept),
        sum(1 for result in results if result.checked == "template"),
        lines,
        checked,
        skipped=sum(1 for result in results if result.checked == "skipped"),
        without_template=sum(1 for result in results if result.checked == "request"),
    )


def _once_a_run(findings: list[Finding], once: set[str]) -> list[Finding]:
    """The first finding of each rule that is reported once a run, saying in how many more files it
    applies; the others' findings as they are."""
    if not once:
        return findings
    counts = Counter(finding.rule for finding in findings if finding.rule in once)
    kept, shown = [], set()
    for finding in findings:
        if finding.rule not in once:
            kept.append(finding)
        elif finding.rule not in shown:
            shown.add(finding.rule)
            more = counts[finding.rule] - 1
            also = f" (and in {more} more file{'s' if more > 1 else ''})"
            kept.append(replace(finding, message=finding.message + also) if more else finding)
    return kept


@dataclass(eq=False, repr=False, frozen=True)
class _Scope:
    """The settings one source is checked with (its folder's), their index in the run, and the rules
    they enable."""

    index: int
    settings: Settings
    rules: tuple[Rule, ...]


def _settings_of(job: Job, pack: PackInput, source: Subject | Loaded | None) -> Settings:
    """The settings of the template's folder: the subject's, the pack's, or the run's."""
    if isinstance(source, Subject) and source.settings is not None:
        return source.settings
    return pack.settings or job.settings


def _settings_met(job: Job) -> list[Settings]:
    """The run's settings first, then each other one a source is checked with (a settings file nearer
    to it), once each."""
    met = {id(job.settings): job.settings}
    for pack in job.packs:
        for source in pack.sources or (None,):
            settings = _settings_of(job, pack, source)
            met.setdefault(id(settings), settings)
    return list(met.values())


def _file_of(request: PackRequest, loaded: Loaded | None) -> str:
    return loaded.file if loaded is not None else (request.from_request_file or "")


def _check_source(job: Job, scope: _Scope, index: int, source: Subject | Loaded | None) -> _Result:
    """Each file is read once: the bytes the cache key is made of are the bytes that are checked."""
    pack = job.packs[index]
    if isinstance(source, Loaded):  # an editor's buffer, or a template read before
        hosted = _hosted(source) if may_host((source.text or "").encode("utf-8", "surrogateescape")) else []
        return _check_stack(job, scope, index, source, hosted) if hosted else _check_loaded(job, scope, index, source)
    if source is None:
        return _check_loaded(job, scope, index, _request_body(pack.request))
    if source.path is None:
        stdin = job.stdin or b""
        read = load_template_bytes(stdin, source.display)
        if may_host(stdin) and (hosted := _hosted(read)):
            return _check_stack(job, scope, index, read, hosted)
        if job.only_packs and not _is_pack(stdin):
            return _Result(index, source.display, "skipped", scope.index)
        return _check_loaded(job, scope, index, read, stdin)
    data, problem = read_bytes(source.path)
    if data is None:  # unreadable: whether it is a pack cannot be told, so it is reported
        assert problem is not None
        return _check_loaded(job, scope, index, Loaded(source.display, None, (problem,)))
    if source.path.suffix.lower() == TERRAFORM_SUFFIX:
        return _check_terraform(job, scope, index, source, data)
    hosting = may_host(data)
    if (job.only_packs or not source.named) and not hosting and not _is_pack(data):
        return _Result(index, source.display, "skipped", scope.index)
    cache = job.cache if job.spec_file is None else None  # a cached result has no rule count for a spec
    key = cache.key(source.display, data, scope.settings, scope.rules) if cache is not None else None
    cached = cache.get(key) if cache is not None and key is not None else None
    if cached is not None:
        text = shown_text(data)
        files = {}
        if text is not None:
            files[source.display] = of_file(source.display, text, cached.findings, cached.suppressions)
        return _Result(index, source.display, "template", scope.index, cached.findings, files)
    loaded = load_template_bytes(data, source.display)
    hosted = _hosted(loaded) if hosting else []
    if hosting and not hosted and (job.only_packs or not source.named) and not _is_pack(data):
        return _Result(index, source.display, "skipped", scope.index)  # its pack type was named, not declared
    if hosted:
        result = _check_stack(job, scope, index, loaded, hosted)
    else:
        result = _check_loaded(job, scope, index, loaded, data)
    if cache is not None and key is not None and result.lasting:
        from preflight.engine.cache import Entry

        own = result.files.get(source.display)
        cache.put(key, Entry(result.findings, own.suppressions if own is not None else ()))
    return result


def _hosted(loaded: Loaded) -> list[HostedPack]:
    """The packs a stack holds (its text names a pack's type: may_host), read from its parsed
    resources: a file that declares none is checked as what else it is."""
    from preflight.knowledge.hosts import hosted_packs

    return hosted_packs(loaded)


def _check_stack(job: Job, scope: _Scope, index: int, stack: Loaded, hosted: list[HostedPack]) -> _Result:
    """A host's packs (a CloudFormation stack's, preflight.knowledge.hosts; a Terraform file's): each
    checked with its resource's request, its findings moved to where its text is written; the host's
    own other resources are not a pack's."""
    from preflight.knowledge.hosts import BodyPositions

    if not hosted or stack.text is None:
        return _Result(index, stack.file, "skipped", scope.index)
    findings: list[Finding] = []
    for pack in hosted:
        body = load_template_text(pack.body, pack.file) if pack.body is not None else None
        context = Context(body, pack.request, scope.settings.quotas, reference=job.reference)
        positions = BodyPositions(pack)
        found = run_rules(scope.rules, context, raise_errors=job.raise_errors)
        document = body.document if body is not None else None
        if document is not None:
            # The pack's own Metadata suppressions name paths of its document, which its findings lose
            # as they move into the stack: they are applied here, to its findings alone.
            found = _suppressed(job, scope.rules, found, pack.file, metadata_suppressions(document))
        findings.extend(
            positions.move(finding, stack.file) for finding in found if not positions.unknown(finding, document)
        )
    lasting = not any(finding.transient or finding.rule == internal_error.id for finding in findings)
    files = {stack.file: of_file(stack.file, stack.text, findings)}
    bodies = {pack.target: pack.target_text for pack in hosted if pack.target is not None and pack.target_text}
    for target, text in bodies.items():  # a Terraform pack's body file (file(), templatefile()): its findings'
        files[target] = of_file(target, text, [finding for finding in findings if finding.file == target])
    return _Result(index, stack.file, "template", scope.index, tuple(findings), files, None, lasting)


def _check_terraform(job: Job, scope: _Scope, index: int, source: Subject, data: bytes) -> _Result:
    """A .tf file's packs (preflight.knowledge.terraform), checked as a stack's are. Not cached: a
    pack's body may be another file (file(), templatefile()), which the cache key does not hold."""
    from preflight.knowledge.terraform import TerraformError, holds_a_pack, terraform_packs

    if not holds_a_pack(data):
        return _Result(index, source.display, "skipped", scope.index)
    text, problem = decode(data)
    if text is None:
        return _check_loaded(job, scope, index, Loaded(source.display, None, (problem,) if problem else ()), data)
    assert source.path is not None
    try:
        hosted = terraform_packs(text, source.display, source.path.parent)
    except TerraformError as error:
        where = Span(error.line, error.column or 1, error.line, error.column or 1) if error.line else START_OF_FILE
        return _not_checked(job, scope, index, source.display, text, str(error), where)
    result = _check_stack(job, scope, index, Loaded(source.display, None, text=text), hosted)
    return replace(result, lasting=False)


# The rule that says a hosted pack was not checked (rules/input.py).
NOT_CHECKED_RULE = "CP010"


def _not_checked(job: Job, scope: _Scope, index: int, file: str, text: str, why: str, where: Span) -> _Result:
    """One CP010 (info) for a file (whose text is `text`) whose packs could not be read at all, at `where`."""
    request = PackRequest(from_request_file=file, body_unread=why, origins={("TemplateBody",): Origin(file, where)})
    rules = tuple(rule for rule in scope.rules if rule.id == NOT_CHECKED_RULE)
    context = Context(None, request, scope.settings.quotas, reference=job.reference)
    findings = tuple(run_rules(rules, context, raise_errors=job.raise_errors))
    return _Result(index, file, "template", scope.index, findings, {file: of_file(file, text, findings)})


def _is_pack(data: bytes) -> bool:
    from preflight.load.discovery import is_pack  # only files found in folders, or --only-packs

    return is_pack(data)


def _request_body(request: PackRequest) -> Loaded | None:
    body = request.template_body
    if body is None:
        return None
    return load_template_text(body.text, body.file, line_offset=body.line_offset, column_offset=body.column_offset)


def _check_loaded(job: Job, scope: _Scope, index: int, loaded: Loaded | None, data: bytes | None = None) -> _Result:
    """`data`: the bytes `loaded` was read from, whose text (undecodable as it is) still has lines to show."""
    pack = job.packs[index]
    context = Context(
        loaded, pack.request, scope.settings.quotas, facts=pack.facts, sent_body=pack.sent_body,
        reference=job.reference,
    )  # fmt: skip
    findings = run_rules(scope.rules, context, raise_errors=job.raise_errors)
    lasting = not any(finding.transient or finding.rule == internal_error.id for finding in findings)
    if job.external is not None and loaded is not None and loaded.is_template and loaded.text is not None:
        findings.extend(_external_findings(job, scope.settings, loaded, pack.request, findings))
    config_rules = None
    if job.spec_file is not None and context.is_template:
        from preflight.knowledge.config_rules import deployed_rules

        config_rules = len(deployed_rules(context.template))
    file = _file_of(pack.request, loaded)
    checked: Checked = "request" if loaded is None else "template"
    embedded = pack.request.template_body
    files: dict[str, FileSuppressions] = {}
    if loaded is not None and loaded.text is not None and (embedded is None or embedded.line_offset == 0):
        suppressions = [*comment_suppressions(loaded.text), *metadata_suppressions(loaded.document)]
        files[file] = of_file(file, loaded.text, findings, suppressions)
    elif loaded is not None and loaded.document is not None:  # a body placed in its request file
        files[file] = FileSuppressions(tuple(metadata_suppressions(loaded.document)))  # its comments: the file's text
    elif loaded is not None and loaded.text is None and data is not None and (text := shown_text(data)) is not None:
        files[file] = of_file(file, text, findings)
    return _Result(index, file, checked, scope.index, tuple(findings), files, config_rules, lasting)


def _external_findings(
    job: Job, settings: Settings, loaded: Loaded, request: PackRequest, ours: Sequence[Finding]
) -> list[Finding]:
    assert job.external is not None and loaded.text is not None and loaded.document is not None
    document = loaded.document
    theirs = [
        replace(finding, span=document.shift(finding.span))
        for finding in job.external(loaded.text, loaded.file, request.region)
        if settings.is_enabled(finding.rule)
    ]
    return _without_repeats(theirs, ours, job.rules)


def _without_repeats(theirs: Iterable[Finding], ours: Sequence[Finding], rules: Iterable[Rule]) -> list[Finding]:
    """Another linter's findings less those that repeat, on the same line, a finding of a rule whose
    metadata names that linter's rule as reporting the same problem."""
    same_as: dict[str, set[str]] = {}
    for rule in rules:
        for theirs_id in rule.cfn_lint:
            same_as.setdefault(f"cfn-lint:{theirs_id}", set()).add(rule.id)
    lines = {(finding.file, finding.span.line, finding.rule) for finding in ours}
    return [
        finding
        for finding in theirs
        if not any((finding.file, finding.span.line, rule) in lines for rule in same_as.get(finding.rule, ()))
    ]


def _across_packs(job: Job, rules: Sequence[Rule], results: Sequence[_Result]) -> list[Finding]:
    """The spec file's own rules (CP15x), on a summary of its packs."""
    from preflight.model.spec import PackSummary, SpecSummary

    assert job.spec_file is not None
    counts = {result.pack: result.config_rules for result in results}  # a spec's pack has one template
    summaries: list[PackSummary] = []
    origins: dict[DocPath, Origin] = {}
    for index, pack in enumerate(job.packs):
        request = pack.request
        summaries.append(PackSummary(request.name or "", request.scope, request.region, counts.get(index)))
        origins[("packs", index, "name")] = request.origins[(request.name_key,)]
    spec_request = PackRequest(from_request_file=job.spec_file, origins=origins)
    context = Context(
        None, spec_request, job.settings.quotas, spec=SpecSummary(job.spec_file, tuple(summaries)),
        reference=job.reference,
    )  # fmt: skip
    return run_rules(rules, context, raise_errors=job.raise_errors)


def _suppressed(
    job: Job, rules: Sequence[Rule], findings: Iterable[Finding], file: str, suppressions: Sequence[Suppression]
) -> list[Finding]:
    """`findings` less those `suppressions` of `file` cover, with a finding for each that covers nothing."""
    if not suppressions:
        return list(findings)
    outcome = apply(findings, file, list(suppressions), frozenset(rule.id for rule in job.rules), _ids(job, rules))
    return outcome.kept + outcome.unused


def _suppression_stage(
    job: Job,
    settings: Sequence[Settings],
    enabled: Sequence[Sequence[Rule]],
    results: Sequence[_Result],
    scoped: Sequence[tuple[int, Finding]],
) -> tuple[list[Finding], dict[str, Mapping[int, str]]]:
    """suppression.suppress, with each file's suppressions as its checking took them, or as the text
    its request kept from loading it gives them."""
    files: dict[str, tuple[int, FileSuppressions]] = {}
    kept_texts: dict[str, tuple[int, str]] = {}
    for result in results:
        for file, own in result.files.items():
            if file in files:  # checked for another pack too (a spec's shared template, a Terraform body)
                scope, first = files[file]
                own = first.joined(own)
            else:
                scope = result.scope
            files[file] = (scope, own)
        for file, text in job.packs[result.pack].request.source_texts.items():
            kept_texts.setdefault(file, (result.scope, text))  # with the settings its pack was checked with
    return suppress(
        scoped,
        files,
        kept_texts,
        [one.without_ignored for one in settings],
        [_ids(job, rules) for rules in enabled],
        frozenset(rule.id for rule in job.rules),
    )


def _ids(job: Job, rules: Sequence[Rule]) -> frozenset[str]:
    """The ids of the rules that ran, cfn-lint's among them when it ran (its findings' ids start so)."""
    return frozenset(rule.id for rule in rules) | ({"cfn-lint"} if job.external is not None else frozenset())
