"""Every folder of the package is listed in pyproject.toml: setuptools silently leaves out the rest."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_package_is_listed() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("preflight", *path.parent.relative_to(REPO / "preflight").parts)).rstrip(".")
        for path in (REPO / "preflight").rglob("__init__.py")
    }
    assert found | {"preflight.rules"} == listed
