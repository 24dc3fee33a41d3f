"""What `preflight split` refuses, with exit 2 and one line, before anything is written: input that
cannot be split, a rule larger than a part, an out folder that is not a split's or cannot be written,
a stack, a name too long, two rules of one name; what it prints from its input is terminal-safe, and
`check` points an oversized pack to split."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, run_cli
from tests.split_helpers import _rule, _small_pack, split

# ----- errors: exit 2 and one line


def _refused(result: Run, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"preflight: error: {message}\n")


def test_input_that_cannot_be_split(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    _refused(split(tmp_path / "list.yaml", "--out", tmp_path / "o"),
             f"{tmp_path / 'list.yaml'}:1:1: cannot split it: top level is a list, not a mapping: this is not a "
             "CloudFormation template")  # fmt: skip
    _refused(split(tmp_path / "missing.yaml", "--out", tmp_path / "o"), f"{tmp_path / 'missing.yaml'}: no such file")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00\x01")
    _refused(split(tmp_path / "binary.yaml", "--out", tmp_path / "o"),
             f"{tmp_path / 'binary.yaml'}:1:1: cannot split it: file is UTF-16 (byte order mark); AWS tools read "
             "templates as UTF-8 and fail on it or garble it")  # fmt: skip
    _refused(split(tmp_path, "--out", tmp_path / "o"), f"{tmp_path}: not a file")
    assert not (tmp_path / "o").exists()


def test_a_rule_larger_than_a_part(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("Small"), _rule("Large", "z" * 600)])
    _refused(split(pack, "--out", tmp_path / "o", "--max-bytes", "500"),
             f"{pack}: the rule large does not fit in a part: with what it needs it is 1 config rule and 806 bytes "
             "(a part holds at most 130 rules and 500 bytes)")  # fmt: skip


def test_an_out_folder_that_is_not_a_split_s(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("One")])
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    _refused(split(pack, "--out", tmp_path / "notes"),
             f"--out {tmp_path / 'notes'} holds files that no split wrote (todo.txt): give an empty folder")  # fmt: skip
    assert split(pack, "--out", tmp_path / "out", "--name", "other").exit_code == 0
    _refused(split(pack, "--out", tmp_path / "out"),
             f"--out {tmp_path / 'out'} holds the split of another pack (its spec.yaml names 'other-part-1', not "
             "'pack-part-1'...): give an empty folder, or --name")  # fmt: skip
    (tmp_path / "out" / "extra.yaml").write_text("x: 1\n")
    _refused(split(pack, "--out", tmp_path / "out", "--name", "other"),
             f"--out {tmp_path / 'out'} holds files that no split wrote (extra.yaml): give an empty folder")  # fmt: skip
    _refused(split(pack, "--out", pack), f"--out {pack}: not a folder")


def test_an_out_folder_that_cannot_be_written(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("One")])
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "out"
    _refused(split(pack, "--out", out), f"--out {out}: cannot write {out}: Not a directory")


def test_what_split_prints_from_its_input_is_terminal_safe(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "evil\x1b[31m.yaml", [_rule("One")])
    (tmp_path / "evil\x1b[31m.yaml").write_text("Resources: 1\n")
    result = split(pack, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "evil\\e[31m.yaml" in result.stderr


def test_check_points_an_oversized_pack_to_split(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule(f"Rule{index}", "d" * 400) for index in range(131)])
    fixes = {str(f["rule"]): str(f["fix"]) for f in run_cli(["check", "--format", "json", str(pack)]).findings}
    assert "preflight split" in fixes["CP204"] and "preflight split" in fixes["CP101"]


def test_a_stack_and_a_name_too_long_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text("Resources:\n" + _rule("Rule0") + "  Topic:\n    Type: AWS::SNS::Topic\n")
    _refused(
        split(stack, "--out", tmp_path / "out"),
        f"{stack}: cannot split it: a CloudFormation stack: it holds AWS::SNS::Topic, which a conformance pack cannot",
    )
    pack = _small_pack(tmp_path / "pack.yaml", [_rule(f"Rule{index}") for index in range(2)])
    name = "n" * 124
    result = split(pack, "--out", tmp_path / "out", "--max-rules", "1", "--name", name)
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert "would be 131 characters, over the 128 an organization pack may have: give a --name of at most 121" in (
        result.stderr
    )


def test_two_rules_of_one_name_are_refused_and_a_removed_rule_is_named(tmp_path: Path) -> None:
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text("Resources:\n" + _rule("One") + _rule("Two") + _rule("Three").replace("three", "one"))
    _refused(split(pack, "--out", out, "--max-rules", "2"),
             f"{pack}: cannot split it: One and Three are both the config rule 'one', which AWS refuses (CP205); "
             "rename one")  # fmt: skip
    assert not out.exists()
    pack.write_text("Resources:\n" + _rule("One") + _rule("Two") + _rule("Three"))
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    pack.write_text("Resources:\n" + _rule("One") + _rule("Three"))
    again = split(pack, "--out", out, "--max-rules", "2")
    assert again.exit_code == 0
    assert (
        "removed: two (part 1) is no longer in the pack; the next deploy deletes it in AWS" in again.stdout.splitlines()
    )
