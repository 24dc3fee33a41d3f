"""CP420 reads the schemas cfn-lint ships, as cfn-lint itself loads them (patches applied)."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.knowledge.schema_validator import validate
from preflight.knowledge.schemas import PACK_RESOURCE_TYPES, SchemasUnavailable, load_pack_schemas


def test_schemas_are_the_ones_cfn_lint_validates_with() -> None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    ours = load_pack_schemas()
    for kind in PACK_RESOURCE_TYPES:
        assert ours[kind] == PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind).schema


def test_missing_schemas_are_reported_not_raised(tmp_path: Path) -> None:
    with pytest.raises(SchemasUnavailable, match="could not be read"):
        load_pack_schemas(tmp_path)


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
