"""What must stay together when a pack is split, and what each group needs.

A unit is a config rule with every resource that must be in its pack: the remediations that name it,
and whatever it references or that references it (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`).
Each unit needs the Parameters, Conditions and Mappings its resources use, followed through the
conditions (a condition that uses another condition or a parameter) and `Fn::FindInMap`. Its key is
what identifies its rule in AWS: the deployed `ConfigRuleName`, or the logical id when
CloudFormation names the rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from preflight.knowledge.config_rules import effective_rule_name
from preflight.knowledge.template import CONFIG_RULE, REMEDIATION, Resource, Template
from preflight.model.findings import DocPath

RESOURCES, PARAMETERS, CONDITIONS, MAPPINGS = "Resources", "Parameters", "Conditions", "Mappings"
# The sections whose entries are shared out among the parts; every other top-level key goes to each part.
SECTIONS = (PARAMETERS, CONDITIONS, MAPPINGS, RESOURCES)

Entry = tuple[str, str]  # (section, name): one entry of a section


@dataclass(frozen=True)
class Unit:
    key: str
    resources: tuple[str, ...]  # logical ids, in template order
    rules: int  # AWS::Config::ConfigRule resources among them
    needs: frozenset[Entry]  # Parameters, Conditions and Mappings entries
    rule_keys: tuple[str, ...] = ()  # what identifies each of its rules in AWS, in key order

    @property
    def entries(self) -> frozenset[Entry]:
        """Every entry a part holding this unit must have."""
        return self.needs | {(RESOURCES, logical_id) for logical_id in self.resources}


@dataclass(frozen=True)
class PackUnits:
    units: tuple[Unit, ...]  # in key order
    common: frozenset[Entry]  # needed by the top-level keys every part carries (Outputs, Metadata...)
    unused: tuple[Entry, ...]  # declared, and needed by nothing: in no part


def resource_bound_keys(template: Template) -> tuple[str, ...]:
    """The top-level keys other than the four sections (`Outputs`, `Metadata`, ...) that name a
    resource (`Ref`, `Fn::Sub`, `Fn::GetAtt`): they go to every part, where most of those resources
    are not, so no part can carry them."""
    resources = {resource.logical_id for resource in template.resources}
    named = {path[0] for name, path in template.references if name in resources and path}
    for path, function, argument in template.intrinsic_calls:
        target = argument[0] if isinstance(argument, list) and argument else argument
        if function == "Fn::GetAtt" and path and isinstance(target, str) and target.split(".", 1)[0] in resources:
            named.add(path[0])
    return tuple(key for key in template.data if key not in SECTIONS and key in named)


def rule_key(template: Template, resource: Resource) -> str:
    name = effective_rule_name(template, resource)
    return name if isinstance(name, str) and name else resource.logical_id


def pack_units(template: Template) -> PackUnits:
    resources = {resource.logical_id: resource for resource in template.resources}
    groups = _Groups(resources)
    _join_references(template, resources, groups)
    _join_remediations(template, groups)
    direct = _direct_needs(template, resources)
    declared = _declared(template)
    conditions = {name: direct.get((CONDITIONS, name), set()) for name in template.conditions}

    def closure(owners: Iterable[Entry]) -> frozenset[Entry]:
        found: set[Entry] = set()
        stack = [entry for owner in owners for entry in direct.get(owner, ())]
        while stack:
            entry = stack.pop()
            if entry in found or entry not in declared:
                continue
            found.add(entry)
            if entry[0] == CONDITIONS:
                stack.extend(conditions.get(entry[1], ()))
        return frozenset(found)

    units = []
    for members in groups.members():
        rules = [resources[logical_id] for logical_id in members if resources[logical_id].type == CONFIG_RULE]
        keys = [rule_key(template, resource) for resource in rules]
        needs = closure((RESOURCES, logical_id) for logical_id in members)
        units.append(Unit(min(keys or members), tuple(members), len(rules), needs, tuple(sorted(keys))))
    units.sort(key=lambda unit: (unit.key, unit.resources))
    units = _unique_keys(units)
    common = closure(owner for owner in direct if owner[0] not in SECTIONS)
    needed = common.union(*(unit.needs for unit in units))
    unused = tuple(entry for entry in declared if entry[0] != RESOURCES and entry not in needed)
    return PackUnits(tuple(units), common, unused)


def _unique_keys(units: list[Unit]) -> list[Unit]:
    """Two rules of one name (an error of its own) are told apart by the first logical id of the second."""
    seen: set[str] = set()
    unique = []
    for unit in units:
        key = unit.key if unit.key not in seen else f"{unit.key} ({unit.resources[0]})"
        seen.add(key)
        unique.append(unit if key == unit.key else replace(unit, key=key))
    return unique


class _Groups:
    """Union-find over logical ids; `members` lists each group in template order."""

    def __init__(self, resources: Mapping[str, Resource]) -> None:
        self._parent = {logical_id: logical_id for logical_id in resources}

    def find(self, logical_id: str) -> str:
        root = logical_id
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[logical_id] != root:
            self._parent[logical_id], logical_id = root, self._parent[logical_id]
        return root

    def join(self, first: str, second: str) -> None:
        if first in self._parent and second in self._parent:
            self._parent[self.find(first)] = self.find(second)

    def members(self) -> list[tuple[str, ...]]:
        groups: dict[str, list[str]] = {}
        for logical_id in self._parent:
            groups.setdefault(self.find(logical_id), []).append(logical_id)
        return [tuple(members) for members in groups.values()]


def _owner(path: DocPath) -> Entry | tuple[str, str] | None:
    """The entry a path lies in: (section, name) for the four sections, (key, "") for another top-level key."""
    if not path or not isinstance(path[0], str):
        return None
    if path[0] in SECTIONS:
        return (path[0], path[1]) if len(path) > 1 and isinstance(path[1], str) else None
    return (path[0], "")


def _join_references(template: Template, resources: Mapping[str, Resource], groups: _Groups) -> None:
    for name, path in template.references:
        owner = _owner(path)
        if owner is not None and owner[0] == RESOURCES and name in resources:
            groups.join(owner[1], name)
    for path, function, argument in template.intrinsic_calls:
        owner = _owner(path)
        if function != "Fn::GetAtt" or owner is None or owner[0] != RESOURCES:
            continue
        target = argument[0] if isinstance(argument, list) and argument else argument
        if isinstance(target, str):
            groups.join(owner[1], target.split(".", 1)[0])
    for resource in resources.values():
        depends = resource.body.get("DependsOn")
        for target in depends if isinstance(depends, list) else [depends]:
            if isinstance(target, str):
                groups.join(resource.logical_id, target)


def _join_remediations(template: Template, groups: _Groups) -> None:
    """A remediation goes with the rule it names (AWS attaches it by the name written in its pack)."""
    by_name = {rule_key(template, rule): rule.logical_id for rule in template.of_type(CONFIG_RULE)}
    for remediation in template.of_type(REMEDIATION):
        name = template.evaluator.resolve(remediation.properties.get("ConfigRuleName"))
        if isinstance(name, str) and name in by_name:
            groups.join(remediation.logical_id, by_name[name])


def _direct_needs(template: Template, resources: Mapping[str, Resource]) -> dict[tuple[str, str], set[Entry]]:
    """For each entry (and each other top-level key), the entries it names itself."""
    needs: dict[tuple[str, str], set[Entry]] = {}

    def add(path: DocPath, entry: Entry) -> None:
        owner = _owner(path)
        if owner is not None and owner != entry:
            needs.setdefault(owner, set()).add(entry)

    for name, path in template.references:
        if name not in resources:
            add(path, (PARAMETERS, name))
    for name, path in template.condition_references:
        add(path, (CONDITIONS, name))
    mappings = _mapping(template.data.get(MAPPINGS))
    for path, function, argument in template.intrinsic_calls:
        if function != "Fn::FindInMap" or not isinstance(argument, list) or not argument:
            continue
        table = argument[0]
        for name in [table] if isinstance(table, str) else list(mappings):  # a computed table name: any of them
            add(path, (MAPPINGS, name))
    return needs


def _declared(template: Template) -> dict[Entry, None]:
    """Every entry of the four sections, in template order."""
    declared: dict[Entry, None] = {}
    for section in (PARAMETERS, CONDITIONS, MAPPINGS, RESOURCES):
        for name in _mapping(template.data.get(section)):
            declared[(section, name)] = None
    return declared


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}
