"""The online pre-flight over the wire against moto's server: each CP5xx rule fires in its
scenario and is silent otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.aws_stand_in import StandIn
from tests.conftest import FIXTURES, run_cli

PACK = FIXTURES / "packs" / "s3-baseline.yaml"
CONFIG_PRINCIPAL = "config-multiaccountsetup.amazonaws.com"


def _online(aws: StandIn, *args: str, cwd: Path | None = None, select: str = "CP50") -> list[tuple[str, str, str]]:
    """CP501-CP509's findings (tests/test_members_readiness.py has the rules about member accounts)."""
    result = run_cli(["check", "--format", "json", "--select", select, "--online", *aws.args(), *args], cwd=cwd)
    assert result.exit_code in (0, 1), result.stderr
    return [(str(f["rule"]), str(f["severity"]), str(f["message"])) for f in result.findings]


def _organization(aws: StandIn, feature_set: str = "ALL") -> str:
    organizations = aws.client("organizations")
    organizations.create_organization(FeatureSet=feature_set)
    created = organizations.create_account(Email="member@example.com", AccountName="member")
    return str(created["CreateAccountStatus"]["AccountId"])


def _as_account(aws: StandIn, monkeypatch: pytest.MonkeyPatch, account: str) -> None:
    credentials = aws.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/deployer", RoleSessionName="preflight-tests"
    )["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials["SessionToken"])


def test_a_healthy_organization_has_no_online_findings(aws: StandIn) -> None:
    member = _organization(aws)
    aws.delivery_bucket("awsconfigconforms-results")
    findings = _online(
        aws,
        "--name",
        "s3",
        "--exclude-account",
        member,
        "--delivery-bucket",
        "awsconfigconforms-results",
        str(PACK),
        select="CP5",
    )
    assert findings == []


def test_cp501_no_organization(aws: StandIn) -> None:
    assert [f[:2] for f in _online(aws, "--name", "s3", str(PACK))] == [("CP501", "error")]
    assert _online(aws, "--name", "s3", "--scope", "account", str(PACK)) == []


def test_cp502_consolidated_billing_only(aws: StandIn) -> None:
    _organization(aws, "CONSOLIDATED_BILLING")
    assert [f[:2] for f in _online(aws, "--name", "s3", str(PACK))] == [("CP502", "error")]


def test_cp503_member_account_unless_delegated_administrator(aws: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    member = _organization(aws)
    management = {key: value for key, value in __import__("os").environ.items() if key.startswith("AWS_")}
    _as_account(aws, monkeypatch, member)
    findings = _online(aws, "--name", "s3", str(PACK))
    assert [f[:2] for f in findings] == [("CP503", "error")]
    # As in AWS, a member that is not a delegated administrator may not even list them.
    assert findings[0][2].startswith(f"account {member} may not list the delegated administrators")
    for key, value in management.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    aws.client("organizations").register_delegated_administrator(AccountId=member, ServicePrincipal=CONFIG_PRINCIPAL)
    _as_account(aws, monkeypatch, member)
    assert _online(aws, "--name", "s3", str(PACK)) == []


def test_cp504_excluded_account_outside_the_organization(aws: StandIn) -> None:
    member = _organization(aws)
    findings = _online(aws, "--name", "s3", "--exclude-account", member, "--exclude-account", "111122223333", str(PACK))
    assert findings == [("CP504", "warning", "excluded account 111122223333 is not in the organization")]


def _put_packs(aws: StandIn, count: int) -> None:
    config = aws.client("config")
    for index in range(count):
        config.put_organization_conformance_pack(
            OrganizationConformancePackName=f"existing-{index:02d}", TemplateS3Uri="s3://packs/existing.yaml"
        )


def test_cp505_pack_limit(aws: StandIn) -> None:
    _organization(aws)
    _put_packs(aws, 50)
    assert [f[:2] for f in _online(aws, "--name", "new-pack", str(PACK))] == [("CP505", "error")]
    assert _online(aws, "--name", "existing-07", str(PACK)) == []  # an update does not add a pack


def test_cp506_busy_pack(aws: StandIn) -> None:
    _organization(aws)
    _put_packs(aws, 1)
    aws.scenario.in_progress_polls = 100
    findings = _online(aws, "--name", "existing-00", str(PACK))
    assert findings == [
        (
            "CP506",
            "warning",
            "pack existing-00 is CREATE_IN_PROGRESS: a put now fails with ResourceInUseException",
        )
    ]


def test_cp507_template_object(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="packs")
    request = tmp_path / "request.yaml"
    request.write_text("OrganizationConformancePackName: s3\nTemplateS3Uri: s3://packs/s3-baseline.yaml\n")
    assert [f[:2] for f in _online(aws, "--request", str(request))] == [("CP507", "error")]
    s3.put_object(Bucket="packs", Key="s3-baseline.yaml", Body=PACK.read_bytes())
    assert _online(aws, "--request", str(request)) == []
    s3.put_object(Bucket="packs", Key="s3-baseline.yaml", Body=b"#" * 310_000)
    assert [f[:2] for f in _online(aws, "--request", str(request))] == [("CP507", "error")]
    # With a local file to upload, a different object already there is only a warning.
    findings = _online(aws, "--name", "s3", "--template-s3-uri", "s3://packs/s3-baseline.yaml", str(PACK))
    assert [f[:2] for f in findings] == [("CP507", "warning")]


def test_cp508_delivery_bucket(aws: StandIn) -> None:
    _organization(aws)
    args = ["--name", "s3", "--delivery-bucket", "awsconfigconforms-results", str(PACK)]
    assert [f[:2] for f in _online(aws, *args)] == [("CP508", "warning")]
    aws.client("s3").create_bucket(Bucket="awsconfigconforms-results")
    assert _online(aws, *args) == []


def _put_rules(aws: StandIn, names: list[str]) -> None:
    config = aws.client("config")
    for name in names:
        rule: dict[str, Any] = {
            "ConfigRuleName": name,
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"},
        }
        config.put_config_rule(ConfigRule=rule)


def test_cp509_rules_per_account(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    (tmp_path / ".preflight.toml").write_text("[quotas]\nrules-per-account-across-org-packs = 5\n")
    _put_rules(aws, [f"other-{index}-conformance-pack-abcdefghi" for index in range(2)])
    assert _online(aws, "--name", "s3", str(PACK), cwd=tmp_path) == []  # 2 + 3 rules
    _put_rules(aws, ["third-conformance-pack-bcdefghij"])
    findings = _online(aws, "--name", "s3", str(PACK), cwd=tmp_path)
    assert [f[:2] for f in findings] == [("CP509", "error")]
    assert "already has 3 rules from conformance packs; with this pack's 3 it would have 6" in findings[0][2]
    # The pack's own rules, deployed before, are not counted twice on an update.
    _put_rules(aws, ["s3-bucket-versioning-enabled-conformance-pack-cdefghijk"])
    assert [f[:2] for f in _online(aws, "--name", "s3", str(PACK), cwd=tmp_path)] == [("CP509", "error")]
