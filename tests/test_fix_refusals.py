"""`--fix` makes no fix that would do harm, and says so: a fix another rule calls an error (whatever is
selected), one that would change another value, one two packs of a spec judge differently; the one
bad edit among hundreds is found in a few lints and not offered again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import preflight.fix.files
from preflight.fix.rounds import apply_edits, values_kept
from preflight.model.findings import Edit, Finding, Severity, Span
from tests.conftest import run_cli
from tests.fix_helpers import FIX_RULES, RULE

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
