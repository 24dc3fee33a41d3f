"""The integration snippets of the README's quick start and of docs/integrations.md, run the way their
tools run them."""

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
from tests.conftest import FIXTURES, REPO, fenced_block, run_cli
from tests.lsp_client import LspClient
from tests.offline_install import copy_working_tree, offline_environment

SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"


def snippet(page: str, name: str) -> str:
    return fenced_block(page, f"snippet: {name}")


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "packs").mkdir(parents=True)
    (tmp_path / "packs" / "good.yaml").write_text((FIXTURES / "packs" / "s3-baseline.yaml").read_text())
    (tmp_path / "packs" / "bad.yaml").write_text((FIXTURES / "packs" / "iam-baseline.yaml").read_text())
    (tmp_path / "notes.yaml").write_text("not: a pack\n")
    # The snippets run as printed; the project's settings choose the rules its packs break (and CP418's
    # hint about the run), so another rule's findings on them do not change what the tools print.
    (tmp_path / ".preflight.toml").write_text(
        'select = ["CP110", "CP208", "CP209", "CP305", "CP403", "CP410", "CP418", "CP420"]\n'
    )
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
    """A git repository, as CI checks one out: the light install reads its .gitignore files."""
    folder = _workspace(tmp_path_factory.mktemp("ci"))
    (folder / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    (folder / "stacks").mkdir()
    (folder / "stacks" / "rules.yaml").write_text(
        "Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n  Rule:\n    Type: AWS::Config::ConfigRule\n"
    )
    (folder / "stacks" / "pack.yaml").write_text(
        "Resources:\n  Pack:\n    Type: AWS::Config::OrganizationConformancePack\n    Properties:\n"
        "      TemplateBody: |\n        Resources:\n          R:\n            Type: AWS::Config::ConfigRule\n"
    )
    copy_working_tree(folder / "tools" / "conformance-preflight")
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    environment_folder = folder.parent / "python"
    subprocess.run([sys.executable, "-m", "venv", str(environment_folder)], check=True)
    environment = offline_environment(wheelhouse)
    environment["PATH"] = f"{environment_folder / 'bin'}{os.pathsep}{environment['PATH']}"
    environment.pop("PREFLIGHT_RAISE_RULE_ERRORS", None)
    environment["PREFLIGHT_CACHE_DIR"] = str(folder.parent / "cache")
    return CiJob(folder, environment)


@pytest.mark.skipif(not SCHEMA.is_file(), reason=f"SARIF schema not present at {SCHEMA}")
def test_github_actions_job(ci_job: CiJob) -> None:
    """Every `run:` step of the code-scanning workflow, as printed, in order: install, check."""
    workflow = YAML(typ="safe").load(snippet("docs/integrations.md", "github-actions"))
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
        "Found 3 errors, 2 warnings, 1 info in 2 files. Report written to preflight.sarif.\n",
    )
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    sarif = json.loads((ci_job.folder / upload["with"]["sarif_file"]).read_text())
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text()))
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]} == {
        "packs/bad.yaml"
    }


def test_the_quick_start_s_github_job(ci_job: CiJob) -> None:
    """The quick start's install, as the first `run:` step of its workflow, then its check: each finding
    an annotation of its file and line."""
    workflow = YAML(typ="safe").load(snippet("README.md", "github-annotations"))
    runs = [step["run"] for step in workflow["jobs"]["preflight"]["steps"] if "run" in step]
    assert runs == [snippet("README.md", "install"), "preflight check --format github packs/"]
    install, check = (ci_job.run(line) for line in runs)
    assert install.returncode == 0, install.stdout + install.stderr
    assert (check.returncode, check.stderr) == (1, "")
    annotations = [line.split(",title=", 1)[0] for line in check.stdout.splitlines()]
    assert [line for line in annotations if line.startswith("::error ")] == [
        "::error file=packs/bad.yaml,line=29,col=13,endLine=29,endColumn=49",
        "::error file=packs/bad.yaml,line=59,col=7,endLine=59,endColumn=13",
        "::error file=packs/bad.yaml,line=77,col=17,endLine=77,endColumn=66",
    ]
    assert len(annotations) == 6 and all(
        line.startswith(("::error ", "::warning ", "::notice ")) for line in annotations
    )


def test_the_quick_start_s_settings_exclude_a_vendored_copy_of_packs(tmp_path: Path) -> None:
    folder = _workspace(tmp_path)
    vendored = folder / "third_party" / "aws-config-rules"
    vendored.mkdir(parents=True)
    (vendored / "iam-baseline.yaml").write_text((FIXTURES / "packs" / "iam-baseline.yaml").read_text())
    assert "third_party/aws-config-rules/iam-baseline.yaml:" in run_cli(["check", "--no-cache", "."], cwd=folder).stdout
    settings = snippet("README.md", "exclude-vendored")
    assert settings.startswith("# pyproject.toml\n")
    # The snippet's settings, with the rules the workspace's own settings select (a .preflight.toml
    # would be read instead of pyproject.toml).
    selection = (folder / ".preflight.toml").read_text()
    (folder / ".preflight.toml").unlink()
    (folder / "pyproject.toml").write_text(settings + "\n" + selection)
    checked = run_cli(["check", "--no-cache", "."], cwd=folder)
    assert checked.exit_code == 1 and "packs/bad.yaml:" in checked.stdout and "third_party" not in checked.stdout
    shown = run_cli(["check", "--show-files", "."], cwd=folder).stdout
    assert [line.split(None, 2)[:2] for line in shown.splitlines() if "third_party" in line] == [
        ["third_party/aws-config-rules/", "excluded"]
    ]


def test_the_light_install_checks_a_repository_with_a_vendored_copy(ci_job: CiJob) -> None:
    """`pip install ./tools/conformance-preflight` (no extra), then `preflight check .` in the git
    repository: the packs and the pack inside a stack are checked (that one has no name and a rule
    without Properties), the rules stack and the compose file skipped, the vendored copy adds nothing,
    and --show-files says why of each."""
    install = ci_job.run("pip install ./tools/conformance-preflight")
    assert install.returncode == 0, install.stdout + install.stderr
    check = ci_job.run("preflight check --no-cache . || echo exit $?")
    assert check.stderr == ""
    assert check.stdout.endswith(
        "Found 5 errors, 2 warnings, 1 info in 3 files; 3 other files skipped (not conformance packs; --show-files lists "
        "them).\nexit 1\n"
    )
    assert "tools/" not in check.stdout
    shown = ci_job.run("preflight check --show-files .")
    assert shown.returncode == 0, shown.stderr
    rows = [line.split(None, 2)[:2] for line in shown.stdout.splitlines()[:-1]]
    assert [row for row in rows if row[1] in ("checked", "skipped")] == [
        ["docker-compose.yml", "skipped"], ["notes.yaml", "skipped"], ["packs/bad.yaml", "checked"],
        ["packs/good.yaml", "checked"], ["stacks/pack.yaml", "checked"], ["stacks/rules.yaml", "skipped"],
    ]  # fmt: skip
    # The rest is the vendored copy's, which nothing is read from (pip's build folders included).
    assert all(row[0].startswith("tools/conformance-preflight/") for row in rows if row[1] in ("excluded", "ignored"))
    assert shown.stdout.splitlines()[-1] == "14 paths: 3 checked, 3 skipped, 7 excluded, 1 ignored."


def test_gitlab_ci_job(ci_job: CiJob) -> None:
    """The script of the README's job, as printed, in order (the install is the one the workflow ran)."""
    job = YAML(typ="safe").load(snippet("docs/integrations.md", "gitlab-ci"))["preflight"]
    assert job["script"][0] == "pip install ./tools/conformance-preflight"
    for line in job["script"]:
        result = ci_job.run(line)
        assert result.returncode in (0, 1), result.stdout + result.stderr
    report = ElementTree.parse(ci_job.folder / job["artifacts"]["reports"]["junit"]).getroot()
    assert sorted(suite.get("name") for suite in report.iter("testsuite")) == ["packs/bad.yaml", "packs/good.yaml"]


def test_neovim_and_vscode_start_the_server_the_lsp_test_drives(tmp_path: Path) -> None:
    lua = snippet("docs/integrations.md", "neovim")
    command = lua.split("cmd = {", 1)[1].split("}", 1)[0]
    assert [part.strip().strip('"') for part in command.split(",") if part.strip()] == ["preflight", "lsp"]
    vscode = json.loads(snippet("docs/integrations.md", "vscode"))
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["preflight", "lsp"]
    executable = Path(sys.executable).parent / "preflight"
    client = LspClient(tmp_path, [str(executable), "lsp"])
    try:
        assert client.request("initialize", {"processId": None, "capabilities": {}})["result"]["serverInfo"]
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_configuration_reference_names_every_quota() -> None:
    reference = (
        (REPO / "docs" / "configuration.md").read_text(encoding="utf-8").split("## Configuration reference", 1)[1]
    )
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
    """The quick start's configuration, byte for byte, run by pre-commit on a repository: a failure
    shows the findings, and so does a pass with warnings."""
    folder = _workspace(tmp_path / "project")
    (folder / ".pre-commit-config.yaml").write_text(snippet("README.md", "pre-commit") + "\n")
    environment = _pre_commit_environment(tmp_path, wheelhouse)
    good, bad = _run_hooks(folder, environment)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "preflight (AWS Config conformance packs)" in good.stdout and "Passed" in good.stdout
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "packs/bad.yaml:29:13: error CP208 undefined-condition" in bad.stdout
    assert bad.stdout.rstrip().endswith("Found 3 errors, 2 warnings, 1 info in 1 file.")
    unused = "Parameters:\n  Unused:\n    Type: String\n    Default: x\n"
    (folder / "packs" / "warned.yaml").write_text(
        (folder / "packs" / "good.yaml").read_text().replace("Parameters:\n", unused, 1)
    )
    subprocess.run(["git", "add", "packs/warned.yaml"], cwd=folder, env=environment, check=True)
    warned = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--files", "packs/warned.yaml"], cwd=folder, env=environment,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert "Passed" in warned.stdout and "packs/warned.yaml:6:3: warning CP305 unused-parameter" in warned.stdout


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
    # Every file in one run (require_serial): one summary, not one per process pre-commit would start
    # (it gives a process at least 4 files, so 10 files would be 2 processes on 2 cores, 3 on 4).
    for number in range(8):
        (folder / "packs" / f"good-{number}.yaml").write_text((folder / "packs" / "good.yaml").read_text())
    subprocess.run(["git", "add", "packs"], cwd=folder, env=environment, check=True)
    every = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=folder, env=environment,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert [line for line in every.stdout.splitlines() if line.startswith("Found ")] == [
        "Found 3 errors, 2 warnings, 1 info in 10 files."
    ], every.stdout
