"""Effective values: Conditions, Fn::If, Ref and AWS::NoValue evaluated with the parameter values
the pack will get. Anything that cannot be known offline is UNKNOWN, and rules stay silent on it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from preflight.model.values import scalar_text


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


UNKNOWN = _Unknown()
# Conditions that refer to conditions are followed this deep; a longer chain is unknown, so a hostile
# template cannot exhaust the stack (each level is a few frames, and expressions nest up to 100 deep).
CONDITION_DEPTH_MAX = 50
NO_VALUE = _NoValue()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def intrinsic_name(value: object) -> str | None:
    """`Ref`, `Condition` or `Fn::X` when `value` is a one-key intrinsic mapping."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::")):
            return key
    return None


def is_list_type(parameter_type: object) -> bool:
    """`CommaDelimitedList` and `List<...>` parameters: a `Ref` to one is a list, not a string."""
    return isinstance(parameter_type, str) and (
        parameter_type == "CommaDelimitedList" or parameter_type.startswith("List<")
    )


def as_list(value: str) -> list[str]:
    """A list parameter's value as CloudFormation gives it: split at commas, each item trimmed."""
    return [item.strip() for item in value.split(",")]


class Evaluator:
    """Evaluates against `values` (parameter name -> string). Pseudo parameters are known only when
    given (`AWS::Region` from --region). A `Ref` to one of `list_parameters` is a list."""

    def __init__(
        self,
        conditions: Mapping[str, object],
        values: Mapping[str, str],
        pseudo: Mapping[str, str],
        list_parameters: frozenset[str] = frozenset(),
    ):
        self._conditions = conditions
        self._values = values
        self._pseudo = pseudo
        self._lists = list_parameters
        self._memo: dict[str, bool | None] = {}
        self._evaluating: set[str] = set()

    def condition(self, name: str) -> bool | None:
        if name in self._memo:
            return self._memo[name]
        if name in self._evaluating or name not in self._conditions or len(self._evaluating) >= CONDITION_DEPTH_MAX:
            return None  # a cycle, an undefined name, or a chain too long to follow: unknown
        self._evaluating.add(name)
        try:
            result = self.test(self._conditions[name])
        finally:
            self._evaluating.discard(name)
        self._memo[name] = result
        return result

    def test(self, expression: object) -> bool | None:
        kind = intrinsic_name(expression)
        if kind is None:
            return None
        assert isinstance(expression, dict)
        argument = expression[kind]
        if kind == "Condition":
            return self.condition(argument) if isinstance(argument, str) else None
        if kind == "Fn::Equals":
            if not (isinstance(argument, list) and len(argument) == 2):
                return None
            left, right = (self.resolve(item) for item in argument)
            if left is UNKNOWN or right is UNKNOWN:
                return None
            return scalar_text(left) == scalar_text(right)
        if kind == "Fn::Not":
            if not (isinstance(argument, list) and len(argument) == 1):
                return None
            inner = self.test(argument[0])
            return None if inner is None else not inner
        if kind in ("Fn::And", "Fn::Or"):
            if not isinstance(argument, list):
                return None
            results = [self.test(item) for item in argument]
            if kind == "Fn::And":
                return False if False in results else None if None in results else True
            return True if True in results else None if None in results else False
        return None

    def resolve(self, value: object) -> object:
        """The value CloudFormation would produce, with NO_VALUE for a dropped entry and UNKNOWN
        where it cannot be known offline."""
        if isinstance(value, dict):
            kind = intrinsic_name(value)
            if kind is not None:
                return self._resolve_intrinsic(kind, value[kind])
            resolved: dict[str, object] = {}
            for key, item in value.items():
                result = self.resolve(item)
                if result is not NO_VALUE:
                    resolved[key] = result
            return resolved
        if isinstance(value, list):
            return [result for result in (self.resolve(item) for item in value) if result is not NO_VALUE]
        return value

    def _resolve_intrinsic(self, kind: str, argument: object) -> object:
        if kind == "Ref":
            if argument == "AWS::NoValue":
                return NO_VALUE
            if isinstance(argument, str):
                if argument in self._values:
                    value = self._values[argument]
                    return as_list(value) if argument in self._lists else value
                if argument in self._pseudo:
                    return self._pseudo[argument]
            return UNKNOWN
        if kind == "Fn::Join":
            return self._join(argument)
        if kind == "Fn::Select":
            return self._select(argument)
        if kind == "Fn::Split":
            return self._split(argument)
        if kind == "Fn::If":
            if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
                return UNKNOWN
            chosen = self.condition(argument[0])
            if chosen is None:
                return UNKNOWN
            return self.resolve(argument[1] if chosen else argument[2])
        if kind == "Fn::Sub" and isinstance(argument, str):
            return self._substitute(argument)
        return UNKNOWN

    def _join(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return UNKNOWN
        items = self.resolve(argument[1])
        if not isinstance(items, list) or any(not _is_scalar(item) for item in items):
            return UNKNOWN
        return argument[0].join(scalar_text(item) for item in items)

    def _select(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 2):
            return UNKNOWN
        index, items = self.resolve(argument[0]), self.resolve(argument[1])
        if not isinstance(items, list) or not _is_scalar(index):
            return UNKNOWN
        text = scalar_text(index)
        if not text.isdigit() or len(text) > 9 or int(text) >= len(items):
            return UNKNOWN
        return items[int(text)]

    def _split(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return UNKNOWN
        text = self.resolve(argument[1])
        if not argument[0] or not _is_scalar(text):
            return UNKNOWN
        return scalar_text(text).split(argument[0])

    def _substitute(self, template: str) -> object:
        unknown = False

        def replace(match: re.Match[str]) -> str:
            nonlocal unknown
            name = match.group(1).strip()
            if name in self._values:
                return self._values[name]
            if name in self._pseudo:
                return self._pseudo[name]
            unknown = True
            return match.group(0)

        result = _SUB_VARIABLE.sub(replace, template)
        return UNKNOWN if unknown else result.replace("${!", "${")


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))
