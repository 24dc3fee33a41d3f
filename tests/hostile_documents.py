"""Hostile templates the parser meets: YAML alias bombs, deep nesting, a file of 100 MB and a line of
3 MB, binary data, NUL bytes and foreign encodings, control characters, huge numbers, merge keys and
keys that are not strings, empty documents, broken and deep JSON; and YAML's rarer syntax (several
documents, directives, line separators, mixed newlines, tabs, long and duplicate keys). Part of
tests/hostile_inputs.py's table."""

from __future__ import annotations

from tests.hostile_common import RULE, Case, Expect, _checked, _laughs, _template


def parsed_cases() -> list[Case]:
    """The templates whose reading is the danger: aliases, depth, size, encodings, numbers, keys, JSON."""
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
    ]


def syntax_cases() -> list[Case]:
    """YAML's rarer syntax: several documents, directives, line separators and mixed newlines, tabs,
    a key too long to be implicit, ten thousand duplicate keys."""
    return [
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
    ]
