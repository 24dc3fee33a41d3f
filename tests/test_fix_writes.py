"""`--fix` writes a file exactly as it says, or not at all and says so: the bytes of each file
compared whole, the exit status, the lines printed. Hostile cases a careful user tried: a block
scalar whose last line starts with `#`, lone carriage returns, a file changed while it was fixed,
a file someone else owns, set-id bits, a fix that another rule calls an error."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import preflight.fix.files
from preflight.fix.rounds import apply_edits, values_kept
from preflight.load.parsing import load_template_file
from preflight.model.findings import Edit, Finding, Severity, Span
from tests.conftest import nobody_cannot_run_preflight, run_cli

# These tests are about fixes: the rules that make them, and those whose findings a fixed pack must
# still show or no longer show. Another rule's findings on these packs are not theirs to pin.
FIX_RULES = (
    "--select",
    "CP002,CP003,CP004,CP007,CP208,CP209,CP212,CP302,CP304,CP305,CP401,CP402,CP403,CP404,CP406,CP407,CP410",
)

RULE = """\
Resources:
  Keys:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters:
        maxAccessKeyAge: !Ref Age
      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
"""


def test_a_block_scalar_ending_in_a_hash_line_goes_with_its_parameter(tmp_path: Path) -> None:
    """The `# not a comment` line is the last line of Unused's Description, not a comment before Age:
    left behind it would become part of Age's `Default: |` block, and the rule's input would change."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "Parameters:\n"
        "  Age:\n    Type: String\n    Default: |-\n      90\n"
        "  Unused:\n    Type: String\n    Description: |\n      Older keys.\n      # not a comment\n"
        "  # Rules below.\n" + RULE.replace("Resources:\n", "Resources:\n", 1)
    )
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    assert pack.read_text() == (
        "Parameters:\n  Age:\n    Type: String\n    Default: |-\n      90\n  # Rules below.\n" + RULE
    )


@pytest.mark.parametrize("newline", ["\r", "\r\r\n", "\r\n"])
def test_lines_end_where_the_parser_says_they_do(tmp_path: Path, newline: str) -> None:
    """A lone CR ends a line for the parser, so it does for the fixer: the right lines go."""
    pack = tmp_path / "pack.yaml"
    lines = [
        "Parameters:", "  Age: {Type: String, Default: '90'}", "  Unused: {Type: String, Default: x}",
        "Resources:", "  Keys:", "    Type: AWS::Config::ConfigRule", "    Properties:",
        "      ConfigRuleName: keys", "      Description: rotated keys", "      InputParameters:",
        "        maxAccessKeyAge: !Ref Age", "      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}", "",
    ]  # fmt: skip
    pack.write_bytes(newline.join(lines).encode())
    before = run_cli(["check", *FIX_RULES, "pack.yaml"], cwd=tmp_path)
    assert before.stdout.endswith("Found 1 warning in 1 file.\n1 fixable with --fix.\n")
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    # With CR CR LF every line is followed by an empty one (the parser's count): that one stays.
    gone = lines[2] + newline[0] if newline == "\r\r\n" else lines[2] + newline
    assert pack.read_bytes() == newline.join(lines).replace(gone, "", 1).encode()


def test_a_crlf_json_file_keeps_its_line_breaks(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    lines = [
        "{", '  "Parameters": {', '    "Age": {"Type": "String", "Default": "90"},',
        '    "Unused": {"Type": "String", "Default": "x"}', "  },", '  "Resources": {', '    "Keys": {',
        '      "Type": "AWS::Config::ConfigRule",', '      "Properties": {',
        '        "InputParameters": {"maxAccessKeyAge": {"Ref": "Age"}},',
        '        "Source": {"Owner": "AWS", "SourceIdentifier": "ACCESS_KEYS_ROTATED"}', "      }", "    }", "  }",
        "}", "",
    ]  # fmt: skip
    pack.write_bytes("\r\n".join(lines).encode())
    assert run_cli(["check", *FIX_RULES, "--fix", "pack.json"], cwd=tmp_path).exit_code == 0
    assert pack.read_bytes() == "\r\n".join([*lines[:2], lines[2].rstrip(","), *lines[4:]]).encode()


UNUSED = "Parameters:\n  Age: {Type: String, Default: '90'}\n  Unused: {Type: String, Default: x}\n" + RULE


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


ALLOWED = """\
Parameters:
  RequireSymbols:
    Type: String
    Default: 'TRUE'
    AllowedValues: ['TRUE', 'FALSE']
Resources:
  Policy:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters: {RequireSymbols: !Ref RequireSymbols}
      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}
"""


@pytest.mark.parametrize("selection", [list(FIX_RULES), ["--select", "CP404"]])
def test_a_fix_another_rule_calls_an_error_is_not_made_whatever_is_selected(
    tmp_path: Path, selection: list[str]
) -> None:
    """'TRUE' -> 'true' breaks AllowedValues (CP304): --fix judges each round by every rule, so with
    --select CP404 too it leaves the file alone, and the summary no longer offers the fix."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(ALLOWED)
    before = run_cli(["check", *selection, "pack.yaml"], cwd=tmp_path)
    assert before.stdout.endswith("Found 1 error in 1 file.\n1 fixable with --fix.\n")
    result = run_cli(["check", "--fix", *selection, "pack.yaml"], cwd=tmp_path)
    assert result.exit_code == 1 and pack.read_text() == ALLOWED
    assert result.stdout.endswith("Found 1 error in 1 file.\n")  # no "fixable", no "Fixed"


def test_chained_unused_conditions_go_in_one_run(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    conditions = "".join(f"  C{index}: !Not [{{Condition: C{index + 1}}}]\n" for index in range(15))
    pack.write_text("Conditions:\n" + conditions + "  C15: !Equals [a, b]\n" + RULE.replace("!Ref Age", "'90'"))
    report = run_cli(["check", *FIX_RULES, "--format", "json", "pack.yaml"], cwd=tmp_path)
    assert [f["message"] for f in report.findings][:2] == [
        "condition 'C0' is never used", "condition 'C1' is used only by unused conditions ('C0')",
    ]  # fmt: skip
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 16 findings in 1 file.\n")
    assert pack.read_text() == RULE.replace("!Ref Age", "'90'")


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


RULE_AND_REMEDIATION_JSON = """\
{"Resources": {
  "BucketVersioning": {
    "Type": "AWS::Config::ConfigRule",
    "Properties": {"ConfigRuleName": "v", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}
  },
  "Remediation": {
    "Properties": {"ConfigRuleName": "v", "TargetId": "AWS-ConfigureS3BucketVersioning", "TargetType": "SSM_DOCUMENT"},
    "Type": "AWS::Config::RemediationConfiguration"
  },
  "Remediation2": {
    "Type": "AWS::Config::RemediationConfiguration",
    "Properties": {"ConfigRuleName": "v", "TargetId": "AWS-ConfigureS3BucketVersioning", "TargetType": "SSM_DOCUMENT"}
  }
}}
"""
FLOW_YAML = """\
Resources:
  BucketVersioning:
    Type: AWS::Config::ConfigRule
    Properties: {ConfigRuleName: v, Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}}
  Remediation: {
    Properties: {ConfigRuleName: v, TargetId: AWS-ConfigureS3BucketVersioning, TargetType: SSM_DOCUMENT},
    Type: AWS::Config::RemediationConfiguration
  }
  Remediation2: {Type: AWS::Config::RemediationConfiguration, Properties: {ConfigRuleName: v}}
"""


@pytest.mark.parametrize(
    ("name", "text", "fixed"),
    [
        ("pack.json", RULE_AND_REMEDIATION_JSON, RULE_AND_REMEDIATION_JSON.replace(
            '    "Type": "AWS::Config::RemediationConfiguration"\n  },',
            '    "Type": "AWS::Config::RemediationConfiguration",\n    "DependsOn": "BucketVersioning"\n  },',
        ).replace(
            '    "Type": "AWS::Config::RemediationConfiguration",\n    "Properties"',
            '    "Type": "AWS::Config::RemediationConfiguration",\n    "DependsOn": "BucketVersioning",\n    "Properties"',
        )),
        ("pack.yaml", FLOW_YAML, FLOW_YAML.replace(
            "    Type: AWS::Config::RemediationConfiguration\n  }",
            '    Type: AWS::Config::RemediationConfiguration,\n    DependsOn: "BucketVersioning"\n  }',
        )),
    ],
)  # fmt: skip
def test_depends_on_is_added_in_json_and_flow_mappings_as_they_are_written(
    tmp_path: Path, name: str, text: str, fixed: str
) -> None:
    """After a last entry (no comma) the new one gets one; a flow mapping on one line is left alone."""
    pack = tmp_path / name
    pack.write_text(text)
    result = run_cli(["check", "--fix", "--select", "CP212", name], cwd=tmp_path)
    assert pack.read_text() == fixed
    leftover = 1 if name == "pack.yaml" else 0  # Remediation2's one-line flow mapping has no edit
    assert result.exit_code == leftover
    assert run_cli(["check", "--select", "CP002,CP003,CP004", name], cwd=tmp_path).exit_code == 0  # still parses


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


# ----- a review's attacks on issue 21's writes


def test_a_json_file_with_lone_carriage_returns_loses_only_the_unused_parameter(tmp_path: Path) -> None:
    """JSON is read with lines counted at CR as well, as the editor counts them: the unused parameter
    goes, and not a line of the used one's AllowedValues."""
    pack = tmp_path / "pack.json"
    document = {
        "Parameters": {
            "Flag": {"Type": "String", "Default": "false", "AllowedValues": ["true", "false"]},
            "Unused": {"Type": "String"},
        },
        "Resources": {"Versioning": {"Type": "AWS::Config::ConfigRule", "Properties": {
            "InputParameters": {"isMfaDeleteEnabled": {"Ref": "Flag"}},
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}},
    }  # fmt: skip
    pack.write_bytes(json.dumps(document, indent=2).replace("\n", "\r\r\n").encode())
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.json"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    del document["Parameters"]["Unused"]  # type: ignore[attr-defined]
    assert json.loads(pack.read_bytes()) == document


def test_removing_an_entry_after_a_block_that_keeps_its_blank_lines_keeps_that_block_s_value(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "Parameters:\n  Prefix:\n    Type: String\n    Default: |+\n      logs/\n\n"
        "  Unused:\n    Type: String\n    Default: x\n\n"
        "Resources:\n  Logging:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters:\n        targetPrefix: !Ref Prefix\n"
        "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_LOGGING_ENABLED}\n"
    )
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 finding in 1 file.\n")
    loaded = load_template_file(pack, "pack.yaml")
    assert loaded.document is not None
    assert loaded.document.data["Parameters"] == {"Prefix": {"Type": "String", "Default": "logs/\n\n"}}  # type: ignore[index]


def test_a_fix_that_would_change_another_value_is_refused() -> None:
    """The last guard: every value but those of the fixed findings reads back the same, or the round's
    edit is not made. Here an edit meant to remove Unused removes a line of Flag's AllowedValues."""
    before = "Parameters:\n  Flag:\n    AllowedValues:\n      - 'true'\n      - 'false'\n  Unused:\n    Type: String\n"
    unused = Finding("CP305", "unused-parameter", Severity.WARNING, "p.yaml", Span(6, 3, 6, 9), ("Parameters", "Unused"),
                     "unused", edits=(Edit(Span(4, 1, 5, 1), ""),))  # fmt: skip
    assert not values_kept(before, apply_edits(before, unused.edits), [unused])
    right = replace(unused, edits=(Edit(Span(6, 1, 8, 1), ""),))
    assert values_kept(before, apply_edits(before, right.edits), [right])


def test_a_spec_that_names_one_template_two_ways_judges_its_fixes_by_both_packs(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    template = "Parameters:\n  Extra: {Type: String, Default: x}\n" + RULE.replace("!Ref Age", "'90'")
    (tmp_path / "a.yaml").write_text(template)
    (tmp_path / "spec.yaml").write_text(
        "packs:\n  - name: pack-a\n    template: a.yaml\n    parameters: {Extra: y}\n"
        "  - name: pack-b\n    template: sub/../a.yaml\n"
    )
    before = run_cli(["check", *FIX_RULES, "--spec", "spec.yaml"], cwd=tmp_path)
    assert before.exit_code == 0
    result = run_cli(["check", *FIX_RULES, "--spec", "spec.yaml", "--fix"], cwd=tmp_path)
    assert result.exit_code == 0 and "Fixed" not in result.stdout + result.stderr
    assert (tmp_path / "a.yaml").read_text() == template


def test_one_fix_that_must_be_refused_costs_a_few_lints_and_is_not_offered_again(tmp_path: Path) -> None:
    """500 unused parameters and one value whose fix would break AllowedValues: the bad edit is found
    by halving, every other fix is made in one run, and the summary offers nothing more."""
    pack = tmp_path / "pack.yaml"
    unused = "".join(f"  Unused{index}: {{Type: String, Default: x}}\n" for index in range(500))
    pack.write_text("Parameters:\n" + unused + ALLOWED.split("Parameters:\n", 1)[1])
    lints = 0
    real = preflight.fix.files._linter

    def counting(*args: Any) -> Any:
        lint, selected = real(*args)

        def counted(text: str) -> Any:
            nonlocal lints
            lints += 1
            return lint(text)

        return counted, selected

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(preflight.fix.files, "_linter", counting)
    try:
        result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    finally:
        monkeypatch.undo()
    assert result.stdout.endswith("Found 1 error in 1 file.\nFixed 500 findings in 1 file.\n")  # no "fixable"
    assert lints <= 30
    assert pack.read_text() == ALLOWED
    again = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert again.stdout.endswith("Found 1 error in 1 file.\n") and pack.read_text() == ALLOWED  # nothing more to fix


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
