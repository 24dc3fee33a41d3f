"""Every distribution the package imports is declared in pyproject.toml: what checking imports is a
dependency of `pip install .`, and what a feature imports is a dependency or belongs to an extra. The
suite runs in the development environment, which holds every extra and the tools the tests use (mypy
brings pathspec), so an undeclared import passes every other test and fails only a user's light
install; this test reads each module's imports (at any depth: the package imports lazily) instead."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from tests.conftest import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
OWN = {"preflight", "rules"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0]) for requirement in requirements}


def _module_name(path: Path) -> str:
    relative = path.relative_to(REPO).with_suffix("")
    parts = ["preflight", "rules", *relative.parts[1:]] if relative.parts[0] == "rules" else list(relative.parts)
    return ".".join(part for part in parts if part != "__init__").replace("preflight.rules.rules", "preflight.rules")


def imports_by_module() -> dict[str, set[str]]:
    """Each module of the package (rules/ as preflight.rules) and the top-level names it imports from
    outside the standard library and the package."""
    found: dict[str, set[str]] = {}
    for folder in ("preflight", "rules"):
        for path in sorted((REPO / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names: set[str] = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
            found[_module_name(path)] = {
                name for name in names if name not in sys.stdlib_module_names and name not in OWN
            }
    return found


def _distributions(module: str) -> set[str]:
    provided = importlib.metadata.packages_distributions().get(module)
    assert provided, f"{module!r} is imported by the package but installed by no distribution here"
    return {_normal(name) for name in provided}


def test_every_import_is_a_declared_dependency_or_an_extras() -> None:
    base = _names(PROJECT["project"]["dependencies"])
    extras = {
        name: _names(requirements)
        for name, requirements in PROJECT["project"]["optional-dependencies"].items()
        if name not in ("all", "dev")
    }
    declared = base.union(*extras.values())
    undeclared = {
        module: sorted(name for name in names if not _distributions(name) & declared)
        for module, names in imports_by_module().items()
    }
    assert {module: names for module, names in undeclared.items() if names} == {}


def test_the_lint_path_imports_only_what_pip_install_dot_brings() -> None:
    """The modules the import contract calls the lint path (and the `check` command) need no extra:
    `pip install .` must be enough for `preflight check .`."""
    contract = next(
        contract
        for contract in PROJECT["tool"]["importlinter"]["contracts"]
        if contract["name"].startswith("The lint path imports no")
    )
    lint_path = tuple(
        "preflight.rules" if source == "rules" else source for source in [*contract["source_modules"], "preflight.cli"]
    )
    base = _names(PROJECT["project"]["dependencies"])
    extras_modules = {"boto3", "botocore", "cfnlint", "pygls", "lsprotocol", "cfn_guard_rs", "hcl2"}
    outside = {
        module: sorted(name for name in names if name not in extras_modules and not _distributions(name) & base)
        for module, names in imports_by_module().items()
        if module.startswith(lint_path)
    }
    assert {module: names for module, names in outside.items() if names} == {}


def test_the_scan_sees_lazy_imports() -> None:
    """The gitignore reader imports pathspec inside a function; the scan must see it, or the tests
    above prove nothing."""
    assert "pathspec" in imports_by_module()["preflight.load.gitignore"]
    assert "boto3" in imports_by_module()["preflight.aws.session"]


def test_the_extras_the_commands_name_are_pyproject_s() -> None:
    """preflight.cli.extras says, when a feature's modules are missing, which extra brings them: its
    extras are pyproject.toml's, and each names the top-level modules its distributions install."""
    from preflight.cli.extras import EXTRAS

    declared = {
        name: _names(requirements)
        for name, requirements in PROJECT["project"]["optional-dependencies"].items()
        if name not in ("all", "dev")
    }
    assert {extra.name for extra in EXTRAS} == set(declared)
    installs: dict[str, set[str]] = {}
    for module, distributions in importlib.metadata.packages_distributions().items():
        for distribution in distributions:
            installs.setdefault(_normal(distribution), set()).add(module)
    for extra in EXTRAS:
        brought = set().union(*(installs.get(distribution, set()) for distribution in declared[extra.name]))
        assert set(extra.modules) <= brought, (extra.name, sorted(brought))
