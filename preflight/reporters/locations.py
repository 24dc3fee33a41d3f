"""File names as reports outside the terminal want them: relative to the working directory, with
forward slashes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def relative_paths(files: Iterable[str]) -> dict[str, str]:
    """Each distinct file's `relative_path`, worked out once (a report may hold thousands of findings
    in one file)."""
    return {file: relative_path(file) for file in dict.fromkeys(files)}


def relative_path(file: str) -> str:
    if file.startswith("<") or "#" in file:
        return file
    try:
        relative = os.path.relpath(Path(file).resolve(), Path.cwd())
    except ValueError:  # another drive on Windows
        return Path(file).as_posix()
    return Path(relative).as_posix()
