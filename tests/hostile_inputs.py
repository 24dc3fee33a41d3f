"""Hostile inputs, generated (none is committed): what a CI gate must survive, each with the outcome it
must have. One table for the test suite (tests/test_hostile.py) and the benchmark (bench/hostile.py).

A case builds the files of one folder (relative path -> bytes, or FIFO for a named pipe, or
UNREADABLE for a folder the run cannot read) and the `preflight` arguments run there. Its outcome is
the exit status and either the findings reported or the one line on standard error (exit 2). The
findings, counted by rule id, are generated into tests/hostile_expected.json (every rule runs, so a
new rule that fires on a case changes them): refresh them with
`pytest tests/test_hostile.py --update-expected` and review the diff."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

INTRINSICS = (
    "Ref Condition Sub If Equals Not And Or FindInMap GetAtt Join Select Split ImportValue Base64 GetAZs Cidr"
).split()
RULE = "  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
PACK = ("Resources:\n" + RULE).encode()
FIFO = object()  # a named pipe: reading it would block forever
UNREADABLE = object()  # a folder whose contents the run may not list
UNSEARCHABLE = object()  # a folder the run may list but not enter (mode r--), holding a pack and a settings file

Content = bytes | object
Files = Mapping[str, Content]


@dataclass(frozen=True)
class Expect:
    """`error`: the start of the one line on standard error (exit 2); `one_line_each`: standard output, in
    a line-based format, has a line for each finding and no other (a line break in input never forges one).
    The findings of exit 0 and 1 are in tests/hostile_expected.json."""

    exit: int
    error: str = ""
    one_line_each: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], tuple[Files, list[str]]]
    expect: Expect
    unprivileged: bool = False  # run as an unprivileged user (a folder root could read anyway)
    stdin: bytes = b""


def _template(body: str) -> bytes:
    return ("Resources:\n" + RULE + body).encode()


def _laughs(levels: int, width: int) -> bytes:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return ("\n".join(lines) + f"\nResources: *l{levels - 1}\n").encode()


def _parameter_pattern(pattern: str, value: str) -> bytes:
    return (
        f"Parameters:\n  P:\n    Type: String\n    Default: {json.dumps(value)}\n    AllowedPattern: {json.dumps(pattern)}\n"
        "Resources:\n" + RULE + "      InputParameters: {x: !Ref P}\n"
    ).encode()


def _checked(name: str, data: bytes, *extra: str) -> Callable[[], tuple[Files, list[str]]]:
    return lambda: ({name: data}, ["check", "--format", "json", "--no-cache", *extra, name])


def _templates() -> list[Case]:
    nested = "x"
    for _ in range(90):
        nested = f"!If [C, {nested}, !Ref AWS::NoValue]"
    wrong = []
    for tag in INTRINSICS:
        wrong += [f"  {tag}a: !{tag} {{k: v}}", f"  {tag}b: !{tag} [1, [2], {{3: 4}}]", f"  {tag}c: !{tag}",
                  f"  {tag}d: !{tag} 7"]  # fmt: skip
    chain = "Conditions:\n" + "".join(f"  C{i}: !Condition C{i + 1}\n" for i in range(400)) + "  C400: !Equals [a, a]\n"
    return [
        Case("billion_laughs.yaml", _checked("billion_laughs.yaml", _laughs(9, 9)), Expect(1)),
        Case(
            "alias_bomb_wide.yaml",
            _checked("alias_bomb_wide.yaml", _laughs(3, 400)),
            Expect(1),
        ),
        Case(
            "alias_before_anchor.yaml",
            _checked("alias_before_anchor.yaml", b"a: *b\nb: &b [1]\nResources: {}\n"),
            Expect(1),
        ),
        Case(
            "deep_flow_sequence.yaml",
            _checked("deep_flow_sequence.yaml", b"Resources: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
            Expect(1),
        ),
        Case(
            "deep_flow_mapping.yaml",
            _checked("deep_flow_mapping.yaml", b"Resources: " + b"{a: " * 100_000 + b"1" + b"}" * 100_000 + b"\n"),
            Expect(1),
        ),
        Case(
            "deep_block.yaml",
            _checked("deep_block.yaml", b"Resources:\n" + b"".join(b" " * (i + 1) + b"k:\n" for i in range(2_000))),
            Expect(1),
        ),
        Case(
            "file_100mb.yaml",
            _checked("file_100mb.yaml", b"# padding\n" * 10_485_760),
            Expect(1),
        ),
        Case(
            "single_line_3mb.yaml",
            _checked("single_line_3mb.yaml", b"Resources: {R: {Type: '" + b"x" * 3_000_000 + b"'}}\n"),
            Expect(1),
        ),
        Case("binary.yaml", _checked("binary.yaml", bytes(range(256)) * 4096), Expect(1)),
        Case("nul_bytes.yaml", _checked("nul_bytes.yaml", _template("") + b"\x00\x00\x00"), Expect(1)),
        Case(
            "latin1.yaml",
            _checked("latin1.yaml", _template("").replace(b"Resources:", b"# caf\xe9\nResources:")),
            Expect(0),
        ),
        Case(
            "invalid_utf8.yaml",
            _checked("invalid_utf8.yaml", _template("  D: cafe\n").replace(b"cafe", b"caf\xff\xfe")),
            Expect(1),
        ),
        Case(
            "utf16_bom.yaml",
            _checked("utf16_bom.yaml", ("Resources:\n" + RULE).encode("utf-16")),
            Expect(1),
        ),
        Case(
            "utf32_bom.yaml",
            _checked("utf32_bom.yaml", ("Resources:\n" + RULE).encode("utf-32")),
            Expect(1),
        ),
        Case(
            "control_characters.yaml",
            _checked("control_characters.yaml", _template('  C: "\x01\x02\x1b"\n')),
            Expect(1),
        ),
        Case(
            "escaped_terminal_control.yaml",
            _checked("escaped_terminal_control.yaml", _template('  "\\e]0;PWNED\\a\\e[2J":\n    Type: X\n')),
            Expect(1),
        ),
        Case(
            "escaped_control_in_a_quoted_key_as_text",
            lambda: (
                {"pack.yaml": _template('      "\\e]0;PWNED\\a\\e[1A\\e[2K": 1\n')},
                ["check", "--no-cache", "pack.yaml"],
            ),
            Expect(1),
        ),
        Case(
            "huge_integer.yaml",
            _checked("huge_integer.yaml", _template("  N: " + "9" * 100_000 + "\n")),
            Expect(1),
        ),
        Case(
            "huge_exponent.yaml",
            _checked("huge_exponent.yaml", _template("  F: 1e999999\n  G: -1e999999\n")),
            Expect(1),
        ),
        Case(
            "nan_and_inf.yaml",
            _checked("nan_and_inf.yaml", _template("  X: {Type: .nan, Properties: .inf}\n")),
            Expect(1),
        ),
        Case(
            "max_length_400_digits.yaml",
            _checked(
                "max_length_400_digits.yaml",
                b"Parameters:\n  P:\n    Type: String\n    MaxLength: 1"
                + b"0" * 400
                + b"\n    Default: x\n"
                + _template("").replace(b"Resources:\n", b"Resources:\n", 1),
            ),
            Expect(0),
        ),
        Case(
            "float_of_401_digits.yaml",
            lambda: (
                {
                    "a.yaml": _template("      X: !!float " + "1" * 401 + "\n"),
                    "b.yaml": _template("  B:\n    Type: X\n"),
                },
                ["check", "--format", "json", "--no-cache", "a.yaml", "b.yaml"],
            ),
            Expect(1),
        ),  # the second file's findings are not lost
        Case(
            "merge_keys.yaml",
            _checked(
                "merge_keys.yaml",
                b"base: &base {Type: AWS::Config::ConfigRule}\nResources:\n  R:\n    <<: *base\n    <<: [*base, *base]\n",
            ),
            Expect(1),
        ),
        Case(
            "non_string_keys.yaml",
            _checked("non_string_keys.yaml", b"Resources:\n  1: a\n  1.5: b\n  true: c\n  ~: d\n  2026-01-01: e\n"),
            Expect(1),
        ),
        Case(
            "complex_keys.yaml",
            _checked("complex_keys.yaml", b"Resources:\n  ? [a, b]\n  : c\n  ? {d: e}\n  : f\n"),
            Expect(1),
        ),
        Case("empty.yaml", _checked("empty.yaml", b""), Expect(1)),
        Case("comments_only.yaml", _checked("comments_only.yaml", b"# nothing\n# here\n"), Expect(1)),
        Case("whitespace_only.yaml", _checked("whitespace_only.yaml", b"   \n\t\n  \n"), Expect(1)),
        Case("scalar.yaml", _checked("scalar.yaml", b"just a string\n"), Expect(1)),
        Case("resources_scalar.yaml", _checked("resources_scalar.yaml", b"Resources: 5\n"), Expect(1)),
        Case(
            "resources_null_props.yaml",
            _checked(
                "resources_null_props.yaml", b"Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
            ),
            Expect(1),
        ),
        Case(
            "json_trailing_comma.json",
            _checked("json_trailing_comma.json", b'{"Resources": {"R": {"Type": "AWS::Config::ConfigRule",}}}'),
            Expect(1),
        ),
        Case(
            "json_comments.json",
            _checked("json_comments.json", b'{"Resources": {} // no\n}'),
            Expect(1),
        ),
        Case(
            "json_single_quotes.json",
            _checked("json_single_quotes.json", b"{'Resources': {}}"),
            Expect(1),
        ),
        Case("json_unclosed.json", _checked("json_unclosed.json", b'{"Resources": {'), Expect(1)),
        Case(
            "json_deep.json",
            _checked("json_deep.json", b"[" * 100_000 + b"]" * 100_000),
            Expect(1),
        ),
        Case(
            "json_lone_surrogate.json",
            _checked("json_lone_surrogate.json", b'{"Resources": {"\\ud800": {"Type": "\\udfff"}}}'),
            Expect(1),
        ),
        Case(
            "json_flow_of_two_million.json",
            _checked("json_flow_of_two_million.json", b'{"Resources": [' + b",".join([b"1"] * 2_000_000) + b"]}"),
            Expect(1),
        ),
        Case(
            "flow_of_two_million.yaml",
            _checked("flow_of_two_million.yaml", b"Resources: [" + b",".join([b"1"] * 2_000_000) + b"]\n"),
            Expect(1),
        ),
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
        Case(
            "several_documents.yaml",
            _checked("several_documents.yaml", b"Resources: {}\n---\nResources: {}\n...\n---\n"),
            Expect(1),
        ),
        Case(
            "directives.yaml",
            _checked("directives.yaml", b"%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\nResources: !e!thing {}\n"),
            Expect(1),
        ),
        Case(
            "line_separators.yaml",
            _checked(
                "line_separators.yaml", ("Resources:\n" + RULE + '  D: "a\u2028b\u2029c\u0085d\ufeffe"\n').encode()
            ),
            Expect(1),
        ),
        Case(
            "mixed_newlines.yaml",
            _checked("mixed_newlines.yaml", b"Resources:\r\n  R:\r    Type: X\n"),
            Expect(1),
        ),
        Case(
            "tab_indentation.yaml",
            _checked("tab_indentation.yaml", b"Resources:\n\tR:\n\t\tType: X\n"),
            Expect(1),
        ),
        Case(
            "very_long_key.yaml",
            _checked("very_long_key.yaml", b"Resources:\n  " + b"k" * 10_000 + b": 1\n"),
            Expect(1),
        ),  # YAML limits an implicit key to 1,024 characters
        Case(
            "many_duplicate_keys.yaml",
            _checked("many_duplicate_keys.yaml", b"Resources:\n" + b"  R: 1\n" * 10_000),
            Expect(1),
        ),
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


def _special() -> list[Case]:
    # Packs by their content (a misspelt AWS Config type), found by searching the folder.
    named = {"bad\udcff.yaml": b"Resources:\n  R:\n    Type: AWS::Confg::ConfigRule\n",
             "new\nline\x1b[2J.yaml": b"Resources:\n  R:\n    Type: AWS::Confg::ConfigRule\n"}  # fmt: skip
    return [
        Case(
            "fifo_as_template",
            lambda: ({"pipe.yaml": FIFO}, ["check", "--format", "json", "pipe.yaml"]),
            Expect(1),
        ),
        Case(
            "fifo_in_a_folder",
            lambda: (
                {"packs/pipe.yaml": FIFO, "packs/ok.yaml": PACK},
                ["check", "--format", "json", "--no-cache", "packs"],
            ),
            Expect(1),
        ),
        Case(
            "fifo_as_params_file",
            lambda: ({"pack.yaml": PACK, "p.json": FIFO}, ["check", "--params-file", "p.json", "pack.yaml"]),
            Expect(2, error="preflight: error: p.json: is not a regular file"),
        ),
        Case(
            "fifo_as_request",
            lambda: ({"r.json": FIFO}, ["check", "--request", "r.json"]),
            Expect(2, error="preflight: error: r.json: is not a regular file"),
        ),
        Case(
            "fifo_as_spec",
            lambda: ({"s.yaml": FIFO}, ["check", "--spec", "s.yaml"]),
            Expect(2, error="preflight: error: s.yaml: is not a regular file"),
        ),
        Case(
            "fifo_as_config",
            lambda: ({"pack.yaml": PACK, "c.toml": FIFO}, ["check", "--config", "c.toml", "pack.yaml"]),
            Expect(2, error="preflight: error: c.toml: is not a regular file"),
        ),
        Case(
            "dev_zero_as_config",
            lambda: ({"pack.yaml": PACK}, ["check", "--config", "/dev/zero", "pack.yaml"]),
            Expect(2, error="preflight: error: /dev/zero: is not a regular file"),
        ),
        Case(
            "unreadable_folder",
            lambda: (
                {"packs/ok.yaml": PACK, "packs/secret": UNREADABLE},
                ["check", "--format", "json", "--no-cache", "packs"],
            ),
            Expect(1),
            unprivileged=True,
        ),
        Case(
            # Backtracking regular expressions would take hours on this glob and name; RE2 takes microseconds.
            "backtracking_exclude_glob",
            lambda: (
                {
                    ".preflight.toml": b'extend-exclude = ["' + b"*a" * 16 + b'b", "' + b"**/" * 16 + b'c"]\n',
                    "/".join(["a" * 30] * 6) + "/" + "a" * 200 + ".yaml": b"not: a pack\n",
                    "pack.yaml": _template(""),
                },
                ["check", "--format", "json", "--no-cache", "."],
            ),
            Expect(0),
        ),
        Case(
            "unsearchable_folder_with_settings",
            lambda: (
                {"packs/ok.yaml": PACK, "packs/closed": UNSEARCHABLE},
                ["check", "--format", "json", "--no-cache", "."],
            ),
            Expect(1),  # its pack cannot be read: a finding; ok.yaml's findings are kept
            unprivileged=True,
        ),
        Case(
            "pyproject_not_utf8",
            lambda: (
                {"pack.yaml": PACK, "pyproject.toml": b'[tool.preflight]\nfail-level = "warning"\n# \xff\n'},
                ["check", "pack.yaml"],
            ),
            Expect(2, error="preflight: error: "),
        ),
        Case(
            "config_deeply_nested",
            lambda: (
                {"pack.yaml": PACK, ".preflight.toml": b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"},
                ["check", "pack.yaml"],
            ),
            Expect(2, error="preflight: error: "),
        ),
        Case(
            "config_dotted_key_of_20000_parts",
            lambda: ({"pack.yaml": PACK, ".preflight.toml": b"a" + b".a" * 20_000 + b" = 1\n"}, ["check", "pack.yaml"]),
            Expect(2, error="preflight: error: "),
        ),
        Case(
            "twenty_thousand_per_file_ignores",
            lambda: (
                {
                    "pack.yaml": PACK.replace(b"AWS::Config::ConfigRule", b"AWS::S3::Bucket", 1),
                    ".preflight.toml": (
                        "[per-file-ignores]\n" + "".join(f'"dir{i}/*.yaml" = ["CP305"]\n' for i in range(20_000))
                    ).encode(),
                },
                ["check", "--format", "json", "--no-cache", "pack.yaml"],
            ),
            Expect(1),
        ),
        Case(
            "deeply_nested_cache_entry",
            lambda: (
                {"pack.yaml": PACK, ".preflight_cache/poison": b"[" * 100_000},
                ["check", "--format", "json", "pack.yaml"],
            ),
            Expect(0),
        ),
        Case(
            "control_characters_in_file_names",
            lambda: (named, ["check", "--format", "parseable", "--no-cache", "."]),
            Expect(1, one_line_each=True),
        ),
        Case(
            "non_utf8_file_name_as_sarif",
            lambda: (named, ["check", "--format", "sarif", "--no-cache", "."]),
            Expect(1),
        ),
        Case(
            "stdin_filename_with_a_line_break",
            lambda: (
                {},
                [
                    "check",
                    "--format",
                    "parseable",
                    "--stdin-filename",
                    "x\n/etc/passwd:1:1: error: [CP001] forged",
                    "-",
                ],
            ),
            Expect(1, one_line_each=True),
            stdin=b"Resources:\n  R:\n    Type: AWS::S3::Bucket\n",
        ),
    ]


def _requests() -> list[Case]:
    def case(name: str, files: Files, args: list[str], expect: Expect) -> Case:
        return Case(name, lambda: ({"pack.yaml": PACK, **files}, args), expect)

    return [
        case(
            "params_binary",
            {"p.json": bytes(range(256)) * 100},
            ["check", "--params-file", "p.json", "pack.yaml"],
            Expect(2, error="preflight: error: p.json: "),
        ),
        case(
            "params_deep",
            {"p.json": b"[" * 100_000 + b"]" * 100_000},
            ["check", "--params-file", "p.json", "pack.yaml"],
            Expect(2, error="preflight: error: p.json:"),
        ),
        case(
            "params_wrong_items",
            {"p.yaml": b"- 1\n- [2]\n"},
            ["check", "--params-file", "p.yaml", "pack.yaml"],
            Expect(2, error="preflight: error: p.yaml:1:3: each parameter must be a mapping"),
        ),
        case(
            "params_ten_thousand_typos",
            {"p.yaml": b"".join(b"P%d: v\n" % i for i in range(10_000))},
            ["check", "--format", "json", "--params-file", "p.yaml", "pack.yaml"],
            Expect(1),
        ),
        case(
            "params_alias_bomb",
            {"p.yaml": _laughs(9, 9)},
            ["check", "--params-file", "p.yaml", "pack.yaml"],
            Expect(2, error="preflight: error: p.yaml:"),
        ),
        case(
            "request_binary",
            {"r.json": b"\xff\xfe\x00garbage"},
            ["check", "--request", "r.json"],
            Expect(2, error="preflight: error: r.json: "),
        ),
        case(
            "request_not_mapping",
            {"r.yaml": b"- a\n- b\n"},
            ["check", "--request", "r.yaml"],
            Expect(2, error="preflight: error: r.yaml:1:1: a request file is a mapping of API parameters"),
        ),
        case(
            "request_huge_body",
            {"r.json": json.dumps({"OrganizationConformancePackName": "a", "TemplateBody": "#" * 5_000_000}).encode()},
            ["check", "--request", "r.json"],
            Expect(2, error="preflight: error: r.json: "),
        ),
        case(
            "request_body_not_string",
            {"r.yaml": b"OrganizationConformancePackName: a\nTemplateBody: {Resources: {}}\n"},
            ["check", "--request", "r.yaml"],
            Expect(2, error="preflight: error: r.yaml:2:1: TemplateBody must be a string"),
        ),
        case(
            "request_deep",
            {"r.json": b'{"ExcludedAccounts": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"},
            ["check", "--request", "r.json"],
            Expect(2, error="preflight: error: r.json:"),
        ),
        case(
            "request_number_of_5000_digits",
            {
                "r.yaml": b"OrganizationConformancePackName: a\nConformancePackInputParameters:\n  - ParameterName: x\n"
                b"    ParameterValue: " + b"9" * 5000 + b"\n"
            },
            ["check", "--request", "r.yaml", "pack.yaml"],
            Expect(2, error="preflight: error: r.yaml:4:21: a number of 5,000 digits"),
        ),
        case(
            "spec_thousand_packs",
            {"s.yaml": b"packs:\n" + b"".join(b"  - {name: p%d, template: pack.yaml}\n" % i for i in range(1_000))},
            ["check", "--format", "json", "--spec", "s.yaml"],
            Expect(1),
        ),
        case(
            "spec_binary",
            {"s.yaml": bytes(range(256)) * 10},
            ["check", "--spec", "s.yaml"],
            Expect(2, error="preflight: error: s.yaml: "),
        ),
        case(
            "spec_wrong_shapes",
            {"s.yaml": b"packs: {a: b}\n"},
            ["check", "--spec", "s.yaml"],
            Expect(2, error="preflight: error: s.yaml:1:1: 'packs' must be a non-empty list of packs"),
        ),
        case(
            "spec_template_is_directory",
            {"d/x.yaml": b"Resources: {}\n", "s.yaml": b"packs:\n  - {name: a, template: d}\n"},
            ["check", "--spec", "s.yaml"],
            Expect(2, error="preflight: error: s.yaml:2:15: no such template file: d"),
        ),
        case(
            "format_unknown",
            {},
            ["check", "--format", "xml", "pack.yaml"],
            Expect(2, error="preflight: error: Invalid value for '--format'"),
        ),
        case(
            "missing_path",
            {},
            ["check", "missing.yaml"],
            Expect(2, error="preflight: error: missing.yaml: no such file or directory"),
        ),
    ]


def cases() -> list[Case]:
    return [*_templates(), *_special(), *_requests()]
