from __future__ import annotations

import math

from preflight.load.parsing import load_template_bytes, load_template_text
from preflight.load.yaml_builder import parse
from preflight.load.yaml_scalars import INTRINSIC_TAGS
from preflight.model.findings import Severity, Span
from preflight.model.problems import ProblemKind


def test_positions_of_keys_and_values_are_one_based() -> None:
    parsed = parse("Resources:\n  Rule:\n    Type: AWS::Config::ConfigRule\n")
    assert parsed.key_spans[("Resources", "Rule", "Type")] == (3, 5, 3, 9)
    assert parsed.spans[("Resources", "Rule", "Type")] == (3, 11, 3, 34)
    assert parsed.key_spans[("Resources",)] == (1, 1, 1, 10)


def test_every_short_form_tag_becomes_its_long_form() -> None:
    for tag, long_form in INTRINSIC_TAGS.items():
        parsed = parse(f"a: {tag} x\nb: {tag} [x, y]\nc: {tag} {{k: v}}\n")
        assert parsed.problems == [], tag
        assert parsed.data == {"a": {long_form: "x"}, "b": {long_form: ["x", "y"]}, "c": {long_form: {"k": "v"}}}
        assert ("b", long_form, 1) in parsed.spans


def test_getatt_short_form_splits_at_the_first_dot() -> None:
    assert parse("a: !GetAtt Rule.Compliance.Type\n").data == {"a": {"Fn::GetAtt": ["Rule", "Compliance.Type"]}}


def test_scalars_follow_yaml_1_2_and_keep_account_ids() -> None:
    parsed = parse(
        "a: 012345678901\nb: 90\nc: 'true'\nd: True\ne: ~\nf: 1.5\ng: .inf\nh: .nan\ni: 0x1F\nj: yes\nk: !!str 7\n"
        f"l: {'9' * 5000}\n"
    )
    data = parsed.data
    assert isinstance(data, dict)
    assert data["a"] == "012345678901"
    assert data["b"] == 90 and data["c"] == "true" and data["d"] is True and data["e"] is None
    assert data["f"] == 1.5 and data["g"] == math.inf and math.isnan(data["h"]) and data["i"] == 31
    assert data["j"] == "yes" and data["k"] == "7"
    assert data["l"] == "9" * 5000  # too long for int(): kept as text, no crash


def test_scalars_as_text_keeps_the_source_text() -> None:
    assert parse("a: 90\nb: true\nc: 012\n", scalars_as_text=True).data == {"a": "90", "b": "true", "c": "012"}


def test_noValue_inside_a_flow_sequence_parses_although_libyaml_rejects_it() -> None:
    parsed = parse("a: !If [HasAge, !Ref Age, !Ref AWS::NoValue]\n")
    assert parsed.problems == []
    assert parsed.data == {"a": {"Fn::If": ["HasAge", {"Ref": "Age"}, {"Ref": "AWS::NoValue"}]}}
    assert parsed.spans[("a", "Fn::If", 2, "Ref")] == (1, 27, 1, 44)


def test_duplicate_keys_are_reported_at_every_depth() -> None:
    parsed = parse("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert [(p.kind, p.span.line) for p in parsed.problems] == [
        (ProblemKind.DUPLICATE_KEY, 4),
        (ProblemKind.DUPLICATE_KEY, 5),
    ]


def test_alias_bomb_stops_early_without_expanding() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for index in range(1, 12):
        previous, name = chr(96 + index), chr(97 + index)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    parsed = parse("\n".join(lines) + "\n")
    assert [p.kind for p in parsed.problems] == [ProblemKind.UNSUPPORTED_YAML] * 4 + [ProblemKind.OVER_LIMITS]
    assert parsed.complete is False


def test_small_aliases_are_shared_not_copied() -> None:
    parsed = parse("a: &x {k: v}\nb: *x\nc: *x\n")
    assert [(p.kind, p.span.line) for p in parsed.problems] == [(ProblemKind.UNSUPPORTED_YAML, 2)]
    assert isinstance(parsed.data, dict) and parsed.data["a"] is parsed.data["b"]


def test_deep_nesting_is_a_finding_not_a_crash() -> None:
    parsed = parse("[" * 100_000 + "]" * 100_000)
    assert [p.kind for p in parsed.problems] == [ProblemKind.OVER_LIMITS]
    block = "".join(" " * depth + "k:\n" for depth in range(150))
    assert [p.kind for p in parse(block).problems] == [ProblemKind.OVER_LIMITS]


def test_collection_keys_are_syntax_errors() -> None:
    parsed = parse("? [a, b]\n: c\n")
    assert [p.kind for p in parsed.problems] == [ProblemKind.SYNTAX]


def test_json_templates_use_their_own_syntax_errors_and_tabs() -> None:
    good = load_template_text('{\n\t"Resources": {\n\t\t"R": {"Type": "AWS::Config::ConfigRule"}\n\t}\n}\n', "t.json")
    assert good.problems == () and good.is_template
    assert good.document is not None and good.document.locate(("Resources", "R")) == Span(3, 3, 3, 6)
    broken = load_template_text('{"Resources": {"R": 1]}', "t.json")
    assert [(p.kind, p.span.line, p.span.column) for p in broken.problems] == [(ProblemKind.SYNTAX, 1, 22)]
    assert broken.document is None
    duplicate = load_template_text('{"Resources": {}, "Resources": {}}', "t.json")
    assert [(p.kind, p.severity) for p in duplicate.problems] == [(ProblemKind.DUPLICATE_KEY, Severity.WARNING)]
    differing = load_template_text('{"Resources": {}, "Resources": {"R": 1}}', "t.json")
    assert [(p.kind, p.severity) for p in differing.problems] == [(ProblemKind.DUPLICATE_KEY, None)]


def test_a_json_file_that_only_yaml_reads_is_read_as_yaml_with_a_warning() -> None:
    trailing = load_template_text('{"Resources": {"R": {"Type": "AWS::Config::ConfigRule"},}}', "t.json")
    assert [(p.kind, p.span.line, p.span.column) for p in trailing.problems] == [(ProblemKind.NOT_STRICT_JSON, 1, 57)]
    assert trailing.is_template and trailing.document is not None
    assert trailing.document.data == {"Resources": {"R": {"Type": "AWS::Config::ConfigRule"}}}
    assert trailing.document.locate(("Resources", "R", "Type")) == Span(1, 22, 1, 28)
    named_yaml = load_template_text('{"Resources": {"R": {"Type": "AWS::Config::ConfigRule"},}}', "t.yaml")
    assert named_yaml.problems == () and named_yaml.document is not None
    assert named_yaml.document.data == trailing.document.data
    duplicate_too = load_template_text('{"Resources": {"R": 1, "R": 2,}}', "t.json")
    assert [p.kind for p in duplicate_too.problems] == [ProblemKind.NOT_STRICT_JSON, ProblemKind.DUPLICATE_KEY]


def test_bom_and_crlf() -> None:
    loaded = load_template_bytes(b"\xef\xbb\xbfResources:\r\n  R:\r\n    Type: X\r\n", "t.yaml")
    assert loaded.problems == () and loaded.raw_size == 34 and loaded.body_bytes == 31
    assert loaded.document is not None and loaded.document.locate(("Resources", "R", "Type")) == Span(3, 5, 3, 9)


def test_invalid_utf8_is_located() -> None:
    loaded = load_template_bytes(b"Resources:\n  R: caf\xe9\n", "t.yaml")
    assert [(p.kind, p.span.line, p.span.column) for p in loaded.problems] == [(ProblemKind.UNREADABLE, 2, 9)]


def test_oversized_input_is_refused_before_parsing() -> None:
    loaded = load_template_bytes(b"#" * (4 * 1024 * 1024 + 1), "big.yaml")
    assert [p.kind for p in loaded.problems] == [ProblemKind.OVER_LIMITS]


def test_lines_are_counted_as_editors_count_them() -> None:
    """libyaml breaks lines at U+2028, U+2029 and U+0085 too; editors, grep and GitHub do not."""
    text = 'a: "x\u2028y\u2029z\u0085w"\nb: 1\nb: 2\n'
    parsed = parse(text)
    assert [(p.kind, p.span.line, p.span.column) for p in parsed.problems] == [(ProblemKind.DUPLICATE_KEY, 3, 1)]
    assert parsed.key_spans[("b",)] == (3, 1, 3, 2)


def test_a_tagged_merge_key_reports_the_tag_then_the_merge_key() -> None:
    parsed = parse("a: 1\n!foo <<: 2\n")
    assert [(problem.kind, problem.span.line) for problem in parsed.problems] == [
        (ProblemKind.UNKNOWN_TAG, 2),
        (ProblemKind.UNSUPPORTED_YAML, 2),
    ]
