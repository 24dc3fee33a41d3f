"""Whole-process timings of `preflight check`, with cfn-lint on the same files in the same session.

    python bench/lint_speed.py [--runs 7] [--cfn-lint-runs 3] [--corpus DIR] [--file FILE] [--no-cfn-lint]

Prints medians (and min/max) in milliseconds, each after one untimed warm-up run. Not a test:
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "aws-samples"
PREFLIGHT_EXITS = (0, 1)
ANY_EXIT = tuple(range(256))  # cfn-lint's exit code is a bit mask of what it found
# An installed package has compiled bytecode. Let the interpreter write it for an editable install
# too (the warm-up run does), so the timed runs see what a user's shell sees.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _time(command: list[str], runs: int, ok: tuple[int, ...] = PREFLIGHT_EXITS) -> list[float]:
    timings = []
    for attempt in range(runs + 1):
        start = time.perf_counter()
        result = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=ENVIRONMENT
        )
        if attempt:
            timings.append((time.perf_counter() - start) * 1000)
        if result.returncode not in ok:
            detail = result.stderr.decode()[-500:]
            raise SystemExit(f"{' '.join(command[:3])} ... failed ({result.returncode}): {detail}")
    return timings


def _row(label: str, timings: list[float]) -> str:
    median, low, high = statistics.median(timings), min(timings), max(timings)
    return f"| {label} | {median:,.0f} | {low:,.0f} | {high:,.0f} | {len(timings)} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cfn-lint-runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--file", type=Path, help="single file (default: the largest file of the corpus)")
    parser.add_argument("--no-cfn-lint", action="store_true", help="skip every run that involves cfn-lint")
    args = parser.parse_args()

    files = sorted(p for p in args.corpus.glob("*") if p.suffix in (".yaml", ".yml"))
    if not files and args.file is None:
        print(f"no corpus at {args.corpus}; pass --corpus or --file", file=sys.stderr)
        return 2
    single = args.file or max(files, key=lambda p: p.stat().st_size)
    # The console script, as users run it (`python -m preflight` in the repository root would shadow the install).
    preflight = [str(Path(sys.executable).parent / "preflight"), "check"]
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or shutil.which("cfn-lint")

    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} cores")
    print(f"single file: {single.name} ({single.stat().st_size:,} bytes); corpus: {len(files)} files in {args.corpus}")
    print()
    print("| command | median ms | min ms | max ms | runs |")
    print("|---|---|---|---|---|")
    print(_row("python -c pass (interpreter start)", _time([sys.executable, "-c", "pass"], args.runs)))
    one = _time([*preflight, str(single)], args.runs)
    print(_row("preflight check <one file>", one))
    corpus = _time([*preflight, *map(str, files)], args.runs) if files else []
    if corpus:
        print(_row(f"preflight check <{len(files)} files, one process>", corpus))
    if args.no_cfn_lint:
        return 0
    corpus_runs = max(1, args.cfn_lint_runs - 2)
    print(
        _row(
            "preflight check --cfn-lint <one file>", _time([*preflight, "--cfn-lint", str(single)], args.cfn_lint_runs)
        )
    )
    if files:
        merged = _time([*preflight, "--cfn-lint", *map(str, files)], corpus_runs)
        print(_row(f"preflight check --cfn-lint <{len(files)} files, one process>", merged))
    if cfn_lint is None:
        print("\ncfn-lint not found: no ratio")
        return 0
    cfn_one = _time([cfn_lint, str(single)], args.cfn_lint_runs, ANY_EXIT)
    print(_row("cfn-lint <one file>", cfn_one))
    cfn_corpus = _time([cfn_lint, *map(str, files)], corpus_runs, ANY_EXIT) if files else []
    if cfn_corpus:
        print(_row(f"cfn-lint <{len(files)} files, one process>", cfn_corpus))
    print()
    print(f"one file: preflight is {statistics.median(cfn_one) / statistics.median(one):.1f}x faster than cfn-lint")
    if corpus and cfn_corpus:
        ratio = statistics.median(cfn_corpus) / statistics.median(corpus)
        print(f"corpus:   preflight is {ratio:.1f}x faster than cfn-lint")
    return 0


if __name__ == "__main__":
    sys.exit(main())
