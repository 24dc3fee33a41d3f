"""A result cache in `.preflight_cache/`: findings of a template file, keyed by everything they depend
on (the file's bytes and name, the tool's code and version, the managed-rule catalog, cfn-lint's
version, the configuration, the enabled rules and the request context). A result can only be
reused when every one of those is unchanged; `--no-cache` turns it off."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from stat import S_ISREG
from typing import TypeGuard

from preflight import __version__
from preflight.engine.runner import internal_error
from preflight.engine.suppression import Suppression
from preflight.load.files import Unreadable, read_regular_file
from preflight.load.gitignore import git_top
from preflight.model.findings import Edit, Finding, Severity, Span
from preflight.model.request import PackRequest
from preflight.model.rule import Rule
from preflight.model.settings import Settings

CACHE_DIRECTORY = ".preflight_cache"
CACHE_DIRECTORY_VARIABLE = "PREFLIGHT_CACHE_DIR"


def cache_directory(settings: Settings) -> Path:
    """`PREFLIGHT_CACHE_DIR` when set; else `.preflight_cache` in the project: the folder of the
    settings file, or the top of the git working tree the command runs in; else, outside any project
    (a home folder), the user's cache folder (`$XDG_CACHE_HOME/preflight`, `~/.cache/preflight`)."""
    chosen = os.environ.get(CACHE_DIRECTORY_VARIABLE)
    if chosen:
        return Path(chosen)
    if settings.source is not None:
        return settings.root / CACHE_DIRECTORY
    top = git_top(settings.root)
    if top is not None:
        return top / CACHE_DIRECTORY
    user = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(user) / "preflight"


# Entries unused this long are removed, at most once a day.
STALE_SECONDS = 30 * 24 * 3600
PRUNE_EVERY_SECONDS = 24 * 3600
_PRUNED_MARK = ".pruned"


FORMAT = 4
_PACKAGE = Path(__file__).resolve().parent.parent  # the preflight package


def code_fingerprint() -> str:
    """The tool itself: version, every source and data file of the package (size and modification
    time, so an edited rule is never served from a stale entry; the managed-rule catalog and the
    resource schemas CP420 reads are data files), cfn-lint's version (`--cfn-lint`) and Guard's (CP413)."""
    digest = hashlib.sha256(f"{FORMAT}:{__version__}:{sys.version}".encode())
    for root in (str(_PACKAGE), *_rules_path()):
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
            for name in sorted(files):  # any suffix: data formats change
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:  # a link to nothing, or a file removed meanwhile: nothing to run
                    continue
                relative = os.path.relpath(path, root).replace(os.sep, "/")
                digest.update(f"{relative}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for distribution in ("cfn-lint", "ruamel.yaml", "ruamel.yaml.clibz", "cfn-guard-rs"):
        digest.update(f"{distribution}={installed_metadata(distribution) or 'absent'}".encode())
    return digest.hexdigest()


def installed_metadata(distribution: str) -> str | None:
    """What says which release of `distribution` is installed, or None when it is not: the metadata
    folder found first on sys.path (as importlib.metadata looks: `*.dist-info`, `*.egg-info`, an
    `.egg`'s `EGG-INFO`), with its metadata file's size and modification time, so a release installed
    over an `.egg-info` of the same name still changes it. importlib.metadata would cost a one-file
    check 27 ms cached and 30 ms cold (python bench/library_copies.py, medians of 15 whole runs)."""
    wanted = _normalized(distribution)
    for entry in sys.path:
        folder = entry or "."
        try:
            names = sorted(os.listdir(folder))
        except OSError:  # a zip file, or a folder that does not exist
            continue
        base = os.path.basename(os.path.normpath(folder))
        if base.lower().endswith(".egg") and "EGG-INFO" in names and _normalized(base.partition("-")[0]) == wanted:
            found = _metadata_file(os.path.join(folder, "EGG-INFO"))
            if found is not None:
                return found
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in ("dist-info", "egg-info") and _normalized(stem.partition("-")[0]) == wanted:
                found = _metadata_file(os.path.join(folder, name))
                if found is not None:
                    return found
    return None


def _metadata_file(path: str) -> str | None:
    """A metadata folder's `METADATA` or `PKG-INFO` (or an old `.egg-info` that is itself that file), by
    folder name, size and modification time."""
    for candidate in (os.path.join(path, "METADATA"), os.path.join(path, "PKG-INFO"), path):
        try:
            found = os.stat(candidate)
        except OSError:
            continue
        if S_ISREG(found.st_mode):  # not `path` itself when it is a folder without its file
            return f"{os.path.basename(path)}:{found.st_size}:{found.st_mtime_ns}"
    return None


def _normalized(name: str) -> str:
    """A distribution name as packaging compares them (PEP 503): `ruamel.yaml` is `ruamel_yaml`."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _rules_path() -> list[str]:
    import importlib

    return list(importlib.import_module("preflight.rules").__path__)


# Settings that decide no finding, so changing them keeps the cache.
SETTINGS_OUTSIDE_FINGERPRINT = {
    "fail_level": "decides the exit status, not the findings",
    "source": "names the file the settings came from; their values are fingerprinted",
    "origins": "says where each setting came from; the settings are fingerprinted",
    "exclude": "decides which files are searched, not a file's findings",
    "extend_exclude": "decides which files are searched, not a file's findings",
    "respect_gitignore": "decides which files are searched, not a file's findings",
    "command_line_globs": "decides which files are searched, not a file's findings",
    "member_role": "used by the online checks, whose results are never cached",
    "command_line_root": "decides which files are searched, not a file's findings",
}


def run_fingerprint(
    request: PackRequest,
    cfn_lint: bool,
    only_packs: bool = False,
    *,
    guard_installed: bool,
) -> str:
    """Everything besides the file and its settings that decides its findings: the code, every field
    of the request, the options, and whether Guard's parser can be imported (without it CP413 says the
    policies were not checked). The settings a file is checked with (its folder's) are added to each
    key (`Cache.key`)."""
    document = {
        "code": code_fingerprint(),
        "cfn_lint": cfn_lint,
        "only_packs": only_packs,
        "guard_installed": guard_installed,
        "request": {item.name: _stable(getattr(request, item.name)) for item in fields(request)},
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def settings_fingerprint(settings: Settings, rules: Sequence[Rule]) -> str:
    """The enabled rules and every field of the settings, less `SETTINGS_OUTSIDE_FINGERPRINT`."""
    document = {
        "rules": [rule.id for rule in rules],
        "settings": {
            item.name: repr(getattr(settings, item.name))
            for item in fields(settings)
            if item.name not in SETTINGS_OUTSIDE_FINGERPRINT
        },
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def _stable(value: object) -> str:
    """`repr`, with mappings in key order (the request's origins) and sets in order (a set's repr
    follows the run's string hashes)."""
    if isinstance(value, Mapping):
        return repr(sorted((repr(key), repr(item)) for key, item in value.items()))
    if isinstance(value, set | frozenset):
        return repr(sorted(repr(item) for item in value))
    return repr(value)


def _encode(finding: Finding) -> dict[str, object]:
    entry = asdict(finding)
    del entry["transient"]  # never stored: a result holding a transient finding is not cached
    entry["severity"] = int(finding.severity)
    entry["span"] = list(asdict(finding.span).values())
    entry["origin"] = finding.origin
    entry["path"] = list(finding.path)
    entry["edits"] = [[*asdict(edit.span).values(), edit.text] for edit in finding.edits]
    entry["accounts"] = list(finding.accounts)
    return entry


class _Damaged(ValueError):
    """A cache entry that is not exactly what `_encode` writes."""


def _decode(entry: object) -> Finding:
    """A finding from a cache entry, checked field by field: a damaged or forged entry is a miss, never
    a finding with a wrong type in the JSON contract."""
    if not isinstance(entry, dict) or set(entry) != _FIELDS:
        raise _Damaged("fields")
    span, path, severity, fix, origin = entry["span"], entry["path"], entry["severity"], entry["fix"], entry["origin"]
    texts = (entry["rule"], entry["name"], entry["file"], entry["message"])
    if not all(isinstance(text, str) for text in texts) or not (fix is None or isinstance(fix, str)):
        raise _Damaged("text")
    if not (origin is None or isinstance(origin, str)):
        raise _Damaged("origin")
    lowest = 0 if origin is not None else 1  # a command-line value's finding has no position
    if not _is_span(span, lowest):
        raise _Damaged("span")
    if not _is_path(path):
        raise _Damaged("path")
    if type(severity) is not int or severity not in {int(level) for level in Severity}:
        raise _Damaged("severity")
    edits, unsafe = entry["edits"], entry["unsafe"]
    if type(unsafe) is not bool or not isinstance(edits, list) or not all(_is_edit(edit) for edit in edits):
        raise _Damaged("edits")
    accounts = entry["accounts"]
    if not (isinstance(accounts, list) and all(isinstance(account, str) for account in accounts)):
        raise _Damaged("accounts")
    rule, name, file, message = texts
    decoded = tuple(Edit(Span(*edit[:4]), edit[4]) for edit in edits)
    return Finding(
        rule,
        name,
        Severity(severity),
        file,
        Span(*span),
        tuple(path),
        message,
        fix,
        origin,
        decoded,
        unsafe,
        tuple(accounts),
    )


def _is_span(span: object, lowest: int) -> TypeGuard[list[int]]:
    return isinstance(span, list) and len(span) == 4 and all(type(n) is int and lowest <= n < 2**31 for n in span)


def _is_path(path: object) -> TypeGuard[list[str | int]]:
    return isinstance(path, list) and all(type(part) in (str, int) for part in path)


def _is_edit(edit: object) -> bool:
    return isinstance(edit, list) and len(edit) == 5 and _is_span(edit[:4], 1) and isinstance(edit[4], str)


_FIELDS = frozenset(
    {"rule", "name", "severity", "file", "span", "path", "message", "fix", "origin", "edits", "unsafe", "accounts"}
)
# An entry holds one file's findings; a file is at most 4 MiB, so its entry is far smaller than this.
_ENTRY_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One file's result: its findings before suppressions, and the suppressions it holds (its Metadata's
    cannot be had without parsing it again)."""

    findings: tuple[Finding, ...]
    suppressions: tuple[Suppression, ...]


def _encode_suppression(suppression: Suppression) -> list[object]:
    inside = list(suppression.inside) if suppression.inside is not None else None
    return [list(suppression.ids), list(asdict(suppression.span).values()), suppression.line, inside]


def _decode_suppression(entry: object) -> Suppression:
    if not (isinstance(entry, list) and len(entry) == 4):
        raise _Damaged("suppression")
    ids, span, line, inside = entry
    if not (isinstance(ids, list) and all(isinstance(rule_id, str) for rule_id in ids)):
        raise _Damaged("suppression ids")
    if not _is_span(span, 1):
        raise _Damaged("suppression span")
    if not (line is None or (type(line) is int and 0 < line < 2**31)):
        raise _Damaged("suppression line")
    if not (inside is None or (_is_path(inside) and inside)):
        raise _Damaged("suppression path")
    return Suppression(tuple(ids), Span(*span), line, tuple(inside) if inside is not None else None)


@dataclass(frozen=True)
class Cache:
    directory: Path
    context: str  # run_fingerprint
    # settings_fingerprint of each Settings met, by id(): a run has one, or a few (settings files in subfolders)
    _settings: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    def key(self, file: str, content: bytes, settings: Settings, rules: Sequence[Rule]) -> str:
        scope = self._settings.get(id(settings))
        if scope is None:
            scope = self._settings[id(settings)] = settings_fingerprint(settings, rules)
        digest = hashlib.sha256(f"{self.context}:{scope}".encode())
        digest.update(b"\x00" + file.encode("utf-8", "surrogateescape") + b"\x00")
        digest.update(content)
        return digest.hexdigest()

    def get(self, key: str) -> Entry | None:
        entry = self.directory / key[:2] / key
        try:
            data = read_regular_file(entry, _ENTRY_MAX_BYTES)
            stored = json.loads(data)
            if not (isinstance(stored, dict) and set(stored) == {"findings", "suppressions"}):
                return None
            findings, suppressions = stored["findings"], stored["suppressions"]
            if not (isinstance(findings, list) and isinstance(suppressions, list)):
                return None
            found = Entry(
                tuple(_decode(item) for item in findings), tuple(_decode_suppression(item) for item in suppressions)
            )
        except (Unreadable, ValueError, RecursionError):
            return None  # missing or damaged: check the file again
        with contextlib.suppress(OSError):
            os.utime(entry)  # used: not stale
        return found

    def prune(self, now: float | None = None) -> int:
        """Remove entries unused for STALE_SECONDS (old formats and edited files leave such entries),
        at most once every PRUNE_EVERY_SECONDS; returns how many were removed."""
        now = time.time() if now is None else now
        mark = self.directory / _PRUNED_MARK
        try:
            if now - mark.stat().st_mtime < PRUNE_EVERY_SECONDS:
                return 0
        except FileNotFoundError:
            pass
        except OSError:
            return 0
        removed = 0
        try:
            for folder in self.directory.iterdir():
                if not folder.is_dir() or folder.is_symlink() or len(folder.name) != 2:
                    continue
                for entry in folder.iterdir():
                    with contextlib.suppress(OSError):
                        if now - entry.lstat().st_mtime > STALE_SECONDS:
                            entry.unlink()
                            removed += 1
            mark.touch()
            os.utime(mark, (now, now))
        except OSError:
            pass  # a cache that cannot be pruned only costs disk space
        return removed

    def put(self, key: str, result: Entry) -> None:
        findings = result.findings
        if any(finding.rule == internal_error.id or finding.transient for finding in findings):
            return  # a crash is not a result, nor a check that could not run this time
        folder = self.directory / key[:2]
        temporary: str | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by preflight: the cache is not for version control\n*\n")
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(
                    {
                        "findings": [_encode(finding) for finding in findings],
                        "suppressions": [_encode_suppression(suppression) for suppression in result.suppressions],
                    },
                    stream,
                )
            os.replace(temporary, folder / key)
            temporary = None
        except (OSError, ValueError, TypeError):
            pass  # an unwritable cache (a full disk) only costs speed
        finally:
            if temporary is not None:  # a full disk: leave no half-written file behind
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
