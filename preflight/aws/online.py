"""The online pre-flight as `check --online` and `deploy` start it: what each pack's template needs of
the accounts it reaches, and the facts gathered for it, with progress on a terminal while member
accounts are looked into."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.knowledge.needs import PackNeeds, pack_needs
from preflight.knowledge.template import Template
from preflight.load.parsing import Loaded, load_template_file
from preflight.load.paths import Subject
from preflight.model.request import PackRequest

if TYPE_CHECKING:
    from preflight.aws.session import Clients
    from preflight.model.facts import AwsFacts


def needs_of(templates: Iterable[Path | Subject | Loaded | None], request: PackRequest) -> PackNeeds:
    """What the templates (files, or templates already read) need, read with the request's parameters."""
    needs = PackNeeds()
    for template in templates:
        if isinstance(template, Subject):
            template = template.path
        loaded = load_template_file(template, str(template)) if isinstance(template, Path) else template
        if loaded is None or loaded.document is None or not isinstance(loaded.document.data, dict):
            continue
        values = {name: value for name, value in request.values().items()}
        needs = needs.merged(pack_needs(Template(loaded.document.data, _defaults(loaded) | values, {})))
    return needs


def _defaults(loaded: Loaded) -> dict[str, str]:
    assert loaded.document is not None and isinstance(loaded.document.data, dict)
    parameters = loaded.document.data.get("Parameters")
    found = {}
    for name, body in parameters.items() if isinstance(parameters, dict) else ():
        default = body.get("Default") if isinstance(body, dict) else None
        if isinstance(default, (str, int, float)) and not isinstance(default, bool):
            found[str(name)] = str(default)
    return found


def gather_facts(clients: Clients, request: PackRequest, needs: PackNeeds, role: str | None) -> AwsFacts:
    from preflight.aws.gather import gather  # boto3: only when the online checks run

    return gather(clients, request, needs, role, _progress if sys.stderr.isatty() else None)


def _progress(done: int, total: int) -> None:
    """One line on the terminal, redrawn, and cleared at the end."""
    end = "\r" + " " * 60 + "\r" if done == total else "\r"
    sys.stderr.write(f"\rlooking into member accounts: {done:,}/{total:,}{end}")
    sys.stderr.flush()
