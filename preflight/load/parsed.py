"""What the YAML and JSON readers make of a text: plain values, the position of every node, problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from preflight.model.findings import DocPath, Position
from preflight.model.problems import Problem


@dataclass
class Parsed:
    """`complete`: the text was read to its end (or to the end of its first document)."""

    data: object = None
    spans: dict[DocPath, Position] = field(default_factory=dict)
    key_spans: dict[DocPath, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    complete: bool = False
