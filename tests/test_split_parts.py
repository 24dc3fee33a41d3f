"""What each part of a split holds: JSON parts for a JSON pack, the values of a pack that uses an alias,
the parameters, conditions and mappings its rules need, the top-level keys that name none of its
resources, and a key the pack repeats with the same definition."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, run_cli
from tests.split_helpers import PARTS_PASS, _parts_checked, _read, _read_values, _rule, parts_in, split

SMALL = FIXTURES / "packs" / "s3-baseline.yaml"  # 3 rules


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


# ----- packs a check warns about


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
