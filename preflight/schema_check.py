"""A JSON Schema subset, as CloudFormation applies it to resource properties: scalars convert to
strings (and numeric or boolean strings to numbers and booleans), and intrinsic functions are
followed where their result is known (`Fn::If` checks both branches)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from preflight.findings import DocPath
from preflight.intrinsics import intrinsic_name

Problem = tuple[DocPath, str]
# Intrinsics whose result is always a string; anything else may produce a list or a mapping.
STRING_RESULTS = frozenset({"Ref", "Fn::Sub", "Fn::Join", "Fn::Base64", "Fn::ImportValue"})
_INTEGER = re.compile(r"[-+]?\d+")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _resolve_ref(schema: Mapping[str, object], root: Mapping[str, object]) -> Mapping[str, object]:
    seen = 0
    while "$ref" in schema and seen < 20:
        reference = str(schema["$ref"])
        if not reference.startswith("#/"):
            return {}
        node: object = root
        for part in reference[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node if isinstance(node, dict) else {}
        seen += 1
    return schema


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "null"


def _fits(value: object, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, (str, int, float, bool))
    if kind == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, str) and bool(_INTEGER.fullmatch(value)))
    if kind == "number":
        if isinstance(value, bool):
            return False
        return isinstance(value, (int, float)) or (isinstance(value, str) and bool(_NUMBER.fullmatch(value)))
    if kind == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    return True


_KIND_WORDS = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "a boolean"}  # fmt: skip


def validate(
    value: object, schema: Mapping[str, object], root: Mapping[str, object], path: DocPath
) -> Iterator[Problem]:
    schema = _resolve_ref(schema, root)
    function = intrinsic_name(value)
    if function is not None:
        yield from _validate_intrinsic(function, value, schema, root, path)
        return
    kinds = schema.get("type")
    allowed = [kinds] if isinstance(kinds, str) else list(kinds) if isinstance(kinds, list) else []
    if allowed and not any(_fits(value, str(kind)) for kind in allowed):
        expected = " or ".join(_KIND_WORDS.get(str(kind), str(kind)) for kind in allowed)
        yield path, f"must be {expected}, not {_type_name(value)}"
        return
    if isinstance(value, dict):
        yield from _validate_object(value, schema, root, path)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                yield from validate(item, items, root, path + (index,))
        if schema.get("uniqueItems") is True:
            seen: list[object] = []
            for index, item in enumerate(value):
                if item in seen:
                    yield path + (index,), f"duplicate item {item!r}: the list's items must be unique"
                seen.append(item)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield from _validate_scalar(value, schema, path)


def _validate_intrinsic(
    function: str, value: object, schema: Mapping[str, object], root: Mapping[str, object], path: DocPath
) -> Iterator[Problem]:
    assert isinstance(value, dict)
    argument = value[function]
    if function == "Fn::If":
        if isinstance(argument, list) and len(argument) == 3:
            for index in (1, 2):
                branch = argument[index]
                if not (intrinsic_name(branch) == "Ref" and branch.get("Ref") == "AWS::NoValue"):  # type: ignore[union-attr]
                    yield from validate(branch, schema, root, path + ("Fn::If", index))
        return
    if function == "Ref" and argument == "AWS::NoValue":
        return
    kinds = schema.get("type")
    allowed = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
    if function in STRING_RESULTS and allowed and allowed <= {"object", "array"}:
        expected = " or ".join(_KIND_WORDS.get(kind, kind) for kind in sorted(allowed))
        yield path + (function,), f"must be {expected}, but {function} produces a string"


def _validate_object(
    value: Mapping[str, object], schema: Mapping[str, object], root: Mapping[str, object], path: DocPath
) -> Iterator[Problem]:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    unknown: dict[str, str | None] = {}
    if schema.get("additionalProperties") is False and properties:
        from preflight.suggest import nearest

        unknown = {name: nearest(name, properties) for name in value if name not in properties}
    required = schema.get("required")
    for name in required if isinstance(required, list) else []:
        # A misspelt required property is reported once, as the unknown name that suggests it.
        if name not in value and name not in unknown.values():
            yield path, f"required property {name} is missing"
    for name, item in value.items():
        if name in properties:
            yield from validate(item, properties[name], root, path + (name,))
        elif name in unknown:
            suggestion = unknown[name]
            suffix = f"; did you mean {suggestion!r}?" if suggestion else f" (valid: {', '.join(sorted(properties))})"
            yield path + (name,), f"unknown property {name!r}{suffix}"


def _validate_scalar(value: str | int | float, schema: Mapping[str, object], path: DocPath) -> Iterator[Problem]:
    text = value if isinstance(value, str) else str(value)
    max_length, min_length = schema.get("maxLength"), schema.get("minLength")
    if isinstance(max_length, int) and len(text) > max_length:
        yield path, f"is {len(text):,} characters; at most {max_length:,}"
    if isinstance(min_length, int) and len(text) < min_length:
        yield path, f"is {len(text)} characters; at least {min_length}"
    enum = schema.get("enum")
    if isinstance(enum, list) and text not in [str(item) for item in enum]:
        yield path, f"{text!r} is not one of {', '.join(map(str, enum))}"
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            if re.search(pattern, text) is None:
                yield path, f"{text!r} does not match the pattern {pattern}"
        except re.error:
            pass
    for key, test, words in (
        ("minimum", float.__lt__, "below the minimum"),
        ("maximum", float.__gt__, "above the maximum"),
    ):
        limit = schema.get(key)
        if isinstance(limit, (int, float)) and _NUMBER.fullmatch(text) and test(float(text), float(limit)):
            yield path, f"{text} is {words} {limit}"
