"""What a rule module may use, and the only module it imports from preflight: the context a rule
reads, the issues it yields, the `rule` decorator and its phases, the template and AWS Config
knowledge, the limits and the facts. Everything else in preflight may change shape without
touching a rule; the layer contract in pyproject.toml holds rules to this module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from preflight.engine.context import Context
from preflight.fix.edits import literal_path
from preflight.knowledge.config_rules import (
    FREQUENCIES,
    OWNERS,
    PACK_SUFFIX_LENGTH,
    PROCESS_CHECK,
    ConfigRuleView,
    deployed_rules,
    effective_rule_name,
    parameter_items,
)
from preflight.knowledge.intrinsics import UNKNOWN, intrinsic_name
from preflight.knowledge.needs import count_rules, is_aws_document, tally_rules
from preflight.knowledge.patterns import Unmatchable, full_match
from preflight.knowledge.policies import LAMBDA_POLICY_MAX_BYTES, bucket_grants_missing, invokers
from preflight.knowledge.regions import Offered, partition_of
from preflight.knowledge.runbooks import covers as aws_runbook_family
from preflight.knowledge.s3_names import bucket_name_problem, split_s3_uri
from preflight.knowledge.schemas import PACK_RESOURCE_TYPES, SchemasUnavailable
from preflight.knowledge.template import CONFIG_RULE, PSEUDO_PARAMETERS, REMEDIATION, Resource, Template
from preflight.model.fact_names import ORGANIZATION_NONE, ORGANIZATION_PRESENT, Fact
from preflight.model.findings import START_OF_FILE, DocPath, Edit, Issue, Severity
from preflight.model.limits import API_LIMITS
from preflight.model.problems import ProblemKind
from preflight.model.request import MANAGED_PACK_SOURCE, PARAMETERS_KEY
from preflight.model.rule import Phase, rule
from preflight.model.suggest import Misspellings, Suggestions, camel_words, closest, did_you_mean
from preflight.model.values import INTEGER_TEXT, NUMBER_TEXT, scalar_text

if TYPE_CHECKING:  # for annotations: a check is handed these, never makes them
    from preflight.model.facts import AwsFacts, MemberAccount, RuleTally, Simulated, SsmDocument
    from preflight.model.spec import PackSummary, SpecSummary

__all__ = [
    "API_LIMITS",
    "CONFIG_RULE",
    "FREQUENCIES",
    "INTEGER_TEXT",
    "LAMBDA_POLICY_MAX_BYTES",
    "MANAGED_PACK_SOURCE",
    "NUMBER_TEXT",
    "ORGANIZATION_NONE",
    "ORGANIZATION_PRESENT",
    "OWNERS",
    "PACK_RESOURCE_TYPES",
    "PACK_SUFFIX_LENGTH",
    "PARAMETERS_KEY",
    "PROCESS_CHECK",
    "PSEUDO_PARAMETERS",
    "REMEDIATION",
    "START_OF_FILE",
    "UNKNOWN",
    "AwsFacts",
    "ConfigRuleView",
    "Context",
    "DocPath",
    "Edit",
    "Fact",
    "Issue",
    "MemberAccount",
    "Misspellings",
    "Offered",
    "PackSummary",
    "Phase",
    "ProblemKind",
    "Resource",
    "RuleTally",
    "SchemasUnavailable",
    "Severity",
    "Simulated",
    "SpecSummary",
    "SsmDocument",
    "Suggestions",
    "Template",
    "Unmatchable",
    "aws_runbook_family",
    "bucket_grants_missing",
    "bucket_name_problem",
    "camel_words",
    "closest",
    "count_rules",
    "deployed_rules",
    "did_you_mean",
    "effective_rule_name",
    "full_match",
    "intrinsic_name",
    "invokers",
    "is_aws_document",
    "literal_path",
    "parameter_items",
    "partition_of",
    "rule",
    "scalar_text",
    "split_s3_uri",
    "tally_rules",
]
