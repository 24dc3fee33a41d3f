"""Which part each unit of a split pack goes to, so that a rule stays in its pack from one split to the
next.

A rule that changes pack is deleted from one pack and created in another in every account, and its
compliance history starts again. So the previous split, when there is one, decides first:

1. every unit that was in part k stays in part k;
2. a part that is now over a hard limit (a rule grew past the part's headroom, or a limit was
   lowered) gives up units until it fits: those whose text grew first (most growth first), then
   the largest; these are the only units that move;
3. new units (and the units of step 2), in key order, go to the lowest-numbered part where they fit
   under the targets (the limits less some room), else to a new part.

A fresh split is step 3 alone. Nothing in steps 1 and 3 depends on any other unit's text, so adding,
removing or editing a rule moves no other rule unless the edit outgrows the part's headroom.

Sizes are exact for the pieces of text a part is made of: a part costs `fixed` bytes plus each piece
that one of its units brings (a piece two units share counts once). A unit is tried against a part
with its whole size (`upper`: as if it shared nothing), so every part but the last is fuller than
the target less the largest unit, or holds the most rules it may."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

Piece = Hashable


@dataclass(frozen=True)
class Item:
    key: str
    rules: int
    pieces: frozenset[Piece]  # the pieces of text it brings to a part
    previous: int | None = None  # its part in the previous split
    grown: int = 0  # bytes its pieces grew since the previous split


@dataclass(frozen=True)
class Capacity:
    rules: int  # the hard limits: no part is ever over them
    bytes: int
    target: int  # new units are placed only where the part stays within these
    target_rules: int


@dataclass(frozen=True)
class Part:
    number: int
    keys: tuple[str, ...]  # in key order
    rules: int
    bytes: int


@dataclass(frozen=True)
class Move:
    key: str
    source: int
    destination: int
    reason: str = ""  # why it moves, in words


@dataclass(frozen=True)
class Assignment:
    parts: tuple[Part, ...]  # the parts with units, by number
    placed: tuple[tuple[str, int], ...]  # each unit that had no part, and its part
    moved: tuple[Move, ...]
    emptied: tuple[int, ...]  # parts of the previous split that have no unit left


class DoesNotFit(Exception):
    """A unit that no part can hold, even alone."""

    def __init__(self, key: str, rules: int, size: int) -> None:
        super().__init__(key)
        self.key, self.rules, self.size = key, rules, size


def upper(item: Item, sizes: Mapping[Piece, int]) -> int:
    return sum(sizes[piece] for piece in item.pieces)


def assign(
    items: Sequence[Item],
    sizes: Mapping[Piece, int],
    fixed: int,
    capacity: Capacity,
    previous: Collection[int] = (),
) -> Assignment:
    for item in items:
        if item.rules > capacity.rules or fixed + upper(item, sizes) > capacity.bytes:
            raise DoesNotFit(item.key, item.rules, fixed + upper(item, sizes))
    parts = _Parts(sizes, fixed, capacity, max(previous, default=0))
    waiting: list[Item] = []
    sources: dict[int, int] = {}  # id of a unit given up -> the part it was in
    for item in items:
        if item.previous is not None and item.previous in previous:
            parts.add(item.previous, item)
        else:
            waiting.append(item)
    for number in range(1, parts.count + 1):
        for item in parts.overflow(number):
            sources[id(item)] = number
            waiting.append(item)
    placed: list[tuple[str, int]] = []
    moved: list[Move] = []
    for item in sorted(waiting, key=lambda item: item.key):
        number = parts.first_fit(item)
        parts.add(number, item)
        source = sources.get(id(item))
        if source is None:
            placed.append((item.key, number))
        elif source != number:
            why = (
                f"it grew by {item.grown:,} bytes, past its part's room"
                if item.grown > 0
                else ("its part is over the limits")
            )
            moved.append(Move(item.key, source, number, why))
    emptied = tuple(number for number in sorted(previous) if not parts.items[number - 1])
    return Assignment(parts.result(), tuple(placed), tuple(moved), emptied)


class _Parts:
    def __init__(self, sizes: Mapping[Piece, int], fixed: int, capacity: Capacity, count: int) -> None:
        self.sizes, self.fixed, self.capacity = sizes, fixed, capacity
        self.items: list[list[Item]] = []
        self.rules: list[int] = []
        self.bytes: list[int] = []
        self.counts: list[dict[Piece, int]] = []
        self.rooms = _Rooms()
        for _ in range(count):
            self._open()

    @property
    def count(self) -> int:
        return len(self.items)

    def _open(self) -> int:
        self.items.append([])
        self.rules.append(0)
        self.bytes.append(self.fixed)
        self.counts.append({})
        self._update(len(self.items) - 1)
        return len(self.items)

    def _update(self, index: int) -> None:
        self.rooms.set(index, self.capacity.target - self.bytes[index], self.rules[index] < self.capacity.target_rules)

    def add(self, number: int, item: Item) -> None:
        while number > self.count:
            self._open()
        index = number - 1
        counts = self.counts[index]
        for piece in item.pieces:
            if piece not in counts:
                counts[piece] = 0
                self.bytes[index] += self.sizes[piece]
            counts[piece] += 1
        self.rules[index] += item.rules
        self.items[index].append(item)
        self._update(index)

    def _remove(self, index: int, item: Item) -> None:
        counts = self.counts[index]
        for piece in item.pieces:
            counts[piece] -= 1
            if not counts[piece]:
                del counts[piece]
                self.bytes[index] -= self.sizes[piece]
        self.rules[index] -= item.rules
        self._update(index)

    def overflow(self, number: int) -> list[Item]:
        """The units part `number` gives up to be within the hard limits: grown ones first, most growth
        first, then the largest."""
        index = number - 1
        order = sorted(
            self.items[index],
            key=lambda item: (item.grown > 0, item.grown, upper(item, self.sizes), item.key),
            reverse=True,
        )
        given_up: list[Item] = []
        for item in order:
            if self.rules[index] <= self.capacity.rules and self.bytes[index] <= self.capacity.bytes:
                break
            self._remove(index, item)
            given_up.append(item)
        gone = {id(item) for item in given_up}
        self.items[index] = [item for item in self.items[index] if id(item) not in gone]
        return given_up

    def first_fit(self, item: Item) -> int:
        size = upper(item, self.sizes)
        if item.rules <= 1:
            index = self.rooms.first(size, needs_rule=item.rules == 1)
        else:  # several rules joined by references: rare, so the parts are scanned
            index = next(
                (
                    index
                    for index in range(self.count)
                    if self.capacity.target - self.bytes[index] >= size
                    and self.capacity.target_rules - self.rules[index] >= item.rules
                ),
                None,
            )
        return index + 1 if index is not None else self.count + 1

    def result(self) -> tuple[Part, ...]:
        return tuple(
            Part(index + 1, tuple(sorted(item.key for item in items)), self.rules[index], self.bytes[index])
            for index, items in enumerate(self.items)
            if items
        )


_NONE = -(2**62)


class _Rooms:
    """Two max-trees over the parts' room under the target: one over every part, one over the parts
    that may take another rule. `first` finds the lowest-numbered part with enough room."""

    def __init__(self) -> None:
        self.leaves = 1
        self.any = [_NONE, _NONE]
        self.with_rule = [_NONE, _NONE]

    def set(self, index: int, room: int, takes_rule: bool) -> None:
        if index >= self.leaves:
            self._grow()
        for tree, value in ((self.any, room), (self.with_rule, room if takes_rule else _NONE)):
            node = index + self.leaves
            tree[node] = value
            node //= 2
            while node:
                tree[node] = max(tree[2 * node], tree[2 * node + 1])
                node //= 2

    def _grow(self) -> None:
        old = self.leaves
        self.leaves *= 2
        for name in ("any", "with_rule"):
            leaves = getattr(self, name)[old : 2 * old]
            tree = [_NONE] * (2 * self.leaves)
            tree[self.leaves : self.leaves + old] = leaves
            for node in range(self.leaves - 1, 0, -1):
                tree[node] = max(tree[2 * node], tree[2 * node + 1])
            setattr(self, name, tree)

    def first(self, room: int, *, needs_rule: bool) -> int | None:
        tree = self.with_rule if needs_rule else self.any
        if tree[1] < room:
            return None
        node = 1
        while node < self.leaves:
            node = 2 * node if tree[2 * node] >= room else 2 * node + 1
        return node - self.leaves


def roomiest(items: Sequence[Item], sizes: Mapping[Piece, int], fixed: int, capacity: Capacity) -> Capacity:
    """For a first split: the lowest targets that still need no more parts than the hard limits do, so
    the fewest parts share the units evenly and each keeps room to grow. The targets of `capacity`
    are kept when they already need no more parts."""

    def count(bytes_target: int, rules_target: int) -> int:
        return len(
            assign(items, sizes, fixed, Capacity(capacity.rules, capacity.bytes, bytes_target, rules_target)).parts
        )

    fewest = count(capacity.bytes, capacity.rules)

    def lowest(low: int, high: int, fits: Callable[[int], bool]) -> int:
        while low < high:
            middle = (low + high) // 2
            if fits(middle):
                high = middle
            else:
                low = middle + 1
        return high

    high = capacity.target if count(capacity.target, capacity.rules) <= fewest else capacity.bytes
    bytes_target = lowest(fixed, high, lambda target: count(target, capacity.rules) <= fewest)
    rules_target = lowest(1, capacity.rules, lambda target: count(bytes_target, target) <= fewest)
    return Capacity(capacity.rules, capacity.bytes, bytes_target, rules_target)
