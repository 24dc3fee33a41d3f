"""`preflight permissions`: the IAM policy the online checks and deploy need, printed."""

from __future__ import annotations

import re

import click

from preflight.aws.permissions import KINDS, PARTITIONS, policy
from preflight.cli.terminal import fail
from preflight.load.settings_file import ROLE_NAME


@click.command("permissions")
@click.argument("kind", type=click.Choice(KINDS), default="caller")
@click.option("--member-role", metavar="ROLE_NAME", help="The member role the caller's policy lets it assume.")
@click.option("--partition", type=click.Choice(PARTITIONS), default="aws", help="The accounts' partition.")
def permissions_command(kind: str, member_role: str | None, partition: str) -> None:
    """Print the IAM policy KIND needs: `caller` (the default), the reads of `check --online` and of
    deploy's pre-flight, and the member role to assume; `member`, the reads the member role makes in
    each member account; `deploy`, the caller's for `deploy` (upload, put, follow the rollout)."""
    if member_role is not None and not re.fullmatch(ROLE_NAME, member_role):
        fail(f"--member-role {member_role!r}: not an IAM role name")
    click.echo(policy(kind, member_role, partition), nl=False)
