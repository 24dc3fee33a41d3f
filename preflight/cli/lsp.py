"""`preflight lsp`: the language server, for editors."""

from __future__ import annotations

import click

from preflight.cli.extras import LSP, require


@click.command("lsp")
def lsp_command() -> None:
    """Run the language server on standard input and output (for editors)."""
    require(LSP, "lsp")
    from preflight.integrations.lsp import serve

    serve()
