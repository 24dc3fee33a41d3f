"""The side-by-side benchmark runs (on two files; the numbers themselves are not tested)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_side_by_side_benchmark_on_two_files() -> None:
    files = ["fixtures/packs/s3-baseline.yaml", "fixtures/packs/iam-baseline.yaml"]
    result = subprocess.run(
        [sys.executable, "bench/lint_speed.py", "--files", *files, "--runs", "1", "--cfn-lint-runs", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("| preflight check, one file (cold start) |") for line in lines)
    assert any(line.startswith("| cfn-lint, 2 files |") for line in lines)
    assert any(
        line.startswith("all files: preflight -j 1 is ") and line.endswith("x faster than cfn-lint") for line in lines
    )
    peak = next(line for line in lines if line.startswith("| preflight check, one file"))
    assert float(peak.rstrip(" |").rsplit("|", 1)[1]) > 0
