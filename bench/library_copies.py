"""What each hand-written copy of library code saves a check: a one-file check (cold, and with a warm
cache, where the cache key is computed) run as a whole process, with and without a prelude that does
the library's way of the same thing in that process. The difference of the medians is what the copy
saves; the issue's rule is to keep a copy only where that is over 2 ms.

    python bench/library_copies.py --runs 41

Not a test: numbers depend on the machine. Runs are interleaved, so a busy moment costs each variant
alike."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACK = HERE.parent / "fixtures" / "packs" / "iam-baseline.yaml"
FOLDER = HERE.parent / "fixtures" / "packs"
RUN = "import sys; sys.argv = ['preflight', *{args!r}]\n{prelude}\nfrom preflight.entry import run; run()"

# The library's way of doing what each copy does, as the copy would call it.
PRELUDES = {
    "none": "",
    "pkgutil.iter_modules (runner._module_names)": (
        "import pkgutil, rules; sorted(m.name for m in pkgutil.iter_modules(rules.__path__))"
    ),
    "importlib.metadata (cache.installed_metadata)": (
        "import importlib.metadata as md\n"
        "for name in ('cfn-lint', 'ruamel.yaml', 'ruamel.yaml.clibz', 'cfn-guard-rs'):\n"
        "    try: md.distribution(name).read_text('METADATA')\n"
        "    except md.PackageNotFoundError: pass"
    ),
    "inspect.cleandoc (rule._clean_docstring)": "import inspect; inspect.cleandoc('  a\\n  b')",
    "pathspec (model.globs), a folder check": (
        "import pathspec; pathspec.PathSpec.from_lines('gitwildmatch', ['node_modules', '.git', '*.json'])"
    ),
    "concurrent.futures.process (parallel.fork_map), a folder check": "import concurrent.futures.process",
}
FOLDER_PRELUDES = {name for name in PRELUDES if name.endswith("a folder check")}


def _time(code: str, environment: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"exit {result.returncode}: {result.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "PREFLIGHT_CACHE_DIR": cache}
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        variants: dict[tuple[str, str], str] = {}
        for name, prelude in PRELUDES.items():
            folder = name in FOLDER_PRELUDES
            setups = (
                [("folder, no cache", ["check", "--no-cache", str(FOLDER)])]
                if folder
                else [
                    ("one file, no cache", ["check", "--no-cache", str(PACK)]),
                    ("one file, warm cache", ["check", str(PACK)]),
                ]
            )
            if name == "none":
                setups.append(("folder, no cache", ["check", "--no-cache", str(FOLDER)]))
            for setup, args in setups:
                variants[(name, setup)] = RUN.format(args=args, prelude=prelude)
        times: dict[tuple[str, str], list[float]] = {key: [] for key in variants}
        for code in variants.values():  # warm-up: bytecode and the cache entry
            _time(code, environment)
        for _ in range(options.runs):
            for key, code in variants.items():
                times[key].append(_time(code, environment))
    medians = {key: statistics.median(values) * 1000 for key, values in times.items()}
    print(f"python {sys.version.split()[0]}, {options.runs} runs each, medians in ms")
    print(f"{'library way':<66} {'check':<22} {'median':>8} {'more':>7}")
    for (name, setup), median in medians.items():
        extra = median - medians[("none", setup)]
        print(f"{name:<66} {setup:<22} {median:8.1f} {extra:+7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
