"""What the cross-pack rules of a spec file read: each pack's name, scope, Region and rule count."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PackSummary:
    """What the cross-pack rules need of one pack of a spec."""

    name: str
    scope: str
    region: str | None
    rules: int | None  # deployed config rules; None when the template could not be read


@dataclass(frozen=True)
class SpecSummary:
    file: str
    packs: tuple[PackSummary, ...]
