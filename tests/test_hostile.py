"""Hostile input never crashes, hangs or exhausts memory, and ends in exactly the outcome its row of
tests/hostile_inputs.py names: its exit status, and the findings tests/hostile_expected.json counts by
rule id for it, or one line on standard error and exit 2. Nothing printed carries a raw control
character. When a change of the rules is meant to change the findings, refresh the counts and review
the diff:

    .venv/bin/python -m pytest tests/test_hostile.py --update-expected && git diff tests/hostile_expected.json

Each case runs in its own process; peak memory comes from that process's resource usage. Wall time is
reported by bench/hostile.py rather than asserted here (timed assertions are flaky); a case that
hangs is killed and fails."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import nobody_cannot_run_preflight
from tests.hostile_inputs import FIFO, UNREADABLE, UNSEARCHABLE, Case, Content, cases

CASES = cases()
EXPECTED = Path(__file__).with_name("hostile_expected.json")
REFRESH = "pytest tests/test_hostile.py --update-expected"
MAX_RSS_KB = 300 * 1024
HANG_SECONDS = 120
NOBODY = 65534
# Any C0 or C1 control character but a line break, and the escape that starts a terminal sequence.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


# The child's peak memory, measured by a small wrapper process: a child forked from pytest itself would
# count pytest's memory as its own until it exec()s.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:], stdin=sys.stdin)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
# Root reads every folder: a folder the run may not read needs the run to be someone else.
SETPRIV = shutil.which("setpriv")
AS_NOBODY = [SETPRIV or "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def make_files(folder: Path, files: Mapping[str, Content]) -> None:
    for name, content in files.items():
        path = folder / name  # names may carry surrogate escapes: bytes that are not UTF-8
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is FIFO:
            os.mkfifo(path)
        elif content is UNREADABLE:
            path.mkdir()
            (path / "hidden.yaml").write_bytes(b"Resources: {}\n")
            path.chmod(0)
        elif content is UNSEARCHABLE:
            path.mkdir()
            (path / "pack.yaml").write_bytes(b"Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n")
            (path / ".preflight.toml").write_bytes(b'select = ["CP4"]\n')
            path.chmod(0o444)
        else:
            assert isinstance(content, bytes)
            path.write_bytes(content)


def run_case(folder: Path, case: Case) -> tuple[int, bytes, bytes, int]:
    """Exit code, standard output and error (bytes) and peak memory (KB) of the case's `preflight` run."""
    files, args = case.build()
    make_files(folder, files)
    del files
    prefix = AS_NOBODY if case.unprivileged and os.geteuid() == 0 else []
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT")}
    process = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, *prefix, sys.executable, "-m", "preflight", *args],
        cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
    )  # fmt: skip
    killer = threading.Timer(HANG_SECONDS, process.kill)
    killer.start()
    try:
        stdout, stderr = process.communicate(case.stdin)
    finally:
        killer.cancel()
    *lines, peak = stderr.rstrip(b"\n").split(b"\n") if stderr.strip() else [b"0"]
    error = b"".join(line + b"\n" for line in lines)
    return process.returncode, stdout, error, int(peak) if peak.isdigit() else 0


@pytest.fixture
def case_folder() -> Iterator[Path]:
    """A folder an unprivileged user may enter (pytest's own are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="preflight-hostile-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def test_there_are_at_least_a_hundred_hostile_inputs() -> None:
    assert len(CASES) >= 100
    assert len({case.name for case in CASES}) == len(CASES)


def _rule_ids(stdout: bytes) -> Counter[str]:
    """The findings of a report, counted by rule id."""
    text = stdout.decode("utf-8")  # every report is valid UTF-8, whatever the file names were
    if text.lstrip().startswith("{"):
        document = json.loads(text)
        if "runs" in document:  # SARIF
            return Counter(str(result["ruleId"]) for result in document["runs"][0]["results"])
        return Counter(str(finding["rule"]) for finding in document["findings"])
    # text: `file:line:col: severity ID name: message`; parseable: `file:line:col: severity: [ID] message`.
    # The file name may itself look like one: the pattern is greedy, so the last match on a line counts.
    return Counter(re.findall(r"(?m)^.*:\d+:\d+: (?:error|warning|info):? \[?(CP\d{3})\]? ", text))


def _expected_findings() -> dict[str, dict[str, int]]:
    return json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.is_file() else {}


@contextmanager
def _updating_expected_findings() -> Iterator[dict[str, dict[str, int]]]:
    """The expected findings, to change in place; read and written under a lock, as the workers of
    pytest-xdist each update their cases'."""
    with os.fdopen(os.open(EXPECTED, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read()
        table: dict[str, dict[str, int]] = json.loads(text) if text.strip() else {}
        yield table
        rows = [f"  {json.dumps(name)}: {json.dumps(dict(sorted(table[name].items())))}" for name in sorted(table)]
        handle.seek(0)
        handle.truncate()
        handle.write("{\n" + ",\n".join(rows) + "\n}\n")


def test_every_case_that_reports_findings_has_expected_findings_and_only_those(update_expected: bool) -> None:
    names = {case.name for case in CASES if case.expect.exit != 2}
    if update_expected:  # the cases' own tests add theirs: here, those of cases no longer in the table go
        with _updating_expected_findings() as table:
            for name in set(table) - names:
                del table[name]
        return
    stored = set(_expected_findings())
    assert stored == names, (
        f"{EXPECTED.name} lacks {sorted(names - stored)} and has {sorted(stored - names)} no case reports: run {REFRESH}"
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case_folder: Path, case: Case, update_expected: bool) -> None:
    if case.unprivileged and os.geteuid() == 0 and (reason := nobody_cannot_run_preflight()):
        pytest.skip(reason)
    code, stdout, stderr, peak_kb = run_case(case_folder, case)
    text = stderr.decode("utf-8", "replace")
    assert code == case.expect.exit, f"exit {code}: {text[-2000:]}"
    assert b"Traceback" not in stderr and b"internal error" not in stderr, text[-2000:]
    assert not RAW_CONTROL.search(stdout.decode("utf-8")) and not RAW_CONTROL.search(text)
    if code == 2:
        assert text.startswith(case.expect.error) and text.count("\n") == 1, text
        assert stdout == b""
    else:
        assert text == "", text
        found = _rule_ids(stdout)
        assert "CP999" not in found, stdout[-2000:]
        if case.expect.one_line_each:  # a line break in input never forges a line of output
            assert len(stdout.decode().splitlines()) == found.total(), stdout
        if update_expected:
            with _updating_expected_findings() as table:
                table[case.name] = dict(found)
        expected = _expected_findings().get(case.name)
        assert expected is not None, f"{EXPECTED.name} has no findings for {case.name}: run {REFRESH}"
        assert found == Counter(expected), (
            f"the findings differ from {EXPECTED.name}: if the change is meant, run {REFRESH} and review the diff"
        )
    assert peak_kb <= MAX_RSS_KB, f"{case.name}: peak memory {peak_kb / 1024:.0f} MB"
