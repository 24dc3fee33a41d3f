from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from preflight.cli.main import main

# A helper module that asserts has its asserts rewritten as a test module's are, so a failure there
# shows the values it compared (the helpers moved out of test modules that grew too long).
pytest.register_assert_rewrite("tests.split_helpers")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPORA = REPO.parent / "shared" / "corpus"
CORPUS = CORPORA / "aws-samples"
NOBODY = 65534
SETPRIV = shutil.which("setpriv")


@functools.cache
def nobody_cannot_run_preflight() -> str | None:
    """Why root cannot run preflight as user nobody here (the tests of unreadable folders and of files
    of other users do), or None. A checkout inside a private folder (mktemp -d) is unreadable to nobody."""
    if os.geteuid() != 0 or SETPRIV is None:
        return "needs root and setpriv to run preflight as another user"
    probe = subprocess.run(
        [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable, "-c", "import preflight"],
        cwd="/", capture_output=True, text=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"user nobody cannot import preflight from {REPO} (a folder above it is private to root)"
    return None


@pytest.fixture(autouse=True)
def _raise_rule_errors(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests see a crashing rule as an exception, not as a CP999 finding, and each test's result cache
    is a folder of its own, never the repository's (the cache's own tests choose theirs)."""
    monkeypatch.setenv("PREFLIGHT_RAISE_RULE_ERRORS", "1")
    monkeypatch.setenv("PREFLIGHT_DEBUG", "1")
    monkeypatch.setenv("PREFLIGHT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield


REPOSITORY_CACHE = REPO / ".preflight_cache"
_CACHE_BEFORE = pytest.StashKey[frozenset[Path]]()


def _repository_cache_entries() -> frozenset[Path]:
    return frozenset(REPOSITORY_CACHE.rglob("*")) if REPOSITORY_CACHE.exists() else frozenset()


def pytest_sessionstart(session: pytest.Session) -> None:
    # The README's example command, run first as the README says, leaves a cache there: not the suite's.
    session.config.stash[_CACHE_BEFORE] = _repository_cache_entries()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Running the suite writes no cache in the repository: one there would make later runs check the
    cache instead of the rules."""
    if _repository_cache_entries() - session.config.stash.get(_CACHE_BEFORE, frozenset()):
        print(f"\nthe test suite left a result cache in the repository: {REPOSITORY_CACHE}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def fenced_block(page: str, marker: str) -> str:
    """The text inside the fenced code block that follows `<!-- marker -->` in a page of the manual (its
    path from the repository's folder): the commands, outputs and configuration the tests run."""
    after = (REPO / page).read_text(encoding="utf-8").split(f"<!-- {marker} -->\n", 1)[1]
    fence, body = after.split("\n", 1)
    assert fence.startswith("```"), f"{page}: no code block after <!-- {marker} -->"
    return body.split("\n```", 1)[0]


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


pytest_plugins = ["tests.aws_stand_in", "tests.fault_proxy", "tests.offline_install"]


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis keeps its example database and caches outside the repository (tests never write a
    cache there); with `derandomize` its examples do not depend on what an earlier run found."""
    from hypothesis import configuration

    configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "conformance-preflight-tests-hypothesis")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-expected",
        action="store_true",
        help=(
            "write the expected outputs (each fixture's fixtures/CPnnn/*.expected, the hostile inputs' "
            "tests/hostile_expected.json) instead of comparing with them"
        ),
    )


@pytest.fixture
def update_expected(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-expected"))
