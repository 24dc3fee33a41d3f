"""`[tool.preflight]` in pyproject.toml, or the same keys at the top of `.preflight.toml`."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from preflight.load.files import Unreadable, read_regular_file
from preflight.model.findings import Finding, Severity
from preflight.model.limits import DEFAULT_QUOTAS, SAFETY_LIMITS, Quotas, quota_keys, quotas_with
from preflight.model.rule import Rule

CONFIG_FILE = ".preflight.toml"
_KEYS = frozenset({"select", "extend-select", "ignore", "fail-level", "per-file-ignores", "quotas"})
_SELECTOR = re.compile(r"CP\d{0,3}")
CFN_LINT_SELECTOR = re.compile(r"cfn-lint(:[EWI]?\d{0,4})?")


class ConfigError(Exception):
    """A configuration problem; the CLI prints it as one line and exits 2."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("CP", "cfn-lint")
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_level: Severity = Severity.ERROR
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    quotas: Quotas = DEFAULT_QUOTAS
    root: Path = field(default_factory=Path.cwd)
    source: str | None = None

    def is_enabled(self, rule_id: str, *, opt_in: bool = False) -> bool:
        """Selected (an opt-in rule only by its full id, never by a prefix such as `CP4`) and not
        ignored; `ignore` wins over `select`."""
        if _matches(rule_id, self.ignore):
            return False
        selectors = self.select + self.extend_select
        return rule_id in selectors if opt_in else _matches(rule_id, selectors)

    def enabled(self, rules: Iterable[Rule]) -> list[Rule]:
        return [rule for rule in rules if self.is_enabled(rule.id, opt_in=rule.opt_in)]

    def without_ignored(self, findings: Iterable[Finding]) -> list[Finding]:
        """`findings` less those that `per-file-ignores` ignores; each file's globs are matched once."""
        if not self.per_file_ignores:
            return list(findings)
        by_file: dict[str, tuple[str, ...]] = {}
        kept = []
        for finding in findings:
            if finding.file not in by_file:
                relative = _relative(finding.file, self.root)
                by_file[finding.file] = tuple(
                    selector
                    for pattern, selectors in self.per_file_ignores
                    if _glob_match(relative, pattern)
                    for selector in selectors
                )
            if not _matches(finding.rule, by_file[finding.file]):
                kept.append(finding)
        return kept


def _matches(rule_id: str, selectors: Iterable[str]) -> bool:
    return any(rule_id.startswith(selector) for selector in selectors)


def _relative(file: str, root: Path) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def _glob_match(relative: str, pattern: str) -> bool:
    if PurePosixPath(relative).match(pattern) or fnmatch.fnmatch(relative, pattern):
        return True
    return "/" not in pattern and fnmatch.fnmatch(PurePosixPath(relative).name, pattern)


def validate_selectors(selectors: Sequence[str], known_ids: Iterable[str], where: str) -> tuple[str, ...]:
    ids = list(known_ids)
    checked: list[str] = []
    for selector in selectors:
        selector = selector.strip()
        head, _, tail = selector.partition(":")
        if head.lower() == "cfn-lint" and CFN_LINT_SELECTOR.fullmatch(f"cfn-lint{':' if _ else ''}{tail.upper()}"):
            checked.append(f"cfn-lint{':' if _ else ''}{tail.upper()}")  # cfn-lint's ids (with --cfn-lint)
            continue
        selector = selector.upper()
        if not selector:
            continue
        if not _SELECTOR.fullmatch(selector):
            raise ConfigError(f"{where}: {selector!r} is not a rule id or prefix (such as CP305 or CP3)")
        if not any(rule_id.startswith(selector) for rule_id in ids):
            raise ConfigError(f"{where}: no rule matches {selector!r} (see `preflight rules`)")
        checked.append(selector)
    return tuple(checked)


def find_config_file(start: Path) -> tuple[Path, bool] | None:
    """The nearest `.preflight.toml`, or `pyproject.toml` with a [tool.preflight] table, from `start`
    upwards. The flag says whether it is a pyproject.toml. A pyproject.toml that cannot be read, or
    whose [tool.preflight] is not UTF-8, is an error: its settings must not be lost without a word."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate, False
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _read(pyproject)
            if b"preflight" not in data:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                if b"[tool.preflight" in data:
                    raise ConfigError(f"{pyproject}: configuration is not UTF-8") from None
                continue
            if _has_preflight_table(text, pyproject):
                return pyproject, True
    return None


def _read(path: Path) -> bytes:
    try:
        data = read_regular_file(path, SAFETY_LIMITS.max_config_bytes)
    except Unreadable as reason:
        raise ConfigError(f"{path}: {reason}") from None
    if len(data) > SAFETY_LIMITS.max_config_bytes:
        raise ConfigError(f"{path}: larger than {SAFETY_LIMITS.max_config_bytes:,} bytes; not a configuration file")
    return data


# tomllib takes time and memory quadratic in the parts of one dotted key (`a.a.a... = 1`).
_DOTTED_KEY_PARTS_MAX = 100


def _parse_toml(text: str, path: Path) -> dict[str, object]:
    import tomllib  # only when there is a configuration file

    for number, line in enumerate(text.splitlines(), start=1):
        key = line.split("=", 1)[0] if "=" in line and not line.lstrip().startswith(("[", "#")) else ""
        if key.count(".") >= _DOTTED_KEY_PARTS_MAX:
            raise ConfigError(f"{path}:{number}: a dotted key of more than {_DOTTED_KEY_PARTS_MAX} parts")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _has_preflight_table(pyproject_text: str, path: Path) -> bool:
    try:
        tool = _parse_toml(pyproject_text, path).get("tool", {})
    except ConfigError:
        return "[tool.preflight" in pyproject_text  # let load_config report the problem
    return isinstance(tool, dict) and "preflight" in tool


def load_config(path: Path | None, known_ids: Iterable[str], start: Path | None = None) -> Config:
    """`path` is an explicit --config; otherwise search from `start` (the working directory)."""
    if path is None:
        found = find_config_file((start or Path.cwd()).resolve())
        if found is None:
            return Config(root=(start or Path.cwd()).resolve())
        path, is_pyproject = found
    else:
        is_pyproject = path.name == "pyproject.toml"
    try:
        text = _read(path).decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: configuration is not UTF-8") from None
    document = _parse_toml(text, path)
    if is_pyproject:
        tool = document.get("tool", {})
        table = tool.get("preflight", {}) if isinstance(tool, dict) else {}
        where = f"{path} [tool.preflight]"
    else:
        table = document
        where = str(path)
    return config_from_table(table, known_ids, where, path.parent.resolve(), str(path))


def config_from_table(
    table: Mapping[str, object], known_ids: Iterable[str], where: str, root: Path, source: str | None = None
) -> Config:
    ids = tuple(known_ids)
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (valid: {', '.join(sorted(_KEYS))})")
    select = validate_selectors(
        _string_list(table.get("select", ["CP", "cfn-lint"]), f"{where} select"), ids, f"{where} select"
    )
    extend_select = validate_selectors(
        _string_list(table.get("extend-select", []), f"{where} extend-select"), ids, f"{where} extend-select"
    )
    ignore = validate_selectors(_string_list(table.get("ignore", []), f"{where} ignore"), ids, f"{where} ignore")
    fail_level = Severity.ERROR
    if "fail-level" in table:
        level = table["fail-level"]
        if not isinstance(level, str):
            raise ConfigError(f'{where} fail-level: expected "error", "warning" or "info"')
        try:
            fail_level = Severity.parse(level)
        except ValueError as error:
            raise ConfigError(f"{where} fail-level: {error}") from None
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw_per_file = table.get("per-file-ignores", {})
    if not isinstance(raw_per_file, Mapping):
        raise ConfigError(f"{where} per-file-ignores: expected a table of glob = [rule ids]")
    for pattern, selectors in raw_per_file.items():
        label = f"{where} per-file-ignores {pattern!r}"
        per_file.append((pattern, validate_selectors(_string_list(selectors, label), ids, label)))
    raw_quotas = table.get("quotas", {})
    if not isinstance(raw_quotas, Mapping):
        raise ConfigError(f"{where} quotas: expected a table such as rules-per-pack = 130")
    for key, value in raw_quotas.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where} quotas.{key}: expected a non-negative integer")
    try:
        quotas = quotas_with(raw_quotas)
    except KeyError as error:
        raise ConfigError(
            f"{where} quotas: unknown quota {error.args[0]!r} (valid: {', '.join(quota_keys())})"
        ) from None
    return Config(select, extend_select, ignore, fail_level, tuple(per_file), quotas, root, source)


def _string_list(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ConfigError(f"{where}: expected a list of rule ids")
