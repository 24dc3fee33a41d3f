"""What `deploy` prints: --dry-run --offline plans with no AWS call at all. Against moto's server,
behind the fault proxy that records every call."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, run_cli
from tests.fault_proxy import FaultProxy

SMALL = FIXTURES / "packs" / "s3-baseline.yaml"


def _without_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)


def test_an_offline_dry_run_makes_no_aws_call(fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_aws(monkeypatch)
    args = ["deploy", *fault_proxy.args(), "--dry-run", "--offline", "--name", "s3", str(SMALL)]
    text = run_cli(args)
    assert (text.exit_code, text.stderr) == (0, "")
    plan = json.loads(text.stdout[text.stdout.index("{") : text.stdout.rindex("}") + 1])
    request = {"OrganizationConformancePackName": "s3", "TemplateBody": SMALL.read_text()}
    assert plan == {"operation": "put_organization_conformance_pack", "upload": None, "request": request}
    size = len(SMALL.read_bytes())
    assert text.stdout.replace(json.dumps(plan, indent=2, ensure_ascii=False), "{plan}").splitlines() == [
        "online checks skipped (--offline): no AWS call was made",
        "plan for s3 (put_organization_conformance_pack):",
        f"  - template sent inline as TemplateBody ({size:,} bytes of 51,200)",
        "{plan}",
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
    assert fault_proxy.seen == []


def test_offline_goes_only_with_dry_run(fault_proxy: FaultProxy) -> None:
    result = run_cli(["deploy", *fault_proxy.args(), "--offline", "--name", "s3", str(SMALL)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "preflight: error: --offline plans without calling AWS, so it goes with --dry-run\n"
    assert fault_proxy.seen == []
