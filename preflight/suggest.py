"""'Did you mean ...?' for names that are almost right."""

from __future__ import annotations

from collections.abc import Iterable


def nearest(name: str, candidates: Iterable[object]) -> str | None:
    import difflib  # only when there is something to suggest

    matches = difflib.get_close_matches(name, [str(candidate) for candidate in candidates], n=1, cutoff=0.75)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: Iterable[object]) -> str | None:
    match = nearest(name, candidates)
    return f"did you mean {match!r}?" if match else None
