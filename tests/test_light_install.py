"""`pip install .` is the light install: what `check`, `rules` and `explain` need, and nothing of the
extras. The README's example command runs in a copy of the working tree, with pip offline (the
wheelhouse of tests/offline_install.py instead of an index), and then each feature of an extra says
which extra it needs."""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from preflight.cli.extras import EXTRAS
from tests.conftest import REPO, run_cli
from tests.offline_install import copy_working_tree, offline_environment

README = (REPO / "README.md").read_text(encoding="utf-8")
EXAMPLE = README.split("<!-- example-command -->", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
CHECKING_NEEDS = {"conformance-preflight", "click", "ruamel.yaml", "ruamel.yaml.clibz", "google-re2", "pathspec"}
EXTRAS_BRING = ("boto3", "botocore", "cfnlint", "pygls", "lsprotocol", "moto", "sympy", "networkx", "cfn_guard_rs")


@dataclass(frozen=True)
class Light:
    folder: Path
    environment: dict[str, str]
    example: subprocess.CompletedProcess[str]

    def run(self, *args: str, preflight: Path | None = None) -> subprocess.CompletedProcess[str]:
        """The light install's `preflight`, or another (`preflight`) in the same folder and environment."""
        return subprocess.run(
            [str(preflight or self.folder / ".venv" / "bin" / "preflight"), *args],
            cwd=self.folder, env=self.environment, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip

    def python(self, code: str) -> str:
        return subprocess.run(
            [str(self.folder / ".venv" / "bin" / "python"), "-I", "-c", code],  # -I: no folder of ours on sys.path
            env=self.environment, capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip


@pytest.fixture(scope="module")
def light(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Iterator[Light]:
    """The README's example command, pasted into bash in a clone: a new .venv, `pip install .`, a check."""
    folder = copy_working_tree(tmp_path_factory.mktemp("clone"))
    environment = offline_environment(wheelhouse)
    example = subprocess.run(
        ["bash", "-c", EXAMPLE], cwd=folder, env=environment, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    yield Light(folder, environment, example)
    shutil.rmtree(folder / ".venv", ignore_errors=True)


def test_the_example_command_installs_and_checks(light: Light) -> None:
    assert light.example.returncode == 1, light.example.stdout[-3000:] + light.example.stderr[-3000:]
    expected = run_cli(["check", "fixtures/packs/iam-baseline.yaml"], cwd=light.folder)
    assert expected.exit_code == 1
    assert light.example.stdout.endswith(expected.stdout)


def test_the_light_install_holds_only_what_checking_needs(light: Light) -> None:
    installed = json.loads(
        light.python(
            "import importlib.metadata, json; print(json.dumps([d.metadata['Name'] for d in importlib.metadata.distributions()]))"
        )
    )
    assert set(installed) - {"pip", "setuptools"} == CHECKING_NEEDS  # pip and setuptools: the venv's own
    found = json.loads(
        light.python(
            f"import importlib.util, json; print(json.dumps([n for n in {list(EXTRAS_BRING)!r} if importlib.util.find_spec(n)]))"
        )
    )
    assert found == []


@pytest.mark.parametrize(
    "args",
    [
        ["check", "fixtures/packs/iam-baseline.yaml"],
        ["check", "--format", "json", "--no-cache", "fixtures/CP420/bad.yaml"],  # the shipped schemas
        ["check", "--format", "json", "--request", "fixtures/CP133/bad.yaml"],
        ["rules"],
        ["explain", "CP420"],
        ["--version"],
        ["deploy", "--help"],  # a command's help needs no extra
        ["lsp", "--help"],
    ],
)
def test_checking_answers_as_the_full_install_does(light: Light, args: list[str]) -> None:
    result = light.run(*args)
    expected = light.run(*args, preflight=Path(sys.executable).parent / "preflight")  # the development install's
    assert expected.returncode in (0, 1)
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, expected.stderr)


def _needs(feature: str, what: str, extra: str) -> str:
    return (
        f"preflight: error: {feature} needs {what}, which is not installed: "
        f'run pip install ".[{extra}]" in preflight\'s source folder (the {extra} extra)\n'
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["deploy", "--name", "s3-baseline", "fixtures/packs/s3-baseline.yaml"],
            _needs("deploy", "the AWS SDK (boto3)", "aws"),
        ),
        (["deploy", "--spec", "no-such-spec.yaml"], _needs("deploy", "the AWS SDK (boto3)", "aws")),
        (["status", "s3-baseline", "--no-wait"], _needs("status", "the AWS SDK (boto3)", "aws")),
        (
            ["check", "--online", "fixtures/packs/s3-baseline.yaml"],
            _needs("check --online", "the AWS SDK (boto3)", "aws"),
        ),
        (
            ["check", "--cfn-lint", "fixtures/packs/s3-baseline.yaml"],
            _needs("check --cfn-lint", "cfn-lint", "cfn-lint"),
        ),
        (["lsp"], _needs("lsp", "the language server library (pygls)", "lsp")),
    ],
)
def test_a_feature_of_an_extra_names_the_extra(light: Light, args: list[str], message: str) -> None:
    result = light.run(*args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)


def test_without_the_guard_extra_policies_are_reported_unchecked_not_failed(light: Light) -> None:
    result = light.run("check", "--format", "json", "--no-cache", "--select", "CP413", "fixtures/CP413/bad.yaml")
    assert result.returncode == 0, result.stderr
    assert [(f["rule"], f["severity"], f["message"]) for f in json.loads(result.stdout)["findings"]] == [
        (
            "CP413",
            "info",
            "5 Guard policies of CUSTOM_POLICY rules not checked: Guard's parser (cfn-guard-rs) is not installed",
        )
    ]


def _normal(name: str) -> str:
    """A distribution's name as pip compares names (cfn-guard-rs installs as cfn_guard_rs)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_extras_the_commands_name_are_the_packages() -> None:
    """Each extra of pyproject.toml brings exactly the modules its features look for; `all` is the five,
    and `dev` (the README's test command) includes `all`."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert set(extras) == {"aws", "cfn-lint", "lsp", "guard", "terraform", "all", "dev"}
    assert extras["all"] == ["conformance-preflight[aws,cfn-lint,lsp,guard,terraform]"]
    assert "conformance-preflight[all]" in extras["dev"]
    provided_by = importlib.metadata.packages_distributions()
    for extra in EXTRAS:
        listed = {_normal(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]) for requirement in extras[extra.name]}
        assert {_normal(name) for module in extra.modules for name in provided_by[module]} == listed, extra.name
    assert [re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0] for requirement in project["dependencies"]] == [
        "click", "ruamel.yaml", "ruamel.yaml.clibz", "google-re2", "pathspec",
    ]  # fmt: skip
