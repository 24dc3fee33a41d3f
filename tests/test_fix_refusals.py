"""`--fix` makes no fix that would do harm, and says so: a fix another rule calls an error (whatever is
selected), one that would change another value or add an error, one two packs of a spec (or packs
naming one template differently) judge differently, the condition a missing parameter's repair needs;
the one bad edit among hundreds is found in a few lints and not offered again, and edits tried one by
one keep their places."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import preflight.fix.files
from preflight.fix.rounds import apply_edits, values_kept
from preflight.model.findings import Edit, Finding, Severity, Span
from tests.conftest import run_cli
from tests.fix_helpers import FIX_RULES, POLICY_PACK, RULE

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


def test_a_template_two_packs_of_a_spec_share_gets_only_the_fixes_both_agree_on(tmp_path: Path) -> None:
    """Pack a passes Unused1, so it is not unused there: removing it would break pack a (CP302)."""
    (tmp_path / "packs").mkdir()
    shared = tmp_path / "packs" / "shared.yaml"
    shared.write_text(
        "Parameters:\n  Unused1: {Type: String, Default: a}\n  Unused2: {Type: String, Default: b}\n"
        + POLICY_PACK.replace("TRUE", "'TRUE'")
    )
    (tmp_path / "spec.yaml").write_text(
        "packs:\n  - {name: pack-a, template: packs/shared.yaml, parameters: {Unused1: b}}\n"
        "  - {name: pack-b, template: packs/shared.yaml}\n"
    )
    diff = run_cli(["check", *FIX_RULES, "--diff", "--spec", "spec.yaml"], cwd=tmp_path)
    assert (diff.exit_code, diff.stderr) == (1, "Would fix 2 findings in 1 file.\n")
    assert diff.stdout.count("--- packs/shared.yaml\n") == 1
    result = run_cli(["check", *FIX_RULES, "--fix", "--spec", "spec.yaml"], cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout.endswith("Fixed 2 findings in 1 file.\n")
    assert shared.read_text() == "Parameters:\n  Unused1: {Type: String, Default: a}\n" + POLICY_PACK.replace(
        "TRUE", "'true'"
    )


def test_a_fix_that_would_add_an_error_is_not_made(tmp_path: Path) -> None:
    """Removing the frequency of C would remove the anchor D's alias reads: a syntax error."""
    pack = tmp_path / "anchor.yaml"
    text = (
        "Resources:\n  C:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: ELB_LOGGING_ENABLED}\n"
        "      MaximumExecutionFrequency: &f TwentyFour_Hours\n"
        "  D:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n      MaximumExecutionFrequency: *f\n"
        "  E:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {RequireSymbols: 'TRUE'}\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
    )
    pack.write_text(text)
    result = run_cli(["check", *FIX_RULES, "--fix", "--format", "json", "anchor.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (1, "Fixed 1 finding in 1 file.\n")
    assert pack.read_text() == text.replace("'TRUE'", "'true'")  # the other edit of the round is made
    assert [finding["rule"] for finding in result.findings] == ["CP407", "CP007"]


def test_edits_tried_one_by_one_keep_their_places_when_the_parameters_come_last(tmp_path: Path) -> None:
    """The frequency's removal would add an error (its anchor), so each edit is tried alone; the
    boolean fixes land in the parameters' Defaults, below the removed line's finding."""
    pack = tmp_path / "pack.yaml"
    text = (
        "Resources:\n  C:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: ELB_LOGGING_ENABLED}\n"
        "      MaximumExecutionFrequency: &f TwentyFour_Hours\n"
        "  D:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n      MaximumExecutionFrequency: *f\n"
        "  E:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters:\n"
        "        RequireSymbols: !Ref Flag\n        RequireNumbers: !Ref Other\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
        "Parameters:\n  Unused: {Type: String, Default: x}\n  Flag: {Type: String, Default: 'TRUE'}\n"
        "  Other: {Type: String, Default: 'FALSE'}\n"
    )
    pack.write_text(text)
    result = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (1, "Fixed 3 findings in 1 file.")
    assert pack.read_text() == (
        text.replace("  Unused: {Type: String, Default: x}\n", "")
        .replace("'TRUE'", "'true'")
        .replace("'FALSE'", "'false'")
    )


def test_packs_that_name_one_template_differently_share_its_fixes(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    shared = tmp_path / "packs" / "shared.yaml"
    original = "Parameters:\n  Unused1: {Type: String, Default: a}\n" + POLICY_PACK
    shared.write_text(original)
    (tmp_path / "spec.yaml").write_text(
        "packs:\n  - {name: pack-a, template: packs/shared.yaml, parameters: {Unused1: b}}\n"
        f"  - {{name: pack-b, template: {shared}}}\n  - {{name: pack-c, template: packs/../packs/shared.yaml}}\n"
    )
    result = run_cli(["check", *FIX_RULES, "--fix", "--spec", "spec.yaml"], cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout.endswith("Fixed 1 finding in 1 file.\n")
    assert shared.read_text() == original.replace("TRUE", '"true"')


CONDITION_FOR_MISSING = """\
Parameters:
  IamUserUnusedCredentialsCheckParamMaxCredentialUsageAge:
    Type: String
    Default: "90"
Conditions:
  iamUserUnusedCredentialsCheckParamMaxCredentialUsageAge: !Not [!Equals ["", !Ref IamUserUnusedCredentialsCheckParamMaxCredentialUsageAge]]
Resources:
  IamUserUnusedCredentialsCheck:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: IAM_USER_UNUSED_CREDENTIALS_CHECK}
"""


def test_the_condition_a_missing_parameter_s_repair_needs_is_kept_and_the_hints_meet(tmp_path: Path) -> None:
    """AWS's packs declare a parameter and a condition for each optional input; when the rule lacks the
    input (CP403), the unused condition (CP209) is what the repair uses: --fix keeps it, and each hint
    names the other finding."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(CONDITION_FOR_MISSING)
    condition = "iamUserUnusedCredentialsCheckParamMaxCredentialUsageAge"
    parameter = "IamUserUnusedCredentialsCheckParamMaxCredentialUsageAge"
    repair = f"maxCredentialUsageAge: !If [{condition}, !Ref {parameter}, !Ref AWS::NoValue]"
    result = run_cli(["check", *FIX_RULES, "--format", "json", "pack.yaml"], cwd=tmp_path)
    assert [(f["rule"], f["line"], f["fix"], f["edits"]) for f in result.findings] == [
        ("CP209", 6, f"keep it: IamUserUnusedCredentialsCheck (line 8) lacks the required parameter "
                     f"'maxCredentialUsageAge' (CP403); add {repair} to its InputParameters", []),
        ("CP403", 11, f"add InputParameters: {{{repair}}} (the template declares {parameter} and the condition "
                      f"{condition} for it, and uses neither, CP209)", []),
    ]  # fmt: skip
    fixed = run_cli(["check", *FIX_RULES, "--fix", "pack.yaml"], cwd=tmp_path)
    assert fixed.exit_code == 1 and pack.read_text() == CONDITION_FOR_MISSING
