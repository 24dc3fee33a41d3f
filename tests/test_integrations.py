"""The README's integration snippets, run the way their tools run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from preflight.model.limits import quota_keys
from tests.conftest import FIXTURES, REPO
from tests.lsp_client import LspClient
from tests.offline_install import copy_working_tree, offline_environment

README = (REPO / "README.md").read_text(encoding="utf-8")
SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"


def snippet(name: str) -> str:
    return README.split(f"<!-- snippet: {name} -->", 1)[1].split("\n", 2)[2].split("\n```", 1)[0]


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "packs").mkdir(parents=True)
    (tmp_path / "packs" / "good.yaml").write_text((FIXTURES / "packs" / "s3-baseline.yaml").read_text())
    (tmp_path / "packs" / "bad.yaml").write_text((FIXTURES / "packs" / "iam-baseline.yaml").read_text())
    (tmp_path / "notes.yaml").write_text("not: a pack\n")
    return tmp_path


@dataclass(frozen=True)
class CiJob:
    """A repository as a CI job sees it (the packs, and this repository at tools/conformance-preflight),
    and a new Python environment on the PATH in which the job's steps run, with pip offline."""

    folder: Path
    environment: dict[str, str]

    def run(self, line: str) -> subprocess.CompletedProcess[str]:
        """One step's command line, as printed, in bash, as the runner runs it."""
        return subprocess.run(
            ["bash", "-e", "-c", line], cwd=self.folder, env=self.environment, capture_output=True, text=True,
            timeout=600, check=False,
        )  # fmt: skip


@pytest.fixture(scope="module")
def ci_job(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> CiJob:
    folder = _workspace(tmp_path_factory.mktemp("ci"))
    copy_working_tree(folder / "tools" / "conformance-preflight")
    environment_folder = folder.parent / "python"
    subprocess.run([sys.executable, "-m", "venv", str(environment_folder)], check=True)
    environment = offline_environment(wheelhouse)
    environment["PATH"] = f"{environment_folder / 'bin'}{os.pathsep}{environment['PATH']}"
    environment.pop("PREFLIGHT_RAISE_RULE_ERRORS", None)
    environment["PREFLIGHT_CACHE_DIR"] = str(folder.parent / "cache")
    return CiJob(folder, environment)


@pytest.mark.skipif(not SCHEMA.is_file(), reason=f"SARIF schema not present at {SCHEMA}")
def test_github_actions_job(ci_job: CiJob) -> None:
    """Every `run:` step of the README's workflow, as printed, in order: install, check."""
    workflow = YAML(typ="safe").load(snippet("github-actions"))
    steps = workflow["jobs"]["preflight"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == [
        "pip install ./tools/conformance-preflight",
        "preflight check --format sarif --output preflight.sarif packs/",
    ]
    install, check = (ci_job.run(line) for line in runs)
    assert install.returncode == 0, install.stdout + install.stderr
    assert (check.returncode, check.stdout) == (
        1,
        "Found 3 errors, 2 warnings in 2 files. Report written to preflight.sarif.\n",
    )
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    sarif = json.loads((ci_job.folder / upload["with"]["sarif_file"]).read_text())
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text()))
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]} == {
        "packs/bad.yaml"
    }


def test_gitlab_ci_job(ci_job: CiJob) -> None:
    """The script of the README's job, as printed, in order (the install is the one the workflow ran)."""
    job = YAML(typ="safe").load(snippet("gitlab-ci"))["preflight"]
    assert job["script"][0] == "pip install ./tools/conformance-preflight"
    for line in job["script"]:
        result = ci_job.run(line)
        assert result.returncode in (0, 1), result.stdout + result.stderr
    report = ElementTree.parse(ci_job.folder / job["artifacts"]["reports"]["junit"]).getroot()
    assert sorted(suite.get("name") for suite in report.iter("testsuite")) == ["packs/bad.yaml", "packs/good.yaml"]


def test_neovim_and_vscode_start_the_server_the_lsp_test_drives(tmp_path: Path) -> None:
    lua = snippet("neovim")
    command = lua.split("cmd = {", 1)[1].split("}", 1)[0]
    assert [part.strip().strip('"') for part in command.split(",") if part.strip()] == ["preflight", "lsp"]
    vscode = json.loads(snippet("vscode"))
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["preflight", "lsp"]
    executable = Path(sys.executable).parent / "preflight"
    client = LspClient(tmp_path, [str(executable), "lsp"])
    try:
        assert client.request("initialize", {"processId": None, "capabilities": {}})["result"]["serverInfo"]
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_configuration_reference_names_every_quota() -> None:
    reference = README.split("## Configuration reference", 1)[1]
    for key in quota_keys():
        assert f"`quotas.{key}`" in reference


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def working_tree_repository(target: Path) -> tuple[Path, str]:
    """A git repository holding this working tree as it is now (uncommitted and new files included), and
    its commit: what pre-commit installs is the code under test, not the last commit."""
    copy_working_tree(target)
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "working tree"]):
        subprocess.run(["git", *command], cwd=target, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=target, capture_output=True, text=True, check=True)
    return target, head.stdout.strip()


def _pre_commit_environment(tmp_path: Path, wheelhouse: Path) -> dict[str, str]:
    """pip offline (the wheelhouse), and preflight installed as the README says, its bin folder on the
    PATH: this environment's."""
    environment = {**offline_environment(wheelhouse), "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
                   "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    environment.pop("PREFLIGHT_RAISE_RULE_ERRORS", None)
    environment.pop("PREFLIGHT_DEBUG", None)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    return environment


def _run_hooks(folder: Path, environment: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], ...]:
    """pre-commit on a clean commit (a pack and another YAML file), then on a broken pack."""
    pre_commit = [sys.executable, "-m", "pre_commit"]

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=folder, env=environment, check=True, capture_output=True)

    git("init", "-q")
    git("add", "packs/good.yaml", "notes.yaml", ".pre-commit-config.yaml")
    good = subprocess.run(
        [*pre_commit, "run", "--files", "packs/good.yaml", "notes.yaml"], cwd=folder, env=environment,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    git("add", "packs/bad.yaml")
    bad = subprocess.run(
        [*pre_commit, "run", "--files", "packs/bad.yaml"], cwd=folder, env=environment,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return good, bad


def test_pre_commit_snippet_as_printed(tmp_path: Path, wheelhouse: Path) -> None:
    """The README's configuration, byte for byte, run by pre-commit on a repository."""
    folder = _workspace(tmp_path / "project")
    (folder / ".pre-commit-config.yaml").write_text(snippet("pre-commit") + "\n")
    good, bad = _run_hooks(folder, _pre_commit_environment(tmp_path, wheelhouse))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "preflight (AWS Config conformance packs)" in good.stdout and "Passed" in good.stdout
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "packs/bad.yaml:29:13: error CP208 undefined-condition" in bad.stdout
    assert bad.stdout.rstrip().endswith("Found 3 errors, 2 warnings in 1 file.")


def test_this_repository_is_a_pre_commit_hook_repository(tmp_path: Path, wheelhouse: Path) -> None:
    """pre-commit installs the hook of .pre-commit-hooks.yaml from the working tree under test, in its
    own environment (its pip offline, from the wheelhouse), and runs it."""
    repository, head = working_tree_repository(tmp_path / "preflight")
    folder = _workspace(tmp_path / "project")
    (folder / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repository}\n    rev: {head}\n    hooks:\n      - id: preflight\n        files: ^packs/\n"
    )
    environment = _pre_commit_environment(tmp_path, wheelhouse)
    environment["PATH"] = environment["PATH"].split(os.pathsep, 1)[1]  # the hook's own environment only
    good, bad = _run_hooks(folder, environment)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "preflight (AWS Config conformance packs)" in good.stdout and "Passed" in good.stdout
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "packs/bad.yaml:29:13: error CP208 undefined-condition" in bad.stdout
