"""The lint path never imports boto3, botocore or cfn-lint (they cost more than the whole check), nor
`split`, nor Guard: only a pack with a CUSTOM_POLICY rule imports preflight's Guard modules, and
cfn-guard-rs runs in a child process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, REPO

HEAVY = ("boto3", "botocore", "cfnlint", "jsonschema", "networkx", "cfn_guard_rs")
GUARD_MODULES = {"preflight.guard.supervisor", "preflight.load.scalar_positions"}


def test_check_imports_no_aws_sdk_and_no_cfn_lint() -> None:
    pack = FIXTURES / "packs" / "iam-baseline.yaml"
    request = FIXTURES / "CP133" / "bad.yaml"
    policies = FIXTURES / "CP413" / "bad.yaml"
    for args, has_policies in (
        (["check", "--no-cache", str(pack)], False),
        (["check", "--format", "json", "--request", str(request)], False),
        (["check", "--no-cache", str(policies)], True),
        (["check", str(FIXTURES)], True),
        (["rules"], False),
    ):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "preflight", *args], capture_output=True, text=True, check=False
        )
        assert result.returncode in (0, 1), result.stderr[-2000:]
        modules = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        imported = {module.split(".")[0] for module in modules}
        assert "preflight" in imported
        assert not imported & set(HEAVY), f"{args}: {sorted(imported & set(HEAVY))}"
        assert not {module for module in modules if module.startswith(("preflight.split", "preflight.cli.split"))}, args
        assert (modules >= GUARD_MODULES) is has_policies and (modules & GUARD_MODULES != set()) is has_policies, args


def test_the_layer_contracts_hold() -> None:
    """pyproject.toml's import-linter contracts: each layer imports only from those below it, rules
    only from preflight.api, and the lint path no AWS SDK, cfn-lint, language server, Guard or split."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Contracts: 9 kept, 0 broken." in result.stdout
