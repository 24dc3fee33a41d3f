from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, REPO, run_cli

IAM = (FIXTURES / "packs" / "iam-baseline.yaml").relative_to(REPO).as_posix()
CLEAN = (FIXTURES / "packs" / "s3-baseline.yaml").relative_to(REPO).as_posix()


def test_text_report_shows_location_source_caret_fix_and_summary() -> None:
    result = run_cli(["check", "--select", "CP208,CP305", IAM], cwd=REPO)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{IAM}:17:3: warning CP305 unused-parameter: parameter 'IamUserUnusedCredentialsParamMaxCredentialUsageAge' "
        "is never used",
        "   17 |   IamUserUnusedCredentialsParamMaxCredentialUsageAge:",
        "      |   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
        "      = fix: use it: IamUserUnusedCredentialsCheck (line 55) lacks the required parameter "
        "'maxCredentialUsageAge' (CP403); add maxCredentialUsageAge: !Ref "
        "IamUserUnusedCredentialsParamMaxCredentialUsageAge to its InputParameters",
        f"{IAM}:29:13: error CP208 undefined-condition: condition 'accessKeysRotatedParamMaxAccesKeyAge' is not "
        "defined in Conditions",
        "   29 |           - accessKeysRotatedParamMaxAccesKeyAge",
        "      |             ^" + "~" * 35,
        "      = fix: did you mean 'accessKeysRotatedParamMaxAccessKeyAge'? It is defined and used nowhere else "
        "(CP209)",
        "Found 1 error, 1 warning in 1 file.",
    ]
    assert "\033[" not in result.stdout


def test_clean_pack_says_so_and_exits_0() -> None:
    result = run_cli(["check", "--select", "CP208,CP305", CLEAN], cwd=REPO)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\n")


def test_json_contract() -> None:
    # The rules the iam pack breaks, and the info CP418 gives about it: a finding of each severity.
    selected = "CP208,CP209,CP305,CP403,CP410,CP418"
    result = run_cli(["check", "--format", "json", "--select", selected, IAM, CLEAN], cwd=REPO)
    document = result.json
    assert list(document) == ["version", "tool", "summary", "findings"]
    assert document["version"] == 1
    assert document["tool"] == {"name": "preflight", "version": "0.1.0"}
    assert document["summary"] == {"files": 2, "skipped": 0, "without_template": 0, "error": 3, "warning": 2, "info": 1}
    first = result.findings[0]
    assert list(first) == [
        "rule", "name", "severity", "file", "line", "column", "end_line", "end_column", "origin", "path", "message",
        "fix", "edits", "applicability", "accounts",
    ]  # fmt: skip
    assert first == {
        "rule": "CP305",
        "name": "unused-parameter",
        "severity": "warning",
        "file": IAM,
        "line": 17,
        "column": 3,
        "end_line": 17,
        "end_column": 53,
        "origin": None,
        "path": ["Parameters", "IamUserUnusedCredentialsParamMaxCredentialUsageAge"],
        "message": "parameter 'IamUserUnusedCredentialsParamMaxCredentialUsageAge' is never used",
        "fix": "use it: IamUserUnusedCredentialsCheck (line 55) lacks the required parameter 'maxCredentialUsageAge' "
        "(CP403); add maxCredentialUsageAge: !Ref IamUserUnusedCredentialsParamMaxCredentialUsageAge to its "
        "InputParameters",
        "edits": [],
        "applicability": None,
        "accounts": [],
    }
    keys = [(f["file"], f["line"], f["column"], f["rule"]) for f in result.findings]
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert result.findings[-1]["path"] == [
        "Resources", "AccessKeysRotatedRemediation", "Properties", "Parameters", "AutomationAssumeRole",
        "StaticValue", "Values", 0,
    ]  # fmt: skip


def test_json_output_is_byte_for_byte_stable() -> None:
    args = ["check", "--format", "json", "fixtures/packs", "fixtures/CP003", "fixtures/CP205"]
    outputs = {run_cli(args, cwd=REPO).stdout for _ in range(3)}
    assert len(outputs) == 1
    json.loads(outputs.pop())


def test_fail_level_decides_the_exit_code() -> None:
    warnings_only = ["check", "--select", "CP305", IAM]
    assert run_cli(warnings_only, cwd=REPO).exit_code == 0
    assert run_cli([*warnings_only, "--fail-level", "warning"], cwd=REPO).exit_code == 1
    assert run_cli([*warnings_only, "--fail-level", "info"], cwd=REPO).exit_code == 1


def _run_on_terminal(env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "preflight", "check", "--select", "CP208", IAM],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert "\033[1;31merror\033[0m" in _run_on_terminal(env)
    assert "\033[" not in _run_on_terminal({**env, "NO_COLOR": "1"})
    piped = subprocess.run(
        [sys.executable, "-m", "preflight", "check", "--select", "CP208", IAM], cwd=REPO, env=env, capture_output=True
    )
    assert b"\033[" not in piped.stdout
    forced = run_cli(["check", "--select", "CP208", "--color", "always", IAM], cwd=REPO)
    assert "\033[1;31merror\033[0m" in forced.stdout


def test_stdin_is_checked_under_the_given_name() -> None:
    data = Path(REPO / IAM).read_bytes()
    result = run_cli(
        ["check", "--format", "json", "--select", "CP208", "--stdin-filename", "iam.yaml", "-"], stdin=data
    )
    assert [(f["file"], f["line"]) for f in result.findings] == [("iam.yaml", 29)]


def test_a_finding_about_a_command_line_value_names_the_option_not_a_line() -> None:
    pack = "fixtures/CP302/good.yaml"
    args = ["check", pack, "--select", "CP302", "--param", "Extra=1", "--param", "MaxAccesKeyAge=4"]
    message = "input parameter '{}' is not declared in the template's Parameters"
    text = run_cli([*args, "--format", "text"], cwd=REPO)
    assert (text.exit_code, text.stdout) == (1, (
        f"{pack}: --param Extra=1: error CP302 undeclared-input-parameter: {message.format('Extra')}\n"
        "      = fix: remove it, or pass one the template declares: MaxAccessKeyAge\n"
        f"{pack}: --param MaxAccesKeyAge=4: error CP302 undeclared-input-parameter: "
        f"{message.format('MaxAccesKeyAge')}\n"
        "      = fix: did you mean 'MaxAccessKeyAge'?\n"
        "Found 2 errors in 1 file.\n"
    ))  # fmt: skip
    parseable = run_cli([*args, "--format", "parseable"], cwd=REPO)
    assert parseable.stdout == (
        f"{pack}: --param Extra=1: error: [CP302] {message.format('Extra')}\n"
        f"{pack}: --param MaxAccesKeyAge=4: error: [CP302] {message.format('MaxAccesKeyAge')}\n"
    )
    github = run_cli([*args, "--format", "github"], cwd=REPO)
    assert github.stdout.splitlines()[0] == (
        f"::error file={pack},title=CP302 undeclared-input-parameter::--param Extra=1: {message.format('Extra')} "
        "(fix: remove it, or pass one the template declares: MaxAccessKeyAge)"
    )
    sarif = json.loads(run_cli([*args, "--format", "sarif"], cwd=REPO).stdout)
    result = sarif["runs"][0]["results"][0]
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": pack, "uriBaseId": "%SRCROOT%"}}}]
    assert result["message"]["text"] == (
        f"--param Extra=1: {message.format('Extra')} (fix: remove it, or pass one the template declares: "
        "MaxAccessKeyAge)"
    )
    first = run_cli([*args, "--format", "json"], cwd=REPO).findings[0]
    assert first == {
        "rule": "CP302", "name": "undeclared-input-parameter", "severity": "error", "file": pack,
        "line": None, "column": None, "end_line": None, "end_column": None, "origin": "--param Extra=1",
        "path": ["ConformancePackInputParameters", 0, "ParameterName"], "message": message.format("Extra"),
        "fix": "remove it, or pass one the template declares: MaxAccessKeyAge", "edits": [], "applicability": None,
        "accounts": [],
    }  # fmt: skip


def test_lines_are_counted_as_the_parser_counts_them_after_a_line_separator(tmp_path: Path) -> None:
    """U+2028 in a string ends no line (str.splitlines would say it does): the excerpt shows the
    finding's own line, and a suppression comment covers its own line."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        'Description: "a\u2028b"\nResources:\n  Policy:\n    Type: AWS::Config::ConfigRule\n    Properties:\n'
        "      InputParameters: {RequireSymbols: 'TRUE'}\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
        "  Other:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {RequireNumbers: 'TRUE'}  # preflight: ignore[CP404]\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
    )
    result = run_cli(["check", "--select", "CP404", "pack.yaml"], cwd=tmp_path)
    assert result.stdout.splitlines()[:2] == [
        "pack.yaml:6:25: error CP404 managed-rule-parameter-type: RequireSymbols (boolean): 'TRUE' must be "
        "lower-case: AWS Config reads it as false",
        "    6 |       InputParameters: {RequireSymbols: 'TRUE'}",
    ]
    assert result.stdout.endswith("Found 1 error in 1 file.\n1 fixable with --fix.\n")
