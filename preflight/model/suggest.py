"""'Did you mean ...?' for names that are almost right, at a cost linear in the input: a template with
20,000 parameters and 300 mistyped references, or a pack of 1,000 mistyped managed-rule identifiers,
must not compare every unknown name with every known one."""

from __future__ import annotations

import re
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


class Misspellings:
    """Which known name an unknown one misspells, where that is plain: the same words but one, and that
    one a typo of the known word (one edit in a word of six letters or more, two in one of eight or
    more) that is no word of any known name itself, or the known word less or plus an ending.
    `S3_BUCKET_PUBLIC_READ_PROHIBITTED` misspells `S3_BUCKET_PUBLIC_READ_PROHIBITED`;
    `DOCDB_IN_BACKUP_PLAN` misspells nothing, since AWS's own names differ by a whole word
    (`EBS_IN_BACKUP_PLAN`, `EFS_IN_BACKUP_PLAN`) and a new one may too. Case, hyphens for underscores
    and a missing underscore are misspellings as well. The index is built on the first question."""

    def __init__(self, known: Iterable[object], separator: str = "_") -> None:
        self._known = known
        self._separator = separator

    @cached_property
    def _names(self) -> dict[str, str]:
        return {str(name).upper(): str(name) for name in self._known}

    @cached_property
    def _words(self) -> frozenset[str]:
        return frozenset(word for name in self._names for word in name.split(self._separator))

    @cached_property
    def _joined(self) -> dict[str, str]:
        return {name.replace(self._separator, ""): original for name, original in self._names.items()}

    @cached_property
    def _masked(self) -> dict[tuple[str, ...], list[str]]:
        index: dict[tuple[str, ...], list[str]] = {}
        for name in self._names:
            words = name.split(self._separator)
            for position in range(len(words)):
                index.setdefault((*words[:position], "", *words[position + 1 :]), []).append(name)
        return index

    def of(self, name: str) -> str | None:
        if len(name) > NAME_MAX:
            return None
        normal = name.strip().upper().replace("-", self._separator).replace(" ", self._separator)
        if normal in self._names:
            return self._names[normal]
        joined = self._joined.get(normal.replace(self._separator, ""))
        if joined is not None:
            return joined
        words = normal.split(self._separator)
        found: set[str] = set()
        for position, word in enumerate(words):
            for candidate in self._masked.get((*words[:position], "", *words[position + 1 :]), ()):
                meant = candidate.split(self._separator)[position]
                if _inflected(word, meant) or (word not in self._words and _typo(word, meant)):
                    found.add(candidate)
        return self._names[found.pop()] if len(found) == 1 else None


_DIGITS = str.maketrans("0123456789", "##########")


def _inflected(word: str, meant: str) -> bool:
    """`ENABLE` for `ENABLED`, `KEY` for `KEYS`: a word of the known name less (or plus) its ending."""
    return any(word + end == meant or meant + end == word for end in ("S", "D", "ED", "ES")) and len(meant) >= 3


def _typo(word: str, meant: str) -> bool:
    """One edit in a word of six letters or more, two in one of eight or more: short words differ by
    design (`ALB`, `ELB`, `NLB`; `MYSQL` and a future `MSSQL`), and so do versions (`IMDSV2`, and a
    future `IMDSV3`)."""
    if word.translate(_DIGITS) == meant.translate(_DIGITS):
        return False
    distance = edits(word, meant)
    return (distance == 1 and len(meant) >= 6) or (distance == 2 and len(meant) >= 8)


def edits(a: str, b: str, cap: int = 3) -> int:
    """Damerau-Levenshtein distance (a swap of two neighbours is one edit), capped at `cap`."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return min(previous[-1], cap)


def camel_words(name: str) -> str:
    """`AWSConfigRemediation-RestrictBucketSSLRequestsOnly` as Misspellings reads names:
    `AWS_CONFIG_REMEDIATION_RESTRICT_BUCKET_SSL_REQUESTS_ONLY`, words at hyphens and at changes of case."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    return "_".join(word.upper() for word in words)
