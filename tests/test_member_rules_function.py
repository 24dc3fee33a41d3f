"""CP515 on hand-built facts: whether a custom rule's Lambda function lets AWS Config invoke it for
every account the pack reaches, read from its resource policy as IAM reads it (grants and denies,
conditions that must all hold, source ARNs, patterns and numbers, the policy's size limit), or says
what it could not check; every finding compared whole, the accounts it names included."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from preflight.model.facts import (
    AwsFacts,
    LambdaFunction,
)
from tests import member_rules_helpers
from tests.member_rules_helpers import AUDIT, CALLER, FUNCTION, LOGS, REACHED, READY, Row, _online

pack = member_rules_helpers.pack  # the fixture these tests take (assigned: ruff would call an import of it unused)


def _with_policy(statements: list[dict[str, object]]) -> AwsFacts:
    policy = json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements})
    return replace(READY, functions=(LambdaFunction(FUNCTION, True, policy=policy),))


def _statement(condition: dict[str, object] | None = None, service: str = "config.amazonaws.com") -> dict[str, object]:
    statement: dict[str, object] = {"Effect": "Allow", "Principal": {"Service": service},
                                    "Action": "lambda:InvokeFunction", "Resource": FUNCTION}  # fmt: skip
    if condition:
        statement["Condition"] = condition
    return statement


def test_cp515_a_function_that_does_not_let_aws_config_invoke_it(pack: Path) -> None:
    events_only = _with_policy([_statement(service="events.amazonaws.com")])
    assert _online("CP515", events_only, pack) == [
        ("CP515", "error", "8:9",
         f"Lambda function {FUNCTION}'s resource policy does not let AWS Config (config.amazonaws.com) invoke it for "
         f"account {CALLER} (Management), account {AUDIT} (Audit), account {LOGS} (Log Archive): the rule fails there "
         '("cannot be invoked")',
         f"for each account: aws lambda add-permission --function-name {FUNCTION} --principal config.amazonaws.com "
         "--action lambda:InvokeFunction --source-account ACCOUNT --statement-id config-ACCOUNT",
         (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip
    none = replace(READY, functions=(LambdaFunction(FUNCTION, True, policy=""),))
    assert [row[3] for row in _online("CP515", none, pack)] == [
        f"Lambda function {FUNCTION} has no resource policy: AWS Config cannot invoke it for account {CALLER} "
        f"(Management), account {AUDIT} (Audit), account {LOGS} (Log Archive)",
    ]
    some = _with_policy([_statement({"StringEquals": {"AWS:SourceAccount": CALLER}})])
    assert [row[5] for row in _online("CP515", some, pack)] == [(AUDIT, LOGS)]


@pytest.mark.parametrize(
    "statements",
    [
        [_statement()],  # no condition: every account
        [_statement({"StringEquals": {"aws:SourceOrgID": "o-a1b2c3d4e5"}})],
        [_statement({"StringEquals": {"AWS:SourceAccount": account}}) for account, _name in REACHED],
    ],
)
def test_cp515_grants_that_reach_every_account(statements: list[dict[str, object]], pack: Path) -> None:
    assert _online("CP515", _with_policy(statements), pack) == []


def test_cp515_a_grant_under_principal_org_id_alone_is_a_warning(pack: Path) -> None:
    facts = _with_policy([_statement({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})])
    assert _online("CP515", facts, pack) == [
        ("CP515", "warning", "8:9",
         f"Lambda function {FUNCTION} lets AWS Config invoke it only under aws:PrincipalOrgID, which a service principal "
         f"does not carry: it may not be invoked for account {CALLER} (Management), account {AUDIT} (Audit), account "
         f"{LOGS} (Log Archive)",
         "grant each account with AWS:SourceAccount (aws lambda add-permission --source-account ACCOUNT)",
         (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip


def test_cp515_per_account_statements_that_would_not_fit_the_policy_limit(pack: Path) -> None:
    many = tuple((f"6{n:011d}", None) for n in range(90))
    facts = replace(_with_policy([_statement({"StringEquals": {"AWS:SourceAccount": CALLER}})]), reached=many)
    rows = _online("CP515", facts, pack)
    assert [(row[1], row[5]) for row in rows] == [("error", tuple(a for a, _ in many))] * 2
    assert rows[1][3] == (
        f"Lambda function {FUNCTION}: one AWS:SourceAccount statement for each of the 90 accounts would make its "
        "resource policy about 22,183 bytes, over Lambda's limit of 20,480 (PolicyLengthExceededException)"
    )
    assert rows[0][3].endswith(f'account {many[9][0]} and 80 more: the rule fails there ("cannot be invoked")')
    # The policy (313 bytes) and 82 statements of 242 bytes (and a comma) fit in 20,480; 83 do not.
    assert len(_online("CP515", replace(facts, reached=many[:82]), pack)) == 1
    assert len(_online("CP515", replace(facts, reached=many[:83]), pack)) == 2


def test_cp515_a_missing_function_another_region_and_one_that_cannot_be_read(pack: Path) -> None:
    assert _online("CP515", replace(READY, functions=(LambdaFunction(FUNCTION, False, error="not found"),)), pack) == [
        ("CP515", "error", "8:9",
         f'Lambda function {FUNCTION} does not exist: the rule cannot be created ("cannot be invoked")',
         "deploy the function first, or correct the ARN", ()),
    ]  # fmt: skip
    elsewhere = replace(READY, region="eu-west-1")
    assert _online("CP515", elsewhere, pack) == [
        ("CP515", "warning", "8:9",
         f"Lambda function {FUNCTION} is in us-east-1, the pack in eu-west-1: AWS Config invokes a custom rule's "
         "function from the rule's Region", "deploy the function in eu-west-1 too and name that one", ()),
    ]  # fmt: skip
    unread = replace(READY, functions=(LambdaFunction(FUNCTION, True, error="cannot read its policy: AccessDenied"),))
    assert _online("CP515", unread, pack) == [
        ("CP515", "warning", "AWS account",
         f"could not check Lambda function {FUNCTION}: cannot read its policy: AccessDenied", None, (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip


def _everyone_but(*granted: str) -> tuple[str, ...]:
    return tuple(account for account, _name in REACHED if account not in granted)


def _not_invokable(accounts: tuple[str, ...]) -> Row:
    names = dict(REACHED)
    return (
        "CP515", "error", "8:9",
        f"Lambda function {FUNCTION}'s resource policy does not let AWS Config (config.amazonaws.com) invoke it for "
        + ", ".join(f"account {a} ({names[a]})" for a in accounts) + ': the rule fails there ("cannot be invoked")',
        f"for each account: aws lambda add-permission --function-name {FUNCTION} --principal config.amazonaws.com "
        "--action lambda:InvokeFunction --source-account ACCOUNT --statement-id config-ACCOUNT",
        accounts,
    )  # fmt: skip


def test_cp515_a_deny_takes_grants_away_and_a_source_arn_grants_its_account(pack: Path) -> None:
    deny = {"Effect": "Deny", "Principal": {"Service": "config.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Resource": FUNCTION}  # fmt: skip
    assert _online("CP515", _with_policy([_statement(), deny]), pack) == [_not_invokable(_everyone_but())]
    by_arn = _statement({"ArnLike": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{CALLER}:config-rule/*"}})
    assert _online("CP515", _with_policy([by_arn]), pack) == [_not_invokable(_everyone_but(CALLER))]


@pytest.mark.parametrize(
    ("condition", "read_as"),
    [
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, "IpAddress on aws:SourceIp"),  # another key
        ({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, "StringEquals on aws:SourceVpc"),  # a key not in the request
        ({"ForAnyValue:StringEquals": {"AWS:SourceAccount": CALLER}}, "ForAnyValue:StringEquals on AWS:SourceAccount"),
    ],
)
def test_cp515_a_condition_it_cannot_read_is_could_not_check(
    condition: dict[str, object], read_as: str, pack: Path
) -> None:
    assert _online("CP515", _with_policy([_statement(condition)]), pack) == [
        ("CP515", "warning", "AWS account",
         f"could not check whether Lambda function {FUNCTION} lets AWS Config invoke it for account {CALLER} "
         f"(Management), account {AUDIT} (Audit), account {LOGS} (Log Archive): its resource policy has a condition "
         f"{read_as} (no Sid)", None, (CALLER, AUDIT, LOGS)),
    ]  # fmt: skip


def _could_not_check_invoking(reason: str, accounts: tuple[str, ...]) -> Row:
    names = dict(REACHED)
    return (
        "CP515", "warning", "AWS account",
        f"could not check whether Lambda function {FUNCTION} lets AWS Config invoke it for "
        + ", ".join(f"account {a} ({names[a]})" for a in accounts) + f": {reason}", None, accounts,
    )  # fmt: skip


def test_cp515_a_statement_s_conditions_must_all_hold(pack: Path) -> None:
    # AWS:SourceAccount names AUDIT, AWS:SourceArn names LOGS: no request carries both, so it grants no one.
    both = _statement({"StringEquals": {"AWS:SourceAccount": AUDIT},
                       "ArnLike": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{LOGS}:config-rule/*"}})  # fmt: skip
    caller = _statement({"StringEquals": {"AWS:SourceAccount": CALLER}})
    assert _online("CP515", _with_policy([both, caller]), pack) == [_not_invokable((AUDIT, LOGS))]


def test_cp515_a_source_arn_of_another_region_or_of_one_rule(pack: Path) -> None:
    elsewhere = [_statement({"ArnLike": {"AWS:SourceArn": f"arn:aws:config:eu-west-1:{account}:config-rule/*"}})
                 for account, _name in REACHED]  # fmt: skip
    assert _online("CP515", _with_policy(elsewhere), pack) == [_not_invokable(_everyone_but())]
    pinned = _statement(
        {"ArnEquals": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{CALLER}:config-rule/config-rule-abc"}}
    )
    granted = [_statement({"StringEquals": {"AWS:SourceAccount": account}}) for account in (AUDIT, LOGS)]
    assert _online("CP515", _with_policy([pinned, *granted]), pack) == [_not_invokable((CALLER,))]
    one_rule = _statement(
        {"ArnLike": {"AWS:SourceArn": f"arn:aws:config:us-east-1:{CALLER}:config-rule/config-rule-a*"}}
    )
    assert _online("CP515", _with_policy([one_rule, *granted]), pack) == [
        _could_not_check_invoking("its resource policy has a condition ArnLike on AWS:SourceArn that names one rule "
                                  "(no Sid)", (CALLER,)),
    ]  # fmt: skip


def test_cp515_a_deny_it_cannot_read_makes_the_accounts_doubtful(pack: Path) -> None:
    allow = _statement()
    unless_caller = {"Effect": "Deny", "Principal": {"Service": "config.amazonaws.com"}, "Action": "lambda:*",
                     "Resource": FUNCTION, "Condition": {"StringNotEquals": {"AWS:SourceAccount": CALLER}}}  # fmt: skip
    assert _online("CP515", _with_policy([allow, unless_caller]), pack) == [_not_invokable((AUDIT, LOGS))]
    unread = {**unless_caller, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    assert _online("CP515", _with_policy([allow, unread]), pack) == [
        _could_not_check_invoking("its resource policy has a condition IpAddress on aws:SourceIp (no Sid)",
                                  _everyone_but()),
    ]  # fmt: skip
    not_principal = {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{CALLER}:root"}, "Action": "*",
                     "Resource": "*"}  # fmt: skip
    assert _online("CP515", _with_policy([allow, not_principal]), pack) == [
        _could_not_check_invoking("its resource policy has a NotPrincipal (no Sid)", _everyone_but()),
    ]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"aws:SourceOrgID": "o-*"}},  # a pattern on the organization
        {"StringEquals": {"AWS:SourceAccount": [int(account) for account, _name in REACHED]}},  # numbers
    ],
)
def test_cp515_patterns_and_numbers_grant_as_iam_reads_them(condition: dict[str, object], pack: Path) -> None:
    assert _online("CP515", _with_policy([_statement(condition)]), pack) == []


def test_cp515_iam_wildcards_are_only_star_and_question_mark(pack: Path) -> None:
    bracket = {**_statement(), "Action": "lambda:[I]nvokeFunction"}  # not a character class in IAM
    assert _online("CP515", _with_policy([bracket]), pack) == [_not_invokable(_everyone_but())]
    assert _online("CP515", _with_policy([{**_statement(), "Action": "lambda:Invoke?unction"}]), pack) == []


def test_cp515_a_policy_nested_too_deep_is_could_not_check(pack: Path) -> None:
    facts = replace(READY, functions=(LambdaFunction(FUNCTION, True, policy="[" * 5_000),))
    assert _online("CP515", facts, pack) == [
        _could_not_check_invoking("its resource policy is not a policy document this can read", _everyone_but()),
    ]
