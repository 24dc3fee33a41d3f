"""Read-only views of a conformance pack template that several rules share."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from preflight.knowledge.intrinsics import Evaluator, intrinsic_name, is_list_type
from preflight.model.findings import DocPath

CONFIG_RULE = "AWS::Config::ConfigRule"
REMEDIATION = "AWS::Config::RemediationConfiguration"
PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)


@dataclass(eq=False, repr=False, frozen=True)
class Resource:
    """One entry of `Resources`."""

    logical_id: str
    type: str | None
    body: Mapping[str, object]
    is_mapping: bool = True

    @property
    def path(self) -> DocPath:
        return ("Resources", self.logical_id)

    @property
    def properties(self) -> Mapping[str, object]:
        properties = self.body.get("Properties")
        return properties if isinstance(properties, dict) else {}

    def mapping(self, key: str) -> Mapping[str, object]:
        """The property `key` when it is a mapping, else an empty one."""
        return _mapping(self.properties.get(key))


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}


@dataclass(eq=False, repr=False, frozen=True)
class Template:
    """A template's values with the parameter and pseudo-parameter values it is read with."""

    data: Mapping[str, object]
    parameter_values: Mapping[str, str]
    pseudo_values: Mapping[str, str]

    @cached_property
    def parameters(self) -> Mapping[str, Mapping[str, object]]:
        return {name: _mapping(body) for name, body in _mapping(self.data.get("Parameters")).items()}

    @cached_property
    def conditions(self) -> Mapping[str, object]:
        return _mapping(self.data.get("Conditions"))

    @cached_property
    def resources(self) -> tuple[Resource, ...]:
        found = []
        for logical_id, body in _mapping(self.data.get("Resources")).items():
            body_map = _mapping(body)
            kind = body_map.get("Type")
            found.append(
                Resource(logical_id, kind if isinstance(kind, str) else None, body_map, isinstance(body, dict))
            )
        return tuple(found)

    @cached_property
    def resource_loops(self) -> tuple[str, ...]:
        """`Fn::ForEach::Name` keys among the resources (CloudFormation's language extensions)."""
        return tuple(key for key in _mapping(self.data.get("Resources")) if key.startswith("Fn::ForEach::"))

    def of_type(self, kind: str) -> tuple[Resource, ...]:
        return tuple(resource for resource in self.resources if resource.type == kind)

    @cached_property
    def list_parameters(self) -> frozenset[str]:
        """Parameters whose `Ref` is a list (`CommaDelimitedList`, `List<...>`)."""
        return frozenset(name for name, body in self.parameters.items() if is_list_type(body.get("Type")))

    @cached_property
    def evaluator(self) -> Evaluator:
        return Evaluator(self.conditions, self.parameter_values, self.pseudo_values, self.list_parameters)

    def deployment(self, resource: Resource) -> bool | None:
        """Whether the resource is created: its Condition's value, None when that cannot be known."""
        condition = resource.body.get("Condition")
        if not isinstance(condition, str):
            return True
        return self.evaluator.condition(condition)

    def is_deployed(self, resource: Resource) -> bool:
        """True unless the resource's Condition is known to be false."""
        return self.deployment(resource) is not False

    def deployed(self, kind: str) -> Iterator[Resource]:
        """The resources of type `kind` that are created, or may be."""
        return (resource for resource in self.of_type(kind) if self.is_deployed(resource))

    @cached_property
    def _index(self) -> tuple[tuple[tuple[DocPath, str, object], ...], tuple[tuple[DocPath, str], ...]]:
        calls: list[tuple[DocPath, str, object]] = []
        strings: list[tuple[DocPath, str]] = []
        stack: list[tuple[DocPath, object]] = [((), self.data)]
        while stack:  # `walk`, inlined: this visits every node of every template
            path, node = stack.pop()
            if isinstance(node, str):
                strings.append((path, node))
            elif isinstance(node, dict):
                if len(node) == 1:
                    function = intrinsic_name(node)
                    if function is not None:
                        calls.append((path, function, node[function]))
                stack.extend([(path + (key,), node[key]) for key in reversed(node)])
            elif isinstance(node, list):
                stack.extend([(path + (index,), node[index]) for index in range(len(node) - 1, -1, -1)])
        return tuple(calls), tuple(strings)

    @property
    def intrinsic_calls(self) -> tuple[tuple[DocPath, str, object], ...]:
        """Every one-key `Ref`, `Condition` or `Fn::*` mapping: its path, function name and argument."""
        return self._index[0]

    @property
    def strings(self) -> tuple[tuple[DocPath, str], ...]:
        """Every string value with its path."""
        return self._index[1]

    @cached_property
    def references(self) -> tuple[tuple[str, DocPath], ...]:
        """Every name a `Ref` or an `Fn::Sub` refers to, with the path of the reference."""
        found: list[tuple[str, DocPath]] = []
        for path, function, argument in self.intrinsic_calls:
            if function == "Ref" and isinstance(argument, str):
                found.append((argument, path + ("Ref",)))
            elif function == "Fn::Sub":
                local: set[str] = set()
                sub_path = path + ("Fn::Sub",)
                if isinstance(argument, list) and argument:
                    if len(argument) > 1 and isinstance(argument[1], dict):
                        local = set(argument[1])
                    argument, sub_path = argument[0], sub_path + (0,)
                if isinstance(argument, str):
                    found.extend((name, sub_path) for name in sub_variables(argument) if name not in local)
        return tuple(found)

    @cached_property
    def variables_outside_sub(self) -> tuple[tuple[str, DocPath, int], ...]:
        """`${Name}` written in a resource's string that no `Fn::Sub` substitutes, where Name is a
        parameter, a pseudo parameter or a resource of the template: CloudFormation passes such text
        on as it is. Each with the string's path and the offset of its `${`. Descriptions are left out:
        their text is for people."""
        known = set(self.parameters) | PSEUDO_PARAMETERS | {resource.logical_id for resource in self.resources}
        found: list[tuple[str, DocPath, int]] = []
        for path, text in self.strings:
            if "${" not in text or path[:1] != ("Resources",) or "Fn::Sub" in path or "Description" in path:
                continue
            for match in _SUB_VARIABLE.finditer(text):
                name = match.group(1).strip().split(".", 1)[0]
                if name in known:
                    found.append((name, path, match.start()))
        return tuple(found)

    @cached_property
    def condition_references(self) -> tuple[tuple[str, DocPath], ...]:
        """Every use of a condition name: a resource's `Condition`, the first argument of `Fn::If`, and
        `Condition` inside another condition."""
        found: list[tuple[str, DocPath]] = []
        for resource in self.resources:
            name = resource.body.get("Condition")
            if isinstance(name, str):
                found.append((name, resource.path + ("Condition",)))
        for path, function, argument in self.intrinsic_calls:
            if function == "Fn::If" and isinstance(argument, list) and argument and isinstance(argument[0], str):
                found.append((argument[0], path + ("Fn::If", 0)))
            elif function == "Condition" and path[:1] == ("Conditions",) and isinstance(argument, str):
                found.append((argument, path + ("Condition",)))
        return tuple(found)

    def walk(self, root: DocPath = ()) -> Iterator[tuple[DocPath, object]]:
        """Every node under `root`, depth first, with its path; iterative so depth is no concern."""
        start: object = self.data
        for part in root:
            if isinstance(start, dict) and part in start:
                start = start[part]
            else:
                return
        stack: list[tuple[DocPath, object]] = [(root, start)]
        while stack:
            path, node = stack.pop()
            yield path, node
            if isinstance(node, dict):
                stack.extend([(path + (key,), node[key]) for key in reversed(node)])
            elif isinstance(node, list):
                stack.extend([(path + (index,), node[index]) for index in range(len(node) - 1, -1, -1)])


_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def sub_variables(text: str) -> list[str]:
    """The names an Fn::Sub string refers to: `${Name}` and the resource of `${Name.Attribute}`."""
    return [match.strip().split(".", 1)[0] for match in _SUB_VARIABLE.findall(text)]
