"""CP420 reads the schemas the package ships, which are the ones cfn-lint ships, as cfn-lint itself
loads them (patches applied)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from preflight.engine.cache import _PACKAGE
from preflight.engine.context import Context
from preflight.engine.runner import discover_rules, run_rules
from preflight.knowledge.reference import Reference
from preflight.knowledge.schema_validator import validate
from preflight.knowledge.schemas import (
    PACK_RESOURCE_TYPES,
    SCHEMAS_FILE,
    SchemasUnavailable,
    cfn_lint_schemas,
    load_pack_schemas,
    to_text,
)
from preflight.load.parsing import load_template_text
from preflight.model.limits import DEFAULT_QUOTAS
from preflight.model.request import PackRequest


def _schemas_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight.knowledge.schemas", *args], capture_output=True, text=True, check=False
    )


def _cfn_lint_version() -> str:
    from importlib.metadata import version

    return version("cfn-lint")


def test_the_shipped_schemas_are_the_ones_cfn_lint_validates_with() -> None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    ours = load_pack_schemas()
    assert list(ours) == list(PACK_RESOURCE_TYPES)
    for kind in PACK_RESOURCE_TYPES:
        assert ours[kind] == PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind).schema


def test_the_shipped_file_is_what_build_writes_from_the_installed_cfn_lint() -> None:
    """Byte for byte, so the key order CP420 visits properties in is cfn-lint's too."""
    assert SCHEMAS_FILE.read_text(encoding="utf-8") == to_text(cfn_lint_schemas())
    result = _schemas_command("verify")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{SCHEMAS_FILE} holds exactly the schemas of cfn-lint {_cfn_lint_version()}\n"


def test_build_writes_the_file_and_verify_refuses_a_different_one(tmp_path: Path) -> None:
    built = tmp_path / "schemas.json"
    result = _schemas_command("build", "--output", str(built))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        f"wrote {built}: AWS::Config::ConfigRule, AWS::Config::RemediationConfiguration from cfn-lint "
        f"{_cfn_lint_version()}\n"
    )
    assert built.read_bytes() == SCHEMAS_FILE.read_bytes()
    built.write_text(built.read_text().replace('"TargetId"', '"TargetID"', 1))
    result = _schemas_command("verify", "--schemas", str(built))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"{built} differs from the schemas of cfn-lint {_cfn_lint_version()}: rebuild it\n"


def test_the_schemas_are_small_package_data_in_the_cache_key() -> None:
    """A data file of the package: installed with it, and its size and time are in the cache key."""
    assert SCHEMAS_FILE.parent == _PACKAGE / "data"
    assert SCHEMAS_FILE.stat().st_size < 40_000


def test_missing_or_damaged_schemas_are_reported_not_raised(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(SchemasUnavailable, match=r"could not be read from .*missing\.json: \[Errno 2\]"):
        load_pack_schemas(missing)
    old = tmp_path / "old.json"
    old.write_text('{"format": 0, "schemas": {}}')
    with pytest.raises(SchemasUnavailable, match=r"old\.json: format 0 is not 1$"):
        load_pack_schemas(old)
    partial = tmp_path / "partial.json"
    partial.write_text('{"format": 1, "schemas": {"AWS::Config::ConfigRule": {}}}')
    with pytest.raises(SchemasUnavailable, match=r"partial\.json: 'AWS::Config::RemediationConfiguration'$"):
        load_pack_schemas(partial)


def _cp420(reference: Reference) -> list[tuple[str, int, int, str]]:
    text = (
        "Resources:\n  Fix:\n    Type: AWS::Config::RemediationConfiguration\n    Properties:\n"
        "      ConfigRuleName: s3-bucket-versioning-enabled\n      TargetID: AWS-ConfigureS3BucketVersioning\n"
    )
    context = Context(load_template_text(text, "pack.yaml"), PackRequest(), DEFAULT_QUOTAS, reference=reference)
    rules = [rule for rule in discover_rules() if rule.id == "CP420"]
    return [
        (f.severity.label, f.span.line, f.span.column, f.message) for f in run_rules(rules, context, raise_errors=True)
    ]


def test_cp420_reads_the_schemas_its_reference_holds(tmp_path: Path) -> None:
    assert _cp420(Reference()) == [
        ("error", 4, 5, "Properties: required property TargetType is missing"),
        ("error", 6, 7, "TargetID: unknown property 'TargetID'; did you mean 'TargetId'?"),
    ]
    edited = tmp_path / "schemas.json"
    edited.write_text(SCHEMAS_FILE.read_text().replace('"TargetType",\n', "", 1))
    assert _cp420(Reference(schemas_file=edited)) == [
        ("error", 6, 7, "TargetID: unknown property 'TargetID'; did you mean 'TargetId'?"),
    ]
    missing = tmp_path / "missing.json"
    assert _cp420(Reference(schemas_file=missing)) == [
        (
            "info",
            1,
            1,
            "resource schemas unavailable, properties not checked: the resource schemas could not be read from "
            f"{missing}: [Errno 2] No such file or directory: '{missing}'",
        ),
    ]


def test_cloudformation_scalar_conversions() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"n": {"type": "integer"}, "b": {"type": "boolean"}, "s": {"type": "string"}},
    }
    assert list(validate({"n": "5", "b": "True", "s": 5}, schema, schema, ())) == []
    assert [message for _, message in validate({"n": "5.5", "b": 1, "s": {}}, schema, schema, ())] == [
        "must be an integer, not string",
        "must be a boolean, not number",
        "must be a string, not mapping",
    ]
