"""Hostile inputs, generated (none is committed): what a CI gate must survive.

Each case is (name, build): `build()` returns the files (relative path -> bytes) and the arguments of
`preflight` run in the folder that holds them. Used by tests/test_hostile.py and bench/hostile.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

INTRINSICS = (
    "Ref Condition Sub If Equals Not And Or FindInMap GetAtt Join Select Split ImportValue Base64 GetAZs Cidr"
).split()
RULE = "  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"


def _template(body: str) -> bytes:
    return ("Resources:\n" + RULE + body).encode()


def _laughs(levels: int, width: int) -> bytes:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return ("\n".join(lines) + f"\nResources: *l{levels - 1}\n").encode()


def _templates() -> Iterator[tuple[str, Callable[[], bytes]]]:
    yield "billion_laughs.yaml", lambda: _laughs(9, 9)
    yield "alias_bomb_wide.yaml", lambda: _laughs(3, 400)
    yield "alias_before_anchor.yaml", lambda: b"a: *b\nb: &b [1]\nResources: {}\n"
    yield "deep_flow_sequence.yaml", lambda: b"Resources: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    yield "deep_flow_mapping.yaml", lambda: b"Resources: " + b"{a: " * 100_000 + b"1" + b"}" * 100_000 + b"\n"
    yield "deep_block.yaml", lambda: b"Resources:\n" + b"".join(b" " * (i + 1) + b"k:\n" for i in range(2_000))
    yield "file_100mb.yaml", lambda: b"# padding\n" * 10_485_760
    yield "single_line_3mb.yaml", lambda: b"Resources: {R: {Type: '" + b"x" * 3_000_000 + b"'}}\n"
    yield "binary.yaml", lambda: bytes(range(256)) * 4096
    yield "nul_bytes.yaml", lambda: _template("") + b"\x00\x00\x00"
    yield (
        "invalid_utf8.yaml",
        lambda: _template("  D: caf\xe9\n".encode("latin-1").decode("latin-1")).replace(b"caf", b"caf\xff\xfe"),
    )
    yield "utf16_bom.yaml", lambda: ("Resources:\n" + RULE).encode("utf-16")
    yield "utf32_bom.yaml", lambda: ("Resources:\n" + RULE).encode("utf-32")
    yield "control_characters.yaml", lambda: _template('  C: "\x01\x02\x1b"\n')
    yield "huge_integer.yaml", lambda: _template("  N: " + "9" * 100_000 + "\n")
    yield "huge_exponent.yaml", lambda: _template("  F: 1e999999\n  G: -1e999999\n")
    yield "nan_and_inf.yaml", lambda: _template("  X: {Type: .nan, Properties: .inf}\n")
    yield (
        "merge_keys.yaml",
        lambda: (
            b"base: &base {Type: AWS::Config::ConfigRule}\nResources:\n  R:\n    <<: *base\n    <<: [*base, *base]\n"
        ),
    )
    yield "non_string_keys.yaml", lambda: b"Resources:\n  1: a\n  1.5: b\n  true: c\n  ~: d\n  2026-01-01: e\n"
    yield "complex_keys.yaml", lambda: b"Resources:\n  ? [a, b]\n  : c\n  ? {d: e}\n  : f\n"
    yield "empty.yaml", lambda: b""
    yield "comments_only.yaml", lambda: b"# nothing\n# here\n"
    yield "whitespace_only.yaml", lambda: b"   \n\t\n  \n"
    yield "json_trailing_comma.json", lambda: b'{"Resources": {"R": {"Type": "AWS::Config::ConfigRule",}}}'
    yield "json_comments.json", lambda: b'{"Resources": {} // no\n}'
    yield "json_single_quotes.json", lambda: b"{'Resources': {}}"
    yield "json_deep.json", lambda: b"[" * 100_000 + b"]" * 100_000
    yield "json_lone_surrogate.json", lambda: b'{"Resources": {"\\ud800": {"Type": "\\udfff"}}}'
    yield (
        "ten_thousand_resources.yaml",
        lambda: _template(
            "".join(
                f"  R{i}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: r{i % 50}\n"
                f"      Source: {{Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}}\n"
                for i in range(10_000)
            )
        ),
    )
    nested = "x"
    for _ in range(90):
        nested = f"!If [C, {nested}, !Ref AWS::NoValue]"
    yield (
        "nested_intrinsics.yaml",
        lambda: _template(f"  N:\n    Type: AWS::Config::ConfigRule\n    Properties: {{ConfigRuleName: {nested}}}\n"),
    )
    yield "ref_on_mapping.yaml", lambda: _template("  B:\n    Type: !Ref {a: b}\n    Properties: !Ref [1, 2]\n")
    wrong = []
    for tag in INTRINSICS:
        wrong += [
            f"  {tag}a: !{tag} {{k: v}}",
            f"  {tag}b: !{tag} [1, [2], {{3: 4}}]",
            f"  {tag}c: !{tag}",
            f"  {tag}d: !{tag} 7",
        ]
    yield (
        "every_tag_on_every_node.yaml",
        lambda: _template(
            "  W:\n    Type: AWS::Config::ConfigRule\n    Properties:\n" + "\n".join("    " + w for w in wrong) + "\n"
        ),
    )
    yield "tags_on_keys.yaml", lambda: b"Resources:\n  !Ref R: 1\n  !If [a]: 2\n"
    yield (
        "core_tags.yaml",
        lambda: _template(
            "  T: !!binary aGk=\n  U: !!timestamp 2024-01-01\n  V: !!set {a, b}\n  W: !!omap [a: 1]\n  X: !!int nope\n  Y: !!python/object:os.system ls\n"
        ),
    )
    yield "several_documents.yaml", lambda: b"Resources: {}\n---\nResources: {}\n...\n---\n"
    yield "directives.yaml", lambda: b"%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\nResources: !e!thing {}\n"
    yield "line_separators.yaml", lambda: ("Resources:\n" + RULE + '  D: "a\u2028b\u2029c\u0085d\ufeffe"\n').encode()
    yield "mixed_newlines.yaml", lambda: b"Resources:\r\n  R:\r    Type: X\n"
    yield "tab_indentation.yaml", lambda: b"Resources:\n\tR:\n\t\tType: X\n"
    yield "very_long_key.yaml", lambda: b"Resources:\n  " + b"k" * 10_000 + b": 1\n"
    yield "many_duplicate_keys.yaml", lambda: b"Resources:\n" + b"  R: 1\n" * 10_000
    yield "resources_not_mapping.yaml", lambda: b"Resources: just text\nConditions: [1]\nParameters: 5\n"
    yield (
        "wrong_shapes.yaml",
        lambda: b"Resources:\n  R:\n    Type: {a: b}\n    Properties: [1]\n    Condition: {x: y}\n    DependsOn: 5\n",
    )
    yield (
        "cyclic_conditions.yaml",
        lambda: (
            _template("").replace(
                b"Resources:",
                b"Conditions:\n  A: !Condition B\n  B: !And [!Condition A, !Condition A]\n  C: !Condition C\nResources:",
            )
            + b"    Condition: A\n"
        ),
    )
    yield (
        "five_thousand_conditions.yaml",
        lambda: (
            "Conditions:\n" + "".join(f"  C{i}: !Equals [a, b]\n" for i in range(5_000)) + "Resources:\n" + RULE
        ).encode(),
    )
    yield (
        "giant_input_parameters.yaml",
        lambda: _template(
            "  G:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters: '"
            + json.dumps({f"k{i}": "v" * 50 for i in range(20_000)})
            + "'\n      Source: {Owner: AWS, SourceIdentifier: REQUIRED_TAGS}\n"
        ),
    )
    yield (
        "sub_with_many_variables.yaml",
        lambda: _template(
            "  S:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: !Sub '"
            + "${X}" * 20_000
            + "'\n"
        ),
    )


def _requests() -> Iterator[tuple[str, Callable[[], tuple[dict[str, bytes], list[str]]]]]:
    pack = {"pack.yaml": ("Resources:\n" + RULE).encode()}
    yield (
        "params_binary",
        lambda: ({**pack, "p.json": bytes(range(256)) * 100}, ["check", "--params-file", "p.json", "pack.yaml"]),
    )
    yield (
        "params_deep",
        lambda: (
            {**pack, "p.json": b"[" * 100_000 + b"]" * 100_000},
            ["check", "--params-file", "p.json", "pack.yaml"],
        ),
    )
    yield (
        "params_wrong_items",
        lambda: ({**pack, "p.yaml": b"- 1\n- [2]\n"}, ["check", "--params-file", "p.yaml", "pack.yaml"]),
    )
    yield (
        "params_ten_thousand",
        lambda: (
            {**pack, "p.yaml": b"".join(b"P%d: v\n" % i for i in range(10_000))},
            ["check", "--params-file", "p.yaml", "pack.yaml"],
        ),
    )
    yield (
        "params_alias_bomb",
        lambda: ({**pack, "p.yaml": _laughs(9, 9)}, ["check", "--params-file", "p.yaml", "pack.yaml"]),
    )
    yield "request_binary", lambda: ({"r.json": b"\xff\xfe\x00garbage"}, ["check", "--request", "r.json"])
    yield "request_not_mapping", lambda: ({"r.yaml": b"- a\n- b\n"}, ["check", "--request", "r.yaml"])
    yield (
        "request_huge_body",
        lambda: (
            {"r.json": json.dumps({"OrganizationConformancePackName": "a", "TemplateBody": "#" * 5_000_000}).encode()},
            ["check", "--request", "r.json"],
        ),
    )
    yield (
        "request_body_not_string",
        lambda: (
            {"r.yaml": b"OrganizationConformancePackName: a\nTemplateBody: {Resources: {}}\n"},
            ["check", "--request", "r.yaml"],
        ),
    )
    yield (
        "request_deep",
        lambda: (
            {"r.json": b'{"ExcludedAccounts": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"},
            ["check", "--request", "r.json"],
        ),
    )
    yield (
        "spec_thousand_packs",
        lambda: (
            {
                **pack,
                "s.yaml": b"packs:\n" + b"".join(b"  - {name: p%d, template: pack.yaml}\n" % i for i in range(1_000)),
            },
            ["check", "--spec", "s.yaml"],
        ),
    )
    yield "spec_binary", lambda: ({"s.yaml": bytes(range(256)) * 10}, ["check", "--spec", "s.yaml"])
    yield "spec_wrong_shapes", lambda: ({"s.yaml": b"packs: {a: b}\n"}, ["check", "--spec", "s.yaml"])
    yield (
        "spec_template_is_directory",
        lambda: (
            {"d/x.yaml": b"Resources: {}\n", "s.yaml": b"packs:\n  - {name: a, template: d}\n"},
            ["check", "--spec", "s.yaml"],
        ),
    )


Builder = Callable[[], tuple[dict[str, bytes], list[str]]]


def _template_case(name: str, build: Callable[[], bytes]) -> Builder:
    return lambda: ({name: build()}, ["check", "--format", "json", "--no-cache", name])


def cases() -> list[tuple[str, Builder]]:
    """(name, build): `build()` makes the files and arguments only when that case runs."""
    found: list[tuple[str, Builder]] = [(name, _template_case(name, build)) for name, build in _templates()]
    return found + list(_requests())
