"""Wall time of `preflight check --fix` and `--diff` on packs of growing size, each with a fixable
finding in every rule (a bare number CP406 quotes, a boolean CP404 lowers, an unused parameter CP305
removes): whole processes, the median of a few runs, the file rewritten from its original each run.
The last columns are --fix of the same pack with one more rule whose fix must be refused (its value
lowered would break its parameter's AllowedValues), and with one rule in ten so: refused fixes are
told apart by the entries the new errors are in, or by halving. The work must grow linearly with the
pack, and stay under 2 s for any pack under the 300 KB S3 limit.

    python bench/fix_speed.py [--runs 3] [--sizes 25,50,100,200,300,850]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULE = """\
  Policy{index}:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: policy-{index}
      InputParameters:
        MaxPasswordAge: 90
        RequireSymbols: 'TRUE'
      Source:
        Owner: AWS
        SourceIdentifier: IAM_PASSWORD_POLICY
"""
PARAMETER = "  Unused{index}:\n    Type: String\n    Default: x\n"
REFUSED = (
    "  Flag:\n    Type: String\n    Default: 'TRUE'\n    AllowedValues: ['TRUE', 'FALSE']\n",
    "  Flagged:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters:\n"
    "        RequireSymbols: !Ref Flag\n      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n",
)


def pack(kilobytes: int) -> tuple[str, int]:
    """A pack of about `kilobytes` KB, and the number of findings --fix fixes in it."""
    rules: list[str] = []
    parameters: list[str] = []
    index = 0
    while sum(map(len, rules)) + sum(map(len, parameters)) < kilobytes * 1000:
        rules.append(RULE.format(index=index))
        parameters.append(PARAMETER.format(index=index))
        index += 1
    return "Parameters:\n" + "".join(parameters) + "Resources:\n" + "".join(rules), index * 3


def _one_in_ten_refused(text: str) -> str:
    """`text` with every tenth rule's RequireSymbols read from a parameter of its own whose
    AllowedValues lowering would break."""
    rules = text.split("  Policy")
    flags = []
    for index in range(1, len(rules), 10):
        flags.append(f"  Flag{index}:\n    Type: String\n    Default: 'TRUE'\n    AllowedValues: ['TRUE', 'FALSE']\n")
        rules[index] = rules[index].replace("RequireSymbols: 'TRUE'", f"RequireSymbols: !Ref Flag{index}", 1)
    return "  Policy".join(rules).replace("Parameters:\n", "Parameters:\n" + "".join(flags), 1)


def timed(folder: Path, text: str, *args: str) -> float:
    target = folder / "pack.yaml"
    target.write_text(text)
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "check", "--no-cache", *args, "pack.yaml"],
        cwd=folder, capture_output=True, check=False,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="25,50,100,200,300,850")
    options = parser.parse_args()
    print("| pack | fixes | check s | --fix s | --diff s | --fix, one refused s | --fix, 1 in 10 refused s |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for kilobytes in (int(size) for size in options.sizes.split(",")):
            text, fixes = pack(kilobytes)
            medians = [
                statistics.median(timed(folder, text, *args) for _ in range(options.runs))
                for args in ([], ["--fix"], ["--diff"])
            ]
            poisoned = text.replace("Parameters:\n", "Parameters:\n" + REFUSED[0], 1) + REFUSED[1]
            medians.append(statistics.median(timed(folder, poisoned, "--fix") for _ in range(options.runs)))
            many = _one_in_ten_refused(text)
            medians.append(statistics.median(timed(folder, many, "--fix") for _ in range(options.runs)))
            size = len(text.encode()) / 1000
            print(f"| {size:,.0f} KB | {fixes:,} | " + " | ".join(f"{seconds:.2f}" for seconds in medians) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
