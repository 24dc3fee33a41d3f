"""`[tool.preflight]` in pyproject.toml, or the same keys at the top of `.preflight.toml`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from preflight.load.files import Unreadable, read_regular_file
from preflight.model.errors import InputError
from preflight.model.findings import Severity
from preflight.model.limits import SAFETY_LIMITS, quota_keys, quotas_with
from preflight.model.settings import DEFAULT_EXCLUDE, EVERY_RULE, FROM_FILE, Settings

SETTINGS_FILE = ".preflight.toml"
_KEYS = frozenset({
    "select", "extend-select", "ignore", "fail-level", "per-file-ignores", "quotas", "exclude", "extend-exclude",
    "respect-gitignore", "cfn-lint", "member-role",
})  # fmt: skip
_SELECTOR = r"CP\d{0,3}"
# An IAM role name (the IAM API reference: 1 to 64 of these characters).
ROLE_NAME = r"[A-Za-z0-9_+=,.@-]{1,64}"  # IAM's, ASCII only
_CFN_LINT_SELECTOR = r"cfn-lint(:[EWI]?\d{0,4})?"


class SettingsError(InputError):
    """A settings file that cannot be used; the CLI prints it as one line and exits 2."""


def validate_globs(patterns: Sequence[str], where: str) -> tuple[str, ...]:
    """`patterns`, when each is a glob; a SettingsError for the first that is not."""
    for pattern in patterns:
        if "[" not in pattern:  # only a character set can be wrong
            continue
        from preflight.model.globs import glob_problem

        problem = glob_problem(pattern)
        if problem is not None:
            raise SettingsError(f"{where}: {pattern!r} is not a valid glob: {problem}")
    return tuple(patterns)


def validate_selectors(selectors: Sequence[str], known_ids: Iterable[str], where: str) -> tuple[str, ...]:
    ids = list(known_ids)
    checked: list[str] = []
    for selector in selectors:
        selector = selector.strip()
        head, _, tail = selector.partition(":")
        if head.lower() == "cfn-lint" and re.fullmatch(_CFN_LINT_SELECTOR, f"cfn-lint{':' if _ else ''}{tail.upper()}"):
            checked.append(f"cfn-lint{':' if _ else ''}{tail.upper()}")  # cfn-lint's ids (with --cfn-lint)
            continue
        selector = selector.upper()
        if not selector:
            continue
        if not re.fullmatch(_SELECTOR, selector):
            raise SettingsError(f"{where}: {selector!r} is not a rule id or prefix (such as CP305 or CP3)")
        if not any(rule_id.startswith(selector) for rule_id in ids):
            raise SettingsError(f"{where}: no rule matches {selector!r} (see `preflight rules`)")
        checked.append(selector)
    return tuple(checked)


def find_settings_file(start: Path) -> tuple[Path, bool] | None:
    """The nearest `.preflight.toml`, or `pyproject.toml` with a [tool.preflight] table, from `start`
    upwards. The flag says whether it is a pyproject.toml. A pyproject.toml that cannot be read, or
    whose [tool.preflight] is not UTF-8, is an error: its settings must not be lost without a word."""
    for directory in (start, *start.parents):
        found = settings_file_in(directory)
        if found is not None:
            return found
    return None


def settings_file_in(directory: Path) -> tuple[Path, bool] | None:
    """`directory`'s own settings file, as find_settings_file looks for one. In a folder that cannot be
    searched (no execute permission for this user) no file can be read, so none is found there: its
    files are each reported unreadable, and the other folders' settings and findings are kept."""
    candidate = directory / SETTINGS_FILE
    pyproject = directory / "pyproject.toml"
    try:
        own, project = candidate.is_file(), pyproject.is_file()
    except OSError:
        return None
    if own:
        return candidate, False
    if project:
        data = _read(pyproject)
        if b"preflight" not in data:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if b"[tool.preflight" in data:
                raise SettingsError(f"{pyproject}: configuration is not UTF-8") from None
            return None
        if _has_preflight_table(text, pyproject):
            return pyproject, True
    return None


def _read(path: Path) -> bytes:
    try:
        data = read_regular_file(path, SAFETY_LIMITS.max_config_bytes)
    except Unreadable as reason:
        raise SettingsError(f"{path}: {reason}") from None
    if len(data) > SAFETY_LIMITS.max_config_bytes:
        raise SettingsError(f"{path}: larger than {SAFETY_LIMITS.max_config_bytes:,} bytes; not a configuration file")
    return data


# tomllib takes time and memory quadratic in the parts of one dotted key (`a.a.a... = 1`).
_DOTTED_KEY_PARTS_MAX = 100


def _parse_toml(text: str, path: Path) -> dict[str, object]:
    import tomllib  # only when there is a configuration file

    for number, line in enumerate(text.splitlines(), start=1):
        key = line.split("=", 1)[0] if "=" in line and not line.lstrip().startswith(("[", "#")) else ""
        if key.count(".") >= _DOTTED_KEY_PARTS_MAX:
            raise SettingsError(f"{path}:{number}: a dotted key of more than {_DOTTED_KEY_PARTS_MAX} parts")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise SettingsError(f"{path}: invalid TOML: nested too deeply") from None


def _has_preflight_table(pyproject_text: str, path: Path) -> bool:
    try:
        tool = _parse_toml(pyproject_text, path).get("tool", {})
    except SettingsError:
        return "[tool.preflight" in pyproject_text  # let load_settings report the problem
    return isinstance(tool, dict) and "preflight" in tool


def load_settings(path: Path | None, known_ids: Iterable[str], start: Path | None = None) -> Settings:
    """`path` is an explicit --config; otherwise search from `start` (the working directory)."""
    if path is None:
        found = find_settings_file((start or Path.cwd()).resolve())
        if found is None:
            return Settings(root=(start or Path.cwd()).resolve())
        path, is_pyproject = found
    else:
        is_pyproject = path.name == "pyproject.toml"
    return _settings_file(path, is_pyproject, known_ids)


def _settings_file(path: Path, is_pyproject: bool, known_ids: Iterable[str]) -> Settings:
    try:
        text = _read(path).decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: configuration is not UTF-8") from None
    document = _parse_toml(text, path)
    if is_pyproject:
        tool = document.get("tool", {})
        table = tool.get("preflight", {}) if isinstance(tool, dict) else {}
        where = f"{path} [tool.preflight]"
    else:
        table = document
        where = str(path)
        tool = table.get("tool")
        if isinstance(tool, dict) and "preflight" in tool:
            raise SettingsError(
                f"{where}: a [tool.preflight] table is pyproject.toml's form; in {SETTINGS_FILE} the same keys "
                "go at the top level, without a table header"
            )
    return settings_from_table(table, known_ids, where, path.parent.resolve(), str(path))


# Keys that are the run's, not a folder's (the exit status, cfn-lint, the account's service quotas): a
# settings file in a subfolder does not change them.
RUN_WIDE = ("fail_level", "cfn_lint", "quotas", "member_role")


class SettingsScopes:
    """The settings each folder is checked with, as ruff's hierarchical configuration: the nearest
    settings file from the folder upwards governs the files below it (a vendored tool's own
    pyproject.toml excludes its fixtures; a team's subfolder selects its own rules), with the command
    line's options over every one. `root` is the working directory's (or `--config`'s, which then
    governs every folder); the run-wide keys (`fail-level`, `cfn-lint`, `quotas`) are always the root's.
    Each settings file is read once, when a folder below it is first asked about."""

    def __init__(
        self, known_ids: Iterable[str], config: Path | None, over: Callable[[Settings], Settings], start: Path
    ) -> None:
        self._ids = tuple(known_ids)
        self._over = over
        self._explicit = config is not None
        self.root = over(load_settings(config, self._ids, start))
        self._folders: dict[Path, Settings] = {}

    def for_folder(self, folder: Path) -> Settings:
        if self._explicit:
            return self.root
        return self._nearest(folder.resolve())

    def _nearest(self, folder: Path) -> Settings:
        """Up from `folder` to the first folder already known or holding a settings file; every folder
        on the way is then known (a deep tree is searched once, without recursion)."""
        passed: list[Path] = []
        settings = None
        for directory in (folder, *folder.parents):
            settings = self._folders.get(directory)
            if settings is not None:
                break
            passed.append(directory)
            found = settings_file_in(directory)
            if found is not None:
                settings = self._from_file(*found)
                break
        settings = settings or self.root
        for directory in passed:
            self._folders[directory] = settings
        return settings

    def _from_file(self, path: Path, is_pyproject: bool) -> Settings:
        if self.root.source is not None and path == Path(self.root.source).resolve():
            return self.root
        nested = self._over(_settings_file(path, is_pyproject, self._ids))
        return replace(nested, **{key: getattr(self.root, key) for key in RUN_WIDE})


def settings_from_table(
    table: Mapping[str, object], known_ids: Iterable[str], where: str, root: Path, source: str | None = None
) -> Settings:
    ids = tuple(known_ids)
    if not isinstance(table, Mapping):
        raise SettingsError(f"{where}: expected a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise SettingsError(f"{where}: unknown key {unknown[0]!r} (valid: {', '.join(sorted(_KEYS))})")
    select = validate_selectors(
        _string_list(table.get("select", list(EVERY_RULE)), f"{where} select"), ids, f"{where} select"
    )
    extend_select = validate_selectors(
        _string_list(table.get("extend-select", []), f"{where} extend-select"), ids, f"{where} extend-select"
    )
    ignore = validate_selectors(_string_list(table.get("ignore", []), f"{where} ignore"), ids, f"{where} ignore")
    fail_level = Severity.ERROR
    if "fail-level" in table:
        level = table["fail-level"]
        if not isinstance(level, str):
            raise SettingsError(f'{where} fail-level: expected "error", "warning" or "info"')
        try:
            fail_level = Severity.parse(level)
        except ValueError as error:
            raise SettingsError(f"{where} fail-level: {error}") from None
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw_per_file = table.get("per-file-ignores", {})
    if not isinstance(raw_per_file, Mapping):
        raise SettingsError(f"{where} per-file-ignores: expected a table of glob = [rule ids]")
    for pattern, selectors in raw_per_file.items():
        label = f"{where} per-file-ignores {pattern!r}"
        validate_globs([pattern], f"{where} per-file-ignores")
        per_file.append((pattern, validate_selectors(_string_list(selectors, label), ids, label)))
    raw_quotas = table.get("quotas", {})
    if not isinstance(raw_quotas, Mapping):
        raise SettingsError(f"{where} quotas: expected a table such as rules-per-pack = 130")
    for key, value in raw_quotas.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SettingsError(f"{where} quotas.{key}: expected a non-negative integer")
    try:
        quotas = quotas_with(raw_quotas)
    except KeyError as error:
        raise SettingsError(
            f"{where} quotas: unknown quota {error.args[0]!r} (valid: {', '.join(quota_keys())})"
        ) from None
    exclude = validate_globs(_string_list(table.get("exclude", list(DEFAULT_EXCLUDE)), f"{where} exclude"),
                             f"{where} exclude")  # fmt: skip
    extend_exclude = validate_globs(_string_list(table.get("extend-exclude", []), f"{where} extend-exclude"),
                                    f"{where} extend-exclude")  # fmt: skip
    member_role = table.get("member-role")
    if member_role is not None and not (isinstance(member_role, str) and re.fullmatch(ROLE_NAME, member_role)):
        raise SettingsError(f"{where} member-role: expected an IAM role name, such as OrganizationAccountAccessRole")
    return Settings(
        select, extend_select, ignore, fail_level, tuple(per_file), quotas, root, source, exclude, extend_exclude,
        _flag(table, "respect-gitignore", True, where), _flag(table, "cfn-lint", False, where), member_role,
        tuple((key, FROM_FILE) for key in sorted(table)),
    )  # fmt: skip


def _flag(table: Mapping[str, object], key: str, default: bool, where: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise SettingsError(f"{where} {key}: expected true or false")
    return value


def _string_list(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise SettingsError(f"{where}: expected a list of rule ids")
