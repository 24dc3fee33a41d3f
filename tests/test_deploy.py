"""`preflight deploy` and `preflight status` end to end, over HTTP against moto's server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.aws_stand_in import StandIn
from tests.conftest import FIXTURES, run_cli

SMALL = FIXTURES / "packs" / "s3-baseline.yaml"
LARGE = FIXTURES / "CP101" / "bad_over_limit.yaml"  # a clean one-rule pack padded with comments past 51,200 bytes
FAST = ["--poll-interval", "0", "--busy-timeout", "5"]
# These tests are about what deploy does, not which findings its check gate has: the gate runs the
# rules of the request, its parameters and the online facts (the template's rules are check's tests').
GATE = ["--select", "CP1,CP3,CP5"]


def _organization(aws: StandIn) -> str:
    organizations = aws.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    return str(organizations.create_account(Email="m@example.com", AccountName="m")["CreateAccountStatus"]["AccountId"])


def _deploy(aws: StandIn, *args: str) -> tuple[int, str]:
    result = run_cli(["deploy", *aws.args(), *FAST, *args])
    return result.exit_code, result.stdout + result.stderr


def _server_packs(aws: StandIn) -> list[str]:
    statuses = aws.client("config").describe_organization_conformance_pack_statuses()
    return sorted(s["OrganizationConformancePackName"] for s in statuses["OrganizationConformancePackStatuses"])


def test_small_pack_is_sent_inline_and_followed_to_every_account(aws: StandIn) -> None:
    _organization(aws)
    code, output = _deploy(aws, "--name", "s3-baseline", str(SMALL))
    assert code == 0, output
    assert [put["template_body"] == SMALL.read_text() for put in aws.scenario.puts] == [True]
    assert aws.scenario.puts[0]["template_s3_uri"] is None
    assert "template sent inline as TemplateBody" in output
    assert "s3-baseline: deployed to every account (1/1 accounts done, 0 failed (CREATE_SUCCESSFUL))" in output
    assert _server_packs(aws) == ["s3-baseline"]


def test_updating_the_same_pack(aws: StandIn) -> None:
    _organization(aws)
    assert _deploy(aws, "--name", "s3-baseline", str(SMALL))[0] == 0
    code, output = _deploy(aws, "--name", "s3-baseline", "--param", "S3BucketVersioningMfaDelete=true", str(SMALL))
    assert code == 0, output
    assert "UPDATE_SUCCESSFUL" in output
    assert len(aws.scenario.puts) == 2
    assert aws.scenario.puts[1]["input_parameters"] == [
        {"ParameterName": "S3BucketVersioningMfaDelete", "ParameterValue": "true"}
    ]


def test_large_pack_goes_through_s3_with_a_verified_content_addressed_upload(aws: StandIn) -> None:
    _organization(aws)
    code, output = _deploy(aws, "--name", "big-pack", str(LARGE))
    assert code == 2 and "pass --template-bucket BUCKET" in output
    aws.client("s3").create_bucket(Bucket="pack-templates")
    code, output = _deploy(aws, "--name", "big-pack", "--template-bucket", "pack-templates", str(LARGE))
    assert code == 0, output
    uri = aws.scenario.puts[0]["template_s3_uri"]
    assert uri.startswith("s3://pack-templates/preflight/big-pack/") and uri.endswith(".yaml")
    assert aws.scenario.puts[0]["template_body"] is None
    key = uri.split("/", 3)[3]
    stored = aws.client("s3").get_object(Bucket="pack-templates", Key=key)["Body"].read()
    assert stored == LARGE.read_bytes()


def test_minify_sends_compact_json_inline_when_it_fits(aws: StandIn) -> None:
    _organization(aws)
    code, output = _deploy(aws, "--name", "big-pack", "--minify", str(LARGE))
    assert code == 0, output
    body = aws.scenario.puts[0]["template_body"]
    assert json.loads(body)["Resources"]["S3BucketVersioningEnabled"]["Type"] == "AWS::Config::ConfigRule"
    saved = LARGE.stat().st_size - len(body.encode())
    assert f"{saved:,} bytes saved" in output


def test_excluded_accounts_reach_the_request(aws: StandIn) -> None:
    member = _organization(aws)
    code, output = _deploy(aws, "--name", "s3-baseline", "--exclude-account", member, str(SMALL))
    assert code == 0, output
    assert aws.scenario.puts[0]["excluded_accounts"] == [member]


def test_dry_run_prints_the_exact_request_and_changes_nothing(aws: StandIn) -> None:
    _organization(aws)
    aws.client("s3").create_bucket(Bucket="pack-templates")
    code, output = _deploy(aws, "--dry-run", "--name", "big-pack", "--template-bucket", "pack-templates", str(LARGE))
    assert code == 0, output
    plan = json.loads(output[output.index("{") : output.rindex("}") + 1])
    assert plan["operation"] == "put_organization_conformance_pack"
    assert plan["request"]["OrganizationConformancePackName"] == "big-pack"
    assert plan["request"]["TemplateS3Uri"].startswith("s3://pack-templates/preflight/big-pack/")
    assert plan["upload"]["bytes"] == LARGE.stat().st_size
    assert "dry run: nothing was uploaded or put for big-pack" in output
    assert aws.scenario.puts == [] and _server_packs(aws) == []
    assert aws.client("s3").list_objects_v2(Bucket="pack-templates").get("KeyCount") == 0


def test_account_pack_dry_run(aws: StandIn) -> None:
    code, output = _deploy(aws, "--dry-run", "--scope", "account", "--name", "s3-baseline", str(SMALL))
    assert code == 0, output
    plan = json.loads(output[output.index("{") : output.rindex("}") + 1])
    assert plan["operation"] == "put_conformance_pack"
    assert set(plan["request"]) == {"ConformancePackName", "TemplateBody"}


def test_lint_errors_refuse_the_deploy(aws: StandIn) -> None:
    _organization(aws)
    code, output = _deploy(aws, "--name", "iam-baseline", str(FIXTURES / "packs" / "iam-baseline.yaml"))
    assert code == 1
    assert "error CP208 undefined-condition" in output
    assert "refusing to deploy iam-baseline: 3 errors above must be fixed first" in output
    assert aws.scenario.puts == []


def test_online_preflight_refuses_without_an_organization(aws: StandIn) -> None:
    code, output = _deploy(aws, "--name", "s3-baseline", str(SMALL))
    assert code == 1
    assert "error CP501 no-organization" in output and aws.scenario.puts == []


def test_busy_pack_is_retried(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.busy_puts = 2
    code, output = _deploy(aws, "--name", "s3-baseline", str(SMALL))
    assert code == 0, output
    assert output.count("is busy (an earlier operation is running); retrying") == 2


def test_busy_for_too_long_is_one_clear_sentence(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.busy_puts = 1000
    code, output = _deploy(aws, "--name", "s3-baseline", "--busy-timeout", "0", str(SMALL))
    assert code == 1
    line = next(line for line in output.splitlines() if line.startswith("preflight: error:"))
    assert "PutOrganizationConformancePack failed with ResourceInUseException" in line
    assert "a create, update or delete of this pack is still in progress" in line
    assert "testing" not in output  # the (dummy) credentials are never printed


def test_failed_accounts_are_reported_and_fail_the_deploy(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.member_accounts = ("111111111111", "222222222222")
    aws.scenario.failed_accounts = {
        "222222222222": ("NoAvailableConfigurationRecorderException", "You must create a configuration recorder.")
    }
    aws.scenario.in_progress_polls = 2
    code, output = _deploy(aws, "--name", "s3-baseline", str(SMALL))
    assert code == 1
    assert "s3-baseline: 0/3 accounts done, 0 failed (CREATE_IN_PROGRESS)" in output
    assert (
        "222222222222  CREATE_FAILED      NoAvailableConfigurationRecorderException: You must create a configuration "
        "recorder." in output
    )
    assert "s3-baseline: the rollout failed in 1 account(s): 222222222222 (CREATE_FAILED)" in output


def test_an_interrupted_wait_is_resumed_with_status(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.in_progress_polls = 3
    code, output = _deploy(aws, "--name", "s3-baseline", "--timeout", "0", str(SMALL))
    assert code == 1
    assert "not finished before the timeout" in output and "resume with: preflight status s3-baseline" in output
    status = run_cli(["status", "s3-baseline", *aws.args(), "--poll-interval", "0"])
    assert status.exit_code == 0, status.stdout
    assert "s3-baseline: deployed to every account" in status.stdout
    once = run_cli(["status", "s3-baseline", *aws.args(), "--no-wait"])
    assert once.exit_code == 0 and "CREATE_SUCCESSFUL" in once.stdout


def test_no_wait_puts_and_returns(aws: StandIn) -> None:
    _organization(aws)
    code, output = _deploy(aws, "--name", "s3-baseline", "--no-wait", str(SMALL))
    assert code == 0 and "follow it with: preflight status s3-baseline" in output
    assert aws.scenario.polls == 0


def test_spec_deploys_two_packs(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    spec = tmp_path / "packs.yaml"
    (tmp_path / "s3.yaml").write_text(SMALL.read_text())
    (tmp_path / "versioning.yaml").write_text((FIXTURES / "CP101" / "good.yaml").read_text())
    spec.write_text(
        "defaults:\n  parameters: {S3BucketVersioningMfaDelete: 'false'}\n"
        "packs:\n  - {name: s3-baseline, template: s3.yaml}\n"
        "  - name: versioning\n    template: versioning.yaml\n    parameters: {}\n"
    )
    # A default is given to the packs whose template declares it: versioning.yaml does not.
    assert run_cli(["check", "--format", "json", *GATE, "--spec", str(spec)]).findings == []
    undeclared = spec.read_text().replace("    parameters: {}\n", "    parameters: {Extra: x}\n")
    (tmp_path / "undeclared.yaml").write_text(undeclared)
    checked = run_cli(["check", "--format", "json", *GATE, "--spec", str(tmp_path / "undeclared.yaml")])
    assert [(f["rule"], Path(str(f["file"])).name, f["line"]) for f in checked.findings] == [
        ("CP302", "undeclared.yaml", 7)
    ]  # but one the pack itself names is the pack's, and an error
    code, output = _deploy(aws, "--spec", str(spec))
    assert code == 0, output
    assert [put["name"] for put in aws.scenario.puts] == ["s3-baseline", "versioning"]
    assert _server_packs(aws) == ["s3-baseline", "versioning"]


def test_without_credentials_deploy_says_so_in_one_line(aws: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, output = _deploy(aws, *GATE, "--name", "s3-baseline", str(SMALL))
    assert code == 2
    assert output.strip() == (
        "preflight: error: no AWS credentials found: set a profile (--profile or AWS_PROFILE) or the AWS_* "
        "environment variables"
    )


def test_spec_with_cross_pack_errors_puts_nothing(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    (tmp_path / "s3.yaml").write_text(SMALL.read_text())
    spec = tmp_path / "packs.yaml"
    spec.write_text("packs:\n  - {name: same, template: s3.yaml}\n  - {name: same, template: s3.yaml}\n")
    code, output = _deploy(aws, "--spec", str(spec))
    assert code == 1 and "error CP150 duplicate-pack-name" in output
    assert aws.scenario.puts == []


def test_spec_is_all_or_nothing(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    (tmp_path / "s3.yaml").write_text(SMALL.read_text())
    spec = tmp_path / "packs.yaml"
    spec.write_text("packs:\n  - {name: first, template: s3.yaml}\n  - {name: 2nd_pack, template: s3.yaml}\n")
    code, output = _deploy(aws, "--spec", str(spec))
    assert code == 1 and "error CP110 invalid-pack-name" in output
    assert "refusing to deploy first, 2nd_pack" in output
    assert aws.scenario.puts == []  # the first, clean pack was not put either


def test_spec_pack_already_in_s3(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.client("s3").create_bucket(Bucket="pack-templates")
    aws.client("s3").put_object(Bucket="pack-templates", Key="s3.yaml", Body=SMALL.read_bytes())
    spec = tmp_path / "packs.yaml"
    spec.write_text("packs:\n  - {name: in-s3, template-s3-uri: 's3://pack-templates/s3.yaml'}\n")
    code, output = _deploy(aws, "--spec", str(spec))
    assert code == 0, output
    assert aws.scenario.puts[0]["template_s3_uri"] == "s3://pack-templates/s3.yaml"


def test_lint_comes_before_any_aws_call(aws: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, output = _deploy(aws, "--dry-run", "--name", "iam", str(FIXTURES / "packs" / "iam-baseline.yaml"))
    assert code == 1
    assert "error CP208 undefined-condition" in output and "no AWS credentials" not in output


def test_a_refused_status_call_after_the_put_points_to_status(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.status_denied = True
    code, output = _deploy(aws, "--name", "s3-baseline", str(SMALL))
    assert code == 1
    line = next(line for line in output.splitlines() if line.startswith("preflight: error:"))
    assert "AccessDeniedException" in line and line.endswith("resume with: preflight status s3-baseline")
    assert len(aws.scenario.puts) == 1


def test_unknown_profile_is_one_line(aws: StandIn) -> None:
    code, output = _deploy(aws, *GATE, "--profile", "nope", "--name", "s3-baseline", str(SMALL))
    assert code == 2
    assert (
        output.strip()
        == "preflight: error: The config profile (nope) could not be found: check --profile and ~/.aws/config"
    )


def test_status_of_a_pack_that_is_not_there_is_one_line_and_exit_2(aws: StandIn) -> None:
    _organization(aws)
    assert _deploy(aws, "--name", "org-pack", str(SMALL))[0] == 0
    aws.scenario.account_packs["account-pack"] = "CREATE_COMPLETE"
    expected = {
        ("nowhere", "organization"): "there is no organization conformance pack named nowhere in us-east-1, nor an "
        "account conformance pack of that name: check the name and the Region (--region)",
        ("nowhere", "account"): "there is no account conformance pack named nowhere in us-east-1, nor an "
        "organization conformance pack of that name: check the name and the Region (--region)",
        ("account-pack", "organization"): "there is no organization conformance pack named account-pack in "
        "us-east-1, but there is an account conformance pack of that name: pass --scope account",
        ("org-pack", "account"): "there is no account conformance pack named org-pack in us-east-1, but there is an "
        "organization conformance pack of that name: pass --scope organization",
    }
    for (name, scope), message in expected.items():
        result = run_cli(["status", name, "--scope", scope, *aws.args(), "--poll-interval", "0"])
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"preflight: error: {message}\n")


def test_status_without_credentials_region_or_endpoint_is_one_line_and_exit_2(
    aws: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    _organization(aws)
    assert _deploy(aws, "--name", "s3-baseline", "--no-wait", str(SMALL))[0] == 0
    unreachable = run_cli(["status", "s3-baseline", "--endpoint-url", "http://127.0.0.1:9"])
    assert (unreachable.exit_code, unreachable.stdout) == (2, "")
    assert unreachable.stderr == (
        'preflight: error: cannot reach AWS: Could not connect to the endpoint URL: "http://127.0.0.1:9/"\n'
    )
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    no_region = run_cli(["status", "s3-baseline", *aws.args()])
    assert (no_region.exit_code, no_region.stdout) == (2, "")
    assert no_region.stderr == "preflight: error: no AWS Region: pass --region or set AWS_REGION\n"
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    no_credentials = run_cli(["status", "s3-baseline", "--region", "us-east-1", *aws.args()])
    assert (no_credentials.exit_code, no_credentials.stdout) == (2, "")
    assert no_credentials.stderr == (
        "preflight: error: no AWS credentials found: set a profile (--profile or AWS_PROFILE) or the AWS_* "
        "environment variables\n"
    )


def test_status_of_a_refused_status_call_is_exit_2_while_deploy_says_resume(aws: StandIn) -> None:
    _organization(aws)
    assert _deploy(aws, "--name", "s3-baseline", "--no-wait", str(SMALL))[0] == 0
    aws.scenario.status_denied = True
    result = run_cli(["status", "s3-baseline", *aws.args()])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "preflight: error: GetOrganizationConformancePackDetailedStatus failed with AccessDeniedException: You "
        "don't have permissions to access this resource.\n"
    )


def test_status_of_a_failed_rollout_is_exit_1_and_names_the_check_that_finds_it_first(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.failed_accounts = {"123456789012": ("NoAvailableConfigurationRecorderException", "No recorder.")}
    assert _deploy(aws, "--name", "s3-baseline", "--no-wait", str(SMALL))[0] == 0
    result = run_cli(["status", "s3-baseline", *aws.args(), "--poll-interval", "0"])
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        "s3-baseline: 1/1 accounts done, 1 failed (CREATE_FAILED), 00:00 elapsed",
        "account       status         error",
        "123456789012  CREATE_FAILED  NoAvailableConfigurationRecorderException: No recorder.",
        "s3-baseline: the rollout failed in 1 account(s): 123456789012 (CREATE_FAILED)",
        "NoAvailableConfigurationRecorderException in 1 account(s): `preflight check --online --member-role ROLE` "
        "finds this before the put (CP510)",
    ]
