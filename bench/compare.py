"""Two installs of preflight side by side (before and after a change): the four preflight rows of
lint_speed.py, with the runs of the two installs interleaved, in alternating order, so that a machine
that slows down for a minute slows both. Whole-process wall times; medians.

    python bench/compare.py /path/to/before-venv /path/to/after-venv --runs 30

Each install is a virtual environment with preflight installed in it (not editable: an installed
package has compiled bytecode). Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lint_speed import DEFAULT_CORPUS, ENVIRONMENT, PREFLIGHT_EXITS


def _run(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=ENVIRONMENT, cwd=cwd
    )
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode not in PREFLIGHT_EXITS:
        raise SystemExit(f"{' '.join(command[:3])} ... failed ({result.returncode}): {result.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("installs", type=Path, nargs=2, help="two virtual environments: before, after")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()

    files = sorted(str(p.resolve()) for p in args.corpus.glob("*") if p.suffix in (".yaml", ".yml"))
    if not files:
        print(f"no files: no corpus at {args.corpus}; pass --corpus", file=sys.stderr)
        return 2
    single = max(files, key=lambda path: os.path.getsize(path))
    commands = [str(install / "bin" / "preflight") for install in args.installs]
    rows = {
        "one file, cold start": ["check", "--no-cache", single],
        f"-j 1, {len(files)} files": ["check", "--no-cache", "-j", "1", *files],
        f"-j 2, {len(files)} files": ["check", "--no-cache", "-j", "2", *files],
        f"{len(files)} files, warm cache": ["check", *files],
    }
    timings: dict[tuple[str, int], list[float]] = {(row, side): [] for row in rows for side in (0, 1)}
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as caches:
        folders = [Path(caches) / "before", Path(caches) / "after"]
        for side, folder in enumerate(folders):  # each install's own cache, filled once; both see an empty folder
            folder.mkdir()
            _run([commands[side], *rows[f"{len(files)} files, warm cache"]], folder)
        for attempt in range(args.runs + 1):
            for row, arguments in rows.items():
                for side in (0, 1) if attempt % 2 else (1, 0):
                    cwd = folders[side] if "warm" in row else Path(empty)
                    elapsed = _run([commands[side], *arguments], cwd)
                    if attempt:  # the first round warms the file cache
                        timings[(row, side)].append(elapsed)
    print(f"{args.runs} interleaved runs each; medians in ms")
    print()
    print("| run | before | after | change |")
    print("|---|---|---|---|")
    for row in rows:
        before, after = (statistics.median(timings[(row, side)]) for side in (0, 1))
        print(f"| {row} | {before:,.0f} | {after:,.0f} | {(after - before) / before:+.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
