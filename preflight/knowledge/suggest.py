"""'Did you mean ...?' for names that are almost right, at a cost linear in the input: a template with
20,000 parameters and 300 mistyped references, or a pack of 1,000 mistyped managed-rule identifiers,
must not compare every unknown name with every known one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cached_property

# Names shorter than this are compared with every candidate of similar length.
_GRAM = 3
# A trigram that half the candidates share tells nothing: postings longer than this are not read.
_POSTINGS_MAX = 500
# difflib compares a name with at most this many candidates, those sharing the most trigrams with it.
_SHORTLIST = 40
# A name longer than this is no typo of a known one: it gets no suggestion, and costs nothing.
NAME_MAX = 256
# After this many names, one set of suggestions stops suggesting (a file of typos gets the first ones).
QUERIES_MAX = 100


def _grams(name: str) -> set[str]:
    padded = f"  {name.lower()} "
    return {padded[index : index + _GRAM] for index in range(len(padded) - _GRAM + 1)}


class Suggestions:
    """Suggestions among one set of names, for many queries. The names are read, and the index built,
    on the first query: most checks make none (a rule asks only about a name it does not know)."""

    def __init__(self, candidates: Iterable[object], *, cutoff: float = 0.75, queries: int = QUERIES_MAX) -> None:
        self._candidates = candidates
        self._cutoff = cutoff
        self._queries_left = queries
        self._postings: dict[str, list[int]] | None = None

    @cached_property
    def _names(self) -> list[str]:
        return list(dict.fromkeys(str(candidate) for candidate in self._candidates))

    def _index(self) -> dict[str, list[int]]:
        postings: dict[str, list[int]] = {}
        for position, name in enumerate(self._names):
            for gram in _grams(name):
                postings.setdefault(gram, []).append(position)
        return postings

    def nearest(self, name: str, count: int = 1) -> list[str]:
        """Up to `count` close names, best first; none once the query budget is spent."""
        return [candidate for candidate, _ in self.ranked(name, count)]

    def ranked(self, name: str, count: int = 1) -> list[tuple[str, float]]:
        """Up to `count` close names with their similarity (0 to 1), best first, as difflib ranks them."""
        if self._queries_left <= 0 or not self._names or len(name) > NAME_MAX:
            return []
        self._queries_left -= 1
        import difflib  # only when there is something to suggest
        import heapq

        if len(self._names) <= _SHORTLIST:
            shortlist = self._names
        else:
            if self._postings is None:
                self._postings = self._index()
            shared: Counter[int] = Counter()
            for gram in _grams(name):
                posting = self._postings.get(gram, ())
                if len(posting) <= _POSTINGS_MAX:
                    shared.update(posting)
            shortlist = [self._names[position] for position, _ in shared.most_common(_SHORTLIST)]
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(name)
        scored = []
        for candidate in shortlist:
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() >= self._cutoff and matcher.quick_ratio() >= self._cutoff:
                ratio = matcher.ratio()
                if ratio >= self._cutoff:
                    scored.append((ratio, candidate))
        return [(candidate, ratio) for ratio, candidate in heapq.nlargest(count, scored)]

    def did_you_mean(self, name: str) -> str | None:
        match = self.nearest(name)
        return f"did you mean {match[0]!r}?" if match else None


def nearest(name: str, candidates: Iterable[object]) -> str | None:
    """The closest of a few candidates (build a `Suggestions` for many queries over one set)."""
    match = Suggestions(candidates).nearest(name)
    return match[0] if match else None


def closest(ranked: list[tuple[str, float]]) -> str | None:
    """The best of `ranked` when no other is as close: the one a fix may pick."""
    if not ranked or (len(ranked) > 1 and ranked[1][1] >= ranked[0][1]):
        return None
    return ranked[0][0]


def did_you_mean(name: str, candidates: Iterable[object]) -> str | None:
    return Suggestions(candidates).did_you_mean(name)
