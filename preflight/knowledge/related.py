"""One mistake that two rules see from two sides, so that each hint names the other finding instead
of telling the user to delete what the other fix needs:

- a condition that nothing uses (CP209), and an undefined condition name (CP208) that is a typo of it;
- a parameter that nothing uses (CP305), and the managed-rule parameter a config rule lacks (CP403)
  that it was declared for (AWS's packs name it `<Rule>Param<Parameter>`);
- a condition that nothing uses (CP209) and that only tests such a parameter (AWS's packs write
  `<rule>Param<Parameter>: !Not [!Equals ["", !Ref <Rule>Param<Parameter>]]`), which the CP403 repair
  uses in `Fn::If`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from preflight.knowledge.catalog import ManagedParameter
from preflight.knowledge.config_rules import ConfigRuleView, parameter_items
from preflight.knowledge.intrinsics import UNKNOWN
from preflight.knowledge.template import Template
from preflight.model.findings import DocPath
from preflight.model.suggest import Suggestions


@dataclass(frozen=True)
class MisspeltCondition:
    """A reference to an undefined condition that probably means a defined, unused one."""

    reference: str  # the undefined name
    path: DocPath  # where it is used
    meant: str  # the defined condition it is closest to


@dataclass(frozen=True)
class MissingParameter:
    """A required managed-rule parameter a rule lacks, and the unused template parameter meant for it."""

    view: ConfigRuleView
    parameter: ManagedParameter
    declared: str | None  # an unused template parameter declared for it
    condition: str | None = None  # an unused condition that tests only that parameter


class Related:
    """Computed once per template, for the rules on both sides."""

    def __init__(self, template: Template, views: Sequence[ConfigRuleView]) -> None:
        self.template = template
        self.views = views

    @cached_property
    def misspelt_conditions(self) -> tuple[MisspeltCondition, ...]:
        defined = self.template.conditions
        suggestions = Suggestions(defined)
        found = []
        for name, path in self.template.condition_references:
            if name not in defined:
                nearest = suggestions.nearest(name)
                found.append(MisspeltCondition(name, path, nearest[0] if nearest else ""))
        return tuple(found)

    @cached_property
    def unused_conditions(self) -> tuple[str, ...]:
        """Conditions nothing uses but other unused conditions (a chain of them goes in one --fix round)."""
        used_by: dict[str, set[str]] = {}  # condition -> the conditions that use it ("" for a resource)
        for name, path in self.template.condition_references:
            user = str(path[1]) if path[:1] == ("Conditions",) and len(path) > 1 else ""
            used_by.setdefault(name, set()).add(user)
        live: set[str] = set()
        stack = [name for name, users in used_by.items() if "" in users]
        while stack:
            name = stack.pop()
            if name in live:
                continue
            live.add(name)
            stack.extend(other for other, users in used_by.items() if name in users and other not in live)
        return tuple(name for name in self.template.conditions if name not in live)

    def users_of(self, condition: str) -> list[str]:
        """The conditions that use `condition` (all of them unused, when it is)."""
        return [str(path[1]) for name, path in self.template.condition_references
                if name == condition and path[:1] == ("Conditions",) and len(path) > 1]  # fmt: skip

    @cached_property
    def unused_parameters(self) -> tuple[str, ...]:
        used = {name for name, _ in self.template.references}
        return tuple(name for name in self.template.parameters if name not in used)

    @cached_property
    def conditions_of_unused(self) -> dict[str, str]:
        """The unused conditions whose every reference is to one parameter, by that parameter."""
        unused = set(self.unused_conditions)
        refers: dict[str, set[str]] = {}
        for name, path in self.template.references:
            if path[:1] == ("Conditions",) and len(path) > 1 and path[1] in unused:
                refers.setdefault(str(path[1]), set()).add(name)
        return {next(iter(names)): condition for condition, names in refers.items() if len(names) == 1}

    @cached_property
    def missing_parameters(self) -> tuple[MissingParameter, ...]:
        """Each required parameter a rule lacks, with the template parameter declared for it: one no
        `Ref` uses, or only an unused condition does."""
        only_tested = self.conditions_of_unused
        outside = {name for name, path in self.template.references if path[:1] != ("Conditions",)}
        candidates = [*self.unused_parameters, *(name for name in only_tested if name not in outside)]
        unused = {name.lower(): name for name in candidates}
        found = []
        for view, parameter in _missing(self.views):
            declared = next((name for low, name in unused.items() if low.endswith(parameter.name.lower())), None)
            condition = only_tested.get(declared) if declared is not None else None
            found.append(MissingParameter(view, parameter, declared, condition))
        return tuple(found)

    def typos_of(self, condition: str) -> list[MisspeltCondition]:
        return [typo for typo in self.misspelt_conditions if typo.meant == condition]

    def needing(self, parameter: str) -> list[MissingParameter]:
        return [missing for missing in self.missing_parameters if missing.declared == parameter]

    def needing_condition(self, condition: str) -> list[MissingParameter]:
        return [missing for missing in self.missing_parameters if missing.condition == condition]


def _missing(views: Sequence[ConfigRuleView]) -> Iterator[tuple[ConfigRuleView, ManagedParameter]]:
    """The required managed-rule parameters each config rule lacks (defaults are not applied by the API)."""
    for view in views:
        if view.managed is None or view.input_parameters is UNKNOWN or isinstance(view.input_parameters, str):
            continue
        present: Mapping[str, object] = parameter_items(view)
        for parameter in view.managed.parameters.values():
            if not parameter.optional and parameter.name not in present:
                yield view, parameter
