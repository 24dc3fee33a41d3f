"""S3 names: bucket naming rules (general purpose buckets) and object URIs, for every rule and step
that takes them."""

from __future__ import annotations

import re

from preflight.model.limits import API_LIMITS

# An object's location as the requests name it; the API's own pattern (`s3://.*`) is looser.
_S3_URI = r"s3://(?P<bucket>[^/]*)/(?P<key>.*)"
_ALLOWED = r"[a-z0-9][a-z0-9.-]*[a-z0-9]"
_IP_ADDRESS = r"\d{1,3}(\.\d{1,3}){3}"
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why `name` is not a valid S3 bucket name, or None."""
    low, high = API_LIMITS.bucket_name_min, API_LIMITS.bucket_name_max
    if not low <= len(name) <= high:
        return f"is {len(name)} characters; S3 bucket names are {low} to {high}"
    if not re.fullmatch(_ALLOWED, name):
        return "may use only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit"
    if ".." in name:
        return "must not contain two adjacent dots"
    if re.fullmatch(_IP_ADDRESS, name):
        return "must not look like an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with the reserved prefix {prefix!r}"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with the reserved suffix {suffix!r}"
    return None


def split_s3_uri(uri: str) -> tuple[str, str] | None:
    """(bucket, key) of `s3://bucket/key`; either may be empty. None when `uri` is not of that form."""
    match = re.fullmatch(_S3_URI, uri)
    return (match["bucket"], match["key"]) if match is not None else None
