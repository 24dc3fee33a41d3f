from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from preflight.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPORA = REPO.parent / "shared" / "corpus"
CORPUS = CORPORA / "aws-samples"


@pytest.fixture(autouse=True)
def _raise_rule_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests see a crashing rule as an exception, not as a CP999 finding."""
    monkeypatch.setenv("PREFLIGHT_RAISE_RULE_ERRORS", "1")
    monkeypatch.setenv("PREFLIGHT_DEBUG", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, object]:
        return json.loads(self.stdout)  # type: ignore[no-any-return]

    @property
    def findings(self) -> list[dict[str, object]]:
        return self.json["findings"]  # type: ignore[return-value]


def run_cli(args: Sequence[str], *, stdin: bytes | str | None = None, cwd: Path | None = None) -> Run:
    """The real command line, in process."""
    runner = CliRunner()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), input=stdin, catch_exceptions=False)
    finally:
        os.chdir(previous)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> object:
    return run_cli


pytest_plugins = ["tests.aws_stand_in", "tests.fault_proxy"]
