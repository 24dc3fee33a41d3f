"""`preflight check`: files in, sorted and filtered findings out."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.config import Config
from preflight.context import Context
from preflight.engine import run_rules
from preflight.findings import DocPath, Finding
from preflight.limits import SAFETY_LIMITS
from preflight.loader import Loaded, load_template_bytes, load_template_file, load_template_text
from preflight.request import Origin, PackRequest
from preflight.rule import Rule
from preflight.suppression import suppressed_lines

if TYPE_CHECKING:
    from preflight.aws.facts import AwsFacts
    from preflight.cfn_lint import CfnLint
    from preflight.spec import Spec

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
    sources: dict[str, str] = field(default_factory=dict, repr=False)
    checked_files: tuple[str, ...] = ()


def expand_paths(paths: Sequence[str], stdin_name: str = "<stdin>") -> list[Subject]:
    """Files as given; directories recursively (sorted, hidden folders skipped) over template suffixes."""
    subjects: list[Subject] = []
    for given in paths:
        if given == STDIN:
            subjects.append(Subject(stdin_name, None))
            continue
        path = Path(given)
        if path.is_dir():
            found = []
            for directory, folders, files in os.walk(path):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                for name in files:
                    candidate = Path(directory) / name
                    if candidate.suffix.lower() in TEMPLATE_SUFFIXES:
                        found.append(candidate)
            subjects.extend(Subject(candidate.as_posix(), candidate) for candidate in sorted(found))
        elif path.exists():
            subjects.append(Subject(given, path))
        else:
            raise UsageError(f"{given}: no such file or directory")
    unique: dict[str, Subject] = {}
    for subject in subjects:  # a file named twice (or `-` twice) is checked once
        key = "-" if subject.path is None else str(subject.path.resolve())
        unique.setdefault(key, subject)
    return list(unique.values())


def _load(subject: Subject, stdin_bytes: bytes | None) -> Loaded:
    if subject.path is None:
        return load_template_bytes(stdin_bytes or b"", subject.display)
    return load_template_file(subject.path, subject.display)


def check(
    subjects: Sequence[Subject],
    request: PackRequest,
    config: Config,
    rules: Sequence[Rule],
    *,
    stdin_bytes: bytes | None = None,
    raise_errors: bool = False,
    cfn_lint: bool = False,
    facts: AwsFacts | None = None,
    preloaded: Loaded | None = None,
) -> Report:
    """`cfn_lint` also runs cfn-lint on every template and merges its findings; `facts` (from the
    online pre-flight) enables the CP5xx rules; `preloaded` is a template already read (an editor's
    buffer), checked instead of `subjects`."""
    enabled = [rule for rule in rules if config.is_enabled(rule.id)]
    if request.template_body is not None and (subjects or preloaded is not None):
        raise UsageError(
            f"{request.from_request_file}: the request carries a TemplateBody; give no PATH as well "
            "(or drop TemplateBody from the request)"
        )
    loads: list[Loaded | None]
    if preloaded is not None:
        loads = [preloaded]
    elif request.template_body is not None:
        body = request.template_body
        loads = [
            load_template_text(body.text, body.file, line_offset=body.line_offset, column_offset=body.column_offset)
        ]
    elif subjects:
        loads = [_load(subject, stdin_bytes) for subject in subjects]
    else:
        loads = [None]

    sources: dict[str, str] = {}
    findings: set[Finding] = set()
    runners: dict[str, CfnLint] = {}
    for loaded in loads:
        embedded = request.template_body
        if loaded is not None and loaded.text is not None and (embedded is None or embedded.line_offset == 0):
            sources.setdefault(loaded.file, loaded.text)
        context = Context(loaded, request, config.quotas, facts=facts)
        ours = run_rules(enabled, context, raise_errors=raise_errors)
        findings.update(ours)
        if cfn_lint and loaded is not None and loaded.is_template and loaded.text is not None:
            findings.update(_cfn_lint_findings(loaded, request, config, ours, runners))

    kept = [finding for finding in findings if not config.ignored_in_file(finding.rule, finding.file)]
    kept = _drop_suppressed(kept, sources)
    kept.sort(key=Finding.sort_key)
    checked = tuple(loaded.file for loaded in loads if loaded is not None) or (
        (request.from_request_file,) if request.from_request_file else ()
    )
    return Report(tuple(kept), len(checked) or 1, sources, checked)


def _cfn_lint_findings(
    loaded: Loaded, request: PackRequest, config: Config, ours: Sequence[Finding], runners: dict[str, CfnLint]
) -> list[Finding]:
    from preflight.cfn_lint import CfnLint, without_duplicates

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


def _drop_suppressed(findings: list[Finding], sources: dict[str, str]) -> list[Finding]:
    by_file: dict[str, Mapping[int, frozenset[str]]] = {}
    kept: list[Finding] = []
    for finding in findings:
        if finding.file not in sources:
            text = _read_text(finding.file)
            if text is not None:
                sources[finding.file] = text
        if finding.file not in by_file:
            by_file[finding.file] = suppressed_lines(sources.get(finding.file, ""))
        if finding.rule in by_file[finding.file].get(finding.span.line, ()):
            continue
        kept.append(finding)
    return kept


def _read_text(file: str) -> str | None:
    path = Path(file)
    try:
        if not path.is_file() or path.stat().st_size > SAFETY_LIMITS.max_file_bytes:
            return None
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return None


def check_spec(
    spec: Spec,
    config: Config,
    rules: Sequence[Rule],
    *,
    raise_errors: bool = False,
    cfn_lint: bool = False,
    facts: Sequence[AwsFacts | None] | None = None,
) -> Report:
    """Every pack of a spec file with its own request, then the limits across packs (CP15x)."""
    from preflight.config_rule import deployed_rules
    from preflight.spec import PackSummary, SpecSummary

    findings: list[Finding] = []
    sources: dict[str, str] = {}
    files = 0
    checked: list[str] = []
    summaries: list[PackSummary] = []
    origins: dict[DocPath, Origin] = {}
    for index, pack in enumerate(spec.packs):
        subjects = [Subject(pack.template.as_posix(), pack.template)] if pack.template is not None else []
        report = check(
            subjects,
            pack.request,
            config,
            rules,
            raise_errors=raise_errors,
            cfn_lint=cfn_lint,
            facts=facts[index] if facts else None,
        )
        findings.extend(report.findings)
        sources.update(report.sources)
        files += report.files
        checked.extend(report.checked_files)
        count = None
        if pack.template is not None:
            loaded = load_template_file(pack.template, pack.template.as_posix())
            if loaded.is_template:
                count = len(deployed_rules(Context(loaded, pack.request, config.quotas).template))
        summaries.append(PackSummary(pack.request.name or "", pack.request.scope, pack.request.region, count))
        origins[("packs", index, "name")] = pack.request.origins[(pack.request.name_key,)]
    spec_request = PackRequest(from_request_file=spec.file, origins=origins)
    context = Context(None, spec_request, config.quotas, spec=SpecSummary(spec.file, tuple(summaries)))
    enabled = [rule for rule in rules if config.is_enabled(rule.id)]
    findings.extend(run_rules(enabled, context, raise_errors=raise_errors))
    unique = sorted(set(findings), key=Finding.sort_key)
    kept = _drop_suppressed([f for f in unique if not config.ignored_in_file(f.rule, f.file)], sources)
    return Report(tuple(kept), files, sources, tuple(dict.fromkeys(checked)))
