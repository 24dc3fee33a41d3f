"""What a pack needs of the accounts it reaches, read from its template: the online pre-flight looks
each of these up (in the caller's account, and in each member account with --member-role).

- the custom rules' Lambda functions, which AWS Config must be allowed to invoke from every account;
- the remediations' AutomationAssumeRole roles, which must exist in every account (AWS Config puts
  each member's own id in the management account's ARN; another account's id is used as written);
- the remediations' SSM documents: an AWS-owned runbook is in every account, another must be shared;
- how many config rules it deploys, which each account must have room for."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from preflight.knowledge.config_rules import config_rule_views, deployed_rules
from preflight.knowledge.intrinsics import NO_VALUE
from preflight.knowledge.template import REMEDIATION, Template
from preflight.model.facts import RuleTally

# Names AWS keeps for its own SSM documents (botocore's ssm model: "aws", "amazon", "amzn",
# "AWSEC2", "AWSConfigRemediation" and "AWSSupport" are reserved prefixes).
AWS_DOCUMENT_PREFIXES = ("AWS-", "AWSConfigRemediation-", "AWSSupport-", "AWSEC2-", "AWSPremiumSupport-", "Amazon")


@dataclass(frozen=True)
class PackNeeds:
    rules: tuple[str, ...] = ()  # the deployed rules' names (the logical id when CloudFormation names one)
    functions: tuple[str, ...] = ()  # Lambda function ARNs of CUSTOM_LAMBDA rules, written out
    roles: tuple[str, ...] = ()  # AutomationAssumeRole ARNs, written out
    documents: tuple[str, ...] = ()  # SSM documents of remediations that are not AWS's own

    def merged(self, other: PackNeeds) -> PackNeeds:
        return PackNeeds(*(tuple(dict.fromkeys((*getattr(self, name), *getattr(other, name)))) for name in _FIELDS))


_FIELDS = ("rules", "functions", "roles", "documents")


def is_aws_document(name: str) -> bool:
    """AWS's own runbooks, by name or by ARN in any partition (arn:aws-cn:ssm:...:document/AWS-...)."""
    if name.startswith(AWS_DOCUMENT_PREFIXES):
        return True
    parts = name.split(":", 5)
    return (
        len(parts) == 6 and parts[0] == "arn" and parts[1].startswith("aws") and parts[2] == "ssm"
        and parts[5].startswith(("document/AWS", "document/Amazon"))  # names AWS reserves for its own
    )  # fmt: skip


def pack_needs(template: Template) -> PackNeeds:
    from preflight.knowledge.catalog import Catalog  # the views need no catalog entry here

    rules: list[str] = []
    for resource in deployed_rules(template):
        name = template.evaluator.resolve(resource.properties.get("ConfigRuleName", NO_VALUE))
        rules.append(name if isinstance(name, str) else resource.logical_id)
    functions = [
        view.identifier
        for view in config_rule_views(template, Catalog("", {}, (), ()))
        if view.owner == "CUSTOM_LAMBDA" and isinstance(view.identifier, str) and view.identifier.startswith("arn:")
    ]
    roles: list[str] = []
    documents: list[str] = []
    for remediation in template.of_type(REMEDIATION):
        if not template.is_deployed(remediation):
            continue
        properties = remediation.properties
        target = template.evaluator.resolve(properties.get("TargetId", NO_VALUE))
        if isinstance(target, str) and target and not is_aws_document(target):
            documents.append(target)
        parameters = properties.get("Parameters")
        role = parameters.get("AutomationAssumeRole") if isinstance(parameters, dict) else None
        static = role.get("StaticValue") if isinstance(role, dict) else None
        values = static.get("Values") if isinstance(static, dict) else None
        if isinstance(values, list):
            roles.extend(value for value in values if isinstance(value, str) and value.startswith("arn:"))
    return PackNeeds(*(tuple(dict.fromkeys(items)) for items in (rules, functions, roles, documents)))


# How AWS Config names a conformance pack's rules in the accounts it deploys them to.
PACK_RULE_SUFFIX = re.compile(r"-conformance-pack-[a-z0-9]{9}$")


def tally_rules(existing: Iterable[str], ours: Iterable[object]) -> RuleTally:
    """`existing`: an account's rules' names; `ours`: the names a pack gives its rules."""
    our_names = {name for name in ours if isinstance(name, str)}
    total = from_packs = 0
    named_as: dict[str, int] = {}
    for name in existing:
        total += 1
        base = PACK_RULE_SUFFIX.sub("", name)
        if base != name:
            from_packs += 1
            if base in our_names:
                named_as[base] = named_as.get(base, 0) + 1
    return RuleTally(total, from_packs, tuple(sorted(named_as.items())))


@dataclass(frozen=True)
class RuleCount:
    """An account's config rules as a pack's put would leave them, by the quotas that count them."""

    from_packs: int  # its rules from other conformance packs
    others: int  # all its rules but this pack's
    ours: int  # this pack's

    @property
    def from_packs_after(self) -> int:
        return self.from_packs + self.ours

    @property
    def after(self) -> int:
        return self.others + self.ours


def count_rules(tally: RuleTally, ours: Sequence[object], updating: bool) -> RuleCount:
    """The account's rules after the put of a pack whose rules are named `ours` (a name that is not a
    string is still a rule). An update (`updating`: the pack exists) replaces its own rules, one of
    each name, rather than adding them; a new pack adds all, whatever other packs' rules are called."""
    our_names = {name for name in ours if isinstance(name, str)}
    replaced = sum(1 for name, count in tally.named_as if count and name in our_names) if updating else 0
    return RuleCount(tally.from_packs - replaced, tally.total - replaced, len(ours))
