"""`--fix` writes a file, and `--output` a report, exactly as it says, or not at all and says so: the
exit status and the lines printed. Hostile cases a careful user tried: a file changed while it was
fixed, a file someone else owns, set-id bits, a file that cannot be read again or decoded, a full disk,
a report into a pipe or a device or over another user's file; a symbolic link, a read-only file, a
hard-linked file that cannot be written whole."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

import preflight.fix.files
from tests.conftest import nobody_cannot_run_preflight, run_cli
from tests.fix_helpers import FIX_RULES, POLICY_PACK, UNUSED


def test_a_file_changed_while_it_is_fixed_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program (an editor saving) writes the file after --fix read it: the fixed text is not
    written over that change; exit 2, and a line that says why."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(UNUSED)
    theirs = UNUSED.replace("'90'", "'45'")
    real = preflight.fix.files.fix_text

    def meanwhile(*args: object, **kwargs: object) -> object:
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        pack.write_text(theirs)  # the editor saves between the read and the rename
        return outcome

    monkeypatch.setattr(preflight.fix.files, "fix_text", meanwhile)
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        2, "preflight: error: pack.yaml: cannot write the fixed file: it changed while it was being fixed; run --fix again\n",
    )  # fmt: skip
    assert pack.read_text() == theirs
    assert [path.name for path in tmp_path.iterdir()] == ["pack.yaml"]  # no temporary file left


SETPRIV = shutil.which("setpriv")


def test_a_file_someone_else_owns_keeps_its_owner_or_is_not_written(request: pytest.FixtureRequest) -> None:
    """In a folder the user owns, a file of another user (writable by all) could be replaced by a
    rename, and would then be the user's: it is left as it is, exit 2. Root keeps the owner."""
    if reason := nobody_cannot_run_preflight():
        pytest.skip(f"{reason}: it makes files of two other users")
    folder = Path(tempfile.mkdtemp(prefix="preflight-owner-"))  # pytest's folders are private to root
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    os.chown(folder, 65534, 65534)  # the user's (nobody's) folder
    folder.chmod(0o755)
    pack = folder / "pack.yaml"
    pack.write_text(UNUSED)
    os.chown(pack, 1, 1)  # someone else's file
    pack.chmod(0o666)
    environment = {**os.environ, "PREFLIGHT_CACHE_DIR": str(folder / "cache")}
    environment.pop("PREFLIGHT_DEBUG", None)
    result = subprocess.run(
        [SETPRIV or "", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "preflight",
         "check", "--fix", "pack.yaml"],
        cwd=folder, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        2,
        "preflight: error: pack.yaml: cannot write the fixed file: it belongs to user 1, and a file written in its "
        "place would not\n",
    )
    assert pack.read_text() == UNUSED and (pack.stat().st_uid, pack.stat().st_gid) == (1, 1)
    assert sorted(path.name for path in folder.iterdir()) == ["cache", "pack.yaml"]
    as_root = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=folder)
    assert as_root.exit_code == 0
    assert (pack.stat().st_uid, pack.stat().st_gid, stat.S_IMODE(pack.stat().st_mode)) == (1, 1, 0o666)


def test_set_id_bits_are_kept(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(UNUSED)
    pack.chmod(0o6755)
    assert run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path).exit_code == 0
    assert stat.S_IMODE(pack.stat().st_mode) == 0o6755 and "Unused" not in pack.read_text()


def test_a_report_that_cannot_be_written_whole_leaves_the_old_one(tmp_path: Path) -> None:
    """--output on a full disk (here a file-size limit): the report of the last run stays whole."""
    resource = pytest.importorskip("resource")
    (tmp_path / "pack.yaml").write_text(UNUSED)
    report = tmp_path / "report.sarif"
    report.write_text("the last run's report\n")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    result = subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "check", *FIX_RULES, "--no-cache", "--format", "sarif", "--output",
         "report.sarif", "pack.yaml"],
        cwd=tmp_path, capture_output=True, text=True, preexec_fn=limited, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        2,
        "preflight: error: report.sarif: cannot write the report: File too large\n",
    )
    assert report.read_text() == "the last run's report\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pack.yaml", "report.sarif"]


def test_a_file_fix_cannot_read_again_or_decode_is_an_error_not_silence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"# caf\xe9\n" + UNUSED.encode())
    result = run_cli(["check", *FIX_RULES, "--fix", "latin.yaml"], cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "preflight: error: latin.yaml: cannot write the fixed file: it is not UTF-8, so it is not rewritten\n"
    )
    shown = run_cli(["check", *FIX_RULES, "--diff", "latin.yaml"], cwd=tmp_path)
    assert (shown.exit_code, shown.stdout) == (2, "")
    assert shown.stderr.endswith(
        "preflight: error: latin.yaml: cannot fix it: it is not UTF-8, so it is not rewritten\n"
    )
    pack = tmp_path / "pack.yaml"
    pack.write_text(UNUSED)
    real = preflight.fix.files.fix

    def replaced_by_a_folder(*args: Any, **kwargs: Any) -> Any:
        pack.unlink()
        pack.mkdir()
        return real(*args, **kwargs)

    monkeypatch.setattr(preflight.fix.files, "fix", replaced_by_a_folder)
    raced = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert raced.exit_code == 2
    assert "preflight: error: pack.yaml: cannot write the fixed file: it could not be read again: Is a directory\n" in (
        raced.stderr
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_report_to_a_pipe_or_a_device_is_written_to_it_not_put_in_its_place(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(UNUSED)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = run_cli(["check", *FIX_RULES, "--output", "fifo", "pack.yaml"], cwd=tmp_path)
    reader.join(timeout=30)
    assert result.exit_code == 0 and stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got == [b"pack.yaml:3:3: warning CP305 unused-parameter: parameter 'Unused' is never used\n" + got[0][80:]]
    null = tmp_path / "null"
    if os.geteuid() == 0:  # a character device like /dev/null: only root makes one
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        assert run_cli(["check", *FIX_RULES, "--output", "null", "pack.yaml"], cwd=tmp_path).exit_code == 0
        assert stat.S_ISCHR(null.lstat().st_mode)
    piped = subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "check", *FIX_RULES, "--format", "json", "--output", "/dev/stdout",
         "pack.yaml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    document, end = json.JSONDecoder().raw_decode(piped.stdout)  # the summary line follows it, as with any --output
    assert piped.returncode == 0 and document["summary"]["warning"] == 1
    assert piped.stdout[end:] == "\nFound 1 warning in 1 file. Report written to /dev/stdout.\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_a_report_written_over_another_user_s_keeps_its_owner_and_mode(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(UNUSED)
    report = tmp_path / "report.txt"
    report.write_text("the last run's report\n")
    os.chown(report, 65534, 65534)
    report.chmod(0o640)
    result = run_cli(["check", "--select", "CP305", "--output", "report.txt", "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout == "Found 1 warning in 1 file. Report written to report.txt.\n"
    written = report.stat()
    assert (written.st_uid, written.st_gid, stat.S_IMODE(written.st_mode)) == (65534, 65534, 0o640)
    assert report.read_text().startswith("pack.yaml:3:3: warning CP305 unused-parameter:")


POLICY_FIXED = POLICY_PACK.replace("TRUE", '"true"')


def test_a_symbolic_link_stays_a_link_and_its_target_is_fixed(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text(POLICY_PACK)
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    result = run_cli(["check", *FIX_RULES, "--fix", "link.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    assert (tmp_path / "link.yaml").is_symlink() and (tmp_path / "real.yaml").read_text() == POLICY_FIXED


def test_a_file_nobody_may_write_is_not_rewritten_and_the_exit_status_is_2(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(POLICY_PACK)
    pack.chmod(0o444)
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout.endswith("Found 1 warning in 1 file.\n1 fixable with --fix.\n")
    assert result.stderr == (
        "preflight: error: pack.yaml: cannot write the fixed file: nobody may write it (its mode is read-only)\n"
    )
    assert pack.read_text() == POLICY_PACK


def test_a_hard_linked_file_that_cannot_be_written_whole_is_left_as_it_was(tmp_path: Path) -> None:
    """Under a file-size limit the fixed text fits nowhere; the file and its other name keep every byte."""
    resource = pytest.importorskip("resource")
    pack = tmp_path / "pack.yaml"
    text = "# " + "x" * 3000 + "\n" + POLICY_PACK.replace("TRUE", "True")  # the fix makes it 2 bytes longer
    pack.write_text(text)
    (tmp_path / "other.yaml").hardlink_to(pack)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(text.encode()), len(text.encode())))

    result = subprocess.run(
        [str(Path(sys.executable).with_name("preflight")), "check", *FIX_RULES, "--no-cache", "--fix", "pack.yaml"],
        cwd=tmp_path, capture_output=True, text=True, preexec_fn=limited, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        2,
        "preflight: error: pack.yaml: cannot write the fixed file: File too large\n",
    )
    assert pack.read_text() == text and (tmp_path / "other.yaml").read_text() == text


def test_a_report_is_not_written_over_a_read_only_file_and_reaches_every_hard_link(tmp_path: Path) -> None:
    """As --fix: a file nobody may write (mode 444) is refused, even by root, and left as it was; a
    file with another hard link is rewritten where it is, so both names hold the new report."""
    (tmp_path / "pack.yaml").write_text(UNUSED)
    read_only = tmp_path / "read-only.txt"
    read_only.write_text("kept\n")
    read_only.chmod(0o444)
    refused = run_cli(["check", "--select", "CP305", "--output", "read-only.txt", "pack.yaml"], cwd=tmp_path)
    assert (refused.exit_code, refused.stderr) == (
        2,
        "preflight: error: read-only.txt: cannot write the report: nobody may write it (its mode is read-only)\n",
    )
    assert read_only.read_text() == "kept\n"
    linked = tmp_path / "report.txt"
    linked.write_text("the last run's report\n")
    os.link(linked, tmp_path / "also.txt")
    written = run_cli(["check", "--select", "CP305", "--output", "report.txt", "pack.yaml"], cwd=tmp_path)
    assert written.exit_code == 0
    assert (tmp_path / "also.txt").read_text() == linked.read_text()
    assert linked.read_text().startswith("pack.yaml:3:3: warning CP305 unused-parameter:")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["also.txt", "pack.yaml", "read-only.txt", "report.txt"]
