"""One folder per rule: `fixtures/CPnnn/good*` has no finding of that rule; `bad*` has exactly the
findings marked `# expect: CPnnn` on their lines (in the fixture and in any file its arguments name).

A fixture may start with `# args: ...`: extra `preflight check` arguments, where `{file}` is the
fixture itself (then it is not passed as PATH) and `{dir}` its folder."""

from __future__ import annotations

import codecs
import re
import shlex
from pathlib import Path

import pytest

from preflight.check import TEMPLATE_SUFFIXES
from preflight.engine import discover_rules
from tests.conftest import FIXTURES, run_cli

_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
_ARGS = re.compile(r"#\s*args:\s*(.*?)\s*(?:#\s*expect:.*)?$")
RULE_DIRS = sorted(path for path in FIXTURES.iterdir() if re.fullmatch(r"CP\d{3}", path.name))


def _text(path: Path) -> str:
    data = path.read_bytes()
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding)
    return data.decode("utf-8", errors="replace")


def _expectations(path: Path) -> set[tuple[str, int, str]]:
    found = set()
    for number, line in enumerate(_text(path).splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            for rule_id in match.group(1).replace(",", " ").split():
                found.add((path.as_posix(), number, rule_id))
    return found


def _arguments(path: Path) -> tuple[list[str], list[Path]]:
    lines = _text(path).splitlines()[:3]
    for line in lines:
        match = _ARGS.match(line.strip())
        if match:
            raw = match.group(1).replace("{file}", path.as_posix()).replace("{dir}", path.parent.as_posix())
            args = shlex.split(raw)
            mentioned = [Path(arg) for arg in args if arg.startswith(path.parent.as_posix())]
            return args, mentioned
    return [], []


def _cases() -> list[tuple[str, Path]]:
    cases = []
    for folder in RULE_DIRS:
        for path in sorted(folder.iterdir()):
            if path.name.startswith(("good", "bad")) and path.suffix in TEMPLATE_SUFFIXES:
                cases.append((folder.name, path))
    return cases


def test_every_rule_has_a_fixture_folder_with_good_and_bad_files() -> None:
    # Online rules (CP5xx) read AWS facts; tests/test_online.py runs each against a local AWS stand-in.
    # Spec rules (CP15x) read a spec file: tests/test_spec.py.
    ids = {rule.id for rule in discover_rules() if not (rule.needs_facts or rule.needs_spec)} - {"CP999"}
    folders = {folder.name for folder in RULE_DIRS}
    assert ids <= folders, f"rules without fixtures: {sorted(ids - folders)}"
    assert folders <= ids, f"fixture folders for unknown rules: {sorted(folders - ids)}"
    for folder in RULE_DIRS:
        names = [path.name for path in folder.iterdir()]
        assert any(name.startswith("good") for name in names), f"{folder.name} has no good* fixture"
        assert any(name.startswith("bad") for name in names), f"{folder.name} has no bad* fixture"


@pytest.mark.parametrize(("rule_id", "path"), _cases(), ids=lambda value: getattr(value, "name", value))
def test_fixture(rule_id: str, path: Path) -> None:
    args, mentioned = _arguments(path)
    uses_file_in_args = any(arg == path.as_posix() for arg in args)
    command = ["check", "--format", "json", "--select", rule_id, *args]
    if not uses_file_in_args:
        command.append(path.as_posix())
    result = run_cli(command)
    assert result.exit_code in (0, 1), result.stderr
    reported = {(str(f["file"]), int(f["line"]), str(f["rule"])) for f in result.findings}  # type: ignore[call-overload]
    expected: set[tuple[str, int, str]] = set()
    for source in {path, *mentioned}:
        expected |= _expectations(source)
    expected = {item for item in expected if item[2] == rule_id}
    if path.name.startswith("good"):
        assert reported == set(), result.stdout
        assert not expected, "good fixtures carry no expectations"
    else:
        assert expected, f"{path} has no '# expect: {rule_id}' line"
        assert reported == expected, result.stdout
        assert result.exit_code == (1 if any(f["severity"] == "error" for f in result.findings) else 0)
