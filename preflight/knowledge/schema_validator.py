"""A JSON Schema subset, as CloudFormation applies it to resource properties: scalars convert to
strings (and numeric or boolean strings to numbers and booleans), and intrinsic functions are
followed where their result is known (`Fn::If` checks both branches)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from preflight.knowledge.intrinsics import intrinsic_name
from preflight.model.findings import DocPath
from preflight.model.values import INTEGER_TEXT, NUMBER_TEXT

Problem = tuple[DocPath, str]
# Intrinsics whose result is always a string (a `Ref` unless it names a list parameter), and those whose
# result is always a list; anything else may produce either.
STRING_RESULTS = frozenset({"Ref", "Fn::Sub", "Fn::Join", "Fn::Base64", "Fn::ImportValue"})
LIST_RESULTS = frozenset({"Fn::Split", "Fn::GetAZs", "Fn::Cidr"})


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
        return isinstance(value, int) or (isinstance(value, str) and bool(INTEGER_TEXT.fullmatch(value)))
    if kind == "number":
        if isinstance(value, bool):
            return False
        return isinstance(value, (int, float)) or (isinstance(value, str) and bool(NUMBER_TEXT.fullmatch(value)))
    if kind == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    return True


# Types that fit a JSON Schema type as they are; strings may also fit numbers and booleans (`_fits`).
_ALWAYS_FITS: dict[str, tuple[type, ...]] = {
    "string": (str, int, float, bool),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}
_KIND_WORDS = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "a boolean"}  # fmt: skip


@dataclass(eq=False, repr=False, frozen=True, slots=True)
class _Node:
    """One schema node, read once: what validating a value against it needs."""

    kinds: tuple[str, ...]
    properties: Mapping[str, Mapping[str, object]]
    closed: bool  # additionalProperties: false
    required: tuple[str, ...]
    items: Mapping[str, object] | None
    unique_items: bool
    max_length: int | None
    min_length: int | None
    enum: tuple[str, ...] | None
    pattern: re.Pattern[str] | None
    minimum: int | float | None
    maximum: int | float | None
    checks_scalars: bool  # any of the six above
    always_fits: frozenset[type]  # value types that fit `kinds` without a closer look


def _prepare(schema: Mapping[str, object]) -> _Node:
    kinds = schema.get("type")
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = schema.get("required")
    items = schema.get("items")
    enum = schema.get("enum")
    pattern = schema.get("pattern")
    compiled = None
    if isinstance(pattern, str):
        try:
            compiled = re.compile(pattern)
        except re.error:  # an ECMA-only construct: not checked
            compiled = None

    def number(key: str) -> int | float | None:
        limit = schema.get(key)
        return limit if isinstance(limit, (int, float)) and not isinstance(limit, bool) else None

    def count(key: str) -> int | None:
        limit = schema.get(key)
        return limit if isinstance(limit, int) and not isinstance(limit, bool) else None

    kind_names = (kinds,) if isinstance(kinds, str) else tuple(map(str, kinds)) if isinstance(kinds, list) else ()
    scalar_limits = (count("maxLength"), count("minLength"), enum, compiled, number("minimum"), number("maximum"))
    return _Node(
        kinds=kind_names,
        properties=properties,
        closed=schema.get("additionalProperties") is False and bool(properties),
        required=tuple(required) if isinstance(required, list) else (),
        items=items if isinstance(items, dict) else None,
        unique_items=schema.get("uniqueItems") is True,
        max_length=count("maxLength"),
        min_length=count("minLength"),
        enum=tuple(str(item) for item in enum) if isinstance(enum, list) else None,
        pattern=compiled,
        minimum=number("minimum"),
        maximum=number("maximum"),
        checks_scalars=any(limit is not None for limit in scalar_limits),
        always_fits=frozenset().union(*(_ALWAYS_FITS.get(kind, ()) for kind in kind_names)),
    )


class SchemaValidator:
    """Validates values against the schemas under one root schema (which resolves `$ref`s). Each
    schema node is read once per validator, so keep one validator per root."""

    def __init__(self, root: Mapping[str, object]) -> None:
        self.root = root
        self._nodes: dict[int, tuple[Mapping[str, object], _Node]] = {}
        pointers = root.get("readOnlyProperties")
        # `/properties/Compliance/Type` -> ("Compliance", "Type"): properties a template cannot set.
        self.read_only_paths: tuple[tuple[str, ...], ...] = (
            tuple(
                tuple(part for part in str(pointer).split("/") if part and part != "properties") for pointer in pointers
            )
            if isinstance(pointers, list)
            else ()
        )

    def problems(
        self,
        value: object,
        schema: Mapping[str, object],
        path: DocPath,
        list_parameters: frozenset[str] = frozenset(),
    ) -> list[Problem]:
        """`list_parameters`: the template's parameters whose `Ref` is a list."""
        found: list[Problem] = []
        self._check(value, schema, path, found, list_parameters)
        return found

    def _node(self, schema: Mapping[str, object]) -> _Node:
        known = self._nodes.get(id(schema))
        if known is None:  # the schema itself is kept with its node, so its id stays its own
            known = self._nodes[id(schema)] = (schema, _prepare(_resolve_ref(schema, self.root)))
        return known[1]

    def _check(
        self, value: object, schema: Mapping[str, object], path: DocPath, found: list[Problem], lists: frozenset[str]
    ) -> None:
        node = self._node(schema)
        kind = type(value)
        if kind is dict and len(value) == 1:  # type: ignore[arg-type]
            function = intrinsic_name(value)
            if function is not None:
                self._check_intrinsic(function, value, schema, node, path, found, lists)  # type: ignore[arg-type]
                return
        if node.kinds and kind not in node.always_fits and not any(_fits(value, k) for k in node.kinds):
            expected = " or ".join(_KIND_WORDS.get(k, k) for k in node.kinds)
            found.append((path, f"must be {expected}, not {_type_name(value)}"))
            return
        if kind is dict:
            self._check_object(value, node, path, found, lists)  # type: ignore[arg-type]
        elif kind is list:
            self._check_list(value, node, path, found, lists)  # type: ignore[arg-type]
        elif (kind is str or kind is int or kind is float) and node.checks_scalars:
            _check_scalar(value, node, path, found)  # type: ignore[arg-type]
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool) and node.checks_scalars:
            _check_scalar(value, node, path, found)  # subclasses of str, int or float

    def _check_intrinsic(
        self,
        function: str,
        value: Mapping[str, object],
        schema: Mapping[str, object],
        node: _Node,
        path: DocPath,
        found: list[Problem],
        lists: frozenset[str],
    ) -> None:
        argument = value[function]
        if function == "Fn::If":
            if isinstance(argument, list) and len(argument) == 3:
                for index in (1, 2):
                    branch = argument[index]
                    if not (intrinsic_name(branch) == "Ref" and branch.get("Ref") == "AWS::NoValue"):  # type: ignore[union-attr]
                        self._check(branch, schema, path + ("Fn::If", index), found, lists)
            return
        if function == "Ref" and argument == "AWS::NoValue":
            return
        allowed = set(node.kinds)
        if not allowed:
            return
        list_ref = function == "Ref" and isinstance(argument, str) and argument in lists
        if (function in LIST_RESULTS or list_ref) and "array" not in allowed:
            expected = " or ".join(_KIND_WORDS.get(kind, kind) for kind in sorted(allowed))
            what = f"Ref to the list parameter {argument}" if list_ref else function
            found.append((path + (function,), f"must be {expected}, but {what} produces a list"))
        elif function in STRING_RESULTS and not list_ref and allowed <= {"object", "array"}:
            expected = " or ".join(_KIND_WORDS.get(kind, kind) for kind in sorted(allowed))
            found.append((path + (function,), f"must be {expected}, but {function} produces a string"))

    def _check_object(
        self, value: Mapping[str, object], node: _Node, path: DocPath, found: list[Problem], lists: frozenset[str]
    ) -> None:
        properties = node.properties
        unknown: dict[str, str | None] = {}
        if node.closed:
            names = [name for name in value if name not in properties]
            if names:
                from preflight.model.suggest import nearest

                unknown = {name: nearest(name, properties) for name in names}
        for name in node.required:
            # A misspelt required property is reported once, as the unknown name that suggests it.
            if name not in value and name not in unknown.values():
                found.append((path, f"required property {name} is missing"))
        for name, item in value.items():
            if name in properties:
                self._check(item, properties[name], path + (name,), found, lists)
            elif name in unknown:
                suggestion = unknown[name]
                valid = ", ".join(sorted(properties))
                suffix = f"; did you mean {suggestion!r}?" if suggestion else f" (valid: {valid})"
                found.append((path + (name,), f"unknown property {name!r}{suffix}"))

    def _check_list(
        self, value: list[object], node: _Node, path: DocPath, found: list[Problem], lists: frozenset[str]
    ) -> None:
        if node.items is not None:
            for index, item in enumerate(value):
                self._check(item, node.items, path + (index,), found, lists)
        if node.unique_items:
            seen: list[object] = []
            for index, item in enumerate(value):
                if item in seen:
                    found.append((path + (index,), f"duplicate item {item!r}: the list's items must be unique"))
                seen.append(item)


def validate(
    value: object, schema: Mapping[str, object], root: Mapping[str, object], path: DocPath
) -> Iterator[Problem]:
    """Every problem of `value` against `schema` (whose `$ref`s point into `root`)."""
    return iter(SchemaValidator(root).problems(value, schema, path))


def _check_scalar(value: str | int | float, node: _Node, path: DocPath, found: list[Problem]) -> None:
    text = value if isinstance(value, str) else str(value)
    if node.max_length is not None and len(text) > node.max_length:
        found.append((path, f"is {len(text):,} characters; at most {node.max_length:,}"))
    if node.min_length is not None and len(text) < node.min_length:
        found.append((path, f"is {len(text)} characters; at least {node.min_length}"))
    if node.enum is not None and text not in node.enum:
        found.append((path, f"{text!r} is not one of {', '.join(node.enum)}"))
    if node.pattern is not None and node.pattern.search(text) is None:
        found.append((path, f"{text!r} does not match the pattern {node.pattern.pattern}"))
    for limit, below, words in ((node.minimum, True, "below the minimum"), (node.maximum, False, "above the maximum")):
        if limit is not None and NUMBER_TEXT.fullmatch(text):
            number = float(text)
            if (number < float(limit)) if below else (number > float(limit)):
                found.append((path, f"{text} is {words} {limit}"))
