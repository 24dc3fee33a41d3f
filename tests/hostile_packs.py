"""Hostile templates the rules meet once they are read: thousands of resources, parameters and
conditions, intrinsic functions nested deep or on every node, YAML's core tags, sections of the wrong
shape, cyclic conditions, giant input parameters and Subs, and AllowedPatterns that backtrack. Part of
tests/hostile_inputs.py's table."""

from __future__ import annotations

import json

from tests.hostile_common import PACK, RULE, Case, Expect, _checked, _template

INTRINSICS = (
    "Ref Condition Sub If Equals Not And Or FindInMap GetAtt Join Select Split ImportValue Base64 GetAZs Cidr"
).split()


def _parameter_pattern(pattern: str, value: str) -> bytes:
    return (
        f"Parameters:\n  P:\n    Type: String\n    Default: {json.dumps(value)}\n    AllowedPattern: {json.dumps(pattern)}\n"
        "Resources:\n" + RULE + "      InputParameters: {x: !Ref P}\n"
    ).encode()


def scale_and_tag_cases() -> list[Case]:
    """Many resources, parameters and conditions; intrinsic functions and tags where they do not belong."""
    nested = "x"
    for _ in range(90):
        nested = f"!If [C, {nested}, !Ref AWS::NoValue]"
    wrong = []
    for tag in INTRINSICS:
        wrong += [f"  {tag}a: !{tag} {{k: v}}", f"  {tag}b: !{tag} [1, [2], {{3: 4}}]", f"  {tag}c: !{tag}",
                  f"  {tag}d: !{tag} 7"]  # fmt: skip
    chain = "Conditions:\n" + "".join(f"  C{i}: !Condition C{i + 1}\n" for i in range(400)) + "  C400: !Equals [a, a]\n"
    return [
        Case(
            "ten_thousand_resources.yaml",
            _checked(
                "ten_thousand_resources.yaml",
                _template(
                    "".join(
                        f"  R{i}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: r{i % 50}\n"
                        f"      Source: {{Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}}\n"
                        for i in range(10_000)
                    )
                ),
            ),
            Expect(1),
        ),
        Case(
            "hundred_thousand_unused_parameters.yaml",
            _checked(
                "hundred_thousand_unused_parameters.yaml",
                ("Parameters:\n" + "".join(f"  P{i}: {{Type: String}}\n" for i in range(100_000))).encode() + PACK,
            ),
            Expect(1),
        ),
        Case(
            "twenty_thousand_unused_parameters.yaml",
            _checked(
                "twenty_thousand_unused_parameters.yaml",
                ("Parameters:\n" + "".join(f"  P{i}: {{Type: String}}\n" for i in range(20_000))).encode() + PACK,
            ),
            Expect(1),
        ),
        Case(
            "mistyped_refs_among_many_parameters.yaml",
            _checked(
                "mistyped_refs_among_many_parameters.yaml",
                (
                    "Parameters:\n"
                    + "".join(f"  Parameter{i}: {{Type: String, Default: x}}\n" for i in range(15_000))
                    + "Resources:\n"
                    + RULE
                    + "      InputParameters:\n"
                    + "".join(f"        k{i}: !Ref Parametr{i}\n" for i in range(300))
                ).encode(),
                "--select",
                "CP301",
            ),
            Expect(1),
        ),
        Case(
            "thousand_mistyped_managed_rules.yaml",
            _checked(
                "thousand_mistyped_managed_rules.yaml",
                (
                    "Resources:\n"
                    + "".join(
                        f"  R{i}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
                        f"      Source: {{Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLE{i}}}\n"
                        for i in range(1_000)
                    )
                ).encode(),
                "--select",
                "CP401",
            ),
            Expect(1),  # each misspells S3_BUCKET_VERSIONING_ENABLED: an error
        ),
        Case(
            "unknown_conditions_among_many.yaml",
            _checked(
                "unknown_conditions_among_many.yaml",
                (
                    "Conditions:\n"
                    + "".join(f"  Condition{i}: !Equals [a, b]\n" for i in range(15_000))
                    + "Resources:\n"
                    + "".join(
                        f"  R{i}:\n    Type: AWS::Config::ConfigRule\n    Condition: Conditon{i}\n    Properties:\n"
                        f"      Source: {{Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}}\n"
                        for i in range(200)
                    )
                ).encode(),
                "--select",
                "CP208",
            ),
            Expect(1),
        ),
        Case(
            "nested_intrinsics.yaml",
            _checked(
                "nested_intrinsics.yaml",
                _template(f"  N:\n    Type: AWS::Config::ConfigRule\n    Properties: {{ConfigRuleName: {nested}}}\n"),
            ),
            Expect(1),
        ),
        Case(
            "condition_chain_of_400.yaml",
            _checked(
                "condition_chain_of_400.yaml",
                (
                    chain
                    + "Resources:\n"
                    + RULE.replace("    Properties:", "    Condition: C0\n    Properties:")
                    + "      ConfigRuleName: !If [C0, a, b]\n      InputParameters: {x: !If [C0, a, b]}\n"
                ).encode(),
            ),
            Expect(1),
        ),
        Case(
            "ref_on_mapping.yaml",
            _checked("ref_on_mapping.yaml", _template("  B:\n    Type: !Ref {a: b}\n    Properties: !Ref [1, 2]\n")),
            Expect(1),
        ),
        Case(
            "every_tag_on_every_node.yaml",
            _checked(
                "every_tag_on_every_node.yaml",
                _template(
                    "  W:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
                    + "\n".join("    " + w for w in wrong)
                    + "\n"
                ),
            ),
            Expect(1),
        ),
        Case(
            "tags_on_keys.yaml",
            _checked("tags_on_keys.yaml", b"Resources:\n  !Ref R: 1\n  !If [a]: 2\n"),
            Expect(1),
        ),
        Case(
            "tags_on_wrong_nodes.yaml",
            _checked("tags_on_wrong_nodes.yaml", b"Resources: !Ref {a: b}\nx: !GetAtt [a]\ny: !Sub {}\nz: !If x\n"),
            Expect(1),
        ),
        Case(
            "core_tags.yaml",
            _checked(
                "core_tags.yaml",
                _template(
                    "  T: !!binary aGk=\n  U: !!timestamp 2024-01-01\n  V: !!set {a, b}\n  W: !!omap [a: 1]\n  X: !!int nope\n"
                    "  Y: !!python/object:os.system ls\n"
                ),
            ),
            Expect(1),
        ),
    ]


def shape_and_pattern_cases() -> list[Case]:
    """Sections of the wrong shape, cyclic conditions, giant values, and regular expressions that
    backtrack."""
    return [
        Case(
            "resources_not_mapping.yaml",
            _checked("resources_not_mapping.yaml", b"Resources: just text\nConditions: [1]\nParameters: 5\n"),
            Expect(1),
        ),
        Case(
            "wrong_shapes.yaml",
            _checked(
                "wrong_shapes.yaml",
                (
                    b"Parameters: [a]\nConditions: 5\nResources:\n  R:\n    Type: [1]\n    Condition: [x]\n"
                    b"    Properties: !If [a]\n  S:\n    Type: AWS::Config::RemediationConfiguration\n"
                    b"    Properties: {Parameters: {AutomationAssumeRole: [1]}, ConfigRuleName: !Ref}\n"
                ),
            ),
            Expect(1),
        ),
        Case(
            "cyclic_conditions.yaml",
            _checked(
                "cyclic_conditions.yaml",
                _template("").replace(
                    b"Resources:",
                    b"Conditions:\n  A: !Condition B\n  B: !And [!Condition A, !Condition A]\n  C: !Condition C\nResources:",
                )
                + b"    Condition: A\n",
            ),
            Expect(0),  # C is used only by itself: never used
        ),
        Case(
            "five_thousand_conditions.yaml",
            _checked(
                "five_thousand_conditions.yaml",
                (
                    "Conditions:\n" + "".join(f"  C{i}: !Equals [a, b]\n" for i in range(5_000)) + "Resources:\n" + RULE
                ).encode(),
            ),
            Expect(1),
        ),
        Case(
            "giant_input_parameters.yaml",
            _checked(
                "giant_input_parameters.yaml",
                _template(
                    "  G:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters: '"
                    + json.dumps({f"k{i}": "v" * 50 for i in range(20_000)})
                    + "'\n      Source: {Owner: AWS, SourceIdentifier: REQUIRED_TAGS}\n"
                ),
            ),
            Expect(1),
        ),
        Case(
            "sub_with_many_variables.yaml",
            _checked(
                "sub_with_many_variables.yaml",
                _template(
                    "  S:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: !Sub '"
                    + "${X}" * 20_000
                    + "'\n"
                ),
            ),
            Expect(1),
        ),
        *(
            Case(
                f"regex_{index}.yaml",
                _checked(f"regex_{index}.yaml", _parameter_pattern(pattern, "a" * 40 + "!"), "--select", "CP304"),
                Expect(exit_code),
            )
            for index, (pattern, exit_code) in enumerate(
                [
                    ("^(a+)+$", 1),
                    ("^(a|a)*$", 1),
                    ("^(?=(a+)+$)a*$", 0),
                    ("^(.*a){8}$", 1),
                    ("(?:a{1,65535}){1,65535}b", 0),
                    ("a{4294967295}", 1),
                ]
            )
        ),
    ]
