"""The CloudFormation resource provider schemas of the two resource types a pack may contain, read
from the data files cfn-lint ships (already patched by cfn-lint), without importing cfn-lint."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path

from preflight.knowledge.schema_validator import SchemaValidator
from preflight.knowledge.template import CONFIG_RULE, REMEDIATION

SCHEMA_REGION = "us-east-1"
PACK_RESOURCE_TYPES = (CONFIG_RULE, REMEDIATION)


class SchemasUnavailable(Exception):
    pass


def cfn_lint_schema_directory() -> Path:
    spec = importlib.util.find_spec("cfnlint")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise SchemasUnavailable("cfn-lint is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


def load_pack_schemas(directory: Path | None = None) -> Mapping[str, Mapping[str, object]]:
    """Resource type -> its provider schema, as cfn-lint validates it."""
    root = directory or cfn_lint_schema_directory()
    try:
        index = json.loads((root / "providers" / f"{SCHEMA_REGION}.json").read_text(encoding="utf-8"))
        return {
            kind: json.loads((root / "resources" / f"{index[kind]}.json").read_text(encoding="utf-8"))
            for kind in PACK_RESOURCE_TYPES
        }
    except (OSError, KeyError, ValueError) as error:
        raise SchemasUnavailable(f"cfn-lint's resource schemas could not be read from {root}: {error}") from None


def load_pack_validators(directory: Path | None = None) -> Mapping[str, SchemaValidator]:
    """Resource type -> a validator for its provider schema (kept by `Reference`: a validator reads
    each schema node once)."""
    return {kind: SchemaValidator(schema) for kind, schema in load_pack_schemas(directory).items()}
