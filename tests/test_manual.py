"""The rule pages of the manual (docs/rules/) are generated, and current."""

from __future__ import annotations

from pathlib import Path

from preflight.docs import COMMAND, FOLDER, generated, rule_page, stale, write
from preflight.engine.runner import discover_rules
from tests.conftest import REPO, run_cli

RULES = discover_rules()


def test_the_rule_pages_are_current() -> None:
    folder = REPO / FOLDER
    differing = stale(folder, generated(folder, RULES))
    assert not differing, f"stale or extra in {FOLDER}: {', '.join(differing)}; run: {COMMAND}"


def test_a_rule_page_is_what_explain_prints() -> None:
    for rule_id in ("CP404", "CP411"):
        printed = run_cli(["explain", rule_id]).stdout
        assert (REPO / FOLDER / f"{rule_id}.md").read_text(encoding="utf-8") == f"# {printed}"


def test_regenerating_writes_changed_pages_and_removes_pages_of_rules_that_are_gone(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "README.md").write_text((REPO / FOLDER / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "CP001.md").write_text("# old\n", encoding="utf-8")
    (folder / "CP998.md").write_text("# a rule that is gone\n", encoding="utf-8")
    wanted = generated(folder, RULES[:2])
    assert stale(folder, wanted) == ["CP001.md", "CP002.md", "CP998.md", "README.md"]
    write(folder, wanted)
    assert stale(folder, wanted) == []
    assert sorted(path.name for path in folder.iterdir()) == ["CP001.md", "CP002.md", "README.md"]
    assert (folder / "CP001.md").read_text(encoding="utf-8") == rule_page(RULES[0])
    assert "| [CP002](CP002.md) |" in (folder / "README.md").read_text(encoding="utf-8")
    assert f"[{RULES[2].id}]" not in (folder / "README.md").read_text(encoding="utf-8")
