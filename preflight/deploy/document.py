"""The JSON documents of `deploy --format json` and `status --format json` (docs/output.md, "JSON output of
deploy and status"). Findings are encoded as `check --format json` encodes them. The text is ASCII:
every other character is a JSON escape, so nothing in a template or a reply can act on a terminal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from preflight import __version__
from preflight.deploy.outcome import DeployOutcome, PackOutcome
from preflight.reporters.json_report import finding_to_dict
from preflight.reporters.summary import severity_counts

if TYPE_CHECKING:
    from preflight.aws.watch import Snapshot
    from preflight.model.plan import Plan

FORMAT_VERSION = 1


def _head(command: str) -> dict[str, object]:
    return {"version": FORMAT_VERSION, "tool": {"name": "preflight", "version": __version__}, "command": command}


def _rollout(shot: Snapshot | None) -> dict[str, object] | None:
    if shot is None:
        return None
    from preflight.knowledge.failures import predictor

    accounts = []
    for account in shot.accounts:
        check = predictor(account.error_code, account.error_message) if account.failed else None
        accounts.append(
            {
                "account": account.account,
                "status": account.status,
                "error_code": account.error_code or None,
                "error_message": account.error_message or None,
                "caught_by": list(check.rules) if check is not None else None,
            }
        )
    return {"status": shot.pack_status, "reason": shot.reason or None, "accounts": accounts}


def _plan(plan: Plan | None) -> dict[str, object] | None:
    if plan is None:
        return None
    upload = {"uri": plan.upload.uri, "bytes": len(plan.upload.body)} if plan.upload is not None else None
    return {"upload": upload, "request": dict(plan.request), "notes": list(plan.notes)}


def _accounts(outcome: PackOutcome) -> list[dict[str, object]] | None:
    if outcome.accounts is None:
        return None
    return [
        {"account": row.account, "name": row.name, "readiness": row.readiness, "findings": list(row.rules)}
        for row in outcome.accounts
    ]


def _pack(outcome: PackOutcome) -> dict[str, object]:
    return {
        "name": outcome.name,
        "scope": outcome.scope,
        "operation": outcome.operation,
        "template_checked": outcome.template_checked,
        "plan": _plan(outcome.plan),
        "result": str(outcome.result),
        "error": outcome.error,
        "accounts": _accounts(outcome),
        "rollout": _rollout(outcome.rollout),
    }


def _dumps(document: dict[str, object]) -> str:
    # JSON leaves DEL, the one ASCII control character it need not escape, as it is.
    return json.dumps(document, indent=2, ensure_ascii=True).replace("\x7f", "\\u007f") + "\n"


def deploy_document(outcome: DeployOutcome) -> str:
    document = _head("deploy")
    document.update(
        dry_run=outcome.dry_run,
        online_checked=outcome.online_checked,
        summary={"files": outcome.files, **severity_counts(outcome.findings)},
        findings=[finding_to_dict(finding) for finding in outcome.findings],
        packs=[_pack(pack) for pack in outcome.packs],
    )
    return _dumps(document)


def status_document(outcome: PackOutcome) -> str:
    document = _head("status")
    document.update(
        name=outcome.name,
        scope=outcome.scope,
        result=str(outcome.result),
        error=outcome.error,
        rollout=_rollout(outcome.rollout),
    )
    return _dumps(document)
