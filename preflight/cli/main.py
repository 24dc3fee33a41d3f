"""The `preflight` command group: one module per command (check, deploy and status, rules and
explain, lsp, split, permissions), each a function of a typed options object."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click

from preflight import __version__
from preflight.cli.loading import collector_paused
from preflight.cli.terminal import fail

# Each command's module and function. A command's module is imported when that command runs, so
# `check` never loads what `deploy` needs.
COMMANDS = {
    "check": ("preflight.cli.check", "command"),
    "deploy": ("preflight.cli.deploy", "deploy_command"),
    "explain": ("preflight.cli.rules", "explain_command"),
    "lsp": ("preflight.cli.lsp", "lsp_command"),
    "permissions": ("preflight.cli.permissions", "permissions_command"),
    "rules": ("preflight.cli.rules", "rules_command"),
    "split": ("preflight.cli.split", "split_command"),
    "status": ("preflight.cli.deploy", "status_command"),
}


class _OneLineErrors(click.Group):
    """Usage errors as one line on standard error and exit 2, like every other error of preflight;
    the commands of COMMANDS."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command: click.Command = getattr(_load(module), name)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            fail("interrupted")
        except click.ClickException as error:
            context = getattr(error, "ctx", None)
            hint = f" (see `{context.command_path} --help`)" if context is not None else ""
            fail(f"{error.format_message()}{hint}")
        except Exception as error:
            if os.environ.get("PREFLIGHT_DEBUG") == "1":
                raise
            fail(f"internal error: {type(error).__name__}: {error} (PREFLIGHT_DEBUG=1 shows the traceback)")


def _load(module: str) -> object:
    with collector_paused():
        return importlib.import_module(module)


def _print_version(context: click.Context, _parameter: click.Parameter, value: bool) -> None:
    if not value or context.resilient_parsing:
        return
    from preflight.knowledge.catalog import catalog_summary
    from preflight.knowledge.regions import regions_summary
    from preflight.knowledge.runbooks import runbooks_summary

    summaries = "; ".join((catalog_summary(), runbooks_summary(), regions_summary()))
    click.echo(f"preflight, version {__version__} ({summaries})")
    context.exit()


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version, help="Show the version."
)
def main() -> None:
    """Lint AWS Config conformance packs before AWS sees them."""


def run() -> NoReturn:
    """The `preflight` command: `main`, then a quick exit.

    Once the output is flushed there is nothing left to do, and tearing the interpreter down (freeing
    every node of every template one by one) takes longer than checking a pack; so the process ends
    here without it, as mypy's does.
    """
    try:
        result = main(prog_name="preflight")
        code = result if isinstance(result, int) else 0
    except SystemExit as leaving:
        code = _exit_status(leaving.code)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the descriptor closed (`preflight ... >&-`)
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`preflight check | head`) or a closed stream
            pass
    os._exit(code)


def _exit_status(code: object) -> int:
    """What the interpreter would make of `sys.exit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF if -(2**31) <= code < 2**31 else 0xFF
    if sys.stderr is not None:
        print(code, file=sys.stderr)
    return 1
