"""`preflight check`: files in, sorted and filtered findings out."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.engine.context import Context
from preflight.engine.parallel import fork_map
from preflight.engine.runner import crashed, run_rules
from preflight.engine.suppression import suppressed_lines
from preflight.load.parsing import Loaded, load_template_bytes, load_template_file, load_template_text, read_bytes
from preflight.load.request_file import Origin, PackRequest
from preflight.model.findings import DocPath, Finding
from preflight.model.limits import SAFETY_LIMITS
from preflight.model.rule import Rule
from preflight.model.settings import Settings

if TYPE_CHECKING:
    from preflight.engine.cache import Cache
    from preflight.integrations.cfn_lint import CfnLint
    from preflight.load.spec_file import Spec
    from preflight.model.facts import AwsFacts

TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
STDIN = "-"


class UsageError(Exception):
    """Bad command-line input; the CLI prints it as one line and exits 2."""


@dataclass(frozen=True)
class Subject:
    display: str
    path: Path | None  # None: standard input


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    files: int
    # The source lines the findings point to, by file and line number (for the text report's excerpts).
    lines: Mapping[str, Mapping[int, str]] = field(default_factory=dict, repr=False)
    checked_files: tuple[str, ...] = ()


def subjects_for(template: Path | None) -> list[Subject]:
    """The subject list of a single template file (none when the template is elsewhere)."""
    return [Subject(template.as_posix(), template)] if template is not None else []


def expand_paths(paths: Sequence[str], stdin_name: str = "<stdin>") -> list[Subject]:
    """Files as given; directories recursively (sorted, hidden folders skipped) over template suffixes."""
    subjects: list[Subject] = []
    for given in paths:
        if given == STDIN:
            subjects.append(Subject(stdin_name, None))
            continue
        path = Path(given)
        if path.is_dir():
            subjects.extend(Subject(candidate.as_posix(), candidate) for candidate in _templates_below(path))
        elif path.exists():
            subjects.append(Subject(given, path))
        else:
            raise UsageError(f"{given}: no such file or directory")
    unique: dict[str, Subject] = {}
    for subject in subjects:  # a file named twice (or `-` twice) is checked once
        key = "-" if subject.path is None else str(subject.path.resolve())
        unique.setdefault(key, subject)
    return list(unique.values())


@dataclass(frozen=True)
class _FileResult:
    file: str
    findings: tuple[Finding, ...]
    lines: Mapping[int, str] | None  # the lines the findings point to; None: the file's text was not at hand


# A file that names no AWS Config resource type is not a conformance pack (for --only-packs).
PACK_MARKER = "AWS::Config::"


@dataclass(frozen=True)
class _RunOptions:
    raise_errors: bool = False
    cfn_lint: bool = False
    facts: AwsFacts | None = None
    only_packs: bool = False


def _templates_below(folder: Path) -> list[Path]:
    """Template files below `folder`, sorted; hidden folders are skipped. A folder that cannot be read
    is listed too: reading it fails, and that is a finding (CP001), not silence."""
    found: list[Path] = []
    for directory, folders, files in os.walk(folder, onerror=lambda error: found.append(Path(error.filename))):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found.extend(Path(directory) / name for name in files if Path(name).suffix.lower() in TEMPLATE_SUFFIXES)
    return sorted(found)


def _check_loaded(
    loaded: Loaded | None,
    request: PackRequest,
    config: Settings,
    enabled: Sequence[Rule],
    options: _RunOptions,
    runners: dict[str, CfnLint],
) -> _FileResult:
    if options.only_packs and loaded is not None and loaded.text is not None and PACK_MARKER not in loaded.text:
        return _FileResult("", (), None)  # not a conformance pack: not checked, not counted
    context = Context(loaded, request, config.quotas, facts=options.facts)
    findings = run_rules(enabled, context, raise_errors=options.raise_errors)
    if options.cfn_lint and loaded is not None and loaded.is_template and loaded.text is not None:
        findings.extend(_cfn_lint_findings(loaded, request, config, findings, runners))
    embedded = request.template_body
    file = loaded.file if loaded is not None else (request.from_request_file or "")
    if loaded is None or loaded.text is None or (embedded is not None and embedded.line_offset != 0):
        return _FileResult(file, tuple(findings), None)  # positions in another file: its text is read later
    kept, lines = _suppressed_and_shown(findings, file, loaded.text)
    return _FileResult(file, tuple(kept), lines)


def _suppressed_and_shown(findings: Iterable[Finding], file: str, text: str) -> tuple[list[Finding], dict[int, str]]:
    """`findings` less those an inline comment of `file` suppresses, and the lines of `file` they point
    to (only those lines are kept: a report of many files never holds their whole text)."""
    suppressed = suppressed_lines(text)
    source = text.splitlines()
    kept = [f for f in findings if not (f.file == file and f.rule in suppressed.get(f.span.line, ()))]
    lines = {f.span.line: source[f.span.line - 1] for f in kept if f.file == file and 0 < f.span.line <= len(source)}
    return kept, lines


def check(
    subjects: Sequence[Subject],
    request: PackRequest,
    config: Settings,
    rules: Sequence[Rule],
    *,
    stdin_bytes: bytes | None = None,
    raise_errors: bool = False,
    cfn_lint: bool = False,
    facts: AwsFacts | None = None,
    preloaded: Loaded | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
    only_packs: bool = False,
) -> Report:
    """`cfn_lint` also runs cfn-lint on every template and merges its findings; `facts` (from the
    online pre-flight) enables the CP5xx rules; `preloaded` is a template already read (an editor's
    buffer, or the one deploy read and will send), checked instead of `subjects` or the request's
    TemplateBody. `jobs` checks files in that many processes (same output); `cache` reuses results
    of files whose every input is unchanged."""
    enabled = config.enabled(rules)
    if request.template_body is not None and subjects:
        raise UsageError(
            f"{request.from_request_file}: the request carries a TemplateBody; give no PATH as well "
            "(or drop TemplateBody from the request)"
        )
    options = _RunOptions(raise_errors, cfn_lint, facts, only_packs)
    runners: dict[str, CfnLint] = {}
    results: list[_FileResult] = []
    if preloaded is not None or request.template_body is not None or not subjects:
        if preloaded is not None:
            loaded: Loaded | None = preloaded
        elif request.template_body is not None:
            body = request.template_body
            loaded = load_template_text(
                body.text, body.file, line_offset=body.line_offset, column_offset=body.column_offset
            )
        else:
            loaded = None
        results.append(_check_loaded(loaded, request, config, enabled, options, runners))
    else:
        results = _check_subjects(subjects, request, config, enabled, stdin_bytes, jobs, cache, options, runners)

    lines = {result.file: result.lines for result in results if result.lines is not None}
    findings = {finding for result in results for finding in result.findings}
    kept = config.without_ignored(findings)
    kept = _drop_suppressed(kept, lines)
    kept.sort(key=Finding.sort_key)
    checked = tuple(result.file for result in results if result.file)
    return Report(tuple(kept), len(checked) or 1, lines, checked)


def _check_subjects(
    subjects: Sequence[Subject],
    request: PackRequest,
    config: Settings,
    enabled: Sequence[Rule],
    stdin_bytes: bytes | None,
    jobs: int,
    cache: Cache | None,
    options: _RunOptions,
    runners: dict[str, CfnLint],
) -> list[_FileResult]:
    """One file at a time (so memory holds one template), each read once: the bytes the cache key is
    made of are the bytes that are checked."""

    def check_one(index: int) -> _FileResult:
        try:
            return read_and_check(subjects[index])
        except Exception as error:  # one file's failure never loses another file's findings
            if options.raise_errors:
                raise
            return _FileResult(subjects[index].display, (crashed(subjects[index].display, "reading", error),), None)

    def read_and_check(subject: Subject) -> _FileResult:
        if subject.path is None:
            return _check_loaded(load_template_bytes(stdin_bytes or b"", subject.display), request, config,
                                 enabled, options, runners)  # fmt: skip
        data, problem = read_bytes(subject.path)
        if data is None:
            assert problem is not None
            return _check_loaded(Loaded(subject.display, None, (problem,)), request, config, enabled, options, runners)
        key = cache.key(subject.display, data) if cache is not None else None
        cached = cache.get(key) if cache is not None and key is not None else None
        if cached is not None:
            return _FileResult(subject.display, cached, None)
        result = _check_loaded(load_template_bytes(data, subject.display), request, config, enabled, options, runners)
        if cache is not None and key is not None:
            cache.put(key, result.findings)
        return result

    indexes = list(range(len(subjects)))
    return fork_map(check_one, indexes, jobs, [_size(subject) for subject in subjects])


def _size(subject: Subject) -> int:
    try:
        return subject.path.stat().st_size if subject.path is not None else 0
    except OSError:
        return 0


def _cfn_lint_findings(
    loaded: Loaded, request: PackRequest, config: Settings, ours: Sequence[Finding], runners: dict[str, CfnLint]
) -> list[Finding]:
    from preflight.integrations.cfn_lint import CfnLint, without_duplicates

    if "runner" not in runners:
        runners["runner"] = CfnLint(request.region)
    assert loaded.text is not None and loaded.document is not None
    document = loaded.document
    theirs = [
        replace(finding, span=document.shift(finding.span))
        for finding in runners["runner"].lint(loaded.text, loaded.file)
        if config.is_enabled(finding.rule)
    ]
    return without_duplicates(theirs, ours)


def _drop_suppressed(findings: list[Finding], lines: dict[str, Mapping[int, str]]) -> list[Finding]:
    """Inline suppressions of the files whose text was not at hand when they were checked (a request or
    params file, a result from the cache): each is read once, and the lines findings point to kept."""
    pending: dict[str, list[Finding]] = {}
    kept: list[Finding] = []
    for finding in findings:
        if finding.file in lines:
            kept.append(finding)
        else:
            pending.setdefault(finding.file, []).append(finding)
    for file, in_file in pending.items():
        text = _read_text(file)
        if text is None:
            kept.extend(in_file)
            lines[file] = {}
            continue
        shown, lines[file] = _suppressed_and_shown(in_file, file, text)
        kept.extend(shown)
    return kept


def _read_text(file: str) -> str | None:
    data, _problem = read_bytes(Path(file))
    if data is None or len(data) > SAFETY_LIMITS.max_file_bytes:
        return None
    return data.decode("utf-8-sig", errors="replace")


def check_spec(
    spec: Spec,
    config: Settings,
    rules: Sequence[Rule],
    *,
    raise_errors: bool = False,
    cfn_lint: bool = False,
    facts: Sequence[AwsFacts | None] | None = None,
    loaded: Sequence[Loaded | None] | None = None,
) -> Report:
    """Every pack of a spec file with its own request, then the limits across packs (CP15x). `loaded`:
    each pack's template as already read (deploy reads each once); otherwise each file is read here."""
    from preflight.knowledge.config_rules import deployed_rules
    from preflight.load.spec_file import PackSummary, SpecSummary

    findings: list[Finding] = []
    lines: dict[str, Mapping[int, str]] = {}
    files = 0
    checked: list[str] = []
    summaries: list[PackSummary] = []
    origins: dict[DocPath, Origin] = {}
    for index, pack in enumerate(spec.packs):
        template = loaded[index] if loaded is not None else None
        if template is None and pack.template is not None:
            template = load_template_file(pack.template, pack.template.as_posix())
        report = check(
            [],
            pack.request,
            config,
            rules,
            raise_errors=raise_errors,
            cfn_lint=cfn_lint,
            facts=facts[index] if facts else None,
            preloaded=template,
        )
        findings.extend(report.findings)
        lines.update(report.lines)
        files += report.files
        checked.extend(report.checked_files)
        count = None
        if template is not None and template.is_template:
            count = len(deployed_rules(Context(template, pack.request, config.quotas).template))
        summaries.append(PackSummary(pack.request.name or "", pack.request.scope, pack.request.region, count))
        origins[("packs", index, "name")] = pack.request.origins[(pack.request.name_key,)]
    spec_request = PackRequest(from_request_file=spec.file, origins=origins)
    context = Context(None, spec_request, config.quotas, spec=SpecSummary(spec.file, tuple(summaries)))
    enabled = config.enabled(rules)
    findings.extend(run_rules(enabled, context, raise_errors=raise_errors))
    unique = sorted(set(findings), key=Finding.sort_key)
    kept = _drop_suppressed(config.without_ignored(unique), lines)
    return Report(tuple(kept), files, lines, tuple(dict.fromkeys(checked)))
