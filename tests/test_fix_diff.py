"""`check --diff`: the unified diff of what --fix would write, which `patch` applies, or a warning that
says why it cannot; standard input, control characters and direction overrides, a name with a space,
names patch refuses; --diff takes no other format, and --exit-zero applies."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.fix_helpers import FIX_RULES, UNUSED, YAML_PACK


def test_fix_refuses_standard_input_but_diff_shows_it(tmp_path: Path) -> None:
    refused = run_cli(["check", *FIX_RULES, "--fix", "-"], stdin=YAML_PACK, cwd=tmp_path)
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == "preflight: error: --fix writes files and cannot write standard input: use --diff\n"
    shown = run_cli(
        ["check", *FIX_RULES, "--diff", "-", "--stdin-filename", "pack.yaml"], stdin=YAML_PACK, cwd=tmp_path
    )
    assert shown.exit_code == 1
    assert shown.stdout.startswith("--- pack.yaml\n+++ pack.yaml\n@@ -3,19 +3,13 @@\n")
    assert shown.stderr == "Would fix 6 findings in 1 file.\n"


def test_a_diff_escapes_what_acts_on_a_terminal_or_a_ci_log_and_says_patch_cannot_apply_it(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_bytes(YAML_PACK.replace("\n", "\r").encode())  # lines ended by a lone CR: one line to patch
    result = run_cli(["check", *FIX_RULES, "--diff", "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 1 and "\r" not in result.stdout
    assert result.stdout.startswith(
        "--- pack.yaml\n+++ pack.yaml\n@@ -1 +1 @@\n-# Password policy pack: kept by the "
        "platform team.\\rParameters:\\r"
    )
    assert result.stdout.endswith("\n\\ No newline at end of file\n")
    assert result.stderr == (
        "Would fix 6 findings in 1 file.\n"
        "preflight: warning: pack.yaml: the diff escapes control characters the file holds, so patch cannot apply "
        "the diff; use --fix\n"
    )


def test_a_diff_into_a_pipe_keeps_direction_overrides_so_patch_applies_it_and_a_terminal_sees_them_escaped(
    tmp_path: Path,
) -> None:
    from preflight.fix.files import _diff

    text = YAML_PACK.replace("# the FedRAMP way", "# the \u202egnp.exe way")  # a right-to-left override
    pack = tmp_path / "pack.yaml"
    pack.write_text(text)
    result = run_cli(["check", *FIX_RULES, "--diff", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (1, "Would fix 6 findings in 1 file.\n")
    assert "+        RequireSymbols: 'true'   # the \u202egnp.exe way\n" in result.stdout
    patched = tmp_path / "patched"
    patched.mkdir()
    (patched / "pack.yaml").write_text(text)
    applied = subprocess.run(["patch", "-p0", "-s"], input=result.stdout, text=True, cwd=patched, check=False)
    assert applied.returncode == 0
    assert (patched / "pack.yaml").read_text() == run_fixed(tmp_path, text)
    shown, escaped = _diff("pack.yaml", text, text.replace("# the", "# one"), terminal=True)
    assert escaped and "\u202e" not in shown and "# one \\u202egnp.exe way" in shown


def run_fixed(folder: Path, text: str) -> str:
    """`text` as --fix leaves it."""
    fixing = folder / "fixing"
    fixing.mkdir()
    (fixing / "pack.yaml").write_text(text)
    run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=fixing)
    return (fixing / "pack.yaml").read_text()


def test_a_diff_of_a_name_patch_refuses_says_so(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(YAML_PACK)
    result = run_cli(["check", *FIX_RULES, "--diff", "sub/../a.yaml"], cwd=tmp_path)
    assert result.exit_code == 1 and result.stdout.startswith("--- sub/../a.yaml\n")
    assert result.stderr.endswith(
        "preflight: warning: sub/../a.yaml: patch -p0 refuses such a name (blanks around it, a `..` part, or "
        "absolute), so patch cannot apply the diff; use --fix\n"
    )


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch")
def test_a_diff_applies_with_patch_even_for_a_name_with_a_space(tmp_path: Path) -> None:
    """A name with a space ends with a tab, as diff writes it; a line separator (U+2028) inside a
    line does not end it."""
    text = UNUSED.replace("    Properties:\n", "    Properties:\n      Description: 'keys\u2028rotated'\n")
    (tmp_path / "my pack.yaml").write_text(text)
    diff = run_cli(["check", *FIX_RULES, "--diff", "my pack.yaml"], cwd=tmp_path)
    assert diff.exit_code == 1 and diff.stdout.startswith("--- my pack.yaml\t\n+++ my pack.yaml\t\n")
    patched = subprocess.run(
        ["patch", "-p0"], input=diff.stdout, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert (tmp_path / "my pack.yaml").read_text() == text.replace("  Unused: {Type: String, Default: x}\n", "")


def test_diff_takes_no_other_format_and_exit_zero_applies(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(UNUSED)
    as_json = run_cli(["check", *FIX_RULES, "--diff", "--format", "json", "pack.yaml"], cwd=tmp_path)
    assert (as_json.exit_code, as_json.stdout, as_json.stderr) == (
        2, "", "preflight: error: --diff prints a unified diff, not json: leave out --format\n",
    )  # fmt: skip
    zero = run_cli(["check", *FIX_RULES, "--diff", "--exit-zero", "pack.yaml"], cwd=tmp_path)
    assert zero.exit_code == 0 and zero.stdout.startswith("--- pack.yaml\n")
