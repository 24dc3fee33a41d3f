"""`check --show-files`: every path of a check with what became of it, as text or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass

from preflight.load.discovery import (
    HOSTS_A_PACK,
    TERRAFORM_HOLDS_A_PACK,
    TERRAFORM_WITHOUT_A_PACK,
    hosts_a_pack,
    why_not_a_pack,
)
from preflight.load.parsing import read_bytes
from preflight.load.paths import Expanded, shown
from preflight.reporters.printable import printable, printable_path


def render_files(expanded: Expanded, only_packs: bool, output_format: str) -> str:
    accounted = account_for(expanded, only_packs)
    if output_format == "json":
        entries = [
            {"file": printable_path(entry.display), "status": entry.status, "reason": printable_path(entry.reason)}
            for entry in accounted
        ]
        return json.dumps(entries, indent=2, ensure_ascii=True) + "\n"
    names = [printable(entry.display) for entry in accounted]
    width = max((len(name) for name in names), default=0)
    lines = [
        f"{name:<{width}}  {entry.status} ({printable(entry.reason)})"
        for name, entry in zip(names, accounted, strict=True)
    ]
    counts = {status: sum(1 for entry in accounted if entry.status == status) for status in _STATUSES}
    said = ", ".join(f"{count:,} {status}" for status, count in counts.items() if count)
    lines.append(f"{len(accounted):,} paths: {said}." if accounted else "No files found.")
    return "\n".join(lines) + "\n"


_STATUSES = ("checked", "skipped", "excluded", "ignored")


@dataclass(frozen=True)
class Accounted:
    """What became of one path of a check (`--show-files`): `status` is checked, skipped (read, and no
    pack), excluded or ignored (not searched); `reason` says why."""

    display: str
    status: str
    reason: str


def account_for(expanded: Expanded, only_packs: bool) -> list[Accounted]:
    """Every file of `expanded` with what a check would do with it, and what the search passed over,
    in path order. Files are read as a check reads them, and not parsed."""
    found: list[Accounted] = []
    for subject in expanded.subjects:
        source = subject.settings.source if subject.settings else None
        settings = f" (settings: {shown(source)})" if source else ""
        if subject.path is None:
            found.append(Accounted(subject.display, "checked", "standard input"))
            continue
        if subject.named and not only_packs:
            found.append(Accounted(subject.display, "checked", f"named on the command line{settings}"))
            continue
        data, problem = read_bytes(subject.path)
        if data is None:
            found.append(
                Accounted(subject.display, "checked", f"cannot be read ({problem.message if problem else ''})")
            )
            continue
        if subject.path.suffix.lower() == ".tf":
            from preflight.knowledge.terraform import holds_a_pack

            if holds_a_pack(data):
                found.append(Accounted(subject.display, "checked", f"{TERRAFORM_HOLDS_A_PACK}{settings}"))
            else:
                found.append(Accounted(subject.display, "skipped", TERRAFORM_WITHOUT_A_PACK))
            continue
        reason = why_not_a_pack(data)
        if reason is None:
            found.append(Accounted(subject.display, "checked", f"a conformance pack{settings}"))
        elif hosts_a_pack(data):
            found.append(Accounted(subject.display, "checked", f"{HOSTS_A_PACK}{settings}"))
        else:
            found.append(Accounted(subject.display, "skipped", reason))
    for entry in dict.fromkeys(expanded.passed_over):  # `check . team` passes over team's entries twice
        found.append(Accounted(entry.display, entry.status, entry.reason))
    return sorted(found, key=lambda accounted: accounted.display)
