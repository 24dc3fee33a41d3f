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
        "      = fix: remove it",
        f"{IAM}:29:13: error CP208 undefined-condition: condition 'accessKeysRotatedParamMaxAccesKeyAge' is not "
        "defined in Conditions",
        "   29 |           - accessKeysRotatedParamMaxAccesKeyAge",
        "      |             ^" + "~" * 35,
        "      = fix: did you mean 'accessKeysRotatedParamMaxAccessKeyAge'?",
        "Found 1 error, 1 warning in 1 file.",
    ]
    assert "\033[" not in result.stdout


def test_clean_pack_says_so_and_exits_0() -> None:
    result = run_cli(["check", CLEAN], cwd=REPO)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\n")


def test_json_contract() -> None:
    result = run_cli(["check", "--format", "json", IAM, CLEAN], cwd=REPO)
    document = result.json
    assert list(document) == ["version", "tool", "summary", "findings"]
    assert document["version"] == 1
    assert document["tool"] == {"name": "preflight", "version": "0.1.0"}
    assert document["summary"] == {"files": 2, "error": 3, "warning": 2, "info": 0}
    first = result.findings[0]
    assert list(first) == [
        "rule", "name", "severity", "file", "line", "column", "end_line", "end_column", "path", "message", "fix",
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
        "path": ["Parameters", "IamUserUnusedCredentialsParamMaxCredentialUsageAge"],
        "message": "parameter 'IamUserUnusedCredentialsParamMaxCredentialUsageAge' is never used",
        "fix": "remove it",
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
