"""The lint path never imports boto3, botocore or cfn-lint (they cost more than the whole check)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import FIXTURES

HEAVY = ("boto3", "botocore", "cfnlint", "jsonschema", "networkx")


def test_check_imports_no_aws_sdk_and_no_cfn_lint() -> None:
    pack = FIXTURES / "packs" / "iam-baseline.yaml"
    request = FIXTURES / "CP133" / "bad.yaml"
    for args in (
        ["check", str(pack)],
        ["check", "--format", "json", "--request", str(request)],
        ["check", str(FIXTURES)],
        ["rules"],
    ):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "preflight", *args], capture_output=True, text=True, check=False
        )
        assert result.returncode in (0, 1), result.stderr[-2000:]
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
        assert "preflight" in imported
        assert not imported & set(HEAVY), f"{args}: {sorted(imported & set(HEAVY))}"
