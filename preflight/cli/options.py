"""The options the commands share, as typed objects: click hands a command its options as keywords,
and `take` moves each group's into the dataclass that names them (an option added to a decorator
but not to its dataclass fails every test that runs the command). Validation shared by commands is
written here once."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from preflight.load.settings_file import ROLE_NAME, SettingsScopes, validate_selectors
from preflight.model.errors import UsageError
from preflight.model.findings import Severity
from preflight.model.request import RequestInputs
from preflight.model.rule import Rule
from preflight.model.settings import COMMAND_LINE, Settings

F = TypeVar("F", bound=Callable[..., Any])
# A file path option's type. One instance serves every option: click looks up its translations each
# time one is made, a millisecond apiece.
A_FILE = click.Path(path_type=Path, dir_okay=False)
T = TypeVar("T")
Colour = Literal["auto", "always", "never"]


def take(kind: type[T], options: dict[str, Any]) -> T:
    """The fields of dataclass `kind`, removed from `options`."""
    names = [field.name for field in dataclasses.fields(kind)]  # type: ignore[arg-type]
    return kind(**{name: options.pop(name) for name in names})


def _apply(function: F, options: Sequence[Callable[[F], F]]) -> F:
    for option in reversed(options):
        function = option(function)
    return function


def request_options(function: F) -> F:
    """The request context (`RequestInputs`), shared by the commands that lint a pack."""
    return _apply(
        function,
        [
            click.option("--name", help="Pack name (OrganizationConformancePackName or ConformancePackName)."),
            click.option(
                "--scope",
                type=click.Choice(["organization", "account"]),
                help="put-organization-conformance-pack (default) or put-conformance-pack.",
            ),
            click.option(
                "--param", "params", multiple=True, metavar="NAME=VALUE", help="An input parameter (repeatable)."
            ),
            click.option(
                "--params-file",
                type=A_FILE,
                help=(
                    "Input parameters: [{ParameterName, ParameterValue}], [{ParameterKey, ParameterValue}] "
                    "or a mapping."
                ),
            ),
            click.option(
                "--exclude-account",
                "exclude_accounts",
                multiple=True,
                metavar="ID",
                help="An excluded account (repeatable).",
            ),
            click.option("--delivery-bucket", help="DeliveryS3Bucket."),
            click.option("--delivery-prefix", help="DeliveryS3KeyPrefix."),
            click.option(
                "--template-s3-uri", help="The template will be uploaded here (the local file is what is uploaded)."
            ),
            click.option("--region", help="The Region the pack is deployed to."),
            click.option(
                "--request",
                "request_file",
                type=A_FILE,
                help="The request document as `aws configservice put-*-conformance-pack --cli-input-json` takes it.",
            ),
        ],
    )


@dataclass(eq=False, frozen=True)
class LintOptions:
    """The command-line options that choose rules, the fail level and output."""

    select: tuple[str, ...]
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    fail_level: str | None
    config_path: Path | None
    color: Colour

    def settings(self, rules: Sequence[Rule]) -> Settings:
        """The settings of the working directory (or --config), with the command line's over them."""
        return self.scopes(rules).root

    def scopes(
        self, rules: Sequence[Rule], more: Callable[[Settings], Settings] | None = None, start: Path | None = None
    ) -> SettingsScopes:
        """The settings of every folder (the nearest settings file's), each with the command line's
        selections, and then `more`, over it."""
        ids = [rule.id for rule in rules]

        def over(settings: Settings) -> Settings:
            settings = self._over(settings, ids)
            return more(settings) if more is not None else settings

        return SettingsScopes(ids, self.config_path, over, start or Path.cwd())

    def _over(self, settings: Settings, ids: Sequence[str]) -> Settings:
        given = dict(settings.origins)
        if self.select:
            settings = replace(settings, select=validate_selectors(_split(self.select), ids, "--select"))
            given["select"] = COMMAND_LINE
        if self.extend_select:
            extra = validate_selectors(_split(self.extend_select), ids, "--extend-select")
            settings = replace(settings, extend_select=settings.extend_select + extra)
            given["extend-select"] = COMMAND_LINE
        if self.ignore:
            ignored = validate_selectors(_split(self.ignore), ids, "--ignore")
            settings = replace(settings, ignore=settings.ignore + ignored)
            given["ignore"] = COMMAND_LINE
        if self.fail_level:
            settings = replace(settings, fail_level=Severity.parse(self.fail_level))
            given["fail-level"] = COMMAND_LINE
        return replace(settings, origins=tuple(given.items()))

    @property
    def colour(self) -> bool:
        return use_colour(self.color)


def lint_options(function: F) -> F:
    return _apply(
        function,
        [
            click.option(
                "--select", multiple=True, metavar="IDS", help="Only these rules (ids or prefixes, comma-separated)."
            ),
            click.option(
                "--extend-select",
                multiple=True,
                metavar="IDS",
                help="Also these rules, on top of the selection (opt-in rules by their full id).",
            ),
            click.option(
                "--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or prefixes, comma-separated)."
            ),
            click.option(
                "--fail-level",
                type=click.Choice(["error", "warning", "info"]),
                help="Exit 1 at or above this severity.",
            ),
            click.option("--config", "config_path", type=A_FILE, help="Configuration file."),
            click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True),
        ],
    )


@dataclass(eq=False, frozen=True)
class AwsOptions:
    """The command-line options that reach AWS."""

    profile: str | None
    endpoint_url: str | None
    member_role: str | None = None

    def role(self, settings: Settings) -> str | None:
        """The member role: --member-role, else the settings' `member-role`."""
        if self.member_role is not None and not re.fullmatch(ROLE_NAME, self.member_role):
            raise UsageError(f"--member-role {self.member_role!r}: not an IAM role name")
        return self.member_role or settings.member_role


def aws_options(function: F) -> F:
    return _apply(
        function,
        [
            click.option("--profile", help="AWS profile (default: the standard credential chain)."),
            click.option("--endpoint-url", help="Send every AWS call here (a local stand-in such as moto)."),
            click.option(
                "--member-role",
                metavar="ROLE_NAME",
                help="A role to assume in each member account, to look into it read-only (online checks).",
            ),
        ],
    )


def spec_option(function: F) -> F:
    return click.option(
        "--spec",
        "spec_file",
        type=A_FILE,
        help="A spec file of several packs with shared defaults (see docs/deploy.md).",
    )(function)


def spec_alone(paths: Sequence[str], request: RequestInputs) -> None:
    """A spec file describes every pack: nothing else may describe one."""
    if paths or request.any_given:
        raise UsageError("--spec describes every pack: give no PATH or request options with it")


def _split(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def use_colour(choice: Colour) -> bool:
    """`--color always|never` decides; with `auto`, NO_COLOR (set and not empty) turns colour off,
    FORCE_COLOR turns it on, and otherwise a terminal gets colour."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    import sys

    return sys.stdout.isatty()


def raise_rule_errors() -> bool:
    """Tests see a crashing rule as an exception instead of a CP999 finding."""
    return os.environ.get("PREFLIGHT_RAISE_RULE_ERRORS") == "1"
