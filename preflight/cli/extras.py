"""The optional parts of preflight, each an extra of the package (pyproject.toml; a test holds the two
equal): `pip install .` checks packs, and a command that needs more looks for it where it starts,
before any work, and when it is missing says in one line which extra brings it. The guard extra is
no command's: without it, CP413 reports that the policies of CUSTOM_POLICY rules were not checked
(a finding, not an exit).

Looking is `importlib.util.find_spec`, which finds a module without running it: the feature imports
it soon after, and importing cfn-lint (0.6 s) would be wasted on a `--cfn-lint` run whose results are
all cached."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from preflight.cli.terminal import fail


@dataclass(frozen=True)
class Extra:
    """An optional part of preflight: the extra that brings it and the modules it installs."""

    name: str  # as pyproject.toml's [project.optional-dependencies] names it
    provides: str  # what the feature needs, in words
    modules: tuple[str, ...]  # the top-level modules its distributions install


AWS = Extra("aws", "the AWS SDK (boto3)", ("boto3", "botocore"))
CFN_LINT = Extra("cfn-lint", "cfn-lint", ("cfnlint",))
LSP = Extra("lsp", "the language server library (pygls)", ("pygls", "lsprotocol"))
GUARD = Extra("guard", "Guard's parser (cfn-guard-rs)", ("cfn_guard_rs",))
TERRAFORM = Extra("terraform", "python-hcl2, which reads .tf files", ("hcl2",))
EXTRAS = (AWS, CFN_LINT, LSP, GUARD, TERRAFORM)


def installed(extra: Extra) -> bool:
    return all(importlib.util.find_spec(module) is not None for module in extra.modules)


def require(extra: Extra, feature: str) -> None:
    """Exit 2 with one line when a module of `extra` is not installed. preflight is installed from its
    source folder (it has no release on PyPI), so that is where the extra is added."""
    if installed(extra):
        return
    fail(
        f"{feature} needs {extra.provides}, which is not installed: "
        f'run pip install ".[{extra.name}]" in preflight\'s source folder (the {extra.name} extra)'
    )
