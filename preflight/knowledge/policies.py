"""What resource policies grant AWS Config, read from their JSON: a custom rule's Lambda function
policy (for which accounts AWS Config may invoke it, and how much room it has left) and a delivery
bucket's policy (what the conformance-pack prerequisites ask of it).

Each statement is evaluated, for each account, against the request AWS Config would make for that
account, as IAM evaluates it: every condition must hold (a key's values are alternatives), a Deny
that applies takes away what an Allow grants. What this cannot read (a policy that is not JSON, a
condition on another key or with another operator, a Deny written with NotPrincipal) makes the
accounts it may concern doubtful: the rules report those as "could not check" rather than call the
policy wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
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
CONFORMS_ROLE_PATH = f"role/aws-service-role/config-conforms.amazonaws.com/{CONFORMS_ROLE}"
ACCOUNT_ID = re.compile(r"[0-9]{12}")
# Two names AWS Config could give a new rule: a condition must hold for both to hold for the pack's.
_RULE_IDS = ("config-rule-a1b2c3", "config-rule-z9y8x7")
# Two object keys below the delivery prefix: a grant must cover both to cover what AWS Config writes.
_OBJECT_KEYS = ("AWSLogs/000000000000/Config/a.json", "z")


def statements(policy: str) -> list[dict[str, Any]] | None:
    """The statements of a policy document; None when it is not one (not JSON, or of another shape)."""
    try:
        document = json.loads(policy)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    found = document.get("Statement", [])
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(statement, dict) for statement in found):
        return None
    return found


def _listed(value: object) -> list[str] | None:
    """A policy element's values as strings (JSON numbers as IAM reads them); None for another shape."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str | int | float) and not isinstance(item, bool) for item in items):
        return None
    return [str(item) for item in items]


def _matches(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's wildcards: `*` any run of characters, `?` any one; nothing else is special."""
    expression = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.fullmatch(expression, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _sid(statement: dict[str, Any]) -> str:
    return str(statement.get("Sid") or "no Sid")


@dataclass(frozen=True)
class _Request:
    """What IAM sees of one request AWS Config makes for an account: each condition key's values
    (lower-case names), the keys such a request does not carry, and the keys it may carry with values
    not known here. A condition on any other key cannot be told."""

    keys: Mapping[str, tuple[str, ...]]
    absent: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()


# Operators: whether their values take wildcards, and whether they ignore case.
_POSITIVE = {
    "stringequals": (False, False), "stringequalsignorecase": (False, True), "stringlike": (True, False),
    "arnequals": (True, False), "arnlike": (True, False), "bool": (False, True),
}  # fmt: skip
_NEGATIVE = {
    "stringnotequals": (False, False), "stringnotequalsignorecase": (False, True), "stringnotlike": (True, False),
    "arnnotequals": (True, False), "arnnotlike": (True, False),
}  # fmt: skip


def _holds(statement: dict[str, Any], request: _Request) -> bool | str:
    """Whether every condition of `statement` holds for `request`: True, False, or why it cannot be told."""
    if "Condition" not in statement:
        return True
    condition = statement["Condition"]
    if not isinstance(condition, dict):
        return "a Condition that is not an object"
    doubt: str | None = None
    for operator, block in condition.items():
        written = str(operator).lower()
        name = written.removesuffix("ifexists")
        if not isinstance(block, dict):
            doubt = doubt or f"a {operator} condition that is not an object"
            continue
        for key, value in block.items():
            holds = _one_condition(name, written != name, str(key).lower(), _listed(value), request)
            if holds is False:
                return False
            if holds is not True:
                doubt = doubt or f"a condition {operator} on {key}{holds}"
    return doubt if doubt is not None else True


def _one_condition(name: str, if_exists: bool, key: str, values: list[str] | None, request: _Request) -> bool | str:
    """One operator on one key: True, False, or what to add to the doubt's description."""
    if values is None or (name not in _POSITIVE and name not in _NEGATIVE) or key in request.unknown:
        return ""
    if key in request.absent:  # IAM: an absent key matches no value, so a negated operator holds
        return name in _NEGATIVE or if_exists
    present = request.keys.get(key)
    if present is None:
        return ""
    wildcards, ignore_case = _POSITIVE.get(name) or _NEGATIVE[name]
    found = [
        any(
            _matches(pattern, seen, ignore_case)
            if wildcards
            else (pattern.lower() == seen.lower() if ignore_case else pattern == seen)
            for pattern in values
        )
        for seen in present
    ]
    if all(found) != any(found):  # the request's alternatives (two names of a new rule) disagree
        return " that names one rule"
    return all(found) if name in _POSITIVE else not any(found)


def _resource_covers(statement: dict[str, Any], arns: Sequence[str]) -> bool | str:
    """Whether the statement's Resource covers every ARN of `arns` (True), none (False), or some."""
    if "NotResource" in statement:
        return "a NotResource"
    patterns = _listed(statement.get("Resource", "*"))
    if patterns is None:
        return "a Resource that is not a string or a list of strings"
    covered = [any(_matches(pattern, arn) for pattern in patterns) for arn in arns]
    if all(covered):
        return True
    return "a Resource that covers part of it" if any(covered) else False


def _actions(statement: dict[str, Any], action: str) -> bool | str:
    if "NotAction" in statement:
        return "a NotAction"
    listed = _listed(statement.get("Action"))
    if listed is None:
        return "an Action that is not a string or a list of strings"
    return any(_matches(pattern, action, ignore_case=True) for pattern in listed)


@dataclass(frozen=True)
class _Verdicts:
    """For each account: granted, or doubtful with why."""

    granted: set[str]
    doubts: dict[str, str]


def _evaluate(
    found: list[dict[str, Any]],
    accounts: Sequence[str],
    applies: Callable[[dict[str, Any], str], bool | str],
    request: Callable[[str], _Request],
) -> _Verdicts:
    """Evaluate `found` for each account: `applies(statement, account)` says whether the statement's
    principal, action and resource concern that account's request (True, False or a doubt);
    `request(account)` is that request's condition keys. A Deny that applies wins over any Allow."""
    granted: set[str] = set()
    denied: set[str] = set()
    allow_doubts: dict[str, str] = {}  # an Allow that may grant
    deny_doubts: dict[str, str] = {}  # a Deny that may take away
    for statement in found:
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            continue
        for account in accounts:
            concerned = applies(statement, account)
            verdict = _holds(statement, request(account)) if concerned is True else concerned
            if verdict is False:
                continue
            if verdict is True:
                (granted if effect == "Allow" else denied).add(account)
            else:
                (allow_doubts if effect == "Allow" else deny_doubts).setdefault(
                    account, f"{verdict} ({_sid(statement)})"
                )
    doubts = {a: why for a, why in allow_doubts.items() if a not in granted}
    doubts.update(deny_doubts)
    return _Verdicts(granted - denied - set(deny_doubts), {a: why for a, why in doubts.items() if a not in denied})


@dataclass(frozen=True)
class Invokers:
    """For which of the accounts asked about a function policy lets AWS Config invoke the function."""

    granted: frozenset[str]
    doubtful: dict[str, str]  # an account not granted plainly, and what could not be read for it
    principal_org_only: frozenset[str]  # accounts granted only under aws:PrincipalOrgID (see CP515's docs)
    size: int  # the policy's length in bytes (with no policy, the length of an empty one)
    per_account_statement: int  # the length of one of its per-account statements (or an estimate)


def _principal(statement: dict[str, Any]) -> dict[str, Any] | bool | str:
    """A statement's Principal as an object; True for everyone (`*`), False for a shape that names no
    one this reads, or a doubt (a NotPrincipal, which may name anyone)."""
    if "NotPrincipal" in statement:
        return "a NotPrincipal"
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return principal if isinstance(principal, dict) else False


def _for_config(statement: dict[str, Any]) -> bool | str:
    principal = _principal(statement)
    if not isinstance(principal, dict):
        return principal
    services, identities = _listed(principal.get("Service", [])), _listed(principal.get("AWS", []))
    return CONFIG_PRINCIPAL in (services or []) or "*" in (identities or [])


def invokers(policy: str, function_arn: str, accounts: Sequence[str], organization: str | None) -> Invokers:
    """Which of `accounts` AWS Config may invoke the function for, by its resource policy: the
    request for an account carries AWS:SourceAccount (the account), AWS:SourceArn (one of its rules
    in the function's Region) and, in an organization, aws:SourceOrgID."""
    parts = function_arn.split(":")
    partition, region = (parts[1], parts[3]) if len(parts) > 6 else ("aws", "")
    found = statements(policy) if policy else []
    unreadable = found is None

    def applies(statement: dict[str, Any], account: str) -> bool | str:
        for concerned in (_for_config(statement), _actions(statement, "lambda:InvokeFunction"),
                          _resource_covers(statement, [function_arn])):  # fmt: skip
            if concerned is not True:
                return concerned
        return True

    def request(account: str, principal_org: bool = False) -> _Request:
        rules = tuple(f"arn:{partition}:config:{region}:{account}:config-rule/{name}" for name in _RULE_IDS)
        keys = {"aws:sourceaccount": (account,), "aws:sourcearn": rules}
        # A service principal carries no principal keys (aws:PrincipalOrgID included, unless hoped for).
        absent = {"aws:principalarn", "aws:principalaccount", "aws:principalorgid"}
        if organization is not None:
            keys["aws:sourceorgid"] = (organization,)
            if principal_org:
                keys["aws:principalorgid"] = (organization,)
                absent.discard("aws:principalorgid")
        unknown = frozenset() if organization is not None else frozenset({"aws:sourceorgid", "aws:principalorgid"})
        return _Request(keys, frozenset(absent), unknown)

    statements_found = found or []
    verdicts = _evaluate(statements_found, accounts, applies, request)
    # A grant under aws:PrincipalOrgID alone: what it would grant if a service principal carried one.
    hoped = _evaluate(statements_found, accounts, applies, lambda account: request(account, principal_org=True))
    doubtful = {account: f"its resource policy has {why}" for account, why in verdicts.doubts.items()}
    if unreadable:
        doubtful = dict.fromkeys(accounts, "its resource policy is not a policy document this can read")
    sizes = [
        len(json.dumps(statement, separators=(",", ":")))
        for statement in statements_found
        if "aws:sourceaccount" in json.dumps(statement.get("Condition", {})).lower()
    ]
    estimate = len(
        json.dumps(
            {"Sid": "config-000000000000", "Effect": "Allow", "Principal": {"Service": CONFIG_PRINCIPAL},
             "Action": "lambda:InvokeFunction", "Resource": function_arn,
             "Condition": {"StringEquals": {"AWS:SourceAccount": "000000000000"}}},
            separators=(",", ":"),
        )
    )  # fmt: skip
    return Invokers(
        frozenset(verdicts.granted), {a: why for a, why in doubtful.items() if a not in verdicts.granted},
        frozenset(hoped.granted - verdicts.granted - set(doubtful)),
        len((policy or EMPTY_FUNCTION_POLICY).encode()), max(sizes, default=estimate),
    )  # fmt: skip


@dataclass(frozen=True)
class BucketGrants:
    missing: tuple[str, ...]  # the actions not granted to every account (or that a Deny takes away)
    doubts: tuple[str, ...]  # what was not read, so that the missing ones may still be granted


def bucket_grants_missing(
    policy: str,
    bucket: str,
    prefix: str | None,
    accounts: Iterable[str],
    partition: str = "aws",
    organization: str | None = None,
) -> BucketGrants:
    """The grants the organization-pack prerequisites ask of the delivery bucket that `policy` does
    not make to the AWSServiceRoleForConfigConforms role of each of `accounts`: s3:GetObject and
    s3:PutObject on its objects (below the delivery prefix) and s3:GetBucketAcl on the bucket."""
    below = f"arn:{partition}:s3:::{bucket}/{prefix.strip('/') + '/' if prefix else ''}"
    wanted = {
        "s3:GetObject": [below + key for key in _OBJECT_KEYS],
        "s3:PutObject": [below + key for key in _OBJECT_KEYS],
        "s3:GetBucketAcl": [f"arn:{partition}:s3:::{bucket}"],
    }
    members = list(dict.fromkeys(accounts)) or ["000000000000"]
    found = statements(policy) if policy else []
    if found is None:
        return BucketGrants(tuple(sorted(wanted)), ("its policy is not a policy document this can read",))

    def role(account: str) -> str:
        return f"arn:{partition}:iam::{account}:{CONFORMS_ROLE_PATH}"

    def request(account: str) -> _Request:
        keys = {"aws:principalarn": (role(account),), "aws:principalaccount": (account,),
                "aws:securetransport": ("true",)}  # fmt: skip
        if organization is not None:
            keys["aws:principalorgid"] = (organization,)
        return _Request(keys, unknown=frozenset() if organization is not None else frozenset({"aws:principalorgid"}))

    def concerns(action: str, arns: list[str]) -> Callable[[dict[str, Any], str], bool | str]:
        def applies(statement: dict[str, Any], account: str) -> bool | str:
            for concerned in (_reaches(statement, account, role(account)), _actions(statement, action),
                              _resource_covers(statement, arns)):  # fmt: skip
                if concerned is not True:
                    return concerned
            return True

        return applies

    missing: list[str] = []
    doubts: list[str] = []
    for action, arns in wanted.items():
        verdicts = _evaluate(found, members, concerns(action, arns), request)
        if len(verdicts.granted) < len(members):
            missing.append(action)
            doubts.extend(f"its policy has {why}" for why in dict.fromkeys(verdicts.doubts.values())
                          if f"its policy has {why}" not in doubts)  # fmt: skip
    return BucketGrants(tuple(sorted(missing)), tuple(doubts))


def _reaches(statement: dict[str, Any], account: str, role_arn: str) -> bool | str:
    """Whether a statement's principal is the account's AWSServiceRoleForConfigConforms."""
    principal = _principal(statement)
    if not isinstance(principal, dict):
        return principal
    identities = _listed(principal.get("AWS", []))
    if identities is None:
        return "a Principal that is not a string or a list of strings"
    # An account's root grants to its principals whose own policies allow it, as the role's does.
    root = f"{role_arn.split(':', 5)[0]}:{role_arn.split(':', 5)[1]}:iam::{account}:root"
    return any(identity in ("*", account, root) or _matches(identity, role_arn) for identity in identities)
