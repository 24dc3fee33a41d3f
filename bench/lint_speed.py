"""preflight and cfn-lint side by side, on the same files in the same run: whole-process wall times
(medians after one warm-up run), the ratio, single-file cold start, and peak memory per process.

    python bench/lint_speed.py                      # the shared AWS sample corpus
    python bench/lint_speed.py --files a.yaml b.yaml --runs 1 --cfn-lint-runs 1

Not a test: numbers depend on the machine. preflight runs with --no-cache (a warm cache is shown
separately), so the comparison is cold work against cold work. Both tools run in an empty folder,
so neither reads a configuration file (pyproject.toml, .cfnlintrc) from where the script was started.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "aws-samples"
PREFLIGHT_EXITS = (0, 1)
ANY_EXIT = tuple(range(256))  # cfn-lint's exit code is a bit mask of what it found
# An installed package has compiled bytecode. Let the interpreter write it for an editable install
# too (the warm-up run does), so the timed runs see what a user's shell sees.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
# Peak memory of one process, measured by a small wrapper (a child forked from this script would
# count this script's memory until it exec()s).
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _time(command: list[str], runs: int, cwd: Path, ok: tuple[int, ...] = PREFLIGHT_EXITS) -> list[float]:
    timings = []
    for attempt in range(runs + 1):
        start = time.perf_counter()
        result = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=ENVIRONMENT, cwd=cwd
        )
        if attempt:
            timings.append((time.perf_counter() - start) * 1000)
        if result.returncode not in ok:
            detail = result.stderr.decode()[-500:]
            raise SystemExit(f"{' '.join(command[:3])} ... failed ({result.returncode}): {detail}")
    return timings


def _peak_mb(command: list[str], cwd: Path) -> float:
    output = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=False, env=ENVIRONMENT, cwd=cwd
    ).stdout
    return int(output.split()[-1]) / 1024


def _row(label: str, timings: list[float], peak: float | None = None) -> str:
    median, low, high = statistics.median(timings), min(timings), max(timings)
    memory = f"{peak:.0f}" if peak is not None else ""
    return f"| {label} | {median:,.0f} | {low:,.0f} | {high:,.0f} | {len(timings)} | {memory} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cfn-lint-runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--files", type=Path, nargs="+", help="these files instead of the corpus")
    parser.add_argument("--no-cfn-lint", action="store_true", help="skip every run that involves cfn-lint")
    args = parser.parse_args()

    files = [
        path.resolve()
        for path in args.files or sorted(p for p in args.corpus.glob("*") if p.suffix in (".yaml", ".yml"))
    ]
    if not files:
        print(f"no files: no corpus at {args.corpus}; pass --corpus or --files", file=sys.stderr)
        return 2
    single = max(files, key=lambda p: p.stat().st_size)
    paths = [str(p) for p in files]
    bin_dir = Path(sys.executable).parent
    # The console script, as users run it (`python -m preflight` in the repository root would shadow the install).
    preflight = [str(bin_dir / "preflight"), "check", "--no-cache"]
    cfn_lint = shutil.which("cfn-lint", path=str(bin_dir)) or shutil.which("cfn-lint")

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"single file: {single.name} ({single.stat().st_size:,} bytes); {len(files)} files in all")
    print()
    print("| command | median ms | min ms | max ms | runs | peak MB |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as cache_folder:
        here = Path(empty)
        print(_row("python -c pass (interpreter start)", _time([sys.executable, "-c", "pass"], args.runs, here)))
        one = _time([*preflight, str(single)], args.runs, here)
        print(_row("preflight check, one file (cold start)", one, _peak_mb([*preflight, str(single)], here)))
        serial = _time([*preflight, "-j", "1", *paths], args.runs, here)
        serial_peak = _peak_mb([*preflight, "-j", "1", *paths], here)
        print(_row(f"preflight check -j 1, {len(files)} files", serial, serial_peak))
        parallel = _time([*preflight, *paths], args.runs, here)
        print(_row(f"preflight check (-j {os.cpu_count()}), {len(files)} files", parallel))
        warm = _time([str(bin_dir / "preflight"), "check", *paths], args.runs, Path(cache_folder))
        print(_row(f"preflight check, {len(files)} files, warm cache", warm))
        if args.no_cfn_lint:
            return 0
        merged_runs = max(1, args.cfn_lint_runs - 2)
        merged = _time([*preflight, "--cfn-lint", "-j", "1", *paths], merged_runs, here)
        print(_row(f"preflight check --cfn-lint -j 1, {len(files)} files", merged))
        if cfn_lint is None:
            print("\ncfn-lint not found: no ratio")
            return 0
        cfn_one = _time([cfn_lint, str(single)], args.cfn_lint_runs, here, ANY_EXIT)
        print(_row("cfn-lint, one file (cold start)", cfn_one, _peak_mb([cfn_lint, str(single)], here)))
        cfn_all = _time([cfn_lint, *paths], merged_runs, here, ANY_EXIT)
        print(_row(f"cfn-lint, {len(files)} files", cfn_all, _peak_mb([cfn_lint, *paths], here)))
    print()
    reference = statistics.median(cfn_all)
    print(f"one file:  preflight is {statistics.median(cfn_one) / statistics.median(one):.1f}x faster than cfn-lint")
    print(f"all files: preflight -j 1 is {reference / statistics.median(serial):.1f}x faster than cfn-lint")
    print(f"all files: preflight -j {os.cpu_count()} is {reference / statistics.median(parallel):.1f}x faster")
    print(f"all files: preflight with a warm cache is {reference / statistics.median(warm):.1f}x faster")
    print(f"--cfn-lint costs {(statistics.median(merged) - statistics.median(serial)) / len(files):,.0f} ms a file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
