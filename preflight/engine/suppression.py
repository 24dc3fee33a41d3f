"""Inline suppressions: `# preflight: ignore[CP305]` (or `ignore[CP305, CP303]`) on the reported line."""

from __future__ import annotations

import re
from collections.abc import Mapping

_COMMENT = re.compile(r"#\s*preflight:\s*ignore\[([^\]]*)\]")


def suppressed_lines(text: str) -> Mapping[int, frozenset[str]]:
    """Line number -> rule ids suppressed on that line."""
    if "preflight:" not in text:
        return {}
    found: dict[int, frozenset[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "preflight:" not in line:
            continue
        match = _COMMENT.search(line)
        if match:
            found[number] = frozenset(part.strip().upper() for part in match.group(1).split(",") if part.strip())
    return found
