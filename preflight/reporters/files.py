"""`check --show-files`: every path of a check with what became of it, as text or JSON."""

from __future__ import annotations

import json

from preflight.knowledge.discovery import account_for
from preflight.load.paths import Expanded
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
