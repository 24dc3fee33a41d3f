"""Command-line paths -> the files to check: files as given, folders searched for templates."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from preflight.model.errors import UsageError

TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
STDIN = "-"


@dataclass(frozen=True)
class Subject:
    """A file to read and check, by the name it is reported under."""

    display: str
    path: Path | None  # None: standard input

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size if self.path is not None else 0
        except OSError:
            return 0


def subjects_for(template: Path | None) -> list[Subject]:
    """The subject list of a single template file (none when the template is elsewhere)."""
    return [Subject(template.as_posix(), template)] if template is not None else []


def expand_paths(paths: Sequence[str], stdin_name: str = "<stdin>") -> list[Subject]:
    """Files as given; directories recursively (sorted, hidden folders skipped) over template suffixes."""
    subjects: list[Subject] = []
    for given in paths:
        if given == STDIN:
            subjects.append(Subject(stdin_name, None))
            continue
        path = Path(given)
        if path.is_dir():
            subjects.extend(Subject(candidate.as_posix(), candidate) for candidate in _templates_below(path))
        elif path.exists():
            subjects.append(Subject(given, path))
        else:
            raise UsageError(f"{given}: no such file or directory")
    unique: dict[str, Subject] = {}
    for subject in subjects:  # a file named twice (or `-` twice) is checked once
        key = "-" if subject.path is None else str(subject.path.resolve())
        unique.setdefault(key, subject)
    return list(unique.values())


def _templates_below(folder: Path) -> list[Path]:
    """Template files below `folder`, sorted; hidden folders are skipped. A folder that cannot be read
    is listed too: reading it fails, and that is a finding, not silence."""
    found: list[Path] = []
    for directory, folders, files in os.walk(folder, onerror=lambda error: found.append(Path(error.filename))):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found.extend(Path(directory) / name for name in files if Path(name).suffix.lower() in TEMPLATE_SUFFIXES)
    return sorted(found)
