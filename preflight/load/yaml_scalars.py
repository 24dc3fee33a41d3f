"""What a YAML scalar means: a plain scalar resolved as YAML 1.1's core schema resolves it (as the
AWS CLI's loader reads it), a scalar with a core tag, and CloudFormation's short-form tags."""

from __future__ import annotations

import re

from preflight.load import reading as problems
from preflight.model.findings import Position, Span
from preflight.model.problems import Problem
from preflight.model.values import scalar_text

# Short-form CloudFormation tags and the long form each one stands for.
INTRINSIC_TAGS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "Sub If Equals Not And Or FindInMap GetAtt Join Select Split ImportValue Base64 GetAZs "
            "Cidr Length ToJsonString Transform"
        ).split()
    },
}
CORE = "tag:yaml.org,2002:"
STR_TAG = f"{CORE}str"
_PLAIN_TAGS = {f"{CORE}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}

PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)$")
LEADING_ZERO = re.compile(r"[-+]?0[0-9]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
# Rare in templates: compiled by `re` when first used, not at every start.
_INT_BASED = r"0o[0-7]+$|0x[0-9a-fA-F]+$"
_INF = r"[-+]?\.(inf|Inf|INF)$"
_NAN = r"\.(nan|NaN|NAN)$"
_NULLS = {"", "~", "null", "Null", "NULL"}
_SURROGATE = "[\ud800-\udfff]"


def has_surrogates(text: str) -> bool:
    return not text.isascii() and re.search(_SURROGATE, text) is not None


def without_surrogates(text: str) -> str:
    """Join escaped surrogate pairs ("\\ud83d\\ude00") into one character; replace lone halves, which
    cannot be written as UTF-8."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def resolve_plain(text: str) -> object:
    """YAML 1.2 core schema for an untagged plain scalar. Numbers with leading zeros stay strings,
    so an account id such as 012345678901 keeps its digits."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if not (first.isdigit() or first in "+-."):
        return text
    if LEADING_ZERO.match(text):
        return text
    try:
        if PLAIN_INT.match(text):
            return int(text)
        if re.match(_INT_BASED, text):
            return int(text, 0)
        if _FLOAT.match(text) and any(c.isdigit() for c in text):
            return float(text)
    except ValueError:  # a number too long for int(): keep the text
        return text
    if re.match(_INF, text):
        return float("-inf") if text.startswith("-") else float("inf")
    if re.match(_NAN, text):
        return float("nan")
    return text


def cli_number(raw: str, position: Position, found: list[Problem]) -> object:
    """A plain number with leading zeros, as the AWS CLI reads it: a number."""
    try:
        return int(raw)
    except ValueError:  # more digits than int() takes
        found.append(problems.number_too_long(len(raw), Span(*position)))
        return raw


def tag_wrapper(tag: str, position: Position, found: list[Problem]) -> str | None:
    """The long form a CloudFormation short-form tag stands for; a finding for any other tag."""
    if tag in _PLAIN_TAGS or tag == "!":
        return None
    long_form = INTRINSIC_TAGS.get(tag)
    if long_form is not None:
        return long_form
    if tag.startswith(CORE):
        found.append(problems.unsupported_core_tag(tag[len(CORE) :], Span(*position)))
    else:
        found.append(problems.unknown_tag(tag, Span(*position)))
    return None


def key_text(value: object) -> str:
    return "" if value is None else scalar_text(value)


def wrap(long_form: str, value: object) -> dict[str, object]:
    if long_form == "Fn::GetAtt" and isinstance(value, str) and "." in value:
        resource, attribute = value.split(".", 1)
        return {long_form: [resource, attribute]}
    return {long_form: value}


def resolve_tagged(raw: str, tag: str, position: Position, found: list[Problem]) -> object:
    name = tag[len(CORE) :]
    resolved = resolve_plain(raw)
    expected: dict[str, tuple[type, ...]] = {
        "int": (int,),
        "float": (float, int),
        "bool": (bool,),
        "null": (type(None),),
    }
    kinds = expected.get(name)
    if kinds is None:
        return raw
    if isinstance(resolved, kinds) and not (name in ("int", "float") and isinstance(resolved, bool)):
        if name != "float":
            return resolved
        try:
            return float(resolved)  # type: ignore[arg-type]
        except OverflowError:  # an integer too large for a float
            return float("inf") if resolved > 0 else float("-inf")  # type: ignore[operator]
    found.append(problems.invalid_tagged_value(raw, name, Span(*position)))
    return raw
