"""Bad input never produces a traceback: a finding with a position, or exit 2 with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE: dict[str, bytes] = {
    "empty.yaml": b"",
    "binary.yaml": bytes(range(256)) * 4,
    "utf16.yaml": "Resources: {}\n".encode("utf-16"),
    "latin1.yaml": b"Resources:\n  R: caf\xe9\n",
    "tabs.yaml": b"Resources:\n\tR: 1\n",
    "unclosed.json": b'{"Resources": {',
    "deep.yaml": b"[" * 200_000,
    "deep_block.yaml": b"".join(b" " * i + b"k:\n" for i in range(3000)),
    "laughs.yaml": b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
    + b"".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 10)}]\n".encode() for i in range(20)),
    "huge_int.yaml": b"Resources:\n  R:\n    Type: " + b"9" * 100_000 + b"\n",
    "merge.yaml": b"base: &b {Type: AWS::Config::ConfigRule}\nResources:\n  R:\n    <<: *b\n",
    "null_keys.yaml": b"Resources:\n  ~: 1\n  1: 2\n  [a]: 3\n",
    "scalar.yaml": b"just a string\n",
    "resources_scalar.yaml": b"Resources: 5\n",
    "resources_null_props.yaml": b"Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n",
    "wrong_shapes.yaml": (
        b"Parameters: [a]\nConditions: 5\nResources:\n  R:\n    Type: [1]\n    Condition: [x]\n"
        b"    Properties: !If [a]\n  S:\n    Type: AWS::Config::RemediationConfiguration\n"
        b"    Properties: {Parameters: {AutomationAssumeRole: [1]}, ConfigRuleName: !Ref}\n"
    ),
    "tags_on_wrong_nodes.yaml": b"Resources: !Ref {a: b}\nx: !GetAtt [a]\ny: !Sub {}\nz: !If x\n",
    "cyclic_conditions.yaml": (
        b"Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  R:\n    Type: AWS::Config::ConfigRule\n"
        b"    Condition: A\n    Properties: {ConfigRuleName: !If [A, x, y], Source: {Owner: AWS}}\n"
    ),
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, cwd=cwd, timeout=60, check=False
    )


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_template_becomes_findings(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(HOSTILE[name])
    result = _run(["check", "--format", "json", name], tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    assert "CP999" not in result.stdout


def test_unusable_inputs_exit_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text("Resources: {}\n")
    (tmp_path / "params.json").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "request.yaml").write_text("- not a mapping\n")
    (tmp_path / "broken.toml").write_bytes(b"\x00\x01")
    for args in (
        ["check", "--params-file", "params.json", "pack.yaml"],
        ["check", "--request", "request.yaml"],
        ["check", "--config", "broken.toml", "pack.yaml"],
        ["check", "--format", "xml", "pack.yaml"],
        ["check", "missing.yaml"],
    ):
        result = _run(args, tmp_path)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("preflight: error: ")
