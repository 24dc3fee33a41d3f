"""Hostile input never crashes, hangs or exhausts memory: findings, or exit 2 with one line.

Each case runs in its own process; peak memory comes from that process's resource usage. Wall time is
reported by bench/hostile.py rather than asserted here (timed assertions are flaky); a case that
hangs is killed and fails."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.hostile_inputs import Builder, cases

CASES = list(cases())
MAX_RSS_KB = 300 * 1024
HANG_SECONDS = 120


# The child's peak memory, measured by a small wrapper process: a child forked from pytest itself would
# count pytest's memory as its own until it exec()s.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_case(folder: Path, files: dict[str, bytes], args: list[str]) -> tuple[int, str, str, int]:
    """Exit code, standard output, standard error and peak memory (KB) of `preflight ARGS` in `folder`."""
    for name, data in files.items():
        path = folder / name  # names may carry surrogate escapes: bytes that are not UTF-8
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFLIGHT")}
    process = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "preflight", *args],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
    )  # fmt: skip
    killer = threading.Timer(HANG_SECONDS, process.kill)
    killer.start()
    try:
        stdout, stderr = process.communicate()
    finally:
        killer.cancel()
    text = stderr.decode(errors="replace")
    *lines, peak = text.splitlines() or ["0"]
    error = "".join(line + "\n" for line in lines)
    return process.returncode, stdout.decode(errors="replace"), error, int(peak) if peak.isdigit() else 0


def test_there_are_at_least_forty_hostile_inputs() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("name", "build"), CASES, ids=[case[0] for case in CASES])
def test_hostile_input(tmp_path: Path, name: str, build: Builder) -> None:
    files, args = build()
    code, stdout, stderr, peak_kb = run_case(tmp_path, files, args)
    del files
    assert code in (0, 1, 2), f"exit {code}: {stderr[-2000:]}"
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[-2000:]
    assert "CP999" not in stdout
    if code == 2:
        assert len(stderr.splitlines()) == 1 and stderr.startswith("preflight: error: "), stderr
    else:
        assert stderr == "", stderr
    assert peak_kb <= MAX_RSS_KB, f"{name}: peak memory {peak_kb / 1024:.0f} MB"
