"""Property-based tests: random YAML-ish documents and mutations of real templates never crash the
loader or any rule, give the same output twice, and place every finding inside the file."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.load.parsing import load_template_text
from preflight.model.findings import Report
from preflight.model.request import PackRequest
from preflight.model.settings import Settings
from preflight.reporters.json_report import render_json
from tests.conftest import FIXTURES

RULES = discover_rules()
CONFIG = Settings()
# Derandomized: the same examples every run, so CI is never flaky; still hundreds of distinct inputs.
PROFILE = settings(derandomize=True, deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
TOKENS = [
    "Resources:", "Parameters:", "Conditions:", "Type: AWS::Config::ConfigRule", "Properties:", "Source:",
    "Owner: AWS", "SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED", "InputParameters:", "ConfigRuleName: x",
    "!Ref", "!If", "!Sub", "!GetAtt", "!Equals", "!Condition", "!Foo", "!!str", "!!binary", "&a", "*a", "<<:",
    "- ", ": ", "? ", "{", "}", "[", "]", ",", "'", '"', "#", "|", ">", "---", "...", "%YAML 1.2",
    "\n", "\n  ", "\n    ", "\t", "\r\n", "~", "null", "true", "TRUE", "90", "1e999", ".nan", "0x1F", "012",
    "arn:aws:iam::<Account-Id>:role/x", "${AWS::Region}", "AWS::NoValue", "Fn::If", "é", "\u2028", "\x00",
]  # fmt: skip
PACKS = [
    (FIXTURES / "packs" / "s3-baseline.yaml").read_text(),
    (FIXTURES / "packs" / "iam-baseline.yaml").read_text(),
    (FIXTURES / "CP420" / "bad.yaml").read_text(),
    (FIXTURES / "CP409" / "good.yaml").read_text(),
]


def lint(text: str, file: str = "pack.yaml") -> Report:
    loaded = load_template_text(text, file)
    return run(Job((PackInput(PackRequest(), (loaded,)),), CONFIG, RULES, raise_errors=True))


def assert_well_formed(text: str, report: Report, file: str = "pack.yaml") -> None:
    # Line breaks differ between readers (YAML 1.1 counts \r, \x85 and \u2028 too), so "inside the
    # file" is bounded by the most generous split for lines and by the longest \n-line for columns.
    most_lines = len(text.splitlines()) + 1
    widest = max((len(line) for line in text.split("\n")), default=0) + 2
    for finding in report.findings:
        assert finding.file == file
        span = finding.span
        assert 1 <= span.line <= most_lines and 1 <= span.column <= widest, finding
        assert (span.end_line, span.end_column) >= (span.line, span.column), finding
    assert render_json(lint(text, file)) == render_json(report)  # the same output twice


@PROFILE
@given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=60).map("".join))
def test_yaml_ish_text(text: str) -> None:
    assert_well_formed(text, lint(text))


@PROFILE
@given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=60).map("".join))
def test_json_ish_text(text: str) -> None:
    assert_well_formed("{" + text, lint("{" + text, "pack.json"), "pack.json")


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, path + (index,))
    return found


REPLACEMENTS = [None, 0, -1, 2**70, 1.5, True, "", "x" * 300, [], {}, [1, [2]], {"a": {"b": "c"}},
                {"Ref": "AWS::NoValue"}, {"Ref": {"a": 1}}, {"Fn::If": ["C", 1]}, {"Fn::Sub": ["${A}", {}]},
                {"Condition": 5}, {"Fn::GetAtt": "x"}, "arn:aws:iam::x:role/y"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(PACKS))
    document = load_template_text(text, "pack.yaml").document
    assert document is not None
    tree = json.loads(json.dumps(document.data, default=str))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(tree) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = tree
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["delete", "duplicate", "retype"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], json.loads(json.dumps(parent[path[-1]])))
        elif action == "duplicate":
            parent[f"{path[-1]}Copy"] = json.loads(json.dumps(parent[path[-1]]))
        else:
            parent[path[-1]] = json.loads(json.dumps(draw(st.sampled_from(REPLACEMENTS))))  # a copy: never shared
    return json.dumps(tree, indent=draw(st.sampled_from([None, 1, 2])))


@PROFILE
@given(mutated())
def test_mutated_templates(text: str) -> None:
    assert_well_formed(text, lint(text, "pack.json"), "pack.json")


@PROFILE
@given(st.sampled_from(PACKS), st.data())
def test_line_level_mutations(text: str, data: st.DataObject) -> None:
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "truncate"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = "  " + lines[index]
        elif action == "dedent":
            lines[index] = lines[index].lstrip()
        else:
            lines[index] = lines[index][: len(lines[index]) // 2] + "\n"
    mutated_text = "".join(lines)
    assert_well_formed(mutated_text, lint(mutated_text))
