"""CP413: Guard policies read by Guard's parser, positions inside the template's strings, and what
happens when Guard is missing, crashes or hangs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.guard.supervisor import GuardParser, PolicyVerdict
from preflight.load.parsing import load_template_text
from preflight.load.scalar_positions import character_position
from tests.conftest import CORPORA, FIXTURES, REPO, run_cli

HISTORY = CORPORA / "aws-history"
AI_ML = HISTORY / "hist__AI-ML-Security-Governance-Supporting-Infrastructure-Best-Practices__9e3ef5ef.yaml"
BEDROCK = HISTORY / "hist__Amazon-Bedrock-Security-and-Governance-Best-Practices__b0203c04.yaml"
needs_history = pytest.mark.skipif(
    not (AI_ML.is_file() and BEDROCK.is_file()), reason=f"the historical AI/ML packs are not in {HISTORY}"
)

# The first policy of the AI/ML pack, as written there (a literal block scalar).
GUARDDUTY_CHECK = 'configuration.FindingPublishingFrequency == "FIFTEEN_MINUTES"'
EXPECTING = 'expecting either a property access "engine.core" or value like "string" or ["this", "that"]'


def _policies(text: str) -> list[str]:
    loaded = load_template_text(text, "pack.yaml")
    assert loaded.document is not None
    resources = loaded.document.data["Resources"]  # type: ignore[index]
    return [
        resource["Properties"]["Source"]["CustomPolicyDetails"]["PolicyText"]
        for resource in resources.values()
        if resource["Properties"]["Source"]["Owner"] == "CUSTOM_POLICY"
    ]


def _check(path: Path) -> list[dict[str, object]]:
    result = run_cli(["check", "--format", "json", "--no-cache", "--select", "CP413", str(path)])
    assert result.exit_code in (0, 1), result.stderr
    return [
        {key: finding[key] for key in ("rule", "severity", "line", "column", "message")} for finding in result.findings
    ]


def _position(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    """1-based line and column of the character `after` characters into the only occurrence of `needle`."""
    assert text.count(needle) == 1, needle
    return _index_position(text, text.index(needle) + after)


def _index_position(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _finding(position: tuple[int, int], message: str) -> dict[str, object]:
    return {"rule": "CP413", "severity": "error", "line": position[0], "column": position[1], "message": message}


@needs_history
def test_every_policy_of_the_historical_ai_ml_packs_parses() -> None:
    policies = [policy for pack in (AI_ML, BEDROCK) for policy in _policies(pack.read_text(encoding="utf-8"))]
    assert len(policies) == 38
    run = GuardParser().check(policies)
    assert run.unavailable is None
    assert run.verdicts == (PolicyVerdict(),) * 38
    assert _check(AI_ML) == [] and _check(BEDROCK) == []


@needs_history
def test_a_policy_broken_in_a_literal_block_is_reported_where_it_breaks(tmp_path: Path) -> None:
    text = AI_ML.read_text(encoding="utf-8")
    operator = tmp_path / "operator.yaml"
    operator.write_text(text.replace(GUARDDUTY_CHECK, GUARDDUTY_CHECK.replace("==", "==="), 1), encoding="utf-8")
    assert _check(operator) == [
        _finding(
            _position(
                operator.read_text(), "FindingPublishingFrequency ===", after=len("FindingPublishingFrequency ==")
            ),
            f"""Guard cannot parse the policy near '= "FIFTEEN_MINUTES"': {EXPECTING}""",
        )
    ]
    # The policy's closing brace removed: Guard stops at its end, shown just after its last character.
    start = text.index("rule guardduty_finding_frequency_fifteen_minutes {")
    brace = text.index("\n              }\n", start)
    brace_missing = tmp_path / "brace.yaml"
    brace_missing.write_text(text[:brace] + text[brace + len("\n              }") :], encoding="utf-8")
    assert text[text.rfind("\n", 0, brace) : brace].strip() == ">>"
    assert _check(brace_missing) == [_finding(_index_position(text, brace), "Guard cannot parse the policy at its end")]


def _pack_yaml(policy_text_yaml: str) -> str:
    return f"""Resources:
  Check:
    Type: AWS::Config::ConfigRule
    Properties:
      Source:
        Owner: CUSTOM_POLICY
        SourceDetails: [{{EventSource: aws.config, MessageType: ConfigurationItemChangeNotification}}]
        CustomPolicyDetails:
          PolicyRuntime: guard-2.x.x
          PolicyText: {policy_text_yaml}
"""


BROKEN = 'rule guardduty_frequency when resourceType == "AWS::GuardDuty::Detector" {\n    configuration.FindingPublishingFrequency === "FIFTEEN_MINUTES"\n}\n'
BROKEN_MESSAGE = f"""Guard cannot parse the policy near '= "FIFTEEN_MINUTES"': {EXPECTING}"""
FLAT = BROKEN.replace("\n    ", "\n")  # a line of a single-quoted or plain scalar loses its leading blanks


@pytest.mark.parametrize(
    ("written", "policy"),
    [
        pytest.param(json.dumps(BROKEN), BROKEN, id="double-quoted"),
        pytest.param("'" + FLAT.replace("'", "''").replace("\n", "\n\n            ") + "'", FLAT, id="single-quoted"),
        pytest.param(
            ">\n"
            "            rule guardduty_frequency when\n"
            '            resourceType == "AWS::GuardDuty::Detector" {\n'
            "\n"
            '            configuration.FindingPublishingFrequency === "FIFTEEN_MINUTES"\n'
            "\n"
            "            }",
            FLAT,
            id="folded",
        ),
        pytest.param(
            json.dumps(BROKEN).replace("\\n    ", "\\n\\\n              \\ \\ \\ \\ "),
            BROKEN,
            id="double-quoted-escaped-breaks",
        ),
    ],
)
def test_positions_hold_through_quoted_and_folded_scalars(tmp_path: Path, written: str, policy: str) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(_pack_yaml(written), encoding="utf-8")
    assert _policies(pack.read_text()) == [policy]
    assert _check(pack) == [_finding(_position(pack.read_text(), "===", after=2), BROKEN_MESSAGE)]


def test_positions_hold_in_a_json_template_with_escapes(tmp_path: Path) -> None:
    policy = "# Caf\u00e9 \u2014 r\u00e8gle\n" + BROKEN
    template = {
        "Resources": {
            "Check": {
                "Type": "AWS::Config::ConfigRule",
                "Properties": {
                    "Source": {
                        "Owner": "CUSTOM_POLICY",
                        "SourceDetails": [
                            {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}
                        ],
                        "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": policy},
                    }
                },
            }
        }
    }
    pack = tmp_path / "pack.json"
    pack.write_text(json.dumps(template, indent=2), encoding="utf-8")  # \u00e9 and \n escapes
    assert "\\u00e9" in pack.read_text()
    assert _check(pack) == [_finding(_position(pack.read_text(), "===", after=2), BROKEN_MESSAGE)]


STYLES = {
    "literal": "|\n            rule a {\n              b == 1\n\n            }\n\n",
    "literal keep": "|+\n            rule a {\n              b == 'x'\n            }\n\n",
    "literal strip, indented first line": "|2-\n              rule a {\n            b == 1 }\n",
    "folded": ">\n            rule a\n            {\n              b == 1\n\n            c == 2 }\n",
    "double-quoted": '"rule a {\\tb == \\"\\u00e9\\x41\\U0001F600\\"\n\n            \\\n            c == 1 }"\n',
    "single-quoted": "'rule a { b == ''x''\n            c == 1 }'\n",
    "plain": "rule a { b == 1\n            c == 2 }\n",
}


@pytest.mark.parametrize("written", STYLES.values(), ids=STYLES.keys())
def test_each_character_of_a_string_maps_to_where_it_is_written(written: str) -> None:
    """Every character that is written as itself maps to its place in the file; escapes map to their
    backslash, folded line breaks to a line end."""
    text = _pack_yaml(written)
    loaded = load_template_text(text, "pack.yaml")
    assert loaded.document is not None
    path = ("Resources", "Check", "Properties", "Source", "CustomPolicyDetails", "PolicyText")
    value = loaded.document.value_at(path)
    assert isinstance(value, str)
    span = loaded.document.node_span(path)
    assert span is not None
    lines = text.split("\n")
    for offset, char in enumerate(value):
        position = character_position(text, (span.line, span.column), (span.end_line, span.end_column), value, offset)
        assert position is not None, offset
        written_char = (lines[position[0] - 1] + "\n")[position[1] - 1]
        assert written_char == char or written_char in "\\\n" or (char == "\n" and written_char == " "), (offset, char)
    end = character_position(text, (span.line, span.column), (span.end_line, span.end_column), value, len(value))
    assert end is not None


def test_a_string_written_in_a_style_not_followed_has_no_position() -> None:
    text = "a: &anchor 'rule a { b == 1 }'\n"
    assert character_position(text, (1, 4), (1, 31), "rule a { b == 1 }", 3) is None


def test_the_fixture_policies_of_cp409_parse() -> None:
    assert _check(FIXTURES / "CP409" / "good.yaml") == []


def test_a_crash_in_guard_is_a_warning_and_the_next_policies_are_still_read() -> None:
    """cfn-guard-rs overflows its stack (SIGSEGV) on brackets nested a thousand deep: the worker dies,
    that policy is not checked, and a new worker reads the policies after it."""
    crashing = "rule r { " + "a[" * 1000 + " }"
    run = GuardParser().check(["rule ok { a == 1 }", crashing, "rule bad { a === 1 }", "rule ok { a == 1 }"])
    assert run.unavailable is None
    first, crashed, bad, last = run.verdicts
    assert first == last == PolicyVerdict()
    assert crashed.not_checked is not None and crashed.not_checked.startswith("Guard crashed while reading this policy")
    assert bad.syntax_error is not None and bad.syntax_error.near == "= 1 }"


def test_a_policy_guard_reads_too_slowly_is_not_checked_and_the_time_is_bounded() -> None:
    """A worker that has not answered when the time is up is stopped (the bound here is shorter than
    starting Python takes, so this worker never answers)."""
    run = GuardParser(timeout_seconds=0.001).check(["rule ok { a == 1 }", "rule ok { b == 1 }"])
    assert run.verdicts == (
        PolicyVerdict(not_checked="Guard did not finish reading this policy within 0.001 s"),
        PolicyVerdict(not_checked="no time left of the 0.001 s Guard may take"),
    )


def test_a_policy_guard_would_spend_gigabytes_on_is_stopped_at_the_memory_bound() -> None:
    """Brackets nested 2,000 deep (4 KB) made cfn-guard-rs 0.3.3 take 5.6 GB; the worker's address
    space is bounded, so the allocation fails and the policy is not checked."""
    hungry = "rule n { configuration.X == " + "[" * 2000 + "1" + "]" * 2000 + " }"
    run = GuardParser().check([hungry, "rule bad { a === 1 }"])
    hungry_verdict, bad = run.verdicts
    assert hungry_verdict.not_checked is not None
    assert hungry_verdict.not_checked.startswith("Guard crashed while reading this policy")
    assert bad.syntax_error is not None and bad.syntax_error.near == "= 1 }"


def test_through_the_command_line_a_crash_is_one_warning_and_no_traceback(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(_pack_yaml(json.dumps("rule r { " + "a[" * 1000 + " }")), encoding="utf-8")
    result = run_cli(["check", "--format", "json", "--no-cache", "--select", "CP413", str(pack)])
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    [finding] = result.findings
    assert finding["severity"] == "warning"
    assert str(finding["message"]).startswith(
        "Guard failed on this policy, which was not checked: Guard crashed while reading this policy (signal "
    )


def test_without_the_guard_extra_one_info_finding_says_how_to_install_it() -> None:
    """cfn_guard_rs hidden from the process (None in sys.modules: find_spec finds nothing, import fails)."""
    code = (
        "import sys; sys.modules['cfn_guard_rs'] = None; "
        "sys.argv = ['preflight', 'check', '--format', 'json', '--no-cache', '--select', 'CP413', "
        "'fixtures/CP413/bad.yaml']; "
        "from preflight.entry import run; run()"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert {key: finding[key] for key in ("rule", "severity", "line", "column", "message", "fix")} == {
        "rule": "CP413",
        "severity": "info",
        "line": 11,
        "column": 11,
        "message": "5 Guard policies of CUSTOM_POLICY rules not checked: Guard's parser (cfn-guard-rs) is not installed",
        "fix": 'run pip install ".[guard]" in preflight\'s source folder (the guard extra)',
    }


def test_the_manual_shows_what_check_prints(tmp_path: Path) -> None:
    section = (REPO / "docs" / "guard.md").read_text(encoding="utf-8")
    pack, before, without_extra = (block.split("\n", 1)[1] for block in section.split("```")[1::2])
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "s3-policy.yaml").write_text(pack, encoding="utf-8")
    command, printed = before.split("\n", 1)
    assert command == "$ preflight check --select CP413 packs/s3-policy.yaml"
    result = run_cli(["check", "--no-cache", "--select", "CP413", "packs/s3-policy.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (1, printed)
    (tmp_path / "packs" / "s3-policy.yaml").write_text(pack.replace("===", "=="), encoding="utf-8")
    assert (
        run_cli(["check", "--no-cache", "--select", "CP413", "packs/s3-policy.yaml"], cwd=tmp_path).stdout
        == "No problems found in 1 file.\n"
    )
    code = (
        "import sys; sys.modules['cfn_guard_rs'] = None; "
        "sys.argv = ['preflight', 'check', '--no-cache', '--select', 'CP413', 'packs/s3-policy.yaml']; "
        "from preflight.entry import run; run()"
    )
    hidden = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (hidden.returncode, hidden.stdout) == (0, without_extra)


def test_a_bare_number_as_the_policy_is_read_as_the_text_cloudformation_sends(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(_pack_yaml("12345"), encoding="utf-8")
    result = run_cli(["check", "--format", "json", "--no-cache", "--select", "CP413", str(pack)])
    assert result.exit_code == 1
    assert result.findings == [
        {
            "rule": "CP413", "name": "invalid-guard-policy", "severity": "error", "file": str(pack),
            "line": 10, "column": 23, "end_line": 10, "end_column": 24, "origin": None,
            "path": ["Resources", "Check", "Properties", "Source", "CustomPolicyDetails", "PolicyText"],
            "message": "Guard cannot parse the policy near '12345'", "fix": None, "edits": [], "applicability": None,
            "accounts": [],
        }
    ]  # fmt: skip


def test_under_a_lower_address_space_limit_guard_still_reads_the_policies(tmp_path: Path) -> None:
    """A worker may not raise its hard limit: it keeps the lower one instead of failing to start."""
    resource = pytest.importorskip("resource")
    pack = tmp_path / "pack.yaml"
    pack.write_text(_pack_yaml(json.dumps("rule ok { configuration.x == 1 }")), encoding="utf-8")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (240_000_000, 240_000_000))

    result = subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "check", "--no-cache", "--select", "CP413", str(pack)],
        capture_output=True, text=True, preexec_fn=limited, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "No problems found in 1 file.\n", "")


def test_a_guard_run_that_failed_is_not_cached(tmp_path: Path) -> None:
    """Guard's worker failing this time (an import that fails once, a worker the OOM killer ends) says
    the policies were not checked, a warning; the next run checks them again instead of serving that
    warning from the cache, and reports the broken policy."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(_pack_yaml(json.dumps('rule r { x === "y" }')), encoding="utf-8")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "cfn_guard_rs.py").write_text("raise ImportError('half installed')\n")
    preflight = str(Path(sys.executable).with_name("preflight"))
    command = [preflight, "check", "--format", "json", "--select", "CP413", str(pack)]
    environment = {**os.environ, "PREFLIGHT_CACHE_DIR": str(tmp_path / "cache")}

    def run(extra: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
        result = subprocess.run(command, env={**environment, **extra}, capture_output=True, text=True, check=False)
        findings = json.loads(result.stdout)["findings"]
        return result.returncode, [(finding["rule"], finding["severity"]) for finding in findings]

    assert run({"PYTHONPATH": str(broken)}) == (0, [("CP413", "warning")])
    assert run({}) == (1, [("CP413", "error")])
    assert run({}) == (1, [("CP413", "error")])  # a real verdict is cached, and served the same


def test_a_failed_guard_run_is_not_cached_when_its_warning_is_suppressed(tmp_path: Path) -> None:
    """The "not checked" warning lands on the first policy, which carries a suppression: it is about
    this run, not that line, so it is shown all the same (and the suppression is not called unused),
    the result is not cached, and the next run finds the other rule's broken policy."""
    pack = tmp_path / "pack.yaml"
    first = _pack_yaml(json.dumps('rule r { x === "y" }') + "  # preflight: ignore[CP413]")
    second = _pack_yaml(json.dumps('rule s { x === "y" }')).replace("Resources:\n  Check:", "  Other:")
    pack.write_text(first + second, encoding="utf-8")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "cfn_guard_rs.py").write_text("raise ImportError('half installed')\n")
    preflight = str(Path(sys.executable).with_name("preflight"))
    command = [preflight, "check", "--format", "json", "--select", "CP009,CP413", str(pack)]
    environment = {**os.environ, "PREFLIGHT_CACHE_DIR": str(tmp_path / "cache")}

    def run(extra: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
        result = subprocess.run(command, env={**environment, **extra}, capture_output=True, text=True, check=False)
        return result.returncode, [(f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]]

    # "not checked" is about the run, not the line it stands on: it is shown, suppression or not.
    assert run({"PYTHONPATH": str(broken)}) == (0, [("CP413", "warning")])
    assert run({}) == (1, [("CP413", "error")])  # checked again: Other's policy is broken
