from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.engine.context import Context
from preflight.engine.runner import discover_rules, run_rules
from preflight.load.parsing import load_template_text
from preflight.load.request_file import PackRequest
from preflight.model.findings import Issue, Severity
from preflight.model.limits import DEFAULT_QUOTAS
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


def test_the_rule_modules_are_those_pkgutil_would_find(tmp_path: Path) -> None:
    import pkgutil
    from importlib.machinery import EXTENSION_SUFFIXES

    from preflight.engine.runner import _module_names

    folder = tmp_path / "rules"
    (folder / "subpackage").mkdir(parents=True)
    (folder / "subpackage" / "__init__.py").write_text("")
    (folder / "not_a_package").mkdir()
    (folder / "__pycache__").mkdir()
    for name in ("__init__.py", "arns.py", "compiled.pyc", f"native{EXTENSION_SUFFIXES[0]}", "notes.txt"):
        (folder / name).write_text("")
    (folder / ".#arns.py").symlink_to("user@host.1234:1700000000")  # Emacs's lock file: a link to nothing
    (folder / "two.dots.py").write_text("")
    second = tmp_path / "more"
    second.mkdir()
    (second / "arns.py").write_text("")  # the same name in a second folder of the package
    (second / "zeta.py").write_text("")
    folders = [str(folder), str(second), str(tmp_path / "missing")]
    expected = sorted({module.name for module in pkgutil.iter_modules(folders)})
    assert expected == ["arns", "compiled", "native", "subpackage", "zeta"]
    assert _module_names(folders) == expected
