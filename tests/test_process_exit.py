"""The `preflight` process ends with os._exit once its output is flushed: nothing may be lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKS = sorted((REPO / "fixtures").glob("CP*/bad*.yaml"))


def _preflight(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def test_a_large_report_arrives_whole_through_a_pipe() -> None:
    result = _preflight("check", "--no-cache", "--format", "json", *map(str, PACKS))
    report = json.loads(result.stdout)  # flushed to the last byte, or this fails
    assert result.returncode == 1
    assert len(report["findings"]) >= len(PACKS)
    assert len(result.stdout) > 64 * 1024  # more than a pipe holds at once


def test_exit_statuses_survive_the_quick_exit(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
    )
    assert _preflight("check", "--no-cache", "ok.yaml", cwd=tmp_path).returncode == 0
    assert _preflight("check", "--no-cache", "missing.yaml", cwd=tmp_path).returncode == 2
    version = _preflight("--version")
    assert (version.returncode, version.stdout.startswith("preflight, version ")) == (0, True)


def test_the_report_is_written_when_the_reader_leaves_early() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "preflight", "check", "--no-cache", "--format", "json", *map(str, PACKS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()  # like `preflight check ... | head -1`
        errors = process.stderr.read().decode()
        status = process.wait(timeout=120)
    assert (status, errors) == (1, "")


def test_the_cli_loads_with_the_collector_paused_and_checks_with_it_on() -> None:
    probe = (
        "import gc\nfrom preflight.entry import load_cli\nload_cli()\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 1000)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/", check=False)
    assert (result.stdout, result.stderr) == ("True True\n", "")


def _with_closed(descriptor: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`preflight ARGS` started with stdout (1) or stderr (2) closed, as `>&-` or `2>&-` do."""
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=lambda: os.close(descriptor),
        check=False,
        timeout=120,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="closes a descriptor before exec")
def test_a_closed_standard_stream_keeps_the_exit_status() -> None:
    assert _with_closed(1, "--version").returncode == 0
    assert _with_closed(2, "rules").returncode == 0
    assert _with_closed(2, "explain", "XX").returncode == 2
