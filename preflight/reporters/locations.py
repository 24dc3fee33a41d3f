"""File names as reports outside the terminal want them: relative to the working directory, with
forward slashes."""

from __future__ import annotations

import os
from pathlib import Path


def relative_path(file: str) -> str:
    if file.startswith("<") or "#" in file:
        return file
    try:
        relative = os.path.relpath(Path(file).resolve(), Path.cwd())
    except ValueError:  # another drive on Windows
        return Path(file).as_posix()
    return Path(relative).as_posix()
