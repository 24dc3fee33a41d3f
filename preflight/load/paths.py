"""Command-line paths -> the files to check: files as given, folders searched for templates."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from preflight.model.errors import InputError
from preflight.model.settings import FROM_FILE, Settings, relative_to

if TYPE_CHECKING:
    from preflight.load.gitignore import GitIgnore
    from preflight.model.globs import Glob

# Terraform's files: the packs of their aws_config_*conformance_pack resources (preflight.knowledge.terraform).
TERRAFORM_SUFFIX = ".tf"
TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template", TERRAFORM_SUFFIX})
STDIN = "-"


@dataclass(frozen=True)
class Subject:
    """A file to read and check, by the name it is reported under. `named`: given on the command
    line (checked whatever it holds), rather than found in a folder (checked only if it is a pack).
    `settings`: the settings of its folder, when they are not the run's (a settings file nearer to it)."""

    display: str
    path: Path | None  # None: standard input
    named: bool = True
    settings: Settings | None = None

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size if self.path is not None else 0
        except OSError:
            return 0


@dataclass(frozen=True)
class PassedOver:
    """A path a folder search did not look into, and why (`check --show-files`)."""

    display: str
    status: str  # excluded (by a glob of the settings) or ignored (by git)
    reason: str


@dataclass(eq=False, frozen=True)
class Expanded:
    """The files the paths given name, the paths that do not exist, and what the search passed over
    (excluded or git-ignored entries; hidden ones and other suffixes are not listed)."""

    subjects: tuple[Subject, ...]
    missing: tuple[str, ...]  # paths given that do not exist
    passed_over: tuple[PassedOver, ...] = ()
    # Settings files in subfolders that cannot be used, one line each: their subtree is not checked.
    unusable: tuple[str, ...] = ()


class Scopes(Protocol):
    """The settings of each folder (preflight.load.settings_file.SettingsScopes)."""

    @property
    def root(self) -> Settings: ...

    def for_folder(self, folder: Path) -> Settings: ...


def expand_paths(paths: Sequence[str], scopes: Scopes, stdin_name: str = "<stdin>") -> Expanded:
    """Files as given; folders searched (sorted; hidden, excluded and git-ignored paths skipped, each
    folder by its own settings) for template suffixes. A path that does not exist is listed in
    `missing`; the others are still found."""
    subjects: list[Subject] = []
    missing: list[str] = []
    unusable: list[str] = []
    walker: _Walker | None = None  # made for the first folder: most runs name files
    for given in paths:
        if given == STDIN:  # checked with the settings of the folder its --stdin-filename names
            try:
                settings = scopes.for_folder(Path(stdin_name).parent)
            except InputError as error:
                unusable.append(str(error))
                continue
            subjects.append(Subject(stdin_name, None, settings=_own(scopes, settings)))
            continue
        path = Path(given)
        if path.is_dir():
            walker = walker or _Walker(scopes)
            subjects.extend(walker.templates_below(path))
        elif path.exists():
            try:
                settings = scopes.for_folder(path.parent)
            except InputError as error:
                unusable.append(str(error))
                continue
            subjects.append(Subject(given, path, settings=_own(scopes, settings)))
        else:
            missing.append(given)
    unique: dict[str, Subject] = {}
    for subject in subjects:  # a file named twice (or `-` twice) is checked once
        key = "-" if subject.path is None else str(subject.path.resolve())
        if key not in unique or subject.named:
            unique[key] = subject if key not in unique else replace(unique[key], named=True)
    passed_over = tuple(sorted(walker.passed_over, key=lambda entry: entry.display)) if walker else ()
    unusable.extend(walker.unusable if walker else ())
    return Expanded(tuple(unique.values()), tuple(missing), passed_over, tuple(dict.fromkeys(unusable)))


def _own(scopes: Scopes, settings: Settings) -> Settings | None:
    """`settings`, or None when they are the run's own."""
    return None if settings is scopes.root else settings


def shown(file: str | None) -> str | None:
    """A settings file's name as the user would type it: relative to the working directory when below it."""
    if file is None:
        return None
    relative = relative_to(file, Path.cwd())
    return relative if not relative.startswith("/") else file


class _Walker:
    def __init__(self, scopes: Scopes) -> None:
        self.scopes = scopes
        self.globs: dict[int, list[tuple[Glob, Path]]] = {}  # by id() of each Settings met
        self.ignores: dict[Path, GitIgnore | None] = {}
        self.passed_over: list[PassedOver] = []
        self.unusable: list[str] = []

    def templates_below(self, folder: Path) -> list[Subject]:
        """Template files below `folder`, sorted. A folder that cannot be read is listed too: reading
        it fails, and that is a finding, not silence."""
        found: list[Subject] = []

        def unreadable(error: OSError) -> None:
            found.append(Subject(Path(error.filename).as_posix(), Path(error.filename), False))

        for directory, folders, files in os.walk(folder, onerror=unreadable):
            base = Path(directory)
            try:
                settings = self.scopes.for_folder(base)
            except InputError as error:  # its own settings file: what to check below it is unknown
                self.unusable.append(str(error))
                folders[:] = []
                continue
            ignore = self._gitignore(folder, settings)
            folders[:] = sorted(
                name for name in folders if not name.startswith(".") and self._kept(base / name, settings, ignore, True)
            )
            found.extend(
                Subject((base / name).as_posix(), base / name, False, _own(self.scopes, settings))
                for name in sorted(files)
                if Path(name).suffix.lower() in TEMPLATE_SUFFIXES and self._kept(base / name, settings, ignore, False)
            )
        return sorted(found, key=lambda subject: subject.display)

    def _kept(self, path: Path, settings: Settings, ignore: GitIgnore | None, is_dir: bool) -> bool:
        """Whether the search keeps `path`; when it does not, the reason is noted."""
        relative: dict[Path, str] = {}
        for glob, base in self._globs(settings):
            if base not in relative:
                relative[base] = relative_to(str(path), base)
            if glob.matches_entry(relative[base]):
                key = "exclude" if glob.pattern in settings.exclude else "extend-exclude"
                origin = dict(settings.origins).get(key)
                source = shown(settings.source) if origin == FROM_FILE else origin or "default"
                self._pass(path, is_dir, "excluded", f"by {key} {glob.pattern!r}, {source}")
                return False
        if ignore is not None and ignore.ignored(path, is_dir=is_dir):
            self._pass(path, is_dir, "ignored", "by git")
            return False
        return True

    def _pass(self, path: Path, is_dir: bool, status: str, reason: str) -> None:
        self.passed_over.append(PassedOver(path.as_posix() + ("/" if is_dir else ""), status, reason))

    def _globs(self, settings: Settings) -> list[tuple[Glob, Path]]:
        """Each exclude glob of `settings` and the folder it matches from: the settings file's, or the
        working directory for a glob of the command line."""
        globs = self.globs.get(id(settings))
        if globs is None:
            from preflight.model.globs import Glob  # only when a folder is searched

            cli_root = settings.command_line_root or settings.root
            globs = self.globs[id(settings)] = [
                (Glob.of(pattern), cli_root if pattern in settings.command_line_globs else settings.root)
                for pattern in settings.exclude + settings.extend_exclude
            ]
        return globs

    def _gitignore(self, folder: Path, settings: Settings) -> GitIgnore | None:
        if not settings.respect_gitignore:
            return None
        from preflight.load.gitignore import GitIgnore, git_top  # only folders are searched

        top = git_top(folder.resolve())
        if top is None:
            return None
        if top not in self.ignores:
            self.ignores[top] = GitIgnore(top)
        return self.ignores[top]
