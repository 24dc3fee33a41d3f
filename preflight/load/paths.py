"""Command-line paths -> the files to check: files as given, folders searched for templates."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.model.settings import relative_to

if TYPE_CHECKING:
    from preflight.load.gitignore import GitIgnore

TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
STDIN = "-"


@dataclass(frozen=True)
class Subject:
    """A file to read and check, by the name it is reported under. `named`: given on the command
    line (checked whatever it holds), rather than found in a folder (checked only if it is a pack)."""

    display: str
    path: Path | None  # None: standard input
    named: bool = True

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size if self.path is not None else 0
        except OSError:
            return 0


def subjects_for(template: Path | None) -> list[Subject]:
    """The subject list of a single template file (none when the template is elsewhere)."""
    return [Subject(template.as_posix(), template)] if template is not None else []


@dataclass(eq=False, frozen=True)
class Expanded:
    """The files the paths given name, and the paths that do not exist."""

    subjects: tuple[Subject, ...]
    missing: tuple[str, ...]  # paths given that do not exist


@dataclass(eq=False, frozen=True)
class Search:
    """How folders are searched: `exclude` globs (preflight.model.globs) relative to `root`, and
    whether git's ignore files count."""

    root: Path
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True


def expand_paths(paths: Sequence[str], search: Search, stdin_name: str = "<stdin>") -> Expanded:
    """Files as given; folders searched (sorted; hidden, excluded and git-ignored paths skipped) for
    template suffixes. A path that does not exist is listed in `missing`; the others are still found."""
    subjects: list[Subject] = []
    missing: list[str] = []
    walker: _Walker | None = None  # made for the first folder: most runs name files
    for given in paths:
        if given == STDIN:
            subjects.append(Subject(stdin_name, None))
            continue
        path = Path(given)
        if path.is_dir():
            walker = walker or _Walker(search)
            subjects.extend(Subject(found.as_posix(), found, named=False) for found in walker.templates_below(path))
        elif path.exists():
            subjects.append(Subject(given, path))
        else:
            missing.append(given)
    unique: dict[str, Subject] = {}
    for subject in subjects:  # a file named twice (or `-` twice) is checked once
        key = "-" if subject.path is None else str(subject.path.resolve())
        if key not in unique or subject.named:
            unique[key] = subject if key not in unique else replace(unique[key], named=True)
    return Expanded(tuple(unique.values()), tuple(missing))


class _Walker:
    def __init__(self, search: Search) -> None:
        self.search = search
        from preflight.model.globs import Glob  # only when a folder is searched

        self.globs = [Glob.of(pattern) for pattern in search.exclude]
        self.ignores: dict[Path, GitIgnore | None] = {}

    def templates_below(self, folder: Path) -> list[Path]:
        """Template files below `folder`, sorted. A folder that cannot be read is listed too: reading
        it fails, and that is a finding, not silence."""
        found: list[Path] = []
        ignore = self._gitignore(folder)
        for directory, folders, files in os.walk(folder, onerror=lambda error: found.append(Path(error.filename))):
            base = Path(directory)
            folders[:] = sorted(
                name for name in folders if not name.startswith(".") and not self._skipped(base / name, ignore, True)
            )
            found.extend(
                base / name
                for name in files
                if Path(name).suffix.lower() in TEMPLATE_SUFFIXES and not self._skipped(base / name, ignore, False)
            )
        return sorted(found)

    def _skipped(self, path: Path, ignore: GitIgnore | None, is_dir: bool) -> bool:
        relative = relative_to(str(path), self.search.root)
        if any(glob.matches_entry(relative) for glob in self.globs):
            return True
        return ignore is not None and ignore.ignored(path, is_dir=is_dir)

    def _gitignore(self, folder: Path) -> GitIgnore | None:
        if not self.search.respect_gitignore:
            return None
        from preflight.load.gitignore import GitIgnore, git_top  # only folders are searched

        top = git_top(folder.resolve())
        if top is None:
            return None
        if top not in self.ignores:
            self.ignores[top] = GitIgnore(top)
        return self.ignores[top]
