"""`preflight check .` on a platform team's repository as it is: packs (good and bad), a compose file,
CloudFormation stacks that hold config rules or a pack inline, and a copy of this tool kept at
`tools/conformance-preflight` as the README's CI jobs install it. Only the packs are checked; the
stacks are skipped and said to be stacks; the vendored copy adds nothing; `--show-files` says what
became of every path; a settings file in a subfolder governs its subtree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from preflight.load.discovery import HOSTS_A_PACK, NOT_A_PACK, why_not_a_pack
from tests.conftest import FIXTURES, run_cli
from tests.offline_install import copy_working_tree

GOOD = """\
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: s3-bucket-versioning-enabled
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""
RULES_STACK = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Alerts:
    Type: AWS::SNS::Topic
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
  Encryption:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED}
Outputs:
  Topic:
    Value: !Ref Alerts
"""
PACK_STACK = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Pack:
    Type: AWS::Config::OrganizationConformancePack
    Properties:
      OrganizationConformancePackName: s3-baseline
      TemplateBody: |
        Resources:
          Versioning:
            Type: AWS::Config::ConfigRule
            Properties:
              Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""
VENDORED = "tools/conformance-preflight"


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("platform")
    files = {
        "packs/iam-baseline.yaml": (FIXTURES / "packs" / "iam-baseline.yaml").read_text(),  # 3 errors, 2 warnings
        "packs/s3-baseline.yaml": (FIXTURES / "packs" / "s3-baseline.yaml").read_text(),
        "packs/good.yaml": GOOD,
        "docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n",
        "stacks/rules-stack.yaml": RULES_STACK,
        "stacks/org-pack-stack.yaml": PACK_STACK,
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    copy_working_tree(folder / VENDORED)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


NAMED = ["packs/good.yaml", "packs/iam-baseline.yaml", "packs/s3-baseline.yaml"]
# The rules iam-baseline breaks and CP418's hint about the run: a finding of each severity to report.
IAM_RULES = ("--select", "CP208,CP209,CP305,CP403,CP410,CP418")


def test_check_dot_reports_the_bad_packs_only(repository: Path) -> None:
    named = run_cli(["check", *IAM_RULES, *NAMED], cwd=repository)
    searched = run_cli(["check", *IAM_RULES, "."], cwd=repository)
    assert named.stdout.endswith("Found 3 errors, 2 warnings, 1 info in 3 files.\n")
    assert (searched.exit_code, searched.stderr) == (1, "")
    # The stack holding an inline pack is checked too (its pack is clean); the rules stack is skipped.
    assert searched.stdout == named.stdout.replace(
        "in 3 files.\n", "in 4 files; 2 other files skipped (not conformance packs; --show-files lists them).\n"
    )
    assert run_cli(["check", *IAM_RULES], cwd=repository).stdout == searched.stdout  # no path: the working directory


def test_show_files_says_what_became_of_every_path(repository: Path) -> None:
    result = run_cli(["check", "--show-files", "."], cwd=repository)
    settings = f"{VENDORED}/pyproject.toml"
    width = len(f"{VENDORED}/.pre-commit-hooks.yaml")
    rows = [
        ("docker-compose.yml", f"skipped ({NOT_A_PACK})"),
        ("packs/good.yaml", "checked (a conformance pack)"),
        ("packs/iam-baseline.yaml", "checked (a conformance pack)"),
        ("packs/s3-baseline.yaml", "checked (a conformance pack)"),
        ("stacks/org-pack-stack.yaml", f"checked ({HOSTS_A_PACK})"),
        (
            "stacks/rules-stack.yaml",
            "skipped (a CloudFormation stack: it holds AWS::SNS::Topic, which a conformance pack cannot)",
        ),
        (f"{VENDORED}/.pre-commit-hooks.yaml", f"excluded (by extend-exclude '/.pre-commit-hooks.yaml', {settings})"),
        (f"{VENDORED}/bench/", f"excluded (by extend-exclude '/bench', {settings})"),
        (f"{VENDORED}/docs/", f"excluded (by extend-exclude '/docs', {settings})"),
        (f"{VENDORED}/fixtures/", f"excluded (by extend-exclude '/fixtures', {settings})"),
        (f"{VENDORED}/preflight/data/", f"excluded (by extend-exclude '/preflight/data', {settings})"),
        (f"{VENDORED}/tests/", f"excluded (by extend-exclude '/tests', {settings})"),
    ]
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "".join(f"{name:<{width}}  {what}\n" for name, what in rows) + (
        "12 paths: 4 checked, 2 skipped, 6 excluded.\n"
    )
    as_json = run_cli(["check", "--show-files", "--format", "json", "stacks", "packs/good.yaml"], cwd=repository)
    assert json.loads(as_json.stdout) == [
        {"file": "packs/good.yaml", "status": "checked", "reason": "named on the command line"},
        {"file": "stacks/org-pack-stack.yaml", "status": "checked", "reason": HOSTS_A_PACK},
        {"file": "stacks/rules-stack.yaml", "status": "skipped", "reason": rows[5][1][9:-1]},
    ]
    sarif = run_cli(["check", "--show-files", "--format", "sarif", "."], cwd=repository)
    assert (sarif.exit_code, sarif.stderr) == (2, "preflight: error: --show-files prints text or json, not sarif\n")


def test_fix_leaves_the_vendored_copy_alone(repository: Path) -> None:
    """The vendored fixtures hold fixable findings (`--diff` shows them when they are named), and the
    search of the repository does not reach them: nothing to fix."""
    diff = run_cli(["check", "--diff", "."], cwd=repository)
    assert (diff.exit_code, diff.stdout, diff.stderr) == (0, "", "Would fix 0 findings in 0 files.\n")
    named = run_cli(["check", "--diff", f"{VENDORED}/fixtures/CP406"], cwd=repository)
    assert named.exit_code == 1 and f"--- {VENDORED}/fixtures/CP406/bad.yaml" in named.stdout


def test_a_settings_file_in_a_subfolder_governs_its_subtree(tmp_path: Path) -> None:
    """As ruff's: the nearest settings file of each file decides its rules and what is searched below
    it; the command line's options go over every one; the run's fail level stays the root's."""
    iam = (FIXTURES / "packs" / "iam-baseline.yaml").read_text()
    for folder in ("team-a", "team-b", "team-b/drafts"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "pack.yaml").write_text(iam)
    (tmp_path / ".preflight.toml").write_text('select = ["CP410"]\n')
    (tmp_path / "team-b" / "pyproject.toml").write_text(
        '[tool.preflight]\nselect = ["CP403"]\nextend-exclude = ["drafts"]\nfail-level = "info"\n'
    )

    def rules(*args: str) -> list[tuple[str, str]]:
        result = run_cli(["check", "--format", "json", *args, "."], cwd=tmp_path)
        return [(str(finding["file"]), str(finding["rule"])) for finding in result.findings]

    assert rules() == [("team-a/pack.yaml", "CP410"), ("team-b/pack.yaml", "CP403")]
    assert rules("--ignore", "CP4") == []
    assert rules("--extend-select", "CP208") == [
        ("team-a/pack.yaml", "CP208"), ("team-a/pack.yaml", "CP410"),
        ("team-b/pack.yaml", "CP208"), ("team-b/pack.yaml", "CP403"),
    ]  # fmt: skip
    # A file named on the command line is governed by its own folder's settings too, as in the editor.
    assert rules("--no-cache") == rules()
    named = run_cli(["check", "--format", "json", "team-b/drafts/pack.yaml"], cwd=tmp_path)
    assert [finding["rule"] for finding in named.findings] == ["CP403"]
    # team-b's fail-level is not the run's: the root's (error) decides the exit status.
    only_warnings = run_cli(["check", "--select", "CP305", "."], cwd=tmp_path)
    assert only_warnings.exit_code == 0 and "2 warnings" in only_warnings.stdout
    # --config names one settings file for every folder.
    explicit = run_cli(["check", "--format", "json", "--config", ".preflight.toml", "."], cwd=tmp_path)
    assert sorted({(str(f["file"]), str(f["rule"])) for f in explicit.findings}) == [
        ("team-a/pack.yaml", "CP410"), ("team-b/drafts/pack.yaml", "CP410"), ("team-b/pack.yaml", "CP410"),
    ]  # fmt: skip


def test_a_broken_settings_file_in_a_subfolder_is_one_line_and_the_rest_is_checked(tmp_path: Path) -> None:
    """What to check below it is unknown, so that subtree is not checked and says so; every other
    folder's findings are kept; exit 2."""
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "pack.yaml").write_text(GOOD)
    (tmp_path / "team" / ".preflight.toml").write_text('select = ["XX1"]\n')
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "pack.yaml").write_text(GOOD.replace("ConfigRuleName: s3-bucket-versioning-enabled\n", ""))
    (tmp_path / "other" / "unused.yaml").write_text("Parameters: {P: {Type: String, Default: x}}\n" + GOOD)
    result = run_cli(["check", "--select", "CP305", "."], cwd=tmp_path)
    where = tmp_path.resolve() / "team" / ".preflight.toml"
    problem = f"{where} select: 'XX1' is not a rule id or prefix (such as CP305 or CP3)"
    assert (result.exit_code, result.stderr) == (
        2, f"preflight: error: {problem} (the files below it were not checked)\n"
    )  # fmt: skip
    assert result.stdout.startswith("other/unused.yaml:1:14: warning CP305 unused-parameter")
    assert result.stdout.endswith("Found 1 warning in 2 files.\n1 fixable with --fix.\n")
    alone = run_cli(["check", "team"], cwd=tmp_path)
    assert (alone.exit_code, alone.stdout, alone.stderr) == (2, "", f"preflight: error: {problem}\n")


def test_the_pyproject_form_in_a_preflight_toml_says_which_file_takes_which(tmp_path: Path) -> None:
    (tmp_path / ".preflight.toml").write_text('[tool.preflight]\nignore = ["CP305"]\n')
    (tmp_path / "pack.yaml").write_text(GOOD)
    result = run_cli(["check", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        2,
        f"preflight: error: {tmp_path.resolve() / '.preflight.toml'}: a [tool.preflight] table is pyproject.toml's "
        "form; in .preflight.toml the same keys go at the top level, without a table header\n",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (GOOD, None),
        (RULES_STACK, "a CloudFormation stack: it holds AWS::SNS::Topic, which a conformance pack cannot"),
        (
            PACK_STACK,
            "a CloudFormation stack: it holds AWS::Config::OrganizationConformancePack, which a conformance pack cannot",
        ),
        ("Resources:\n  A:\n    Type: Custom::Thing\n  B:\n    Type: AWS::Config::ConfigRule\n",
         "a CloudFormation stack: it holds Custom::Thing, which a conformance pack cannot"),
        # A misspelt pack is a pack, so that checking it reports the typo.
        ('{"Resources": {"A": {"Type": "AWS::Confg::ConfigRule"}}}', None),
        ("Resources:\n  A:\n    Type: ASW::Config::ConfigRule\n", None),  # two letters swapped: one edit
        ("Resources:\n  A:\n    Type: AWS::Config::ConfigRule\n  B:\n    Type: AWS::Config::Remediation\n", None),
        ("Resources:\n  A:\n    Type: AWS::Config::Rule\n", None),
        ("Resources:\n  A:\n    Type: AWS::Config::ConfigRule\n  B:\n    Type: AWS::Config::DeliveryChannel\n",
         "a CloudFormation stack: it holds AWS::Config::DeliveryChannel, which a conformance pack cannot"),
        # Parameter types, and types named by other keys, are not resources.
        ("Parameters:\n  P:\n    Type: AWS::SSM::Parameter::Value<String>\n  Q:\n    Type: List<AWS::EC2::VPC::Id>\n"
         "Resources:\n  A:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Scope:\n"
         "        ComplianceResourceTypes: [AWS::S3::Bucket]\n      ResourceType: AWS::EC2::Instance\n", None),
        ("services:\n  web:\n    image: nginx\n", NOT_A_PACK),
        ('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n', NOT_A_PACK),
    ],
)  # fmt: skip
def test_what_is_a_pack(text: str, reason: str | None) -> None:
    assert why_not_a_pack(text.encode()) == reason


def test_command_line_globs_match_from_the_working_directory_in_every_folder(tmp_path: Path) -> None:
    """`--extend-exclude team/legacy` means the same whether or not team/ has a settings file of its
    own (whose globs match from team/)."""
    for folder in ("team/legacy", "other/legacy"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "old.yaml").write_text(GOOD)
    (tmp_path / "team" / "a.yaml").write_text(GOOD)
    (tmp_path / "team" / ".preflight.toml").write_text('ignore = ["CP209"]\nextend-exclude = ["/drafts"]\n')
    shown = run_cli(
        ["check", "--show-files", "--extend-exclude", "other/legacy", "--extend-exclude", "team/legacy", "."],
        cwd=tmp_path,
    )
    assert shown.stdout.splitlines() == [
        "other/legacy/  excluded (by extend-exclude 'other/legacy', command line)",
        "team/a.yaml    checked (a conformance pack (settings: team/.preflight.toml))",
        "team/legacy/   excluded (by extend-exclude 'team/legacy', command line)",
        "3 paths: 1 checked, 2 excluded.",
    ]
    # Listing `.` and `team` passes over team/legacy once.
    twice = run_cli(["check", "--show-files", "--extend-exclude", "team/legacy", ".", "team"], cwd=tmp_path)
    assert twice.stdout.count("team/legacy/") == 1


def test_a_spec_and_standard_input_are_checked_with_their_folder_s_settings(tmp_path: Path) -> None:
    """The settings file beside a template governs it however it is named: as a PATH, in a spec file
    (as `split` writes one), or as --stdin-filename."""
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "p.yaml").write_text("Parameters:\n  Unused: {Type: String, Default: x}\n" + GOOD)
    (parts / ".preflight.toml").write_text('ignore = ["CP305"]\n')
    (parts / "spec.yaml").write_text("packs:\n  - name: p\n    template: p.yaml\n")
    for args in (["parts/p.yaml"], ["--spec", "parts/spec.yaml"], ["-", "--stdin-filename", "parts/p.yaml"]):
        result = run_cli(
            ["check", "--select", "CP305", "--fail-level", "warning", *args],
            stdin=(parts / "p.yaml").read_text(),
            cwd=tmp_path,
        )
        assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "No problems found in 1 file."), args
    deployed = run_cli(
        ["deploy", "--dry-run", "--offline", "--fail-level", "warning", "--spec", "parts/spec.yaml"], cwd=tmp_path
    )
    assert deployed.exit_code == 0, deployed.stdout + deployed.stderr


def test_show_files_in_json_and_to_a_file(tmp_path: Path) -> None:
    name = "caf\udce9.yaml"  # a name that is not UTF-8: its byte kept as \xNN, as the findings' file names
    (tmp_path / os.fsdecode(os.fsencode(name))).write_bytes(GOOD.encode())
    listing = run_cli(["check", "--show-files", "--format", "json", "--output", "files.json", "."], cwd=tmp_path)
    assert (listing.exit_code, listing.stdout) == (0, "")
    assert json.loads((tmp_path / "files.json").read_text()) == [
        {"file": "caf\\xe9.yaml", "status": "checked", "reason": "a conformance pack"}
    ]
