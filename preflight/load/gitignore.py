"""Which paths git ignores: inside a git working tree, the `.gitignore` files from the tree's top down
to each folder, and `.git/info/exclude`, with git's own pattern rules (the pathspec library). Outside
a git working tree nothing is ignored, as with git and ruff."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from preflight.load.files import Unreadable, read_regular_file

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

_IGNORE_FILE_MAX_BYTES = 1024 * 1024


def git_top(folder: Path) -> Path | None:
    """The top of the git working tree that holds `folder`, if any."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


class GitIgnore:
    """Asks, for paths below one working tree, whether git ignores them. Each folder's `.gitignore`
    is read once, when a path below it is first asked about."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self._specs: dict[Path, GitIgnoreSpec | None] = {}

    def ignored(self, path: Path, *, is_dir: bool) -> bool:
        try:
            relative = path.resolve().relative_to(self.top)
        except (ValueError, OSError):
            return False
        folders = [self.top, *(self.top / Path(*relative.parts[:depth]) for depth in range(1, len(relative.parts)))]
        # The deepest .gitignore that says anything decides; .git/info/exclude is below them all.
        for folder in reversed(folders):
            spec = self._spec(folder)
            if spec is None:
                continue
            below = path.resolve().relative_to(folder).as_posix() + ("/" if is_dir else "")
            decided = spec.check_file(below).include
            if decided is not None:
                return decided
        exclude = self._spec(self.top / ".git" / "info", name="exclude")
        return exclude is not None and bool(exclude.check_file(relative.as_posix() + ("/" if is_dir else "")).include)

    def _spec(self, folder: Path, name: str = ".gitignore") -> GitIgnoreSpec | None:
        key = folder / name
        if key not in self._specs:
            self._specs[key] = _read_spec(key)
        return self._specs[key]


def _read_spec(path: Path) -> GitIgnoreSpec | None:
    try:
        data = read_regular_file(path, _IGNORE_FILE_MAX_BYTES)
    except Unreadable:
        return None
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(data.decode("utf-8", errors="replace").splitlines())
