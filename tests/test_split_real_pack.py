"""`preflight split` on a real pack over both limits (two of AWS's frameworks and its S3 remediation
sample merged, read in place from ../shared/corpus): the fewest parts, each within the limits and
linting clean, with every rule's text, what it uses and its remediation, and a spec file that deploys
them together; split again after edits, no other rule changes part."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from preflight.load.spec_file import load_spec
from tests.conftest import CORPORA, CORPUS, Run, run_cli
from tests.split_helpers import LIMIT_BYTES, LIMIT_RULES, _read, _rule, parts_in, places, split

FRAMEWORKS = (
    "Operational-Best-Practices-for-HIPAA-Security.yaml",
    "Operational-Best-Practices-for-CMMC-2.0-Level-2.yaml",
)
REMEDIATION = "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the real-pack corpus is not present at {CORPORA}")


@dataclass(frozen=True)
class Layout:
    """A pack in the layout of AWS's samples: top-level keys in column 0, entries in column 2."""

    header: str
    order: tuple[str, ...]
    heads: dict[str, str]
    entries: dict[str, dict[str, str]]

    @classmethod
    def of(cls, text: str) -> Layout:
        header: list[str] = []
        order: list[str] = []
        heads: dict[str, str] = {}
        entries: dict[str, dict[str, str]] = {}
        key = name = None
        for line in text.splitlines(keepends=True):
            if top := re.match(r"([A-Za-z]\w*):", line):
                key, name = top.group(1), None
                order.append(key)
                heads[key], entries[key] = line, {}
            elif key is None:
                header.append(line)
            elif entry := re.match(r"  ([A-Za-z0-9]\w*):", line):
                name = entry.group(1)
                entries[key][name] = line
            elif name is None:
                heads[key] += line
            else:
                entries[key][name] += line
        return cls("".join(header), tuple(order), heads, entries)

    def text(self) -> str:
        body = "".join(self.heads[key] + "".join(self.entries[key].values()) for key in self.order)
        return self.header + body


def _merge(*texts: str) -> str:
    """The packs as one: the first's header, each section's entries in order, a name already there skipped
    (the frameworks share their rules, with the same logical ids)."""
    merged = Layout.of(texts[0])
    for text in texts[1:]:
        other = Layout.of(text)
        for key in other.order:
            if key not in merged.entries:
                merged = Layout(merged.header, (*merged.order, key), {**merged.heads, key: other.heads[key]},
                                {**merged.entries, key: {}})  # fmt: skip
            for name, entry in other.entries[key].items():
                merged.entries[key].setdefault(name, entry if entry.endswith("\n") else entry + "\n")
    return merged.text()


def merged_pack() -> str:
    """Two frameworks and the S3 remediation sample: its rules renamed apart from the frameworks' S3 rules,
    its placeholder account id and its logging bucket filled in, as a user deploying it would."""
    remediation = (CORPUS / REMEDIATION).read_text()
    # (not the runbook parameter S3BucketName: AWS-DisableS3BucketPublicReadWrite takes it by that name, CP215)
    remediation = re.sub(r"\bS3Bucket(?!Name\b)(\w+)", r"RemediatedS3Bucket\1", remediation).replace(
        "<Account-Id>", "210987654321"
    )
    remediation = re.sub(r"(\n  S3TargetBucketNameForEnableLogging:\n)", r"\1    Default: central-logs\n", remediation)
    return _merge(*((CORPUS / name).read_text() for name in FRAMEWORKS), remediation)


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Run]]:
    """The merged pack, and its split (made once: each test only reads it)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the real-pack corpus is not present at {CORPORA}")
    folder = tmp_path_factory.mktemp("merged")
    pack = folder / "frameworks.yaml"
    pack.write_text(merged_pack())
    result = split(pack, "--out", folder / "out")
    assert result.exit_code == 0, result.stderr
    yield pack, folder / "out", result


def _errors(path: Path) -> list[tuple[str, str]]:
    result = run_cli(["check", "--format", "json", "--no-cache", str(path)])
    assert result.exit_code in (0, 1), result.stderr
    return [(str(f["rule"]), str(f["message"])) for f in result.findings if f["severity"] == "error"]


# ----- the split of a real pack over both limits


@needs_corpus
def test_the_fewest_parts_each_within_the_limits(merged: tuple[Path, Path, Run]) -> None:
    pack, out, result = merged
    resources = _read(pack)["Resources"].values()
    size, rules = len(pack.read_bytes()), sum(body["Type"] == "AWS::Config::ConfigRule" for body in resources)
    assert rules > LIMIT_RULES and size > LIMIT_BYTES  # over both: 158 rules, 67,725 bytes
    parts = parts_in(out)
    assert len(parts) == max(math.ceil(rules / LIMIT_RULES), math.ceil(size / LIMIT_BYTES)) == 2
    for part in parts:
        assert len(part.of_type("AWS::Config::ConfigRule")) <= LIMIT_RULES
        assert len(part.text.encode()) <= LIMIT_BYTES
    counts = [(len(part.of_type("AWS::Config::ConfigRule")), len(part.text.encode())) for part in parts]
    assert result.stdout.splitlines()[:4] == [
        f"{pack}: {rules} config rules, {size:,} bytes -> 2 parts in {out}",
        f"  frameworks-part-1.yaml  {counts[0][0]:>3} rules  {counts[0][1]:>6,} bytes",
        f"  frameworks-part-2.yaml  {counts[1][0]:>3} rules  {counts[1][1]:>6,} bytes",
        f"  spec.yaml               preflight deploy --spec {out / 'spec.yaml'}",
    ]
    assert result.stderr == ""


@needs_corpus
def test_each_part_lints_without_errors_the_original_did_not_have(merged: tuple[Path, Path, Run]) -> None:
    pack, out, _result = merged
    assert {rule for rule, _message in _errors(pack)} == {"CP101", "CP204"}
    for part in parts_in(out):
        assert _errors(part.path) == []
    result = run_cli(["check", "--format", "json", "--no-cache", "--spec", str(out / "spec.yaml")])
    assert result.exit_code == 0, result.stdout


@needs_corpus
def test_the_parts_hold_every_resource_once_with_its_own_text(merged: tuple[Path, Path, Run]) -> None:
    pack, out, _result = merged
    original = Layout.of(pack.read_text())
    seen: list[str] = []
    for part in parts_in(out):
        layout = Layout.of(part.text)
        assert layout.header == original.header  # the pack's opening comments
        for key, entries in layout.entries.items():
            for name, text in entries.items():
                assert text == original.entries[key][name]  # comments and formatting kept
        seen += part.resources
    assert sorted(seen) == sorted(original.entries["Resources"])


def _used(value: object, refs: set[str], conditions: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                refs.add(item)
            elif key in ("Condition", "Fn::If") and isinstance(item, (str, list)):
                conditions.add(item if isinstance(item, str) else str(item[0]))
            _used(item, refs, conditions)
    elif isinstance(value, list):
        for item in value:
            _used(item, refs, conditions)


@needs_corpus
def test_each_part_carries_exactly_the_parameters_and_conditions_its_rules_use(
    merged: tuple[Path, Path, Run],
) -> None:
    _pack, out, _result = merged
    for part in parts_in(out):
        refs: set[str] = set()
        conditions: set[str] = set()
        _used(part.resources, refs, conditions)
        declared_conditions = part.data.get("Conditions", {})
        for name in sorted(conditions):
            _used(declared_conditions[name], refs, conditions)
        assert set(declared_conditions) == conditions
        pseudo = {name for name in refs if name.startswith("AWS::")}
        assert set(part.data.get("Parameters", {})) == refs - pseudo - set(part.resources)


@needs_corpus
def test_each_remediation_is_in_its_rule_s_part(merged: tuple[Path, Path, Run]) -> None:
    _pack, out, _result = merged
    remediations = 0
    for part in parts_in(out):
        names = {body["Properties"]["ConfigRuleName"] for body in part.of_type("AWS::Config::ConfigRule").values()}
        for body in part.of_type("AWS::Config::RemediationConfiguration").values():
            assert body["Properties"]["ConfigRuleName"] in names
            remediations += 1
    assert remediations == 4


@needs_corpus
def test_the_spec_file_deploys_the_parts_together(merged: tuple[Path, Path, Run]) -> None:
    _pack, out, _result = merged
    spec = load_spec(out / "spec.yaml")
    assert [(pack.request.name, pack.template) for pack in spec.packs] == [
        ("frameworks-part-1", out / "frameworks-part-1.yaml"),
        ("frameworks-part-2", out / "frameworks-part-2.yaml"),
    ]
    result = run_cli(["deploy", "--spec", str(out / "spec.yaml"), "--dry-run", "--offline", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    packs = json.loads(result.stdout)["packs"]
    assert [pack["plan"]["request"] for pack in packs] == [
        {"OrganizationConformancePackName": part.path.stem, "TemplateBody": part.text} for part in parts_in(out)
    ]


@needs_corpus
def test_adding_removing_and_growing_rules_moves_no_other_rule(tmp_path: Path) -> None:
    pack, out = tmp_path / "frameworks.yaml", tmp_path / "out"
    layout = Layout.of(merged_pack())
    pack.write_text(layout.text())
    assert split(pack, "--out", out).exit_code == 0
    before = places(out)
    resources = layout.entries["Resources"]
    removed = next(name for name in resources if "Type: AWS::Config::ConfigRule" in resources[name])
    grown = next(name for name in reversed(resources) if "Type: AWS::Config::ConfigRule" in resources[name])
    del resources[removed]
    resources[grown] = resources[grown].replace("    Properties:\n", "    Properties:\n" + "      # grown\n" * 150, 1)
    resources["AddedVersioningRule"] = _rule("AddedVersioningRule")
    pack.write_text(layout.text())

    result = split(pack, "--out", out)
    assert result.exit_code == 0, result.stderr
    after = places(out)
    assert removed not in after and "AddedVersioningRule" in after
    assert {name: after[name] for name in before if name != removed} == {
        name: part for name, part in before.items() if name != removed
    }
    assert f"new: addedversioningrule -> {after['AddedVersioningRule']}" in result.stdout.splitlines()
    assert result.stderr == ""
    assert len(Path(out / after[grown]).read_bytes()) <= LIMIT_BYTES
