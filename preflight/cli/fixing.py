"""`check --fix`, `--diff` and `--unsafe-fixes`: the files whose findings carry edits, fixed round
after round (preflight.engine.fixes) with the same request, settings and rules as the check; written
back in place, or shown as a unified diff."""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from preflight.engine.fixes import applicable, fix_text
from preflight.engine.pipeline import Job, PackInput, run
from preflight.load.parsing import load_template_text
from preflight.load.paths import Subject
from preflight.model.findings import Finding, Report
from preflight.reporters.printable import printable

BOM = "\ufeff"


@dataclass(frozen=True)
class FixOutcome:
    fixed: int  # findings fixed
    files: int  # files changed
    diff: str  # the unified diff of every change
    unwritable: tuple[str, ...] = ()  # files that could not be written: one line each


def fix(job: Job, report: Report, *, unsafe: bool, write: bool) -> FixOutcome:
    wanted = {finding.file for finding in applicable(report.findings, unsafe=unsafe)}
    users: dict[object, tuple[Subject, list[PackInput]]] = {}  # a spec's packs may share a template
    for pack in job.packs:
        for source in pack.sources:
            if isinstance(source, Subject) and source.display in wanted:
                users.setdefault(_identity(source), (source, []))[1].append(pack)
    fixed = files = 0
    diffs: list[str] = []
    unwritable: list[str] = []
    for source, packs in users.values():
        display = source.display
        try:
            data = source.path.read_bytes() if source.path is not None else job.stdin or b""
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the check reported it; a file that is not UTF-8 is not rewritten
        bom = BOM if text.startswith(BOM) else ""  # kept, and out of the positions, as the check reads it
        outcome = fix_text(text[len(bom) :], _linter(job, packs, display), unsafe=unsafe)
        if bom + outcome.text == text:
            continue
        if write and source.path is not None and not _write(source.path, bom + outcome.text, data):
            unwritable.append(display)
            continue
        fixed, files = fixed + outcome.fixed, files + 1
        diffs.append(_diff(display, text, bom + outcome.text))
    return FixOutcome(fixed, files, "".join(diffs), tuple(unwritable))


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


def _linter(job: Job, packs: Sequence[PackInput], file: str) -> Callable[[str], Sequence[Finding]]:
    """The findings of `file` as `text`; for a template that several packs of a spec use, an edit only
    when every pack's check makes the same one (a parameter one pack passes is not unused)."""
    one = replace(job, jobs=1, cache=None, spec_file=None)

    def lint(text: str) -> Sequence[Finding]:
        loaded = load_template_text(text, file)
        each = [run(replace(one, packs=(replace(pack, sources=(loaded,)),))).findings for pack in packs]
        if len(each) == 1:
            return each[0]
        agreed = set.intersection(*({(f.rule, f.edits) for f in findings if f.edits} for findings in each))
        return [f if (f.rule, f.edits) in agreed else replace(f, edits=()) for f in each[0]]

    return lint


def _diff(file: str, before: str, after: str) -> str:
    """As ruff and `diff -u` print it, for `patch -p0`; the file name and each line escaped as the
    findings are (a line's tabs and its line break kept), so a control character in a template does
    not reach the terminal."""
    name = printable(file)
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), name, name)
    return "".join(_diff_line(line) for line in lines)


def _diff_line(line: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    safe = "\t".join(printable(part) for part in body.split("\t"))
    return safe + (ending if ending.endswith("\n") else ending + "\n\\ No newline at end of file\n")


def _write(path: Path, text: str, original: bytes) -> bool:
    """In place, all at once: a new file beside the real one (a symbolic link is followed), with its
    permissions and owner, renamed over it. A file with other hard links is rewritten where it is,
    so they all see the fix, and given back its `original` bytes if that fails. A file nobody may
    write (mode 444) is not rewritten."""
    temporary: str | None = None
    try:
        path = path.resolve()
        status = path.stat()
        if not status.st_mode & 0o222:
            return False
        if status.st_nlink > 1:
            return _rewrite_in_place(path, text.encode("utf-8"), original)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fixing")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, status.st_mode & 0o7777)
        with contextlib.suppress(OSError):  # only the owner or root may give it away, and it is the same
            os.chown(temporary, status.st_uid, status.st_gid)
        os.replace(temporary, path)
        temporary = None
        return True
    except OSError:
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _rewrite_in_place(path: Path, data: bytes, original: bytes) -> bool:
    """Written once beside it first, so a full disk or a file-size limit shows before the file is
    touched; then over it, and back to `original` if that still fails."""
    handle, trial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fixing")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(trial)
    try:
        path.write_bytes(data)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            path.write_bytes(original)
        return False
