"""What `deploy` and `status` print: with --format json, one JSON document on standard output and every
other line on standard error; --dry-run --offline plans with no AWS call at all. Against moto's server."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from preflight import __version__
from tests.aws_stand_in import StandIn
from tests.conftest import FIXTURES, REPO, fenced_block, run_cli
from tests.fault_proxy import FaultProxy

SMALL = FIXTURES / "packs" / "s3-baseline.yaml"
LARGE = FIXTURES / "CP101" / "bad_over_limit.yaml"
FAST = ["--poll-interval", "0", "--busy-timeout", "5"]
# These tests are about what deploy does, not which findings its check gate has: the gate runs the
# rules of the request, its parameters and the online facts (the template's rules are check's tests').
GATE = ["--select", "CP1,CP3,CP5"]
TOOL = {"name": "preflight", "version": __version__}
MEMBER = "111111111111"
RECORDER = ("NoAvailableConfigurationRecorderException", "You must create a configuration recorder.")
# The accounts a pack reaches in an organization of the management account alone (moto names it "master").
ONLY_MANAGEMENT = [{"account": "123456789012", "name": "master", "readiness": "ready", "findings": []}]


def _organization(aws: StandIn) -> None:
    aws.client("organizations").create_organization(FeatureSet="ALL")


def _inline(name: str, body: str, **request: object) -> dict[str, object]:
    """A plan that sends `body` inline."""
    size = len(body.encode())
    return {
        "upload": None,
        "request": {"OrganizationConformancePackName": name, "TemplateBody": body, **request},
        "notes": [f"template sent inline as TemplateBody ({size:,} bytes of 51,200)"],
    }


def _pack(name: str, plan: dict[str, object] | None, result: str, **rest: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": name, "scope": "organization", "operation": "put_organization_conformance_pack",
        "template_checked": True, "plan": plan, "result": result, "error": None, "accounts": ONLY_MANAGEMENT,
        "rollout": None,
    }  # fmt: skip
    entry.update(rest)
    return entry


def _deploy_document(
    packs: list[dict[str, object]], findings: list[dict[str, object]], files: int = 1, **head: object
) -> object:
    counts = {
        severity: sum(1 for f in findings if f["severity"] == severity) for severity in ("error", "warning", "info")
    }
    return {
        "version": 1, "tool": TOOL, "command": "deploy", "dry_run": False, "online_checked": True,
        "summary": {"files": files, **counts}, "findings": findings, "packs": packs, **head,
    }  # fmt: skip


def _check_findings(*args: str) -> list[dict[str, object]]:
    """The findings as `check --format json` gives them for the same pack."""
    result = run_cli(["check", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.stderr
    return result.findings


def test_a_deploy_in_json_is_one_document_and_its_findings_are_check_s(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.scenario.member_accounts = (MEMBER,)
    aws.scenario.failed_accounts = {MEMBER: RECORDER}
    pack = tmp_path / "pack.yaml"
    body = SMALL.read_text().replace("Conditions:", "  Unused:\n    Type: String\n    Default: x\nConditions:")
    pack.write_text(body)
    request = [*GATE, "--name", "s3", "--exclude-account", "111122223333", str(pack)]
    result = run_cli(["deploy", *aws.args(), *FAST, "--format", "JSON", *request])
    assert result.exit_code == 1  # an account failed
    findings = _check_findings("--online", *aws.args(), *request)
    assert [(f["rule"], f["severity"]) for f in findings] == [("CP504", "warning"), ("CP305", "warning")]
    rollout = {
        "status": "CREATE_FAILED",
        "reason": None,
        "accounts": [
            {
                "account": MEMBER,
                "status": "CREATE_FAILED",
                "error_code": RECORDER[0],
                "error_message": RECORDER[1],
                "caught_by": ["CP510"],
            },
            {
                "account": "123456789012",
                "status": "CREATE_SUCCESSFUL",
                "error_code": None,
                "error_message": None,
                "caught_by": None,
            },
        ],
    }
    plan = _inline("s3", body, ExcludedAccounts=["111122223333"])
    assert json.loads(result.stdout) == _deploy_document([_pack("s3", plan, "failed", rollout=rollout)], findings)
    assert result.stderr.splitlines() == [
        f"{pack}:14:3: warning CP305 unused-parameter: parameter 'Unused' is never used",
        "   14 |   Unused:",
        "      |   ^~~~~~",
        "      = fix: remove it, or reference it where it was meant to be used",
        "Found 1 warning in 1 file.",
        f"{pack}: --exclude-account 111122223333: warning CP504 excluded-account-not-in-organization: excluded "
        "account 111122223333 is not in the organization",
        "Found 1 warning in 1 file.",
        "plan for s3 (put_organization_conformance_pack):",
        f"  - template sent inline as TemplateBody ({len(body):,} bytes of 51,200)",
        "put s3: accepted by AWS Config",
        "s3: 2/2 accounts done, 1 failed (CREATE_FAILED), 00:00 elapsed",
        "account       status             error",
        f"{MEMBER}  CREATE_FAILED      {RECORDER[0]}: {RECORDER[1]}",
        "123456789012  CREATE_SUCCESSFUL",
        f"s3: the rollout failed in 1 account(s): {MEMBER} (CREATE_FAILED)",
        f"{RECORDER[0]} in 1 account(s): `preflight check --online --member-role ROLE` finds this before the put "
        "(CP510)",
    ]


def test_a_dry_run_of_a_spec_in_json_is_one_document(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.client("s3").create_bucket(Bucket="pack-templates")
    (tmp_path / "small.yaml").write_text(SMALL.read_text())
    (tmp_path / "large.yaml").write_bytes(LARGE.read_bytes())
    spec = tmp_path / "packs.yaml"
    spec.write_text("packs:\n  - {name: small, template: small.yaml}\n  - {name: large, template: large.yaml}\n")
    args = [*GATE, "--dry-run", "--format", "json", "--template-bucket", "pack-templates", "--spec", str(spec)]
    result = run_cli(["deploy", *aws.args(), *args])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    uploaded = document["packs"][1]["plan"]["upload"]["uri"]
    assert uploaded.startswith("s3://pack-templates/preflight/large/") and uploaded.endswith(".yaml")
    size = LARGE.stat().st_size
    large_plan = {
        "upload": {"uri": uploaded, "bytes": size},
        "request": {"OrganizationConformancePackName": "large", "TemplateS3Uri": uploaded},
        "notes": [f"template to be uploaded to {uploaded} ({size:,} bytes) and sent as TemplateS3Uri"],
    }
    packs = [_pack("small", _inline("small", SMALL.read_text()), "planned"), _pack("large", large_plan, "planned")]
    assert document == _deploy_document(packs, [], files=2, dry_run=True)
    assert "dry run: nothing was uploaded or put for large" in result.stderr
    assert aws.scenario.puts == [] and aws.client("s3").list_objects_v2(Bucket="pack-templates")["KeyCount"] == 0


def test_a_refused_deploy_in_json_names_every_pack_and_every_finding(aws: StandIn) -> None:
    _organization(aws)
    iam = str(FIXTURES / "packs" / "iam-baseline.yaml")
    result = run_cli(["deploy", *aws.args(), *FAST, "--format", "json", "--name", "iam", iam])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    findings = _check_findings("--name", "iam", iam)
    assert document["findings"] == findings and document["online_checked"] is False
    assert [(p["name"], p["result"]) for p in document["packs"]] == [("iam", "refused")]
    assert result.stderr.endswith("refusing to deploy iam: 3 errors above must be fixed first\n")
    assert aws.scenario.puts == []


def test_a_failed_put_and_an_unfollowed_rollout_in_json(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.busy_puts = 1000
    busy = run_cli(
        ["deploy", *aws.args(), *FAST, "--busy-timeout", "0", "--format", "json", "--name", "s3", str(SMALL)]
    )
    assert busy.exit_code == 1
    error = (
        "PutOrganizationConformancePack failed with ResourceInUseException: The resource is in use (moto stand-in "
        "scenario).; a create, update or delete of this pack is still in progress: wait for it to finish "
        "(preflight status NAME) and deploy again"
    )
    assert json.loads(busy.stdout)["packs"] == [_pack("s3", _inline("s3", SMALL.read_text()), "failed", error=error)]
    assert busy.stderr.splitlines()[-1] == f"preflight: error: {error}"
    aws.scenario.busy_puts = 0
    aws.scenario.status_denied = True
    denied = run_cli(["deploy", *aws.args(), *FAST, "--format", "json", "--name", "s3", str(SMALL)])
    assert denied.exit_code == 1
    error = (
        "GetOrganizationConformancePackDetailedStatus failed with AccessDeniedException: You don't have permissions "
        "to access this resource."
    )
    [pack] = json.loads(denied.stdout)["packs"]
    assert (pack["result"], pack["error"], pack["rollout"]) == ("unfollowed", error, None)
    assert denied.stderr.splitlines()[-1] == (
        f"preflight: error: {error}; the rollout goes on in AWS: resume with: preflight status s3"
    )


def test_no_document_when_the_deploy_cannot_be_tried(aws: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run_cli(["deploy", *aws.args(), *GATE, "--format", "json", "--name", "s3", str(SMALL)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "preflight: error: no AWS credentials found: set a profile (--profile or AWS_PROFILE) or the AWS_* "
        "environment variables\n"
    )


def _manual_document(marker: str) -> object:
    return json.loads(fenced_block("docs/output.md", marker))


def test_the_manual_s_deploy_document_is_what_its_command_writes() -> None:
    command = (
        (REPO / "docs" / "output.md")
        .read_text(encoding="utf-8")
        .split("`preflight deploy --dry-run --offline --format json", 1)[1]
        .split("` writes:", 1)[0]
    )
    args = ["deploy", "--dry-run", "--offline", "--format", "json", *shlex.split(command)]
    result = run_cli(args, cwd=REPO)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == _manual_document("deploy-json")


def test_status_in_json(aws: StandIn) -> None:
    _organization(aws)
    aws.scenario.member_accounts = (MEMBER,)
    aws.scenario.failed_accounts = {MEMBER: RECORDER}
    assert run_cli(["deploy", *aws.args(), *FAST, "--no-wait", "--name", "s3", str(SMALL)]).exit_code == 0
    result = run_cli(["status", "s3", *aws.args(), "--poll-interval", "0", "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == _manual_document("status-json")
    assert json.loads(result.stdout) == {
        "version": 1, "tool": TOOL, "command": "status", "name": "s3", "scope": "organization", "result": "failed",
        "error": None,
        "rollout": {"status": "CREATE_FAILED", "reason": None, "accounts": [
            {"account": MEMBER, "status": "CREATE_FAILED", "error_code": RECORDER[0], "error_message": RECORDER[1],
             "caught_by": ["CP510"]},
            {"account": "123456789012", "status": "CREATE_SUCCESSFUL", "error_code": None, "error_message": None,
             "caught_by": None},
        ]},
    }  # fmt: skip
    assert result.stderr.splitlines() == [
        "s3: 2/2 accounts done, 1 failed (CREATE_FAILED), 00:00 elapsed",
        "account       status             error",
        f"{MEMBER}  CREATE_FAILED      {RECORDER[0]}: {RECORDER[1]}",
        "123456789012  CREATE_SUCCESSFUL",
        f"s3: the rollout failed in 1 account(s): {MEMBER} (CREATE_FAILED)",
        f"{RECORDER[0]} in 1 account(s): `preflight check --online --member-role ROLE` finds this before the put "
        "(CP510)",
    ]


def test_status_in_json_of_an_unfinished_rollout_and_of_an_account_pack(aws: StandIn) -> None:
    _organization(aws)
    assert run_cli(["deploy", *aws.args(), *FAST, "--no-wait", "--name", "s3", str(SMALL)]).exit_code == 0
    aws.scenario.in_progress_polls = 100
    result = run_cli(["status", "s3", *aws.args(), "--no-wait", "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["result"], document["rollout"]["status"]) == ("timed-out", "CREATE_IN_PROGRESS")
    assert result.stderr.splitlines()[-1] == (
        "s3: not finished before the timeout (0/1 accounts done, 0 failed (CREATE_IN_PROGRESS)); "
        "resume with: preflight status s3"
    )
    aws.scenario.account_packs["mine"] = "CREATE_COMPLETE"
    mine = run_cli(["status", "mine", "--scope", "account", *aws.args(), "--format", "json"])
    assert mine.exit_code == 0, mine.stderr
    assert json.loads(mine.stdout) == {
        "version": 1, "tool": TOOL, "command": "status", "name": "mine", "scope": "account", "result": "succeeded",
        "error": None, "rollout": {"status": "CREATE_COMPLETE", "reason": None, "accounts": []},
    }  # fmt: skip
    missing = run_cli(["status", "gone", *aws.args(), "--format", "json"])
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert len(missing.stderr.splitlines()) == 1


def _without_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)


def test_an_offline_dry_run_makes_no_aws_call(fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_aws(monkeypatch)
    args = ["deploy", *fault_proxy.args(), *GATE, "--dry-run", "--offline", "--name", "s3", str(SMALL)]
    text = run_cli(args)
    assert (text.exit_code, text.stderr) == (0, "")
    plan = json.loads(text.stdout[text.stdout.index("{") : text.stdout.rindex("}") + 1])
    assert plan == {"operation": "put_organization_conformance_pack", "upload": None,
                    "request": _inline("s3", SMALL.read_text())["request"]}  # fmt: skip
    size = len(SMALL.read_bytes())
    assert text.stdout.replace(json.dumps(plan, indent=2, ensure_ascii=False), "{plan}").splitlines() == [
        "online checks skipped (--offline): no AWS call was made",
        "plan for s3 (put_organization_conformance_pack):",
        f"  - template sent inline as TemplateBody ({size:,} bytes of 51,200)",
        "{plan}",
        "dry run: nothing was uploaded or put for s3",
    ]
    machine = run_cli([*args, "--format", "json"])
    assert machine.exit_code == 0
    assert json.loads(machine.stdout) == _deploy_document(
        [_pack("s3", _inline("s3", SMALL.read_text()), "planned", accounts=None)],
        [],
        dry_run=True,
        online_checked=False,
    )
    assert machine.stderr.splitlines() == [
        "online checks skipped (--offline): no AWS call was made",
        "plan for s3 (put_organization_conformance_pack):",
        f"  - template sent inline as TemplateBody ({size:,} bytes of 51,200)",
        "dry run: nothing was uploaded or put for s3",
    ]
    assert fault_proxy.seen == []


def test_an_offline_dry_run_does_not_pretend_to_check_a_template_only_in_s3(
    fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_aws(monkeypatch)
    uri = "s3://pack-templates/s3-baseline.yaml"
    args = ["deploy", *fault_proxy.args(), "--dry-run", "--offline", "--name", "s3", "--template-s3-uri", uri]
    text = run_cli(args)
    assert (text.exit_code, text.stderr) == (0, "")
    request = {"OrganizationConformancePackName": "s3", "TemplateS3Uri": uri}
    note = f"template already in S3 at {uri}, not checked (offline), sent as TemplateS3Uri"
    plan = json.dumps({"operation": "put_organization_conformance_pack", "upload": None, "request": request}, indent=2)
    assert text.stdout == "\n".join([
        "online checks skipped (--offline): no AWS call was made",
        f"s3: the template at {uri} was not fetched, so it was not checked (--offline)",
        "plan for s3 (put_organization_conformance_pack):",
        f"  - {note}",
        plan,
        "dry run: nothing was uploaded or put for s3",
    ]) + "\n"  # fmt: skip
    machine = run_cli([*args, "--format", "json"])
    assert machine.exit_code == 0
    plan_entry = {"upload": None, "request": request, "notes": [note]}
    assert json.loads(machine.stdout) == _deploy_document(
        [_pack("s3", plan_entry, "planned", template_checked=False, accounts=None)],
        [],
        files=0,
        dry_run=True,
        online_checked=False,
    )
    assert fault_proxy.seen == []


def test_offline_goes_only_with_dry_run(fault_proxy: FaultProxy) -> None:
    result = run_cli(["deploy", *fault_proxy.args(), "--offline", "--format", "json", "--name", "s3", str(SMALL)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "preflight: error: --offline plans without calling AWS, so it goes with --dry-run\n"
    assert fault_proxy.seen == []


def test_a_template_in_s3_that_is_not_there_in_json(aws: StandIn, tmp_path: Path) -> None:
    _organization(aws)
    aws.client("s3").create_bucket(Bucket="pack-templates")
    (tmp_path / "s3.yaml").write_text(SMALL.read_text())
    spec = tmp_path / "packs.yaml"
    spec.write_text(
        "packs:\n  - {name: first, template: s3.yaml}\n"
        "  - {name: second, template-s3-uri: 's3://pack-templates/missing.yaml'}\n"
    )
    result = run_cli(["deploy", *aws.args(), *FAST, "--format", "json", "--spec", str(spec)])
    assert result.exit_code == 1
    missing = "s3://pack-templates/missing.yaml does not exist"
    assert result.stderr == f"preflight: error: {missing}\n"
    packs = [
        _pack("first", None, "skipped", template_checked=False, accounts=None),
        _pack("second", None, "failed", template_checked=False, error=missing, accounts=None),
    ]
    assert json.loads(result.stdout) == _deploy_document(packs, [], files=0, online_checked=False)
    assert aws.scenario.puts == []


def test_the_document_is_ascii_whatever_the_template_holds(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    body = SMALL.read_text().replace("Description: Checks", "Description: \u202eevil\x7f\x1b[31m Checks")
    pack.write_text(body)
    args = ["--name", "s3", str(pack)]
    result = run_cli(["deploy", "--dry-run", "--offline", "--format", "json", *args])
    assert result.exit_code == 1  # YAML refuses the DEL
    assert result.stdout.isascii() and "\x7f" not in result.stdout and "\x1b" not in result.stdout
    document = json.loads(result.stdout)
    assert document["packs"][0]["plan"]["request"]["TemplateBody"] == body  # escaped, not changed
    assert document["findings"] == _check_findings(*args)
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "Description: \\u202eevil\\x7f\\e[31m Checks" in result.stderr


WARNED = FIXTURES / "CP305" / "bad.yaml"  # one warning, no error


@pytest.mark.parametrize("where", ["command line", "settings file"])
def test_the_fail_level_refuses_a_deploy_as_it_fails_check(
    where: str, fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`--fail-level warning` (or `fail-level` in the settings) refuses a pack with a warning, in a dry
    run too, with the exit status and the reason `check` would give; the default level deploys it."""
    _without_aws(monkeypatch)
    (tmp_path / ".preflight.toml").write_text('fail-level = "warning"\n' if where == "settings file" else "")
    level = ["--fail-level", "warning"] if where == "command line" else []
    args = ["deploy", *fault_proxy.args(), *GATE, "--dry-run", "--offline", *level, "--name", "w", str(WARNED)]
    refused = run_cli([*args, "--format", "json"], cwd=tmp_path)
    assert refused.exit_code == 1
    document = json.loads(refused.stdout)
    assert document["findings"] == _check_findings(*GATE, str(WARNED))
    assert [(f["rule"], f["severity"]) for f in document["findings"]] == [("CP305", "warning")]
    assert [(p["name"], p["result"]) for p in document["packs"]] == [("w", "refused")]
    assert refused.stderr.endswith("refusing to deploy w: 1 warning (fail level: warning) above must be fixed first\n")
    assert run_cli(["check", *level, str(WARNED)], cwd=tmp_path).exit_code == 1
    (tmp_path / ".preflight.toml").write_text("")
    planned = run_cli(
        ["deploy", *fault_proxy.args(), "--dry-run", "--offline", "--name", "w", str(WARNED)], cwd=tmp_path
    )
    assert planned.exit_code == 0 and "dry run: nothing was uploaded or put for w" in planned.stdout
    assert fault_proxy.seen == []
