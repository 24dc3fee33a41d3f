"""`preflight split`: a real pack over both limits (two of AWS's frameworks and its S3 remediation
sample merged, read in place from ../shared/corpus) cut into parts that each fit and lint clean, with
every rule's text, what it uses and its remediation; split again after edits, no rule changes part."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from preflight.load.parsing import load_template_file
from preflight.load.spec_file import load_spec
from preflight.split.assign import Capacity, Item, assign, roomiest
from tests.conftest import CORPORA, CORPUS, FIXTURES, Run, run_cli

FRAMEWORKS = (
    "Operational-Best-Practices-for-HIPAA-Security.yaml",
    "Operational-Best-Practices-for-CMMC-2.0-Level-2.yaml",
)
REMEDIATION = "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
SMALL = FIXTURES / "packs" / "s3-baseline.yaml"  # 3 rules
LIMIT_RULES, LIMIT_BYTES = 130, 51_200
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


# ----- stability: edits move no rule


def _rule(name: str, description: str = "") -> str:
    text = f"  {name}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: {name.lower()}\n"
    if description:
        text += f"      Description: {description}\n"
    return text + "      Source:\n        Owner: AWS\n        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n"


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


def _small_pack(path: Path, rules: list[str]) -> Path:
    path.write_text("Resources:\n" + "".join(rules))
    return path


def test_a_rule_that_outgrows_its_part_is_the_only_one_to_move(tmp_path: Path) -> None:
    rules = [_rule(f"Rule{index}") for index in range(6)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-bytes", "800").exit_code == 0
    before = places(out)
    assert sorted(before.items()) == [(f"Rule{index}", f"pack-part-{index // 3 + 1}.yaml") for index in range(6)]
    rules[0] = _rule("Rule0", "y" * 300)
    _small_pack(pack, rules)
    spec = (out / "spec.yaml").read_text()

    refused = split(pack, "--out", out, "--max-bytes", "800")  # a move needs the user's word
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"preflight: error: --out {out}: splitting again would move 1 rule to another part, and AWS would delete "
        "each from one pack and create it in the other, losing its compliance history: rule0 from part 1 to part 3 "
        "(it grew by 320 bytes, past its part's room). Nothing was written; pass --allow-moves to move them\n"
    )
    assert places(out) == before and (out / "spec.yaml").read_text() == spec

    result = split(pack, "--out", out, "--max-bytes", "800", "--allow-moves")
    assert result.exit_code == 0, result.stderr
    assert places(out) == {**before, "Rule0": "pack-part-3.yaml"}
    assert result.stderr == (
        "warning: rule0 moved from part 1 to part 3 (it grew by 320 bytes, past its part's room), so AWS deletes "
        "it from one pack and creates it in the other\n"
    )


def test_a_part_left_with_no_rules_is_removed_and_named(tmp_path: Path) -> None:
    rules = [_rule(f"Rule{index}") for index in range(4)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    assert places(out) == {"Rule0": "pack-part-1.yaml", "Rule1": "pack-part-1.yaml",
                           "Rule2": "pack-part-2.yaml", "Rule3": "pack-part-2.yaml"}  # fmt: skip
    _small_pack(pack, rules[:2] + [_rule("Rule4")])
    result = split(pack, "--out", out, "--max-rules", "2")
    assert result.exit_code == 0, result.stderr
    assert places(out) == {"Rule0": "pack-part-1.yaml", "Rule1": "pack-part-1.yaml", "Rule4": "pack-part-2.yaml"}
    assert result.stderr == ""
    _small_pack(pack, rules[:2])
    result = split(pack, "--out", out, "--max-rules", "2")
    assert sorted(path.name for path in out.iterdir()) == ["pack-part-1.yaml", "spec.yaml"]
    assert result.stderr == (
        "warning: part 2 has no rules left: pack-part-2.yaml is removed; delete the pack pack-part-2 in AWS\n"
    )


def test_a_json_pack_splits_into_json_parts(tmp_path: Path) -> None:
    resources = {
        f"Rule{index}": json.loads(json.dumps(_read(SMALL)["Resources"]["S3BucketVersioningEnabled"]))
        for index in range(3)
    }
    for index, body in enumerate(resources.values()):
        body["Properties"]["ConfigRuleName"] = f"rule-{index}"
    pack = tmp_path / "pack.json"
    pack.write_text(json.dumps({"Resources": resources}, indent=2))
    result = split(pack, "--out", tmp_path / "out", "--max-rules", "2")
    assert result.exit_code == 0, result.stderr
    parts = parts_in(tmp_path / "out")
    assert [part.path.name for part in parts] == ["pack-part-1.json", "pack-part-2.json"]
    assert [sorted(json.loads(part.text)["Resources"]) for part in parts] == [["Rule0", "Rule1"], ["Rule2"]]


# ----- errors: exit 2 and one line


def _refused(result: Run, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"preflight: error: {message}\n")


def test_input_that_cannot_be_split(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    _refused(split(tmp_path / "list.yaml", "--out", tmp_path / "o"),
             f"{tmp_path / 'list.yaml'}:1:1: cannot split it: top level is a list, not a mapping: this is not a "
             "CloudFormation template")  # fmt: skip
    _refused(split(tmp_path / "missing.yaml", "--out", tmp_path / "o"), f"{tmp_path / 'missing.yaml'}: no such file")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00\x01")
    _refused(split(tmp_path / "binary.yaml", "--out", tmp_path / "o"),
             f"{tmp_path / 'binary.yaml'}:1:1: cannot split it: file is UTF-16 (byte order mark); AWS tools read "
             "templates as UTF-8 and fail on it or garble it")  # fmt: skip
    _refused(split(tmp_path, "--out", tmp_path / "o"), f"{tmp_path}: not a file")
    assert not (tmp_path / "o").exists()


def test_a_rule_larger_than_a_part(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("Small"), _rule("Large", "z" * 600)])
    _refused(split(pack, "--out", tmp_path / "o", "--max-bytes", "500"),
             f"{pack}: the rule large does not fit in a part: with what it needs it is 1 config rule and 806 bytes "
             "(a part holds at most 130 rules and 500 bytes)")  # fmt: skip


def test_an_out_folder_that_is_not_a_split_s(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("One")])
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    _refused(split(pack, "--out", tmp_path / "notes"),
             f"--out {tmp_path / 'notes'} holds files that no split wrote (todo.txt): give an empty folder")  # fmt: skip
    assert split(pack, "--out", tmp_path / "out", "--name", "other").exit_code == 0
    _refused(split(pack, "--out", tmp_path / "out"),
             f"--out {tmp_path / 'out'} holds the split of another pack (its spec.yaml names 'other-part-1', not "
             "'pack-part-1'...): give an empty folder, or --name")  # fmt: skip
    (tmp_path / "out" / "extra.yaml").write_text("x: 1\n")
    _refused(split(pack, "--out", tmp_path / "out", "--name", "other"),
             f"--out {tmp_path / 'out'} holds files that no split wrote (extra.yaml): give an empty folder")  # fmt: skip
    _refused(split(pack, "--out", pack), f"--out {pack}: not a folder")


def test_an_out_folder_that_cannot_be_written(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("One")])
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "out"
    _refused(split(pack, "--out", out), f"--out {out}: cannot write {out}: Not a directory")


def test_what_split_prints_from_its_input_is_terminal_safe(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "evil\x1b[31m.yaml", [_rule("One")])
    (tmp_path / "evil\x1b[31m.yaml").write_text("Resources: 1\n")
    result = split(pack, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "evil\\e[31m.yaml" in result.stderr


def test_check_points_an_oversized_pack_to_split(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule(f"Rule{index}", "d" * 400) for index in range(131)])
    fixes = {str(f["rule"]): str(f["fix"]) for f in run_cli(["check", "--format", "json", str(pack)]).findings}
    assert "preflight split" in fixes["CP204"] and "preflight split" in fixes["CP101"]


def test_a_pack_with_an_alias_is_written_from_its_values(tmp_path: Path) -> None:
    text = (
        "Resources:\n"
        + _rule("RuleA").replace("      Source:\n", "      Source: &source\n")
        + (
            "  RuleB:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: ruleb\n      Source: *source\n"
        )
    )
    pack = tmp_path / "pack.yaml"
    pack.write_text(text)
    result = split(pack, "--out", tmp_path / "out", "--max-rules", "1")
    assert result.exit_code == 0
    assert result.stderr == (
        "note: the parts are written from the pack's values, not its lines: it uses a YAML alias or merge key, "
        "which a cut could separate\n"
    )
    # AWS refuses the alias: the parts repeat its content
    source = _read_values(pack)["Resources"]
    assert [part.resources for part in parts_in(tmp_path / "out")] == [
        {"RuleA": source["RuleA"]},
        {"RuleB": source["RuleB"]},
    ]


def test_splitting_again_keeps_the_spec_file_s_defaults(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One"), _rule("Two")]), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = (out / "spec.yaml").read_text()
    defaults = (
        "defaults:\n  # where the results go\n  delivery-bucket: awsconfigconforms-results\n  region: eu-west-1\n"
    )
    (out / "spec.yaml").write_text(spec.replace("packs:\n", defaults + "packs:\n"))
    _small_pack(pack, [_rule("One"), _rule("Two"), _rule("Three")])
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    assert defaults + "packs:\n" in (out / "spec.yaml").read_text()
    packs = load_spec(out / "spec.yaml").packs
    assert [(p.request.name, p.request.delivery_bucket, p.request.region) for p in packs] == [
        (f"pack-part-{number}", "awsconfigconforms-results", "eu-west-1") for number in (1, 2, 3)
    ]


NEEDS = """\
# A pack whose rules need different things.
Description: Needs
Parameters:
  MaxAge:
    Type: String
    Default: "90"
  NeverUsed:
    Type: String
    Default: "x"
Conditions:
  HasAge: !Not [!Equals [!Ref MaxAge, ""]]
  AgeAndRegion:
    Fn::And:
      - Condition: HasAge
      - !Equals [!Ref "AWS::Region", us-east-1]
Mappings:
  Frequencies:
    us-east-1:
      Value: One_Hour
Resources:
  RuleA:
    Type: AWS::Config::ConfigRule
    Condition: AgeAndRegion
    Properties:
      ConfigRuleName: rule-a
      InputParameters:
        maxAccessKeyAge: !If [HasAge, !Ref MaxAge, !Ref "AWS::NoValue"]
      Source:
        Owner: AWS
        SourceIdentifier: ACCESS_KEYS_ROTATED
  RuleB:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: rule-b
      MaximumExecutionFrequency: !FindInMap [Frequencies, !Ref "AWS::Region", Value]
      Source:
        Owner: AWS
        SourceIdentifier: IAM_PASSWORD_POLICY
  # The remediation of rule A.
  RemediationA:
    Type: AWS::Config::RemediationConfiguration
    Condition: AgeAndRegion
    DependsOn: RuleA
    Properties:
      ConfigRuleName: rule-a
      TargetId: AWS-DeleteUnusedIAMAccessKeys
      TargetType: SSM_DOCUMENT
  RuleC:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: rule-c
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
"""


def test_each_part_declares_what_its_rules_need_through_conditions_and_mappings(tmp_path: Path) -> None:
    pack, out = tmp_path / "needs.yaml", tmp_path / "out"
    pack.write_text(NEEDS)
    result = split(pack, "--out", out, "--max-rules", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "left out 1 entry no rule uses: Parameters.NeverUsed"
    sections = [
        {
            key: sorted(value)
            for key, value in part.data.items()
            if key in ("Parameters", "Conditions", "Mappings", "Resources")
        }
        for part in parts_in(out)
    ]
    assert sections == [
        {"Parameters": ["MaxAge"], "Conditions": ["AgeAndRegion", "HasAge"], "Resources": ["RemediationA", "RuleA"]},
        {"Mappings": ["Frequencies"], "Resources": ["RuleB"]},
        {"Resources": ["RuleC"]},
    ]
    for part in parts_in(out):
        assert part.text.startswith("# A pack whose rules need different things.\n")
        assert part.data["Description"] == f"Needs (part {part.path.stem[-1]} of 3)"
        assert run_cli(["check", "--no-cache", str(part.path)]).exit_code == 0


# ----- the assignment alone: whatever the edit, only a rule that grew moves


@settings(derandomize=True, deadline=None, max_examples=150)
@given(
    sizes=st.lists(st.integers(50, 400), min_size=1, max_size=60),
    removed=st.sets(st.integers(0, 59)),
    added=st.lists(st.integers(50, 400), max_size=20),
    growth=st.lists(st.integers(0, 1_500), max_size=60),  # by index: what each rule grows
)
def test_only_a_rule_that_grew_ever_moves(
    sizes: list[int], removed: set[int], added: list[int], growth: list[int]
) -> None:
    limits = Capacity(rules=10, bytes=2_000, target=1_900, target_rules=10)
    fixed = 20
    first = [Item(f"r{index:03}", 1, frozenset({f"r{index:03}"})) for index in range(len(sizes))]
    pieces: dict[Hashable, int] = {item.key: size for item, size in zip(first, sizes, strict=True)}
    before = assign(first, pieces, fixed, roomiest(first, pieces, fixed, limits))
    part_of = {key: part.number for part in before.parts for key in part.keys}

    kept = [item for index, item in enumerate(first) if index not in removed]
    grown = {
        item.key: extra
        for index, (item, extra) in enumerate(zip(first, growth, strict=False))
        if extra and index not in removed
    }
    now: dict[Hashable, int] = {**pieces, **{key: pieces[key] + extra for key, extra in grown.items()}}
    items = [replace(item, previous=part_of[item.key], grown=grown.get(item.key, 0)) for item in kept]
    for index, size in enumerate(added):
        now[f"new{index:03}"] = size
        items.append(Item(f"new{index:03}", 1, frozenset({f"new{index:03}"})))
    after = assign(items, now, fixed, limits, previous=[part.number for part in before.parts])

    for part in after.parts:
        assert part.rules <= limits.rules and part.bytes <= limits.bytes
    moved = {key for part in after.parts for key in part.keys if key in part_of and part_of[key] != part.number}
    assert moved <= set(grown)  # about one example in five moves some
    assert moved == {move.key for move in after.moved}


@settings(derandomize=True, deadline=None, max_examples=100)
@given(pairs=st.lists(st.tuples(st.integers(300, 400), st.integers(50, 100)), min_size=6, max_size=20), data=st.data())
def test_a_part_gives_up_the_rule_that_grew_though_another_is_larger(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    """A rule grows just past its part's room and stays smaller than another rule of its part: the part
    gives up the rule that grew, not the largest."""
    sizes = [size for pair in pairs for size in pair]  # large and small rules, side by side
    limits = Capacity(rules=10, bytes=2_000, target=1_900, target_rules=10)
    first = [Item(f"r{index:03}", 1, frozenset({f"r{index:03}"})) for index in range(len(sizes))]
    pieces: dict[Hashable, int] = {item.key: size for item, size in zip(first, sizes, strict=True)}
    fixed = 20
    before = assign(first, pieces, fixed, limits)  # parts filled to the target: a little growth overflows one
    part_of = {key: part.number for part in before.parts for key in part.keys}
    candidates = [
        (part, key)
        for part in before.parts
        for key in part.keys
        if len(part.keys) > 1
        and pieces[key] + (limits.bytes - part.bytes + 1) < max(pieces[other] for other in part.keys if other != key)
    ]  # fmt: skip
    assume(candidates)  # a part that holds a rule smaller than another by more than the part's room
    part, key = data.draw(st.sampled_from(candidates))
    extra = limits.bytes - part.bytes + 1
    now = {**pieces, key: pieces[key] + extra}
    items = [replace(item, previous=part_of[item.key], grown=extra if item.key == key else 0) for item in first]
    after = assign(items, now, fixed, limits, previous=[p.number for p in before.parts])
    assert [(move.key, move.source) for move in after.moved] == [(key, part.number)]


OUTPUTS_PACK = """\
# Two rules and an output
Resources:
  R1:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
  R2:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_LOGGING_ENABLED}
Outputs:
  R1Arn:
    Value: !GetAtt R1.Arn
Description: Two rules
"""


def test_a_top_level_key_that_names_resources_is_in_no_part(tmp_path: Path) -> None:
    """Every part gets the keys other than the four sections; one that names a resource would name a
    resource most parts do not have, so it is left out, and split says so."""
    pack = tmp_path / "outs.yaml"
    pack.write_text(OUTPUTS_PACK)
    out = tmp_path / "out dir"
    result = split(pack, "--out", out, "--max-rules", "1")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: Outputs is left out: it names resources, which are in different parts; add it to the part "
        "that holds them\n"
    )
    assert result.stdout.splitlines()[-1] == f"  spec.yaml         preflight deploy --spec '{out}/spec.yaml'"
    assert (out / "outs-part-2.yaml").read_text() == (
        "# Two rules and an output\nResources:\n  R2:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_LOGGING_ENABLED}\n"
        'Description: "Two rules (part 2 of 2)"\n'
    )
    assert _parts_checked(out / "spec.yaml") == PARTS_PASS


def test_a_pack_that_fits_in_one_part_keeps_the_keys_that_name_its_resources(tmp_path: Path) -> None:
    pack = tmp_path / "outs.yaml"
    pack.write_text(OUTPUTS_PACK)
    out = tmp_path / "one"
    result = split(pack, "--out", out)
    assert (result.exit_code, result.stderr) == (0, "")
    assert (out / "outs-part-1.yaml").read_text() == OUTPUTS_PACK.replace(
        "Description: Two rules\n", 'Description: "Two rules (part 1 of 1)"\n'
    )


# ----- what a user adds to the spec, and packs a check warns about


def test_a_key_repeated_with_the_same_definition_is_split_from_the_values(tmp_path: Path) -> None:
    """`check` calls an identical duplicate a warning (CloudFormation keeps one), so `split` splits
    such a pack too, written from its values so that no part carries both copies."""
    pack, out = tmp_path / "dup.yaml", tmp_path / "out"
    pack.write_text("Resources:\n" + _rule("A") + _rule("B") + _rule("A"))
    result = split(pack, "--out", out, "--max-rules", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "note: the parts are written from the pack's values, not its lines: it repeats a key, whose two copies "
        "its lines would carry into the parts\n"
    )
    assert [sorted(part.data["Resources"]) for part in parts_in(out)] == [["A"], ["B"]]
    assert _parts_checked(out / "spec.yaml") == PARTS_PASS
    different = tmp_path / "different.yaml"
    different.write_text("Resources:\n" + _rule("A") + _rule("B") + _rule("A", description="changed"))
    refused = split(different, "--out", tmp_path / "out2")
    assert refused.exit_code == 2 and "duplicate key 'A'" in refused.stderr


def test_splitting_again_keeps_each_part_s_own_settings_and_the_defaults(tmp_path: Path) -> None:
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text("Resources:\n" + _rule("A") + _rule("B"))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(
        spec.read_text()
        .replace("packs:\n", "defaults:\n  template-bucket: pack-templates  # large parts go to S3\npacks:\n")
        .replace(
            "    template: pack-part-2.yaml\n",
            "    template: pack-part-2.yaml\n    template-s3-uri: s3://pack-templates/part-2.yaml  # pinned\n",
        )
    )
    pack.write_text("Resources:\n" + _rule("A") + _rule("B") + _rule("C"))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    assert spec.read_text().split("\n", 3)[3] == (
        "defaults:\n  template-bucket: pack-templates  # large parts go to S3\npacks:\n"
        "  - name: pack-part-1\n    template: pack-part-1.yaml\n"
        "  - name: pack-part-2\n    template: pack-part-2.yaml\n"
        '    template-s3-uri: "s3://pack-templates/part-2.yaml"\n'
        "  - name: pack-part-3\n    template: pack-part-3.yaml\n"
    )
    loaded = load_spec(spec)
    assert [(p.request.template_s3_uri, p.template_bucket) for p in loaded.packs] == [
        (None, "pack-templates"), ("s3://pack-templates/part-2.yaml", "pack-templates"), (None, "pack-templates"),
    ]  # fmt: skip
    # deploy uploads a part too large to send inline to the spec's template-bucket.
    (out / "pack-part-1.yaml").write_text("# " + "x" * 60_000 + "\nResources:\n" + _rule("A"))
    plan = run_cli(["deploy", "--spec", str(spec), "--dry-run", "--offline", "--format", "json"])
    assert plan.exit_code == 0, plan.stderr
    uploads = [pack["plan"]["upload"] for pack in json.loads(plan.stdout)["packs"]]
    assert uploads[0]["uri"].startswith("s3://pack-templates/preflight/pack-part-1/")
    assert uploads[1]["uri"] == "s3://pack-templates/part-2.yaml" and uploads[2] is None


# ----- a rule keeps its part: groups that break or join, and the user's word for a move


def _depends(text: str, on: str) -> str:
    """`text` (a _rule) with a DependsOn on rule `on`."""
    return text.replace(
        "    Type: AWS::Config::ConfigRule\n", f"    Type: AWS::Config::ConfigRule\n    DependsOn: {on}\n", 1
    )


def test_a_group_that_breaks_moves_none_of_its_rules(tmp_path: Path) -> None:
    """Rule1 DependsOn Rule0, so they shared a part; without the DependsOn each keeps that part."""
    rules = [_rule("Rule0"), _depends(_rule("Rule1"), "Rule0"), *(_rule(f"Rule{index}") for index in range(2, 6))]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    before = places(out)
    assert before["Rule0"] == before["Rule1"]
    rules[1] = _rule("Rule1")
    result = split(_small_pack(pack, rules), "--out", out, "--max-rules", "2")
    assert (result.exit_code, result.stderr) == (0, "")
    assert places(out) == before


def test_a_group_that_joins_rules_of_two_parts_needs_the_user_s_word(tmp_path: Path) -> None:
    rules = [_rule(f"Rule{index}") for index in range(4)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    before = places(out)
    assert (before["Rule1"], before["Rule2"]) == ("pack-part-1.yaml", "pack-part-2.yaml")
    rules[2] = _depends(rules[2], "Rule1")
    _small_pack(pack, rules)
    refused = split(pack, "--out", out, "--max-rules", "3")
    assert refused.exit_code == 2 and places(out) == before
    assert refused.stderr.endswith(
        "losing its compliance history: rule2 from part 2 to part 1 (a reference now keeps it with rule1, in part "
        "1). Nothing was written; pass --allow-moves to move them\n"
    )
    allowed = split(pack, "--out", out, "--max-rules", "3", "--allow-moves")
    assert allowed.exit_code == 0
    assert places(out) == {**before, "Rule2": "pack-part-1.yaml"}
    assert allowed.stderr == (
        "warning: rule2 moved from part 2 to part 1 (a reference now keeps it with rule1, in part 1), so AWS "
        "deletes it from one pack and creates it in the other\n"
    )


def test_the_rule_that_grew_moves_not_the_largest(tmp_path: Path) -> None:
    """Rule0 is the largest; Rule1, much smaller, grows past the part's room: Rule1 moves."""
    rules = [_rule("Rule0", "x" * 200), _rule("Rule1"), _rule("Rule2"), _rule("Rule3")]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-bytes", "1000").exit_code == 0
    assert set(places(out).values()) == {"pack-part-1.yaml"}  # 931 bytes: one part
    rules[1] = _rule("Rule1", "y" * 100)
    result = split(_small_pack(pack, rules), "--out", out, "--max-bytes", "1000", "--allow-moves")
    assert result.exit_code == 0, result.stderr
    assert places(out) == {"Rule0": "pack-part-1.yaml", "Rule1": "pack-part-2.yaml", "Rule2": "pack-part-1.yaml",
                           "Rule3": "pack-part-1.yaml"}  # fmt: skip
    assert result.stderr == (
        "warning: rule1 moved from part 1 to part 2 (it grew by 120 bytes, past its part's room), so AWS deletes it "
        "from one pack and creates it in the other\n"
    )


def test_a_failed_write_leaves_the_earlier_split_whole(tmp_path: Path) -> None:
    """A size limit stops the write of the second part: the first split's files are as they were, the
    hidden files of the folder too, and nothing is left half written."""
    resource = pytest.importorskip("resource")
    rules = [_rule(f"Rule{index}") for index in range(4)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    (out / ".keep").write_text("mine\n")
    earlier = {path.name: path.read_bytes() for path in out.iterdir()}
    _small_pack(pack, [_rule(f"Rule{index}", "z" * 3000) for index in range(4)])

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (3_500, 3_500))

    failed = subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "split", str(pack), "--out", str(out), "--max-rules",
         "2", "--allow-moves"],
        capture_output=True, text=True, preexec_fn=limited, check=False,
    )  # fmt: skip
    assert failed.returncode == 2 and "cannot write" in failed.stderr and "File too large" in failed.stderr
    assert {path.name: path.read_bytes() for path in out.iterdir()} == earlier
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "pack.yaml"]
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0  # without the limit
    assert (out / ".keep").read_text() == "mine\n" and len(places(out)) == 4


def test_a_parameter_without_default_can_be_given_to_the_parts_that_declare_it(tmp_path: Path) -> None:
    """Each part declares only the parameters its rules use; a value in the spec's defaults goes to
    the parts that declare it, so the other parts get no undeclared parameter (CP302)."""
    rules = [
        _rule("Rule0").replace("        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n",
                               "        SourceIdentifier: ACCESS_KEYS_ROTATED\n      InputParameters:\n"
                               "        maxAccessKeyAge: !Ref MaxAge\n"),
        _rule("Rule1"),
    ]  # fmt: skip
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text("Parameters:\n  MaxAge:\n    Type: String\nResources:\n" + "".join(rules))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    assert run_cli(["check", "--spec", str(spec)]).exit_code == 1  # CP303: MaxAge has no value
    spec.write_text(
        spec.read_text().replace("packs:\n", 'defaults:\n  parameters: {MaxAge: "90"}\n  region: eu-west-1\npacks:\n')
    )
    assert _parts_checked(spec) == PARTS_PASS


def test_a_stack_and_a_name_too_long_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text("Resources:\n" + _rule("Rule0") + "  Topic:\n    Type: AWS::SNS::Topic\n")
    _refused(
        split(stack, "--out", tmp_path / "out"),
        f"{stack}: cannot split it: a CloudFormation stack: it holds AWS::SNS::Topic, which a conformance pack cannot",
    )
    pack = _small_pack(tmp_path / "pack.yaml", [_rule(f"Rule{index}") for index in range(2)])
    name = "n" * 124
    result = split(pack, "--out", tmp_path / "out", "--max-rules", "1", "--name", name)
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert "would be 131 characters, over the 128 an organization pack may have: give a --name of at most 121" in (
        result.stderr
    )


def _earlier(result: Any) -> Any:
    """What `split` reads back from the folder of `result`: each unit's and each rule's part."""
    from preflight.load.parsing import load_template_text
    from preflight.split.parts import Earlier, earlier_units

    units = {}
    for part in result.parts:
        units.update(earlier_units(load_template_text(part.text, "part.yaml"), part.number))
    rules = {rule: before.part for before in units.values() for rule in before.rule_keys}
    return Earlier(units, rules, tuple(part.number for part in result.parts))


@settings(derandomize=True, deadline=None, max_examples=60)
@given(
    sizes=st.lists(st.integers(0, 150), min_size=2, max_size=12),
    joins=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
    growth=st.lists(st.integers(-100, 250), max_size=12),
    rejoins=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
)
def test_a_rule_moves_only_when_it_grew_or_a_reference_joins_it_with_another_part(
    sizes: list[int], joins: list[tuple[int, int]], growth: list[int], rejoins: list[tuple[int, int]]
) -> None:
    """Whatever the edit (rules grow or shrink, references join rules or are removed), every rule of
    the earlier split keeps its part, but those the split names as moved, each because its group grew
    past its part's room or because a reference now groups it with a rule of another part."""
    from preflight.knowledge.template import Template
    from preflight.load.parsing import load_template_text
    from preflight.split.assign import DoesNotFit
    from preflight.split.parts import SplitLimits, earlier_units
    from preflight.split.parts import split as split_pack
    from preflight.split.units import pack_units

    count = len(sizes)

    def pack(descriptions: list[int], edges: list[tuple[int, int]]) -> Any:
        rules = []
        for index, length in enumerate(descriptions):
            text = _rule(f"Rule{index}", "d" * length if length > 0 else "")
            targets = sorted({b for a, b in edges if a == index and b != index and b < count})
            if targets:
                depends = f"    DependsOn: [{', '.join(f'Rule{b}' for b in targets)}]\n"
                text = text.replace(
                    "    Type: AWS::Config::ConfigRule\n", "    Type: AWS::Config::ConfigRule\n" + depends
                )
            rules.append(text)
        return load_template_text("Resources:\n" + "".join(rules), "pack.yaml")

    limits = SplitLimits(rules=4, bytes=1_200, headroom=60)
    earlier = _earlier(split_pack(pack(sizes, joins), limits))
    grown = [max(size + (growth[index] if index < len(growth) else 0), 0) for index, size in enumerate(sizes)]
    edited = pack(grown, rejoins)
    try:
        second = split_pack(edited, limits, earlier)
    except DoesNotFit as refused:  # the edit made one group too big for any part: refused, not moved
        assert refused.rules > limits.rules or refused.size > limits.bytes, (refused.rules, refused.size)
        return
    part_of_rule = {}
    for part in second.parts:
        for before in earlier_units(load_template_text(part.text, "part.yaml"), part.number).values():
            part_of_rule.update((rule, part.number) for rule in before.rule_keys)
    assert edited.document is not None
    group_of = {rule: unit.rule_keys for unit in pack_units(Template(edited.document.data, {}, {})).units
                for rule in unit.rule_keys}  # fmt: skip
    moved = {move.key: move for move in second.moved}
    for key, part in earlier.rules.items():
        if key not in moved:
            assert part_of_rule[key] == part, (key, part, part_of_rule[key])
            continue
        move = moved[key]
        assert (move.source, move.destination) == (part, part_of_rule[key])
        if move.reason.startswith("it grew by"):
            assert any(grown[int(rule[4:])] > sizes[int(rule[4:])] for rule in group_of[key])
        else:
            assert move.reason.startswith(("a reference now keeps it with", "its part is over the limits"))
            assert len({earlier.rules[rule] for rule in group_of[key]}) > 1 or move.reason.startswith("its part")
    for part in second.parts:
        assert part.rules <= limits.rules and part.size <= limits.bytes


# ----- the split's writes touch only the split's own files (tests of a review's attacks)


def _hidden(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob(".*/**/*") if path.is_file()
    }


def test_splitting_again_into_the_working_directory_keeps_its_hidden_files(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One"), _rule("Two")]), tmp_path / "parts"
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    subprocess.run(["git", "init", "-q"], cwd=out, check=True)
    (out / ".notes").write_text("mine\n")
    _small_pack(pack, [_rule("One"), _rule("Two"), _rule("Three")])
    again = run_cli(["split", str(pack), "--out", ".", "--max-rules", "1"], cwd=out)
    assert (again.exit_code, again.stderr) == (0, "")
    assert (out / ".git" / "HEAD").is_file() and (out / ".notes").read_text() == "mine\n"
    assert sorted(path.name for path in out.iterdir() if not path.name.startswith(".")) == [
        "pack-part-1.yaml", "pack-part-2.yaml", "pack-part-3.yaml", "spec.yaml",
    ]  # fmt: skip
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pack.yaml", "parts"]  # nothing left beside it
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == [".git", ".notes"]


def test_a_hidden_folder_that_could_not_be_moved_is_not_moved_at_all(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One")]), tmp_path / "out"
    assert split(pack, "--out", out).exit_code == 0
    (out / ".aaa").write_text("precious\n")
    (out / ".ro").mkdir()
    (out / ".ro" / "f").write_text("x\n")
    (out / ".ro").chmod(0o555)
    try:
        before = _hidden(out) | {".aaa": b"precious\n"}
        _small_pack(pack, [_rule("One"), _rule("Two")])
        assert split(pack, "--out", out).exit_code == 0
        assert _hidden(out) | {".aaa": (out / ".aaa").read_bytes()} == before
    finally:
        (out / ".ro").chmod(0o755)


def test_an_out_that_is_a_link_writes_into_the_folder_it_names(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("One")])
    real = tmp_path / "real"
    real.mkdir()
    (real / ".gitkeep").write_text("keep\n")
    (tmp_path / "out").symlink_to(real)
    assert split(pack, "--out", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out").is_symlink()
    assert sorted(path.name for path in real.iterdir()) == [".gitkeep", "pack-part-1.yaml", "spec.yaml"]
    _small_pack(pack, [_rule("One"), _rule("Two")])
    assert split(pack, "--out", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out").is_symlink() and (real / ".gitkeep").read_text() == "keep\n"
    assert len(places(real)) == 2


def test_a_failure_while_the_new_files_move_in_puts_the_old_ones_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from preflight.cli.split import SplitOptions, split_pack
    from preflight.split import folder as split_folder

    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One"), _rule("Two")]), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    (out / ".keep").write_text("mine\n")
    earlier = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    _small_pack(pack, [_rule("One"), _rule("Two"), _rule("Three")])
    real_rename = split_folder.os.rename

    def failing(source: Any, destination: Any) -> None:
        if Path(destination).name == "pack-part-3.yaml" and Path(destination).parent == out:
            raise OSError(28, "No space left on device", str(destination))
        real_rename(source, destination)

    monkeypatch.setattr(split_folder.os, "rename", failing)
    with pytest.raises(SystemExit) as stopped:
        split_pack(SplitOptions(pack, out, 1, LIMIT_BYTES, None, False))
    assert stopped.value.code == 2
    assert {path.name: path.read_bytes() for path in out.iterdir()} == earlier  # no staging or aside folder left


def test_splitting_again_keeps_defaults_a_flow_or_json_spec_gives(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One")]), tmp_path / "out"
    assert split(pack, "--out", out).exit_code == 0
    (out / "spec.yaml").write_text(
        '{"defaults": {"region": "eu-west-1", "delivery-bucket": "awsconfigconforms-results", '
        '"parameters": {"X": "1"}},\n "packs": [{"name": "pack-part-1", "template": "pack-part-1.yaml"}]}\n'
    )
    _small_pack(pack, [_rule("One"), _rule("Two")])
    result = split(pack, "--out", out)
    assert (result.exit_code, result.stderr) == (0, "")
    assert (
        (out / "spec.yaml")
        .read_text()
        .split("\n", 3)[3]
        .startswith(
            'defaults:\n  "region": "eu-west-1"\n  "delivery-bucket": "awsconfigconforms-results"\n'
            '  "parameters": {"X": "1"}\npacks:\n'
        )
    )
    packs = load_spec(out / "spec.yaml").packs
    assert [(p.request.region, p.request.delivery_bucket) for p in packs] == [
        ("eu-west-1", "awsconfigconforms-results")
    ]


def _with_parameter(rule: str, parameter: str) -> str:
    return rule.replace(
        "      Source:\n", f"      InputParameters:\n        isMfaDeleteEnabled: !Ref {parameter}\n      Source:\n"
    )


def test_a_part_s_parameter_value_goes_where_the_parameter_now_is_or_is_dropped(tmp_path: Path) -> None:
    parameters = 'Parameters:\n  Bucket:\n    Type: String\n    Default: "false"\n'
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text(parameters + "Resources:\n" + _with_parameter(_rule("One"), "Bucket") + _rule("Two"))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(spec.read_text().replace(
        "    template: pack-part-1.yaml\n", "    template: pack-part-1.yaml\n    parameters: {Bucket: \"true\"}\n"
    ))  # fmt: skip
    # rule One stops using Bucket, rule Two starts: the value moves with the parameter.
    pack.write_text(parameters + "Resources:\n" + _rule("One") + _with_parameter(_rule("Two"), "Bucket"))
    moved = split(pack, "--out", out, "--max-rules", "1")
    assert (moved.exit_code, moved.stderr) == (
        0,
        "note: parameter Bucket's value in the spec moves from part 1 to part 2\n",
    )
    assert [p.request.values() for p in load_spec(spec).packs] == [{}, {"Bucket": "true"}]
    assert run_cli(["check", "--spec", str(spec)]).exit_code == 0
    # no rule uses it any more: it is dropped, and the spec still deploys.
    pack.write_text(parameters + "Resources:\n" + _rule("One") + _rule("Two"))
    dropped = split(pack, "--out", out, "--max-rules", "1")
    assert (
        dropped.stderr
        == "note: parameter Bucket's value in the spec is dropped: part 2 no longer declares it, nor does another part\n"
    )
    assert [p.request.values() for p in load_spec(spec).packs] == [{}, {}]
    assert run_cli(["check", "--spec", str(spec)]).exit_code == 0


def test_two_rules_of_one_name_are_refused_and_a_removed_rule_is_named(tmp_path: Path) -> None:
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text("Resources:\n" + _rule("One") + _rule("Two") + _rule("Three").replace("three", "one"))
    _refused(split(pack, "--out", out, "--max-rules", "2"),
             f"{pack}: cannot split it: One and Three are both the config rule 'one', which AWS refuses (CP205); "
             "rename one")  # fmt: skip
    assert not out.exists()
    pack.write_text("Resources:\n" + _rule("One") + _rule("Two") + _rule("Three"))
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    pack.write_text("Resources:\n" + _rule("One") + _rule("Three"))
    again = split(pack, "--out", out, "--max-rules", "2")
    assert again.exit_code == 0
    assert (
        "removed: two (part 1) is no longer in the pack; the next deploy deletes it in AWS" in again.stdout.splitlines()
    )


def test_an_emptied_part_s_parameter_value_moves_to_the_part_that_now_declares_it(tmp_path: Path) -> None:
    parameters = (
        'Parameters:\n  P:\n    Type: String\n    Default: "false"\n  Q:\n    Type: String\n    Default: "false"\n'
    )
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text(
        parameters + "Resources:\n" + _with_parameter(_rule("One"), "P") + _with_parameter(_rule("Two"), "Q")
    )
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(spec.read_text().replace(
        "    template: pack-part-2.yaml\n", '    template: pack-part-2.yaml\n    parameters: {Q: "true"}\n'
    ))  # fmt: skip
    pack.write_text(parameters + "Resources:\n" + _with_parameter(_rule("One"), "Q"))  # Two gone: part 2 emptied
    result = split(pack, "--out", out, "--max-rules", "1")
    assert result.exit_code == 0
    assert "note: parameter Q's value in the spec moves from part 2 to part 1\n" in result.stderr
    assert [p.request.values() for p in load_spec(spec).packs] == [{"Q": "true"}]


def test_defaults_that_end_in_blank_lines_keep_them(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One")]), tmp_path / "out"
    assert split(pack, "--out", out).exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(
        spec.read_text().replace("packs:\n", "defaults:\n  parameters:\n    Note: |+\n      kept\n\npacks:\n")
    )
    from preflight.load.mapping_file import load_mapping_file

    def note() -> object:
        return load_mapping_file(spec, strict_types=False).data["defaults"]["parameters"]["Note"]  # type: ignore[index]

    assert note() == "kept\n\n"
    _small_pack(pack, [_rule("One"), _rule("Two")])
    assert split(pack, "--out", out).exit_code == 0
    assert note() == "kept\n\n"
