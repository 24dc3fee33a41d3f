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


@dataclass(frozen=True)
class FixOutcome:
    fixed: int  # findings fixed
    files: int  # files changed
    diff: str  # the unified diff of every change
    unwritable: tuple[str, ...] = ()  # files that could not be written: one line each


def fix(job: Job, report: Report, *, unsafe: bool, write: bool) -> FixOutcome:
    wanted = {finding.file for finding in applicable(report.findings, unsafe=unsafe)}
    fixed = files = 0
    diffs: list[str] = []
    unwritable: list[str] = []
    for pack in job.packs:
        for source in pack.sources:
            if not isinstance(source, Subject) or source.display not in wanted:
                continue
            try:
                data = source.path.read_bytes() if source.path is not None else job.stdin or b""
                text = data.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # the check reported it; a file that is not UTF-8 is not rewritten
            outcome = fix_text(text, _linter(job, pack, source.display), unsafe=unsafe)
            if outcome.text == text:
                continue
            fixed, files = fixed + outcome.fixed, files + 1
            diffs.append(_diff(source.display, text, outcome.text))
            if write and source.path is not None and not _write(source.path, outcome.text):
                unwritable.append(source.display)
    return FixOutcome(fixed, files, "".join(diffs), tuple(unwritable))


def _linter(job: Job, pack: PackInput, file: str) -> Callable[[str], Sequence[Finding]]:
    one = replace(job, jobs=1, cache=None, spec_file=None)

    def lint(text: str) -> Sequence[Finding]:
        loaded = load_template_text(text, file)
        return run(replace(one, packs=(replace(pack, sources=(loaded,)),))).findings

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


def _write(path: Path, text: str) -> bool:
    """In place, all at once: a new file beside it, renamed over it, with its permissions."""
    temporary: str | None = None
    try:
        mode = path.stat().st_mode
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fixing")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
        temporary = None
        return True
    except OSError:
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
