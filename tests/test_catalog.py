from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.engine.context import Context
from preflight.knowledge.catalog import CATALOG_FILE, compact_form, decode_facts, load_catalog, read_catalog
from preflight.knowledge.intrinsics import intrinsic_name
from preflight.knowledge.template import CONFIG_RULE
from preflight.load.parsing import load_template_file
from preflight.model.limits import DEFAULT_QUOTAS
from preflight.model.request import PackRequest
from preflight.model.suggest import Suggestions
from tests.conftest import CORPUS, REPO, run_cli

FACTS = REPO.parent / "shared" / "data" / "managed-rules.json"
needs_facts = pytest.mark.skipif(not FACTS.is_file(), reason=f"managed-rule facts not present at {FACTS}")
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"AWS sample corpus not present at {CORPUS}")


@needs_facts
def test_build_round_trips_the_facts(tmp_path: Path) -> None:
    output = tmp_path / "catalog.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight.knowledge.catalog",
            "build",
            str(FACTS),
            "--date",
            "2030-01-02",
            "--output",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    catalog = read_catalog(output.read_text())
    assert catalog.date == "2030-01-02"
    assert decode_facts(compact_form(catalog)) == json.loads(FACTS.read_text())["rules"]
    assert len(output.read_text().splitlines()) == 1 + len(catalog)  # a header, then one line per rule
    assert "about" not in output.read_text()  # facts only, no prose


NOTES = REPO / "docs" / "catalogs" / "managed-rule-notes.json"


@needs_facts
def test_the_shipped_catalog_holds_exactly_the_facts_and_the_notes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "preflight.knowledge.catalog", "verify", str(FACTS), "--notes", str(NOTES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    without_notes = subprocess.run(
        [sys.executable, "-m", "preflight.knowledge.catalog", "verify", str(FACTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert without_notes.returncode == 1  # the notes are in it


def test_the_notes_reach_the_rules_they_name() -> None:
    catalog = load_catalog()
    ecs = catalog.get("ECS_TASK_DEFINITION_MEMORY_HARD_LIMIT")
    assert ecs is not None and ecs.discontinued is not None
    assert (ecs.discontinued.date, ecs.discontinued.replacement) == ("2026-04-03", None)
    stopped = catalog.get("EC2_STOPPED_INSTANCE")
    assert stopped is not None and stopped.available_in("af-south-1") is not False
    assert [(sorted(d.regions), d.kind) for d in stopped.region_doubts] == [
        (["af-south-1", "ap-northeast-3", "ap-southeast-4", "ca-west-1", "eu-south-1", "me-central-1"], "earlier-page")
    ]
    notes = json.loads(NOTES.read_text())
    for key in ("discontinued", "region_doubts"):
        for identifier, note in notes[key].items():
            found = catalog.get(identifier)
            assert found is not None, identifier
            if key == "region_doubts":
                assert all(doubt["source"] for doubt in note)
            else:
                assert note["source"]


def test_catalog_entries() -> None:
    catalog = load_catalog()
    assert len(catalog) == 834
    rotated = catalog.get("ACCESS_KEYS_ROTATED")
    assert rotated is not None
    assert rotated.periodic and not rotated.change_triggered
    assert rotated.parameters["maxAccessKeyAge"].type == "int"
    assert rotated.parameters["maxAccessKeyAge"].optional is False
    assert rotated.available_in("us-east-1") is True and rotated.available_in("ap-east-2") is False
    assert catalog.get("NOT_A_RULE") is None
    assert CATALOG_FILE.stat().st_size < 200_000


def test_suggestions_are_sensible() -> None:
    suggestions = Suggestions(load_catalog().lines, cutoff=0.6)
    assert suggestions.nearest("S3_BUCKET_VERSIONING_ENABLE", 3)[0] == "S3_BUCKET_VERSIONING_ENABLED"
    assert suggestions.nearest("ACCESS_KEYS_ROTATED_", 3)[0] == "ACCESS_KEYS_ROTATED"
    assert suggestions.nearest("IAM_PASSWORD_POLICIES", 3)[0] == "IAM_PASSWORD_POLICY"
    assert suggestions.nearest("ZZZZZZZZ", 3) == []


def test_parameter_suggestion_respects_case(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {MaxAccessKeyAge: '90', maxAccesKeyAge: '9'}\n"
        "      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}\n"
    )
    result = run_cli(["check", "--format", "json", "--select", "CP401,CP402", str(pack)])
    assert [f["fix"] for f in result.findings] == [
        "parameter names are case-sensitive: use 'maxAccessKeyAge'",
        "did you mean 'maxAccessKeyAge'?",
    ]


@needs_corpus
def test_every_identifier_and_parameter_in_the_samples_is_known() -> None:
    """Both branches of every Fn::If count: the views are taken once with each condition's defaults
    and the raw InputParameters keys are checked too."""
    catalog = load_catalog()
    identifiers: set[str] = set()
    unknown: list[str] = []
    for path in sorted(CORPUS.glob("*.y*ml")):
        loaded = load_template_file(path, path.name)
        context = Context(loaded, PackRequest(), DEFAULT_QUOTAS)
        for resource in context.template.of_type(CONFIG_RULE):
            source = resource.properties.get("Source")
            if not isinstance(source, dict) or source.get("Owner") != "AWS":
                continue
            identifier = source.get("SourceIdentifier")
            assert isinstance(identifier, str)
            identifiers.add(identifier)
            managed = catalog.get(identifier)
            if managed is None:
                unknown.append(f"{path.name}: {identifier}")
                continue
            raw = resource.properties.get("InputParameters") or {}
            names = set(json.loads(raw)) if isinstance(raw, str) else set(raw) - {"Fn::If"}
            if isinstance(raw, dict) and "Fn::If" in raw:
                branches = [b for b in raw["Fn::If"][1:] if isinstance(b, dict) and intrinsic_name(b) is None]
                names |= {name for branch in branches for name in branch}
            unknown.extend(f"{path.name}: {identifier}.{name}" for name in names if name not in managed.parameters)
    assert unknown == []
    assert len(identifiers) > 300


@needs_corpus
def test_catalog_rules_find_nothing_wrong_with_sample_identifiers() -> None:
    result = run_cli(["check", "--format", "json", "--select", "CP401,CP402,CP403,CP407,CP409", str(CORPUS)])
    assert result.findings == []
