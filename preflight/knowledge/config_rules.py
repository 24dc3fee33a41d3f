"""What each AWS::Config::ConfigRule resource will be once parameters and conditions are applied,
and its managed-rule catalog entry. Shared by the rule-content rules (CP4xx)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.knowledge.intrinsics import NO_VALUE, UNKNOWN
from preflight.knowledge.template import CONFIG_RULE, Resource, Template
from preflight.model.findings import DocPath

if TYPE_CHECKING:
    from preflight.knowledge.catalog import Catalog, ManagedRule

# Deployed rule names get "-conformance-pack-" and a 9-character id appended.
PACK_SUFFIX_LENGTH = len("-conformance-pack-") + 9


def deployed_rules(template: Template) -> list[Resource]:
    return [resource for resource in template.of_type(CONFIG_RULE) if template.is_deployed(resource)]


def effective_rule_name(template: Template, resource: Resource) -> object:
    """The rule's ConfigRuleName as AWS will see it; None when CloudFormation generates it."""
    if "ConfigRuleName" not in resource.properties:
        return None
    value = template.evaluator.resolve(resource.properties["ConfigRuleName"])
    if value is NO_VALUE:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


PROCESS_CHECK = "AWS_CONFIG_PROCESS_CHECK"  # process checks: a valid identifier with no catalog entry
FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
OWNERS = ("AWS", "CUSTOM_LAMBDA", "CUSTOM_POLICY")


@dataclass(eq=False, repr=False, frozen=True)
class ConfigRuleView:
    """An AWS::Config::ConfigRule resource as the rules read it: its source, owner and parameters resolved."""

    resource: Resource
    source: object  # the resolved Source mapping, UNKNOWN, or None when absent
    owner: object
    identifier: object
    input_parameters: object  # resolved mapping, UNKNOWN, None when absent, or a str that is not JSON
    input_parameters_raw: object
    managed: ManagedRule | None

    @property
    def path(self) -> DocPath:
        return self.resource.path + ("Properties",)

    def parameters_path(self, name: str | None = None) -> DocPath:
        base = self.path + ("InputParameters",)
        if name is not None and isinstance(self.input_parameters_raw, dict) and name in self.input_parameters_raw:
            return base + (name,)
        return base

    def resolved(self, template: Template, key: str) -> object:
        if key not in self.resource.properties:
            return None
        value = template.evaluator.resolve(self.resource.properties[key])
        return None if value is NO_VALUE else value


def _resolve_parameters(template: Template, raw: object) -> object:
    value = template.evaluator.resolve(raw)
    if value is NO_VALUE:
        return None
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, dict) else value
    return value


def config_rule_views(template: Template, catalog: Catalog) -> tuple[ConfigRuleView, ...]:
    views = []
    for resource in template.of_type(CONFIG_RULE):
        if not template.is_deployed(resource):
            continue
        properties = resource.properties
        source = template.evaluator.resolve(properties["Source"]) if "Source" in properties else None
        if source is NO_VALUE:
            source = None
        owner = source.get("Owner") if isinstance(source, dict) else UNKNOWN if source is UNKNOWN else None
        identifier = source.get("SourceIdentifier") if isinstance(source, dict) else UNKNOWN
        managed = catalog.get(identifier) if owner == "AWS" and isinstance(identifier, str) else None
        raw = properties.get("InputParameters")
        parameters = _resolve_parameters(template, raw) if "InputParameters" in properties else None
        views.append(ConfigRuleView(resource, source, owner, identifier, parameters, raw, managed))
    return tuple(views)


def parameter_items(view: ConfigRuleView) -> Mapping[str, object]:
    return view.input_parameters if isinstance(view.input_parameters, dict) else {}
