"""One folder per rule: `fixtures/CPnnn/good*` has no finding of that rule; `bad*` has exactly the
findings marked `# expect: CPnnn` on their lines (in the fixture and in any file its arguments name),
counted as a multiset (`# expect: CP003, CP003` is two findings on that line).

Beside each fixture, `<fixture>.expected` holds every finding exactly as the JSON contract gives it
(rule, name, severity, file, start and end line and column, path, message, fix) and the exit status,
compared whole: a changed message, severity, column or fix fails the test until the expected file is
regenerated and the change reviewed as a diff:

    .venv/bin/python -m pytest tests/test_fixtures.py --update-expected

A fixture may start with `# args: ...`: extra `preflight check` arguments, where `{file}` is the
fixture itself (then it is not passed as PATH) and `{dir}` its folder."""

from __future__ import annotations

import codecs
import json
import re
import shlex
from collections import Counter
from pathlib import Path

import pytest

from preflight.engine.runner import discover_rules
from preflight.load.paths import TEMPLATE_SUFFIXES
from preflight.model.rule import Phase
from tests.conftest import FIXTURES, REPO, run_cli

_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
_EXPECT_FILE = re.compile(r"#\s*expect-file:\s*([A-Z0-9, ]+)")  # about the whole file: its line 1
_ARGS = re.compile(r"#\s*args:\s*(.*?)\s*(?:#\s*expect(?:-file)?:.*)?$")
RULE_DIRS = sorted(path for path in FIXTURES.iterdir() if re.fullmatch(r"CP\d{3}", path.name))


def _text(path: Path) -> str:
    data = path.read_bytes()
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding)
    return data.decode("utf-8", errors="replace")


def _expectations(path: Path) -> Counter[tuple[str, int, str]]:
    found: Counter[tuple[str, int, str]] = Counter()
    for number, line in enumerate(_text(REPO / path).splitlines(), start=1):
        whole_file = _EXPECT_FILE.search(line)
        if whole_file:
            for rule_id in whole_file.group(1).replace(",", " ").split():
                found[(path.as_posix(), 1, rule_id)] += 1
        match = _EXPECT.search(line)
        if match:
            # On the `# args:` line, a marker expects a finding about a command-line value: no line.
            line_number = 0 if _ARGS.match(line.strip()) else number
            for rule_id in match.group(1).replace(",", " ").split():
                found[(path.as_posix(), line_number, rule_id)] += 1
    return found


def expected_file(path: Path) -> Path:
    return path.with_name(path.name + ".expected")


def _arguments(path: Path) -> tuple[list[str], list[Path]]:
    """`path` is relative to the repository, where the fixtures run (so file names in the expected
    output do not depend on where the repository is)."""
    lines = _text(REPO / path).splitlines()[:3]
    for line in lines:
        match = _ARGS.match(line.strip())
        if match:
            raw = match.group(1).replace("{file}", path.as_posix()).replace("{dir}", path.parent.as_posix())
            args = shlex.split(raw)
            mentioned = [Path(arg) for arg in args if arg.startswith(path.parent.as_posix())]
            return args, mentioned
    return [], []


def _cases() -> list[tuple[str, Path]]:
    """(rule id, fixture path relative to the repository)."""
    cases = []
    for folder in RULE_DIRS:
        for path in sorted(folder.iterdir()):
            if path.name.startswith(("good", "bad")) and path.suffix in TEMPLATE_SUFFIXES:
                cases.append((folder.name, path.relative_to(REPO)))
    return cases


def test_every_rule_has_a_fixture_folder_with_good_and_bad_files() -> None:
    # Online rules (CP5xx) read AWS facts; tests/test_online.py runs each against a local AWS stand-in.
    # Spec rules (CP15x) read a spec file: tests/test_spec.py.
    ids = {rule.id for rule in discover_rules() if rule.phase not in (Phase.ONLINE, Phase.SPEC)} - {"CP999"}
    folders = {folder.name for folder in RULE_DIRS}
    assert ids <= folders, f"rules without fixtures: {sorted(ids - folders)}"
    assert folders <= ids, f"fixture folders for unknown rules: {sorted(folders - ids)}"
    for folder in RULE_DIRS:
        names = [path.name for path in folder.iterdir()]
        assert any(name.startswith("good") for name in names), f"{folder.name} has no good* fixture"
        assert any(name.startswith("bad") for name in names), f"{folder.name} has no bad* fixture"


@pytest.mark.parametrize(("rule_id", "path"), _cases(), ids=lambda value: getattr(value, "name", value))
def test_fixture(rule_id: str, path: Path, update_expected: bool) -> None:
    args, mentioned = _arguments(path)
    uses_file_in_args = any(arg == path.as_posix() for arg in args)
    command = ["check", "--format", "json", "--select", rule_id, *args]
    if not uses_file_in_args:
        command.append(path.as_posix())
    result = run_cli(command, cwd=REPO)
    assert result.exit_code in (0, 1), result.stderr
    snapshot = {"exit_code": result.exit_code, "findings": result.findings}
    stored = REPO / expected_file(path)
    if update_expected:
        stored.write_text(json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert stored.is_file(), f"{stored} is missing: run pytest tests/test_fixtures.py --update-expected"
    assert json.loads(stored.read_text(encoding="utf-8")) == snapshot, (
        f"the output differs from {stored}: if the change is meant, run pytest tests/test_fixtures.py "
        "--update-expected and review the diff"
    )
    reported = Counter((str(f["file"]), int(f["line"] or 0), str(f["rule"])) for f in result.findings)  # type: ignore[call-overload]
    expected: Counter[tuple[str, int, str]] = Counter()
    for source in {path, *mentioned}:
        expected += _expectations(source)
    expected = Counter({item: count for item, count in expected.items() if item[2] == rule_id})
    # The markers are about the rule under test; the snapshot above holds every finding of the others.
    reported = Counter({item: count for item, count in reported.items() if item[2] == rule_id})
    if path.name.startswith("good"):
        assert reported == Counter(), result.stdout
        assert not expected, "good fixtures carry no expectations"
    else:
        assert expected, f"{path} has no '# expect: {rule_id}' line"
        assert reported == expected, result.stdout
        assert result.exit_code == (1 if any(f["severity"] == "error" for f in result.findings) else 0)


def test_every_expected_file_belongs_to_a_fixture() -> None:
    fixtures = {path for _rule, path in _cases()}
    stored = {path for folder in RULE_DIRS for path in folder.glob("*.expected")}
    assert {REPO / expected_file(path) for path in fixtures} == stored
