from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.engine.context import Context
from preflight.engine.runner import discover_rules, run_rules
from preflight.load.parsing import load_template_text
from preflight.model.findings import Issue, Severity
from preflight.model.limits import DEFAULT_QUOTAS
from preflight.model.request import PackRequest
from preflight.model.rule import rule


@rule("CP998", "always-crashes", Severity.WARNING)
def always_crashes(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Nothing: it raises."""
    yield Issue("before the crash", ("Resources",))
    raise KeyError("boom")


def _context() -> Context:
    loaded = load_template_text("Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n", "t.yaml")
    return Context(loaded, PackRequest(), DEFAULT_QUOTAS)


def test_a_crashing_rule_becomes_cp999_and_the_others_still_run() -> None:
    rules = [always_crashes, *(r for r in discover_rules() if r.id == "CP210")]
    findings = run_rules(rules, _context())
    assert [(f.rule, f.severity, f.span.line) for f in findings] == [
        ("CP998", Severity.WARNING, 1),
        ("CP999", Severity.ERROR, 1),
    ]
    assert findings[1].message == "rule CP998 crashed: KeyError: 'boom'; please report this"


def test_tests_see_the_exception() -> None:
    with pytest.raises(KeyError):
        run_rules([always_crashes], _context(), raise_errors=True)


def test_rules_are_collected_not_registered() -> None:
    first, second = discover_rules(), discover_rules()
    assert first == second
    assert "CP998" not in {r.id for r in first}


def test_an_editor_s_files_among_the_rules_are_no_rule_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Emacs's lock file (a link to nothing), a backup with two dots and a note beside the rule modules
    are not imported: the rules found are those without them."""
    import preflight.rules as rules

    before = discover_rules()
    (tmp_path / ".#arns.py").symlink_to("user@host.1234:1700000000")
    (tmp_path / "arns.py.orig").write_text("raise SystemExit('imported')\n")
    (tmp_path / "two.dots.py").write_text("raise SystemExit('imported')\n")
    (tmp_path / "notes.txt").write_text("")
    monkeypatch.setattr(rules, "__path__", [*rules.__path__, str(tmp_path)])
    assert discover_rules() == before
