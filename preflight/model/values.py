"""How a template's scalar values read as text and as numbers, one way everywhere."""

from __future__ import annotations

import re

# A value that reads as an integer or as a number, as a managed rule's Lambda or a resource schema's
# `integer` and `number` take it from a string.
INTEGER_TEXT = re.compile(r"[-+]?\d+")
NUMBER_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def scalar_text(value: object) -> str:
    """A scalar as CloudFormation passes it on in a string: booleans as `true` and `false`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
