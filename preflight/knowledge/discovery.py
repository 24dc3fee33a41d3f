"""Which YAML and JSON files are conformance packs, by their content, before they are parsed: a
folder of a real repository holds compose files, manifests, `package.json` and CloudFormation stacks
too, and none of those is a broken pack.

A file is a pack when it declares a config rule or remediation and at least half of its resource
types are AWS Config's. A type that is almost AWS Config's (`AWS::Confg::ConfigRule`) counts as one:
such a file is meant as a pack, and checking it reports the typo."""

from __future__ import annotations

import re

# A `Type` whose value has the three parts of a resource type, in YAML (quoted or not) or JSON.
_RESOURCE_TYPE = rb"""["']?Type["']?[ \t]*:[ \t]*["']?([A-Za-z0-9]+):{1,2}([A-Za-z0-9]+):{1,2}([A-Za-z0-9]+)"""
_SERVICE = "config"
_PACK_TYPES = ("configrule", "remediationconfiguration")


def is_pack(data: bytes) -> bool:
    config = rules = other = 0
    for vendor, service, kind in re.findall(_RESOURCE_TYPE, data):
        if vendor.lower() != b"aws" and _distance(vendor.lower().decode(), "aws") > 1:
            continue
        if _distance(service.decode().lower(), _SERVICE) <= 2:
            config += 1
            rules += any(_distance(kind.decode().lower(), name) <= 3 for name in _PACK_TYPES)
        else:
            other += 1
    return rules > 0 and config >= other


def mentions_aws_config(data: bytes) -> bool:
    """Looser, for an editor's buffer: a pack being edited stays one while its syntax is broken."""
    return b"AWS::Config::" in data or is_pack(data)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, for short names."""
    if a == b:
        return 0
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
