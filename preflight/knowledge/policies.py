"""What resource policies grant AWS Config, read from their JSON: a custom rule's Lambda function
policy (who may invoke it, and how much room it has left) and a delivery bucket's policy (what the
conformance-pack prerequisites ask of it). Only Allow statements that plainly apply are counted; a
policy this cannot read grants nothing here, and the rules say so rather than call it wrong."""

from __future__ import annotations

import json
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


def statements(policy: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(policy)
    except ValueError:
        return []
    found = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(found, dict):
        found = [found]
    return [statement for statement in found if isinstance(statement, dict)]


def _listed(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _allows(statement: dict[str, Any], wanted: Iterable[str]) -> set[str]:
    """Which of the `wanted` actions an Allow statement grants (with `*` wildcards)."""
    if statement.get("Effect") != "Allow" or "NotAction" in statement:
        return set()
    granted = [action.lower() for action in _listed(statement.get("Action"))]
    found = set()
    for action in wanted:
        service = action.split(":", 1)[0].lower()
        if any(grant in ("*", f"{service}:*", action.lower()) for grant in granted):
            found.add(action)
    return found


def _conditions(statement: dict[str, Any]) -> dict[str, list[str]]:
    """Condition keys (lower-case) to their values, whatever the operator."""
    found: dict[str, list[str]] = {}
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return found
    for block in condition.values():
        if isinstance(block, dict):
            for key, value in block.items():
                found.setdefault(str(key).lower(), []).extend(_listed(value))
    return found


@dataclass(frozen=True)
class Invokers:
    """Whom a function policy lets AWS Config invoke it for."""

    every_account: bool  # a statement for config.amazonaws.com with no account or organization condition
    accounts: frozenset[str]  # accounts named by AWS:SourceAccount (or an account principal)
    organizations: frozenset[str]  # organizations named by aws:SourceOrgID or aws:PrincipalOrgID
    principal_org_only: bool  # the organization is named only by aws:PrincipalOrgID (see the rule's docs)
    size: int  # the policy's length in bytes (with no policy, the length of an empty one)
    per_account_statement: int  # the length of one of its per-account statements (or an estimate)


def invokers(policy: str, function_arn: str) -> Invokers:
    every = False
    accounts: set[str] = set()
    organizations: set[str] = set()
    by_principal_org = False
    by_source_org = False
    sizes: list[int] = []
    for statement in statements(policy):
        if not _allows(statement, ["lambda:InvokeFunction"]):
            continue
        principal = statement.get("Principal")
        services = _listed(principal.get("Service")) if isinstance(principal, dict) else []
        if CONFIG_PRINCIPAL not in services and principal != "*":
            continue
        keys = _conditions(statement)
        source_accounts = keys.get("aws:sourceaccount", [])
        source_orgs = keys.get("aws:sourceorgid", [])
        principal_orgs = keys.get("aws:principalorgid", [])
        if source_accounts:
            accounts.update(source_accounts)
            sizes.append(len(json.dumps(statement, separators=(",", ":"))))
        elif source_orgs or principal_orgs:
            organizations.update(source_orgs + principal_orgs)
            by_principal_org |= bool(principal_orgs)
            by_source_org |= bool(source_orgs)
        elif not any(key.startswith(("aws:source", "aws:principal")) for key in keys):
            every = True
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
    )  # fmt: skip


def bucket_grants_missing(policy: str, bucket: str, prefix: str | None) -> list[str]:
    """The grants the organization-pack prerequisites ask of the delivery bucket that no Allow
    statement of `policy` makes: s3:GetObject and s3:PutObject on its objects and s3:GetBucketAcl on
    it, to the AWSServiceRoleForConfigConforms role of each account (a principal `*` limited by
    conditions counts)."""
    objects = f"arn:aws:s3:::{bucket}/{prefix.strip('/') + '/' if prefix else ''}"
    wanted = {"s3:GetObject": objects, "s3:PutObject": objects, "s3:GetBucketAcl": f"arn:aws:s3:::{bucket}"}
    granted: set[str] = set()
    for statement in statements(policy):
        if not _reaches_conforms_role(statement):
            continue
        resources = _listed(statement.get("Resource"))
        for action in _allows(statement, wanted):
            target = wanted[action]
            if any(_covers(resource, target) for resource in resources):
                granted.add(action)
    return sorted(set(wanted) - granted)


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
    import fnmatch

    return fnmatch.fnmatchcase(arn, pattern) or fnmatch.fnmatchcase(arn + "x", pattern) or pattern in ("*", arn)
