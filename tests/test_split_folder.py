"""The split's writes touch only the split's own files: a write or a move that fails leaves the earlier
split whole, the out folder's hidden files (the working directory's too) are kept, and an out that is
a link writes into the folder it names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.split_helpers import LIMIT_BYTES, _rule, _small_pack, places, split


def test_a_failed_write_leaves_the_earlier_split_whole(tmp_path: Path) -> None:
    """A size limit stops the write of the second part: the first split's files are as they were, the
    hidden files of the folder too, and nothing is left half written."""
    resource = pytest.importorskip("resource")
    rules = [_rule(f"Rule{index}") for index in range(4)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    (out / ".keep").write_text("mine\n")
    earlier = {path.name: path.read_bytes() for path in out.iterdir()}
    _small_pack(pack, [_rule(f"Rule{index}", "z" * 3000) for index in range(4)])

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (3_500, 3_500))

    failed = subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "split", str(pack), "--out", str(out), "--max-rules",
         "2", "--allow-moves"],
        capture_output=True, text=True, preexec_fn=limited, check=False,
    )  # fmt: skip
    assert failed.returncode == 2 and "cannot write" in failed.stderr and "File too large" in failed.stderr
    assert {path.name: path.read_bytes() for path in out.iterdir()} == earlier
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "pack.yaml"]
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0  # without the limit
    assert (out / ".keep").read_text() == "mine\n" and len(places(out)) == 4


# ----- the split's writes touch only the split's own files (tests of a review's attacks)


def _hidden(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob(".*/**/*") if path.is_file()
    }


def test_splitting_again_into_the_working_directory_keeps_its_hidden_files(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One"), _rule("Two")]), tmp_path / "parts"
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    subprocess.run(["git", "init", "-q"], cwd=out, check=True)
    (out / ".notes").write_text("mine\n")
    _small_pack(pack, [_rule("One"), _rule("Two"), _rule("Three")])
    again = run_cli(["split", str(pack), "--out", ".", "--max-rules", "1"], cwd=out)
    assert (again.exit_code, again.stderr) == (0, "")
    assert (out / ".git" / "HEAD").is_file() and (out / ".notes").read_text() == "mine\n"
    assert sorted(path.name for path in out.iterdir() if not path.name.startswith(".")) == [
        "pack-part-1.yaml", "pack-part-2.yaml", "pack-part-3.yaml", "spec.yaml",
    ]  # fmt: skip
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pack.yaml", "parts"]  # nothing left beside it
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == [".git", ".notes"]


def test_a_hidden_folder_that_could_not_be_moved_is_not_moved_at_all(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One")]), tmp_path / "out"
    assert split(pack, "--out", out).exit_code == 0
    (out / ".aaa").write_text("precious\n")
    (out / ".ro").mkdir()
    (out / ".ro" / "f").write_text("x\n")
    (out / ".ro").chmod(0o555)
    try:
        before = _hidden(out) | {".aaa": b"precious\n"}
        _small_pack(pack, [_rule("One"), _rule("Two")])
        assert split(pack, "--out", out).exit_code == 0
        assert _hidden(out) | {".aaa": (out / ".aaa").read_bytes()} == before
    finally:
        (out / ".ro").chmod(0o755)


def test_an_out_that_is_a_link_writes_into_the_folder_it_names(tmp_path: Path) -> None:
    pack = _small_pack(tmp_path / "pack.yaml", [_rule("One")])
    real = tmp_path / "real"
    real.mkdir()
    (real / ".gitkeep").write_text("keep\n")
    (tmp_path / "out").symlink_to(real)
    assert split(pack, "--out", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out").is_symlink()
    assert sorted(path.name for path in real.iterdir()) == [".gitkeep", "pack-part-1.yaml", "spec.yaml"]
    _small_pack(pack, [_rule("One"), _rule("Two")])
    assert split(pack, "--out", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out").is_symlink() and (real / ".gitkeep").read_text() == "keep\n"
    assert len(places(real)) == 2


def test_a_failure_while_the_new_files_move_in_puts_the_old_ones_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from preflight.cli.split import SplitOptions, split_pack
    from preflight.split import folder as split_folder

    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One"), _rule("Two")]), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    (out / ".keep").write_text("mine\n")
    earlier = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    _small_pack(pack, [_rule("One"), _rule("Two"), _rule("Three")])
    real_rename = split_folder.os.rename

    def failing(source: Any, destination: Any) -> None:
        if Path(destination).name == "pack-part-3.yaml" and Path(destination).parent == out:
            raise OSError(28, "No space left on device", str(destination))
        real_rename(source, destination)

    monkeypatch.setattr(split_folder.os, "rename", failing)
    with pytest.raises(SystemExit) as stopped:
        split_pack(SplitOptions(pack, out, 1, LIMIT_BYTES, None, False))
    assert stopped.value.code == 2
    assert {path.name: path.read_bytes() for path in out.iterdir()} == earlier  # no staging or aside folder left
