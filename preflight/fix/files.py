"""`check --fix`, `--diff` and `--unsafe-fixes`: the files whose findings carry edits, fixed round
after round (preflight.fix.rounds) with the same request, settings and rules as the check; written
back in place, or shown as a unified diff."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from preflight.engine.pipeline import Job, PackInput, run
from preflight.fix.rounds import applicable, fix_text
from preflight.load.files import CHANGED_WHILE_WRITTEN, replace_file
from preflight.load.parsing import load_template_text
from preflight.load.paths import Subject
from preflight.model.findings import Finding, Report, Span
from preflight.model.settings import EVERY_RULE, Settings
from preflight.reporters.diff import unified_diff
from preflight.reporters.printable import printable

BOM = "\ufeff"


@dataclass(frozen=True)
class FixOutcome:
    fixed: int  # findings fixed
    files: int  # files changed
    diff: str  # the unified diff of every change (only when asked for)
    unwritable: tuple[tuple[str, str], ...] = ()  # files not written, and why: one line each
    refused: frozenset[tuple[str, str, Span]] = frozenset()  # (file, rule, span) of findings whose fix adds an error
    unpatchable: tuple[tuple[str, str], ...] = ()  # files whose diff patch cannot apply, and why


def fix(
    job: Job, report: Report, *, unsafe: bool, write: bool, diff: bool = False, terminal: bool = False
) -> FixOutcome:
    wanted = {finding.file for finding in applicable(report.findings, unsafe=unsafe)}
    # A spec's packs may share a template, however each names it: every pack that uses a file judges
    # its fixes, whether or not its own check found something to fix there.
    groups: dict[object, list[tuple[Subject, PackInput]]] = {}
    for pack in job.packs:
        for source in pack.sources:
            if isinstance(source, Subject):
                groups.setdefault(_identity(source), []).append((source, pack))
    users: dict[object, tuple[Subject, list[PackInput]]] = {}
    for key, members in groups.items():
        named = [source for source, _pack in members if source.display in wanted]
        if named:
            users[key] = (named[0], [pack for _source, pack in members])
    fixed = files = 0
    diffs: list[str] = []
    unwritable: list[tuple[str, str]] = []
    refused: set[tuple[str, str, Span]] = set()
    unpatchable: list[tuple[str, str]] = []
    for source, packs in users.values():
        display = source.display
        try:
            data = source.path.read_bytes() if source.path is not None else job.stdin or b""
        except OSError as error:
            unwritable.append((display, f"it could not be read again: {error.strerror or error}"))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            unwritable.append((display, "it is not UTF-8, so it is not rewritten"))
            continue
        bom = BOM if text.startswith(BOM) else ""  # kept, and out of the positions, as the check reads it
        settings = source.settings or job.settings
        lint, selected = _linter(job, settings, packs, display)
        outcome = fix_text(text[len(bom) :], lint, unsafe=unsafe, wanted=selected)
        refused.update((display, finding.rule, finding.span) for finding in outcome.refused)
        if bom + outcome.text == text:
            continue
        if write and source.path is not None:
            problem = _write(source.path, bom + outcome.text, data)
            if problem is not None:
                unwritable.append((display, problem))
                continue
        fixed, files = fixed + outcome.fixed, files + 1
        if diff:
            shown, escaped = _diff(display, text, bom + outcome.text, terminal)
            diffs.append(shown)
            if escaped and not terminal:
                unpatchable.append((display, "the diff escapes control characters the file holds"))
            elif not _patchable_name(display):
                unpatchable.append(
                    (display, "patch -p0 refuses such a name (blanks around it, a `..` part, or absolute)")
                )
    return FixOutcome(fixed, files, "".join(diffs), tuple(unwritable), frozenset(refused), tuple(unpatchable))


def _identity(source: Subject) -> object:
    """The file itself, however the packs name it (`packs/a.yaml`, `./packs/../packs/a.yaml`, through
    a linked folder): its device and inode."""
    if source.path is None:
        return source.display
    try:
        status = source.path.stat()
    except OSError:
        return source.display
    return (status.st_dev, status.st_ino)


def _linter(
    job: Job, settings: Settings, packs: Sequence[PackInput], file: str
) -> tuple[Callable[[str], Sequence[Finding]], Callable[[Sequence[Finding]], Sequence[Finding]]]:
    """The findings of `file` as `text`, of every rule (a fix is judged by all of them), and the
    findings of those the check reports (its selection and per-file ignores); for a template that
    several packs of a spec use, an edit only when every pack's check makes the same one (a parameter
    one pack passes is not unused)."""
    every = replace(
        settings, select=(*EVERY_RULE, *settings.select, *settings.extend_select), ignore=(), per_file_ignores=()
    )
    one = replace(job, settings=every, jobs=1, cache=None, spec_file=None)
    opt_in = {rule.id for rule in job.rules if rule.opt_in}

    def lint(text: str) -> Sequence[Finding]:
        loaded = load_template_text(text, file)
        each = [run(replace(one, packs=(replace(pack, sources=(loaded,)),))).findings for pack in packs]
        if len(each) == 1:
            return each[0]
        agreed = set.intersection(*({(f.rule, f.edits) for f in findings if f.edits} for findings in each))
        return [f if (f.rule, f.edits) in agreed else replace(f, edits=()) for f in each[0]]

    def selected(findings: Sequence[Finding]) -> Sequence[Finding]:
        chosen = (f for f in findings if settings.is_enabled(f.rule, opt_in=f.rule in opt_in))
        return settings.without_ignored(chosen)

    return lint, selected


def _diff(file: str, before: str, after: str, terminal: bool) -> tuple[str, bool]:
    """As ruff and `diff -u` print it, for `patch -p0`: lines end at LF, as patch counts them (a lone
    CR is part of its line). The name is quoted as git quotes one that has a tab, a quote, a
    backslash, a control character or bytes that are not UTF-8, which GNU patch reads; a name with a
    space ends with a tab, as diff writes it. The lines are written as they are, but for what could
    act on a terminal or a CI log (control characters, a lone CR; on a terminal also line separators
    and direction overrides), escaped. Also whether anything was escaped: then patch cannot apply
    the diff."""
    name = _patch_name(file)
    escape = printable if terminal else _controls_escaped
    escaped = False
    pieces = []
    for line in unified_diff(_lf_lines(before), _lf_lines(after), name):
        body = line[:-1] if line.endswith("\n") else line
        body = body[:-1] if body.endswith("\r") and line.endswith("\n") else body
        ending = line[len(body) :]
        safe = "\t".join(escape(part) for part in body.split("\t"))
        escaped |= safe != body and not line.startswith(("--- ", "+++ "))
        pieces.append(safe + (ending if ending.endswith("\n") else ending + "\n\\ No newline at end of file\n"))
    return "".join(pieces), escaped


def _patchable_name(file: str) -> bool:
    """Whether GNU patch -p0 takes `file` as a name to patch: not absolute, no `..` part (it calls those
    dangerous), no blanks around it (it strips them)."""
    return file == file.strip() and not file.startswith("/") and ".." not in file.replace("\\", "/").split("/")


def _lf_lines(text: str) -> list[str]:
    """The lines of `text` as patch counts them: each ends at LF (with it), the last maybe without."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


_NAME_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _patch_name(file: str) -> str:
    """`file` for a diff header: git's C-style quoting when it holds anything but printable characters
    (a byte that is not UTF-8 as its octal escape); a trailing tab when it has a space."""
    raw = file.encode("utf-8", "surrogateescape")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.isprintable() and not any(char in text for char in '"\\'):
        return file + ("\t" if " " in file else "")
    quoted = []
    for char in raw.decode("utf-8", "surrogateescape"):
        if char in _NAME_ESCAPES:
            quoted.append(_NAME_ESCAPES[char])
        elif char.isprintable() and not 0xDC80 <= ord(char) <= 0xDCFF:
            quoted.append(char)
        else:
            quoted.extend(f"\\{byte:03o}" for byte in char.encode("utf-8", "surrogateescape"))
    return '"' + "".join(quoted) + '"'


def _controls_escaped(text: str) -> str:
    """`text` with its C0 and C1 control characters and DEL escaped (what moves a terminal's cursor or
    breaks a CI log's line), and nothing else."""
    if text.isprintable():
        return text
    return re.sub("[\x00-\x08\x0a-\x1f\x7f-\x9f]", lambda match: printable(match.group()), text)


def _write(path: Path, text: str, original: bytes) -> str | None:
    """In place, all at once, or not at all (load.files.replace_file; a symbolic link is followed), once
    the file is seen to hold exactly the bytes that were fixed. None when written; otherwise why it was
    not, and the file is as it was: one nobody may write (mode 444), one that changed while it was
    fixed, one whose owner the new file could not be given."""
    try:
        path = path.resolve()
        status = path.stat()
    except OSError as error:
        return error.strerror or str(error)
    data = text.encode("utf-8")
    refused = replace_file(path, status, lambda stream: stream.write(data), original)
    return "it changed while it was being fixed; run --fix again" if refused == CHANGED_WHILE_WRITTEN else refused
