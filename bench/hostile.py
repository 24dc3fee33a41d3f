"""Wall time and peak memory of `preflight` on every hostile input of tests/hostile_inputs.py, each in
its own process.

    python bench/hostile.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile_inputs import cases
from tests.test_hostile import run_case


def main() -> int:
    rows = []
    for case in cases():
        folder = Path(tempfile.mkdtemp(prefix="preflight-hostile-"))
        folder.chmod(0o755)
        try:
            start = time.perf_counter()
            code, _out, _err, peak_kb = run_case(folder, case)
            rows.append((case.name, code, time.perf_counter() - start, peak_kb / 1024))
        finally:
            for path in folder.rglob("*"):
                if path.is_dir():
                    path.chmod(0o755)
            shutil.rmtree(folder)
    print("| input | exit | seconds | peak MB |")
    print("|---|---|---|---|")
    for name, code, seconds, megabytes in rows:
        print(f"| {name} | {code} | {seconds:.2f} | {megabytes:.0f} |")
    slowest = max(rows, key=lambda row: row[2])
    largest = max(rows, key=lambda row: row[3])
    print(f"\nslowest: {slowest[0]} {slowest[2]:.2f} s; largest: {largest[0]} {largest[3]:.0f} MB; {len(rows)} inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
