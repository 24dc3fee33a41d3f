from __future__ import annotations

import json

import pytest

from preflight.engine.runner import discover_rules
from preflight.model.findings import Severity
from preflight.model.rule import CONFIDENCE_TAGS, DOC_SECTIONS, ERROR_EVIDENCE, FIX_SECTION, Rule
from tests.conftest import REPO, run_cli

RULES = discover_rules()


def test_rule_ids_are_unique_sorted_and_named() -> None:
    ids = [rule.id for rule in RULES]
    assert ids == sorted(set(ids))
    assert all(rule.name and rule.name == rule.name.lower() for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_documents_itself(rule: Rule) -> None:
    documentation = rule.documentation
    for section in DOC_SECTIONS:
        assert f"## {section}\n" in documentation, f"{rule.id} lacks '## {section}'"
    assert rule.summary
    assert (f"## {FIX_SECTION}\n" in documentation) == (rule.fix is not None), f"{rule.id}: ## Fix and fix= disagree"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_evidence_decides_severity(rule: Rule) -> None:
    """Every rule names its sources and how sure each is; an error needs AWS's documentation or a public
    report; a contested rule is opt-in and never an error."""
    references = rule.references
    assert references, f"{rule.id} has no '- [confidence] source' items under ## References"
    assert all(tag in CONFIDENCE_TAGS and len(text) > 20 for tag, text in references), references
    if rule.severity is Severity.ERROR and rule.id != "CP999":
        assert any(tag in ERROR_EVIDENCE for tag, _ in references), f"{rule.id} is an error without evidence"
    if rule.opt_in:
        assert rule.severity is not Severity.ERROR and len(references) >= 2


def test_rules_command_lists_every_rule() -> None:
    text = run_cli(["rules"])
    assert text.exit_code == 0
    assert [line.split()[0] for line in text.stdout.splitlines()] == [rule.id for rule in RULES]
    as_json = json.loads(run_cli(["rules", "--format", "json"]).stdout)
    assert [row["id"] for row in as_json] == [rule.id for rule in RULES]
    assert as_json[0] == {
        "id": "CP001",
        "name": "unreadable-file",
        "severity": "error",
        "opt_in": False,
        "evidence": "documented",
        "fix": None,
        "tags": ["input"],
        "summary": RULES[0].summary,
        "references": [{"confidence": tag, "source": text} for tag, text in RULES[0].references],
    }
    assert [row["id"] for row in as_json if row["opt_in"]] == ["CP411"]
    assert {row["id"]: row["fix"] for row in as_json if row["fix"]} == {
        "CP209": "safe", "CP212": "safe", "CP305": "safe", "CP401": "unsafe", "CP402": "unsafe", "CP404": "safe",
        "CP406": "safe",
        "CP407": "safe",
    }  # fmt: skip
    assert [line.split()[:3] for line in text.stdout.splitlines() if "opt-in" in line] == [
        ["CP411", "warning", "opt-in"]
    ]


def test_explain_prints_the_docstring() -> None:
    result = run_cli(["explain", "cp101"])
    assert result.exit_code == 0
    assert result.stdout.startswith("CP101 template-body-too-large (error)\n\n## What it does\n")
    assert "## Use instead" in result.stdout
    assert run_cli(["explain", "template-body-too-large"]).stdout == result.stdout
    contested = run_cli(["explain", "CP411"])
    assert contested.stdout.startswith(
        "CP411 scope-on-periodic-rule (warning, opt-in: runs only when selected by its full id)\n\n## What it does\n"
    )
    assert run_cli(["explain", "CP404"]).stdout.startswith(
        "CP404 managed-rule-parameter-type (error, fixed by --fix)\n\n## What it does\n"
    )
    assert run_cli(["explain", "CP402"]).stdout.startswith(
        "CP402 unknown-managed-rule-parameter (error, fixed by --fix --unsafe-fixes)\n\n"
    )
    assert "## References\n- [reported] cloud-custodian/cloud-custodian PR #10008" in contested.stdout
    missing = run_cli(["explain", "CP777"])
    assert missing.exit_code == 2 and "unknown rule 'CP777'" in missing.stderr


def test_readme_starts_with_purpose_and_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    head = readme.split("## ", 1)[0]
    blocks = head.split("```sh\n")[1:]
    assert len(blocks) == 2
    example, tests = (block.split("\n```", 1)[0] for block in blocks)
    assert "preflight check fixtures/packs/" in example and "pip install ." in example
    assert 'pip install -e ".[dev]"' in tests and "pytest" in tests


def test_version_option() -> None:
    result = run_cli(["--version"])
    assert result.exit_code == 0
    assert result.stdout == (
        "preflight, version 0.1.0 (managed-rule catalog of 2026-11-24, 834 rules; runbook catalog of 2026-12-06, 320 "
        "runbooks (175 with parameters); Region tables of 2024-06, 31 Regions)\n"
    )
