"""`preflight lsp`: the language server, for editors."""

from __future__ import annotations

import click


@click.command("lsp")
def lsp_command() -> None:
    """Run the language server on standard input and output (for editors)."""
    from preflight.integrations.lsp import serve

    serve()
