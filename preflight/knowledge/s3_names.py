"""S3 bucket naming rules (general purpose buckets), shared by the rules that take bucket names."""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why `name` is not a valid S3 bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return f"is {len(name)} characters; S3 bucket names are 3 to 63"
    if not _ALLOWED.fullmatch(name):
        return "may use only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit"
    if ".." in name:
        return "must not contain two adjacent dots"
    if _IP_ADDRESS.fullmatch(name):
        return "must not look like an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with the reserved prefix {prefix!r}"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with the reserved suffix {suffix!r}"
    return None
