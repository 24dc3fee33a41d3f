"""What resource policies grant AWS Config, read from their JSON: a custom rule's Lambda function
policy (who may invoke it, and how much room it has left) and a delivery bucket's policy (what the
conformance-pack prerequisites ask of it). Allow statements count only where they plainly apply, and
a Deny that applies takes away what they grant. What this cannot read (a policy that is not JSON, a
condition of another shape or on another key) is a doubt, which the rules report as "could not
verify" rather than call the policy wrong; a Deny under conditions is not read, as it could only
take away more."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# AWS's limit on a function's resource policy, in bytes (Lambda API reference, GetPolicy: Policy
# "Maximum length of 20480"; "PolicyLengthExceededException: The final policy size (N) is bigger than
# the limit (20480)").
LAMBDA_POLICY_MAX_BYTES = 20_480
CONFIG_PRINCIPAL = "config.amazonaws.com"
# A function policy with no statement yet, as Lambda writes it: the first add-permission makes it.
EMPTY_FUNCTION_POLICY = '{"Version":"2012-10-17","Id":"default","Statement":[]}'
CONFORMS_ROLE = "AWSServiceRoleForConfigConforms"
ACCOUNT_ID = re.compile(r"[0-9]{12}")
# Condition operators under which a key's values are what the statement applies to.
_MATCHING = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"})
_ACCOUNT_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:principalorgid"})


def statements(policy: str) -> list[dict[str, Any]] | None:
    """The statements of a policy document; None when it is not one (not JSON, or of another shape)."""
    try:
        document = json.loads(policy)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    found = document.get("Statement", [])
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(statement, dict) for statement in found):
        return None
    return found


def _listed(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _applies(statement: dict[str, Any], wanted: Iterable[str], effect: str) -> set[str]:
    """Which of the `wanted` actions a statement of `effect` names (with `*` wildcards)."""
    if statement.get("Effect") != effect or "NotAction" in statement:
        return set()
    granted = [action.lower() for action in _listed(statement.get("Action"))]
    return {action for action in wanted if any(fnmatch.fnmatchcase(action.lower(), grant) for grant in granted)}


@dataclass(frozen=True)
class _Conditions:
    keys: dict[str, list[str]]  # matching keys (lower-case) to their values
    doubt: str | None  # why the conditions cannot be read: another shape, operator or key


def _conditions(statement: dict[str, Any], readable: frozenset[str]) -> _Conditions:
    if "Condition" not in statement:
        return _Conditions({}, None)
    condition = statement["Condition"]
    if not isinstance(condition, dict):
        return _Conditions({}, "a Condition that is not an object")
    keys: dict[str, list[str]] = {}
    for operator, block in condition.items():
        if not isinstance(block, dict):
            return _Conditions({}, f"a {operator} condition that is not an object")
        for key, value in block.items():
            name = str(key).lower()
            if name not in readable or str(operator).lower() not in _MATCHING:
                return _Conditions({}, f"a condition {operator} on {key}")
            keys.setdefault(name, []).extend(_listed(value))
    return _Conditions(keys, None)


@dataclass(frozen=True)
class Invokers:
    """Whom a function policy lets AWS Config invoke it for."""

    every_account: bool  # a statement for config.amazonaws.com with no account or organization condition
    accounts: frozenset[str]  # accounts named by AWS:SourceAccount or in an AWS:SourceArn
    organizations: frozenset[str]  # organizations named by aws:SourceOrgID or aws:PrincipalOrgID
    principal_org_only: bool  # the organization is named only by aws:PrincipalOrgID (see the rule's docs)
    size: int  # the policy's length in bytes (with no policy, the length of an empty one)
    per_account_statement: int  # the length of one of its per-account statements (or an estimate)
    doubts: tuple[str, ...] = ()  # what was not read, so that accounts it lacks may still be granted


def _for_config(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    services = _listed(principal.get("Service")) if isinstance(principal, dict) else []
    identities = _listed(principal.get("AWS")) if isinstance(principal, dict) else []
    return CONFIG_PRINCIPAL in services or principal == "*" or "*" in identities


def _source_arn_accounts(values: list[str]) -> tuple[list[str], bool]:
    """The accounts of AWS:SourceArn values, and whether each named one plainly."""
    accounts = [value.split(":")[4] if value.count(":") >= 5 else "" for value in values]
    return [account for account in accounts if ACCOUNT_ID.fullmatch(account)], all(
        ACCOUNT_ID.fullmatch(account) for account in accounts
    )


def invokers(policy: str, function_arn: str) -> Invokers:
    every = False
    accounts: set[str] = set()
    organizations: set[str] = set()
    by_principal_org = False
    by_source_org = False
    sizes: list[int] = []
    doubts: list[str] = []
    found = statements(policy) if policy else []
    if found is None:
        doubts.append("its resource policy is not a policy document this can read")
        found = []
    denied_every = False
    for statement in found:
        if _applies(statement, ["lambda:InvokeFunction"], "Deny") and _for_config(statement):
            denied_every |= "Condition" not in statement  # one under conditions only takes away more
            continue
        if not _applies(statement, ["lambda:InvokeFunction"], "Allow") or not _for_config(statement):
            continue
        read = _conditions(statement, _ACCOUNT_KEYS)
        if read.doubt is not None:
            doubts.append(f"{read.doubt} ({statement.get('Sid', 'no Sid')})")
            continue
        keys = read.keys
        arn_accounts, plain = _source_arn_accounts(keys.get("aws:sourcearn", []))
        if not plain:
            doubts.append(f"an AWS:SourceArn of no one account ({statement.get('Sid', 'no Sid')})")
        source_accounts = [*keys.get("aws:sourceaccount", []), *arn_accounts]
        source_orgs = keys.get("aws:sourceorgid", [])
        principal_orgs = keys.get("aws:principalorgid", [])
        if source_accounts:
            if any(not ACCOUNT_ID.fullmatch(account) for account in source_accounts):
                doubts.append(f"an AWS:SourceAccount pattern ({statement.get('Sid', 'no Sid')})")
            accounts.update(source_accounts)
            sizes.append(len(json.dumps(statement, separators=(",", ":"))))
        elif source_orgs or principal_orgs:
            organizations.update(source_orgs + principal_orgs)
            by_principal_org |= bool(principal_orgs)
            by_source_org |= bool(source_orgs)
        elif not keys:
            every = True
    if denied_every:
        every, accounts, organizations = False, set(), set()
    estimate = len(
        json.dumps(
            {"Sid": "config-000000000000", "Effect": "Allow", "Principal": {"Service": CONFIG_PRINCIPAL},
             "Action": "lambda:InvokeFunction", "Resource": function_arn,
             "Condition": {"StringEquals": {"AWS:SourceAccount": "000000000000"}}},
            separators=(",", ":"),
        )
    )  # fmt: skip
    return Invokers(
        every, frozenset(accounts), frozenset(organizations), by_principal_org and not by_source_org,
        len((policy or EMPTY_FUNCTION_POLICY).encode()), max(sizes, default=estimate),
        () if denied_every else tuple(doubts),
    )  # fmt: skip


@dataclass(frozen=True)
class BucketGrants:
    missing: tuple[str, ...]  # the actions no Allow grants (or a Deny takes away)
    doubts: tuple[str, ...]  # what was not read, so that the missing ones may still be granted


def bucket_grants_missing(
    policy: str, bucket: str, prefix: str | None, partition: str = "aws", organization: str | None = None
) -> BucketGrants:
    """The grants the organization-pack prerequisites ask of the delivery bucket that no Allow
    statement of `policy` makes: s3:GetObject and s3:PutObject on its objects and s3:GetBucketAcl on
    it, to the AWSServiceRoleForConfigConforms role of each account (a principal `*` limited by an
    aws:PrincipalOrgID of `organization` and an aws:PrincipalArn of that role counts)."""
    objects = f"arn:{partition}:s3:::{bucket}/{prefix.strip('/') + '/' if prefix else ''}"
    wanted = {"s3:GetObject": objects, "s3:PutObject": objects, "s3:GetBucketAcl": f"arn:{partition}:s3:::{bucket}"}
    found = statements(policy) if policy else []
    if found is None:
        return BucketGrants(tuple(sorted(wanted)), ("its policy is not a policy document this can read",))
    granted: set[str] = set()
    denied: set[str] = set()
    doubts: list[str] = []
    for statement in found:
        for effect in ("Allow", "Deny"):
            actions = [
                action
                for action in _applies(statement, wanted, effect)
                if any(_covers(resource, wanted[action]) for resource in _listed(statement.get("Resource")))
            ]
            if not actions or not _reaches_conforms_role(statement):
                continue
            if effect == "Deny":
                if "Condition" not in statement:  # one under conditions only takes away more
                    denied.update(actions)
                continue
            doubt = _organization_doubt(statement, organization)
            if doubt is None:
                granted.update(actions)
            elif doubt:
                doubts.append(f"{doubt} ({statement.get('Sid', 'no Sid')})")
    missing = tuple(sorted(set(wanted) - (granted - denied)))
    return BucketGrants(missing, tuple(doubts) if set(missing) - denied else ())


def _organization_doubt(statement: dict[str, Any], organization: str | None) -> str | None:
    """None when an Allow's conditions let the organization's accounts in; "" when they plainly do
    not (another organization); else what could not be read."""
    read = _conditions(statement, frozenset({"aws:principalorgid", "aws:principalarn", "aws:sourceaccount"}))
    if read.doubt is not None:
        return read.doubt
    orgs = read.keys.get("aws:principalorgid", [])
    if orgs and organization is not None and organization not in orgs:
        return ""
    return None


def _reaches_conforms_role(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        identities = _listed(principal.get("AWS"))
        return any(identity == "*" or CONFORMS_ROLE in identity for identity in identities)
    return False


def _covers(pattern: str, arn: str) -> bool:
    """Whether a Resource pattern (with `*`) covers `arn` and what lies below it."""
    return fnmatch.fnmatchcase(arn, pattern) or fnmatch.fnmatchcase(arn + "x", pattern) or pattern in ("*", arn)
