"""The CloudFormation resource provider schemas of the two resource types a pack may contain, as
cfn-lint validates them (its data files, already patched by cfn-lint).

The package ships them (`preflight/data/pack_schemas.json`), so linting needs no cfn-lint. The file
is built from the installed cfn-lint's data files, without importing cfn-lint, by

    python -m preflight.knowledge.schemas build [--output PATH]

and `python -m preflight.knowledge.schemas verify [--schemas PATH]` exits 1 when the shipped file
differs from what the installed cfn-lint ships (a newer cfn-lint: build it again).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from preflight.knowledge.schema_validator import SchemaValidator
from preflight.knowledge.template import CONFIG_RULE, REMEDIATION

SCHEMAS_FILE = Path(__file__).resolve().parent.parent / "data" / "pack_schemas.json"
# {"format", "region": the Region whose schemas cfn-lint's are, "schemas": {resource type: schema}};
# each schema keeps cfn-lint's key order, so validation visits properties in the same order.
FORMAT = 1
SCHEMA_REGION = "us-east-1"
PACK_RESOURCE_TYPES = (CONFIG_RULE, REMEDIATION)


class SchemasUnavailable(Exception):
    pass


def load_pack_schemas(path: Path = SCHEMAS_FILE) -> Mapping[str, Mapping[str, object]]:
    """Resource type -> its provider schema, from the file the package ships."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r} is not {FORMAT}")
        return {kind: document["schemas"][kind] for kind in PACK_RESOURCE_TYPES}
    except (OSError, KeyError, TypeError, AttributeError, ValueError) as error:
        raise SchemasUnavailable(f"the resource schemas could not be read from {path}: {error}") from None


def load_pack_validators(path: Path = SCHEMAS_FILE) -> Mapping[str, SchemaValidator]:
    """Resource type -> a validator for its provider schema (kept by `Reference`: a validator reads
    each schema node once)."""
    return {kind: SchemaValidator(schema) for kind, schema in load_pack_schemas(path).items()}


def cfn_lint_schema_directory() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("cfnlint")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise SchemasUnavailable('cfn-lint is not installed (pip install ".[cfn-lint]")')
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


def cfn_lint_schemas(directory: Path | None = None) -> dict[str, object]:
    """Resource type -> its provider schema, read from cfn-lint's data files."""
    root = directory or cfn_lint_schema_directory()
    try:
        index = json.loads((root / "providers" / f"{SCHEMA_REGION}.json").read_text(encoding="utf-8"))
        return {
            kind: json.loads((root / "resources" / f"{index[kind]}.json").read_text(encoding="utf-8"))
            for kind in PACK_RESOURCE_TYPES
        }
    except (OSError, KeyError, ValueError) as error:
        raise SchemasUnavailable(f"cfn-lint's resource schemas could not be read from {root}: {error}") from None


def to_text(schemas: Mapping[str, object]) -> str:
    """The schemas file's text: indented, so a rebuild shows as a readable diff."""
    document = {"format": FORMAT, "region": SCHEMA_REGION, "schemas": dict(schemas)}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _main(argv: Sequence[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m preflight.knowledge.schemas")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write the package's schemas from the installed cfn-lint's")
    build.add_argument("--output", type=Path, default=SCHEMAS_FILE)
    verify = commands.add_parser("verify", help="check that the shipped schemas are the installed cfn-lint's")
    verify.add_argument("--schemas", type=Path, default=SCHEMAS_FILE)
    args = parser.parse_args(argv)
    try:
        text = to_text(cfn_lint_schemas())
    except SchemasUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    version = _cfn_lint_version()
    if args.command == "build":
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {', '.join(PACK_RESOURCE_TYPES)} from cfn-lint {version}")
        return 0
    try:
        shipped = args.schemas.read_text(encoding="utf-8")
    except OSError as error:
        print(f"error: {args.schemas}: {error.strerror or error}", file=sys.stderr)
        return 2
    if shipped != text:
        print(f"{args.schemas} differs from the schemas of cfn-lint {version}: rebuild it", file=sys.stderr)
        return 1
    print(f"{args.schemas} holds exactly the schemas of cfn-lint {version}")
    return 0


def _cfn_lint_version() -> str:
    from importlib.metadata import version

    return version("cfn-lint")


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
