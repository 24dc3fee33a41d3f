"""The IAM policies `preflight permissions` prints, held against the calls the online pre-flight and
deploy make over the wire (moto's organization with member accounts, tests/aws_stand_in.py in front):
every call is allowed by the policy of its kind, every allowed action is called, and docs/online.md
shows what the command prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.aws.permissions import CALLER_ACTIONS, DEPLOY_ACTIONS, MEMBER_ACTIONS
from tests.aws_stand_in import MANAGEMENT_ACCOUNT, REGION, Call, StandIn
from tests.conftest import REPO, Run, run_cli
from tests.members_helpers import ENCRYPTION, MANAGED, ROLE, _check, _function, _organization, _remediated


# How IAM names what each call the pre-flight makes needs. REST calls (S3, Lambda) by method and path.
def _action(call: Call) -> str | None:
    if call.service == "sts" and call.operation == "GetCallerIdentity":
        return None  # needs no permission
    if call.service == "s3":
        method = call.operation.split()[-1]
        if "?policy" in call.path:
            return "s3:GetBucketPolicy"
        bucket_only = call.path.strip("/").count("/") == 0 and "?" not in call.path
        return {"HEAD": "s3:ListBucket" if bucket_only else "s3:GetObject", "GET": "s3:GetObject",
                "PUT": "s3:PutObject"}[method]  # fmt: skip
    if call.service == "lambda":
        return "lambda:GetPolicy" if call.path.rstrip("/").endswith("/policy") else "lambda:GetFunction"
    return f"{call.service}:{call.operation}"


def test_every_call_of_the_pre_flight_is_in_the_policy_preflight_permissions_prints(
    aws: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The policies the README points to are exactly what the pre-flight uses: every call it made here
    (with a member role and without, for an organization pack and an account pack, as the management
    account and as a delegated administrator; the packs there already, earlier organization rules, an
    aggregator), as the caller or as the member role, is allowed by the printed policy of its kind,
    and every action those policies allow was called."""
    recording, _bare, _excluded = _organization(aws)
    _function(aws)
    aws.client("ssm").create_document(Name="Acme-Versioning", DocumentType="Automation", DocumentFormat="YAML",
                                      Content="schemaVersion: '0.3'\nmainSteps: []\n")  # fmt: skip
    aws.delivery_bucket("awsconfigconforms-results")
    aws.client("s3").put_object(Bucket="awsconfigconforms-results", Key="pack.yaml", Body=b"Resources: {}\n")
    config = aws.client("config")
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={"RoleArn": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/a", "AllAwsRegions": True},
    )
    config.put_organization_conformance_pack(OrganizationConformancePackName="pack",
                                             TemplateS3Uri="s3://awsconfigconforms-results/pack.yaml")  # fmt: skip
    aws.scenario.organization_rules = {"s3-rules": {}}
    aws.scenario.account_packs = {"pack": "CREATE_COMPLETE"}
    pack = _remediated("Acme-Versioning") + ENCRYPTION
    bucket = ("--delivery-bucket", "awsconfigconforms-results")
    calls: list[Call] = []

    def made(result: Run) -> None:  # the calls of one run of the pre-flight
        assert result.exit_code in (0, 1), result.stderr
        calls.extend(aws.scenario.calls)

    # A document named by its ARN is read in its owner's account (the caller's); by name, in each member's.
    shared = _remediated(f"arn:aws:ssm:{REGION}:{MANAGEMENT_ACCOUNT}:document/Acme-Versioning") + ENCRYPTION
    for extra, checked in ((("--member-role", ROLE), pack), (("--template-s3-uri", "s3://awsconfigconforms-results/pack.yaml"), shared)):  # fmt: skip
        aws.scenario.calls.clear()
        made(_check(aws, tmp_path, checked, *bucket, *extra))
    aws.scenario.calls.clear()
    made(_check(aws, tmp_path, pack, "--scope", "account"))
    aws.client("organizations").register_delegated_administrator(
        AccountId=recording, ServicePrincipal="config-multiaccountsetup.amazonaws.com"
    )
    given = aws.client("sts").assume_role(RoleArn=f"arn:aws:iam::{recording}:role/{ROLE}",
                                          RoleSessionName="deployer")["Credentials"]  # fmt: skip
    for name, value in (("AWS_ACCESS_KEY_ID", given["AccessKeyId"]), ("AWS_SECRET_ACCESS_KEY", given["SecretAccessKey"]),
                        ("AWS_SESSION_TOKEN", given["SessionToken"])):  # fmt: skip
        monkeypatch.setenv(name, value)
    aws.scenario.calls.clear()
    made(_check(aws, tmp_path, MANAGED))
    callers = {"testing", given["AccessKeyId"]}
    allowed = {"caller": set(CALLER_ACTIONS) | {"sts:AssumeRole"}, "member": set(MEMBER_ACTIONS)}
    used: dict[str, set[str]] = {"caller": set(), "member": set()}
    for call in calls:
        action = _action(call)
        if action is not None:
            kind = "caller" if call.access_key in callers else "member"
            assert action in allowed[kind], (kind, call)
            used[kind].add(action)
    assert {kind: allowed[kind] - used[kind] for kind in used} == {"caller": set(), "member": set()}
    printed = json.loads(run_cli(["permissions", "member"]).stdout)
    assert printed["Statement"] == [
        {"Sid": "PreflightReadOnly", "Effect": "Allow", "Action": sorted(MEMBER_ACTIONS), "Resource": "*"}
    ]
    caller = json.loads(run_cli(["permissions", "--member-role", ROLE]).stdout)
    assert caller["Statement"] == [
        {"Sid": "PreflightReadOnly", "Effect": "Allow", "Action": sorted(CALLER_ACTIONS), "Resource": "*"},
        {"Sid": "PreflightMemberRole", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": f"arn:aws:iam::*:role/{ROLE}"},
    ]  # fmt: skip


def test_every_call_of_a_deploy_is_in_the_deploy_policy(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.client("s3").create_bucket(Bucket="pack-templates")
    pack = tmp_path / "pack.yaml"
    pack.write_text(MANAGED + "# " + "x" * 60_000 + "\n")  # too large to send inline: uploaded
    aws.scenario.calls.clear()
    result = run_cli(["deploy", *aws.args(), "--name", "pack", "--template-bucket", "pack-templates", "--poll-interval",
                      "0", str(pack)], cwd=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    allowed = set(DEPLOY_ACTIONS) | {"sts:AssumeRole"}
    actions = {_action(call) for call in aws.scenario.calls} - {None}
    assert "config:PutOrganizationConformancePack" in actions and "s3:PutObject" in actions
    assert actions - allowed == set()


def test_the_policies_docs_online_prints_are_what_the_command_prints() -> None:
    text = (REPO / "docs" / "online.md").read_text(encoding="utf-8")

    def block(marker: str) -> str:
        return text.split(f"<!-- {marker} -->\n```json\n", 1)[1].split("```", 1)[0]

    assert block("permissions-caller") == run_cli(["permissions", "caller", "--member-role", ROLE]).stdout
    assert block("permissions-member") == run_cli(["permissions", "member"]).stdout
