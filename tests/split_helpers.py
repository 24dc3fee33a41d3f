"""What the tests of `preflight split` share (tests/test_split_*.py): its limits, a run of it, a small
pack of made-up rules, and the parts it wrote read back (each part's resources, each resource's part),
and `check` on the parts a spec names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.load.parsing import load_template_file
from preflight.load.spec_file import load_spec
from tests.conftest import Run, run_cli

LIMIT_RULES, LIMIT_BYTES = 130, 51_200


@dataclass(frozen=True)
class Part:
    path: Path
    text: str
    data: dict[str, Any]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.data["Resources"]  # type: ignore[no-any-return]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: body for name, body in self.resources.items() if body.get("Type") == kind}


def _read_values(path: Path) -> dict[str, Any]:
    loaded = load_template_file(path, str(path))
    assert loaded.document is not None and isinstance(loaded.document.data, dict)
    return loaded.document.data


def _read(path: Path) -> dict[str, Any]:
    """A pack that preflight reads with no problem."""
    assert not load_template_file(path, str(path)).problems
    return _read_values(path)


def parts_in(out: Path) -> list[Part]:
    spec = load_spec(out / "spec.yaml")
    return [
        Part(pack.template, pack.template.read_text(), _read(pack.template)) for pack in spec.packs if pack.template
    ]


def places(out: Path) -> dict[str, str]:
    """Each resource's logical id and the file of its part."""
    return {name: part.path.name for part in parts_in(out) for name in part.resources}


def split(*args: str | Path) -> Run:
    return run_cli(["split", *map(str, args)])


def _parts_checked(spec: Path) -> tuple[int, dict[str, object]]:
    """`check`'s exit status on the parts a spec names, and how many files and errors and warnings it
    found: an info finding is a hint about the run, not a fault of the split."""
    result = run_cli(["check", "--format", "json", "--no-cache", "--spec", str(spec)])
    summary = result.json["summary"]
    assert isinstance(summary, dict)
    return result.exit_code, {key: summary[key] for key in ("files", "error", "warning")}


PARTS_PASS = (0, {"files": 2, "error": 0, "warning": 0})


def _rule(name: str, description: str = "") -> str:
    text = f"  {name}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: {name.lower()}\n"
    if description:
        text += f"      Description: {description}\n"
    return text + "      Source:\n        Owner: AWS\n        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n"


def _small_pack(path: Path, rules: list[str]) -> Path:
    path.write_text("Resources:\n" + "".join(rules))
    return path
