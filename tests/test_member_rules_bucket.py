"""CP519 on hand-built facts: whether the delivery bucket's policy grants the member accounts'
AWSServiceRoleForConfigConforms what it needs (a deny, another organization, a condition it cannot
read, a grant to another role or one account, a lockdown deny, objects below the prefix), with every
finding compared whole."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from preflight.model.facts import (
    AwsFacts,
    Bucket,
    Fact,
    Unavailable,
)
from tests import member_rules_helpers
from tests.member_rules_helpers import AUDIT, CALLER, LOGS, READY, REQUEST, Row, _online

pack = member_rules_helpers.pack  # the fixture these tests take (assigned: ruff would call an import of it unused)

BUCKET = "awsconfigconforms-results"
GRANTS = [
    {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{BUCKET}/*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "ArnLike": {"aws:PrincipalArn":
        "arn:aws:iam::*:role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms"}}},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{BUCKET}",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
]  # fmt: skip


def test_cp519_the_delivery_bucket_policy(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)
    there = replace(READY, delivery_bucket=Bucket(BUCKET, True))

    def policy(statements: list[dict[str, object]]) -> AwsFacts:
        return replace(there, bucket_policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))

    assert _online("CP519", policy(GRANTS), pack, request) == []
    assert _online("CP519", policy(GRANTS[:1]), pack, request) == [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant s3:GetBucketAcl: the member accounts' "
         "AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip
    assert [row[3] for row in _online("CP519", replace(there, bucket_policy=""), pack, request)] == [
        f"delivery bucket {BUCKET} has no bucket policy: the member accounts' AWSServiceRoleForConfigConforms cannot "
        "use it"
    ]
    # A grant below another prefix than the delivery prefix is none.
    elsewhere = [{**GRANTS[0], "Resource": f"arn:aws:s3:::{BUCKET}/other/*"}, GRANTS[1]]
    assert _online("CP519", policy(elsewhere), pack, replace(request, delivery_prefix="conforms")) == [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant s3:GetObject, s3:PutObject: the member accounts' "
         "AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip
    assert _online("CP519", policy(elsewhere), pack, replace(request, delivery_prefix="other")) == []
    assert _online("CP519", policy(GRANTS), pack, replace(request, scope="account")) == []
    unread = replace(there, unavailable=(Unavailable(Fact.DELIVERY_BUCKET_POLICY, "AccessDenied"),))
    assert _online("CP519", unread, pack, request) == [
        ("CP519", "warning", "AWS account", f"could not check the policy of delivery bucket {BUCKET}: AccessDenied",
         None, ()),
    ]  # fmt: skip


def test_cp519_a_deny_another_organization_and_a_condition_it_cannot_read(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)

    def policy(statements: list[dict[str, object]]) -> AwsFacts:
        document = json.dumps({"Version": "2012-10-17", "Statement": statements})
        return replace(READY, delivery_bucket=Bucket(BUCKET, True), bucket_policy=document)

    nothing = [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant s3:GetBucketAcl, s3:GetObject, s3:PutObject: the "
         "member accounts' AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]}  # fmt: skip
    assert _online("CP519", policy([*GRANTS, deny]), pack, request) == nothing
    another = json.loads(json.dumps(GRANTS).replace("o-a1b2c3d4e5", "o-zzzzzzzzzz"))
    assert _online("CP519", policy(another), pack, request) == nothing
    unread = json.loads(json.dumps(GRANTS))
    unread[1]["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    assert _online("CP519", policy(unread), pack, request) == [
        ("CP519", "warning", "AWS account",
         f"could not check whether delivery bucket {BUCKET}'s policy grants s3:GetBucketAcl: its policy has a "
         "condition IpAddress on aws:SourceIp (no Sid)", None, ()),
    ]  # fmt: skip


def _bucket_policy(statements: list[dict[str, object]]) -> AwsFacts:
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return replace(READY, delivery_bucket=Bucket(BUCKET, True), bucket_policy=document)


def _grants_missing(*actions: str) -> list[Row]:
    return [
        ("CP519", "warning", "AWS account",
         f"delivery bucket {BUCKET} has a policy that does not grant {', '.join(actions)}: the member accounts' "
         "AWSServiceRoleForConfigConforms cannot use it",
         "add the bucket policy of the AWS Config Developer Guide's organization conformance pack prerequisites", ()),
    ]  # fmt: skip


def test_cp519_a_grant_to_another_role_or_one_account_is_not_the_members(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)
    deployer = json.loads(json.dumps(GRANTS).replace(
        "role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms", "role/Deployer"))  # fmt: skip
    assert _online("CP519", _bucket_policy(deployer), pack, request) == _grants_missing("s3:GetObject", "s3:PutObject")
    one = json.loads(json.dumps(GRANTS).replace("arn:aws:iam::*:role", f"arn:aws:iam::{AUDIT}:role"))
    assert _online("CP519", _bucket_policy(one), pack, request) == _grants_missing("s3:GetObject", "s3:PutObject")
    roles = [f"arn:aws:iam::{account}:role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms"
             for account in (AUDIT, LOGS)]  # fmt: skip
    each = [{**GRANTS[0], "Principal": {"AWS": roles}, "Condition": {}}, GRANTS[1]]
    assert _online("CP519", _bucket_policy(each), pack, request) == []


def test_cp519_a_lockdown_deny_and_objects_below_the_prefix(pack: Path) -> None:
    request = replace(REQUEST, delivery_bucket=BUCKET)
    tls = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}  # fmt: skip
    assert _online("CP519", _bucket_policy([*GRANTS, tls]), pack, request) == []  # AWS Config uses TLS
    outsiders = {**tls, "Condition": {"StringNotEquals": {"aws:PrincipalAccount": CALLER}}}
    assert _online("CP519", _bucket_policy([*GRANTS, outsiders]), pack, request) == _grants_missing(
        "s3:GetObject", "s3:PutObject"
    )
    ending = [{**GRANTS[0], "Resource": f"arn:aws:s3:::{BUCKET}/*x"}, GRANTS[1]]  # not every object
    assert _online("CP519", _bucket_policy(ending), pack, request) == _grants_missing("s3:GetObject", "s3:PutObject")
    only_some = [{**GRANTS[0], "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/*"}, GRANTS[1]]
    assert [row[3] for row in _online("CP519", _bucket_policy(only_some), pack, request)] == [
        f"could not check whether delivery bucket {BUCKET}'s policy grants s3:GetObject, s3:PutObject: its policy "
        "has a Resource that covers part of it (no Sid)"
    ]
