"""Path globs, one meaning everywhere (exclude, extend-exclude, per-file-ignores).

A pattern without a slash matches a name at any depth: `node_modules` any folder or file of that
name, `*.json` any JSON file. A pattern with a slash matches the path relative to the settings'
folder from its start: `packs/legacy/*.yaml`. `*` and `?` stay within one name, `**` spans folders,
`[...]` is a set of characters. A pattern that matches a folder matches everything below it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol


def _compiled(pattern: str) -> Matcher:
    """The glob as a regular expression, compiled by RE2, which matches in time linear in the path:
    Python's `re` backtracks exponentially on a glob such as `*a*a*a*a*a*a*a*a*a*a*b` against a long
    name (a minute for one path). RE2 rejects nothing this translation makes. pathspec, which git's
    ignore files are read with, matches with `re`, and would cost a folder check 29 ms
    (python bench/library_copies.py, medians of 15 whole runs)."""
    import re2  # type: ignore[import-untyped]  # only when a glob is used

    re.compile(_translated(pattern))  # the same syntax errors as before: glob_problem reports them
    compiled: Matcher = re2.compile(_translated(pattern))
    return compiled


class Matcher(Protocol):
    def fullmatch(self, text: str) -> object: ...


def _translated(pattern: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := pattern.find("]", index + 2)) > 0:
            body = pattern[index + 1 : end]
            negated = body.startswith("!")
            body = body[1:] if negated else body
            out.append(("[^" if negated else "[") + body.replace("\\", "\\\\") + "]")
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def glob_problem(pattern: str) -> str | None:
    """Why `pattern` is not a glob (a character set with a range backwards, such as `[z-a]`), or None.
    Only a `[...]` set can be wrong, so other patterns cost nothing to check."""
    if "[" not in pattern:
        return None
    try:
        Glob.of(pattern)
    except re.error as error:
        return error.msg
    return None


@dataclass(frozen=True)
class Glob:
    """A path pattern of the settings (exclude, per-file-ignores) with its compiled form."""

    pattern: str
    regex: Matcher
    anchored: bool  # the pattern has a slash: it matches from the start of the relative path

    @classmethod
    def of(cls, pattern: str) -> Glob:
        cleaned = pattern.removeprefix("./").rstrip("/")
        return cls(pattern, _compiled(cleaned.lstrip("/")), "/" in cleaned)

    def matches(self, relative: str) -> bool:
        """Whether `relative` (a path with forward slashes, relative to the settings' folder) or a
        folder above it matches."""
        parts = _without_surrogates(relative).removeprefix("./").strip("/").split("/")
        if not self.anchored:
            return any(self.regex.fullmatch(part) for part in parts)
        return any(self.regex.fullmatch("/".join(parts[:depth])) for depth in range(1, len(parts) + 1))

    def matches_entry(self, relative: str) -> bool:
        """Whether the entry `relative` itself matches, its folders aside (a search that has already
        kept them asks this)."""
        cleaned = _without_surrogates(relative).removeprefix("./").strip("/")
        return bool(self.regex.fullmatch(cleaned if self.anchored else cleaned.rsplit("/", 1)[-1]))


def _without_surrogates(path: str) -> str:
    """A path whose name is not UTF-8 (its bytes kept as lone surrogates) with U+FFFD for each: RE2
    reads UTF-8 only, and no glob names such a byte."""
    if path.isascii():
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
