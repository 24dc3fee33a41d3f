"""A pack split into parts that each fit the rule quota and the inline size limit: which units go
where (preflight.split.assign) and the text of each part (preflight.split.text).
Pure: the caller reads the pack and the previous split, and writes the parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from preflight.knowledge.template import CONFIG_RULE, Template
from preflight.load.parsing import Loaded, parse_text
from preflight.model.problems import ProblemKind
from preflight.split.assign import Assignment, Capacity, Item, Move, Piece, assign, roomiest, upper
from preflight.split.text import Layout, canonical, cut, render, selected, sizes
from preflight.split.units import Entry, PackUnits, Unit, pack_units, resource_bound_keys


@dataclass(frozen=True)
class SplitLimits:
    rules: int
    bytes: int
    headroom: int  # bytes a part keeps free for its rules to grow: new rules go elsewhere


@dataclass(frozen=True)
class Before:
    """A unit in the previous split: its part, its size and its rules there."""

    part: int
    size: int
    rule_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Earlier:
    """The previous split: each unit's part and size there (by unit key), each rule's part (by rule
    key: a rule keeps its part even when the references that group it with others change), and the
    parts' numbers."""

    units: Mapping[str, Before] = field(default_factory=dict)
    rules: Mapping[str, int] = field(default_factory=dict)
    parts: tuple[int, ...] = ()


@dataclass(frozen=True)
class PartText:
    number: int
    text: str
    rules: int
    keys: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.text.encode())


@dataclass(frozen=True)
class Split:
    parts: tuple[PartText, ...]
    total: int  # the highest part number: M in "part N of M"
    placed: tuple[tuple[str, int], ...]
    moved: tuple[Move, ...]
    emptied: tuple[int, ...]
    unused: tuple[Entry, ...]
    left_out_keys: tuple[str, ...]  # top-level keys that name resources (units.resource_bound_keys)
    canonical: str | None  # why the parts are rendered from values rather than cut from the pack's lines


def part_suffix(number: int, total: int) -> str:
    return f" (part {number} of {total})"


def duplicate_rule_name(loaded: Loaded) -> tuple[str, str, str] | None:
    """Two rules AWS would know by one name (CP205), as (name, first logical id, second): a split
    keeps each rule in its part by that name, so it cannot tell them apart."""
    from preflight.knowledge.config_rules import deployed_rules
    from preflight.split.units import rule_key

    template = _template(loaded)
    seen: dict[str, str] = {}
    for resource in deployed_rules(template):
        key = rule_key(template, resource)
        if key in seen:
            return key, seen[key], resource.logical_id
        seen[key] = resource.logical_id
    return None


def rule_names(loaded: Loaded) -> frozenset[str]:
    """What identifies each rule of the pack in AWS (its name, or its logical id when it has none)."""
    from preflight.knowledge.config_rules import deployed_rules
    from preflight.split.units import rule_key

    template = _template(loaded)
    return frozenset(rule_key(template, resource) for resource in deployed_rules(template))


def config_rules(loaded: Loaded) -> int:
    return len(_template(loaded).of_type(CONFIG_RULE))


def split(loaded: Loaded, limits: SplitLimits, earlier: Earlier | None = None) -> Split:
    """Raises assign.DoesNotFit when a unit alone is over a limit. A top-level key that names
    resources (units.resource_bound_keys) stays when the pack fits in one part, which then holds
    every resource it names; with more parts it is left out. `moved` names each rule of the earlier
    split that would change part, and why (`split` writes nothing then, unless moves are allowed)."""
    earlier = earlier or Earlier()
    whole = _split(loaded, (), limits, earlier)
    bound = resource_bound_keys(_template(loaded))
    if not bound or len(whole.parts) <= 1:
        return whole
    return _split(loaded, bound, limits, earlier)


def _split(loaded: Loaded, left_out: tuple[str, ...], limits: SplitLimits, earlier: Earlier) -> Split:
    data = _data(loaded, left_out)
    units = pack_units(Template(data, {}, {}))
    layout, reason = _layout(loaded, left_out)
    result = _attempt(data, units, layout, limits, earlier)
    if result is None:
        reason = "its lines did not read back as the same values once cut"
        layout = canonical(data, "yaml")
        result = _attempt(data, units, layout, limits, earlier)
        assert result is not None
    parts, assignment = result
    return Split(
        parts,
        max((part.number for part in parts), default=0),
        assignment.placed,
        _rule_moves(units, assignment, earlier),
        assignment.emptied,
        units.unused,
        left_out,
        reason,
    )


def _rule_moves(units: PackUnits, assignment: Assignment, earlier: Earlier) -> tuple[Move, ...]:
    """Each rule of the earlier split that is now in another part, and why: its unit outgrew its part,
    or a reference now groups it with rules of another part (a group that broke moves nothing: each of
    its rules keeps its part)."""
    part_of = {key: part.number for part in assignment.parts for key in part.keys}
    outgrew = {move.key: move for move in assignment.moved}
    moves = []
    for unit in units.units:
        destination = part_of[unit.key]
        earlier_parts = {key: earlier.rules[key] for key in unit.rule_keys if key in earlier.rules}
        for key, source in earlier_parts.items():
            if source == destination:
                continue
            if unit.key in outgrew:
                reason = outgrew[unit.key].reason
            else:
                others = sorted(other for other, part in earlier_parts.items() if part != source)
                reason = f"a reference now keeps it with {', '.join(others)}, in part {destination}"
            moves.append(Move(key, source, destination, reason))
    return tuple(sorted(moves, key=lambda move: move.key))


def earlier_units(loaded: Loaded, number: int) -> dict[str, Before]:
    """Each unit of part `number` of a previous split: its size, measured as `split` measures it, and
    its rules."""
    layout, _reason = _layout(loaded, ())
    units = pack_units(Template(_data(loaded, ()), {}, {}))
    _fixed, piece_sizes = sizes(layout, "")
    return {unit.key: Before(number, upper(_item(unit, units), piece_sizes), unit.rule_keys) for unit in units.units}


def _data(loaded: Loaded, left_out: tuple[str, ...]) -> dict[str, object]:
    """The pack's values less the top-level keys `left_out`."""
    return {key: value for key, value in _whole(loaded).items() if key not in left_out}


def _whole(loaded: Loaded) -> dict[str, object]:
    assert loaded.document is not None and isinstance(loaded.document.data, dict)
    return loaded.document.data


def _template(loaded: Loaded) -> Template:
    return Template(_whole(loaded), {}, {})


def _layout(loaded: Loaded, left_out: tuple[str, ...]) -> tuple[Layout, str | None]:
    layout, reason = _whole_layout(loaded)
    return replace(layout, blocks=tuple(block for block in layout.blocks if block.key not in left_out)), reason


def _whole_layout(loaded: Loaded) -> tuple[Layout, str | None]:
    assert loaded.document is not None
    whole = _whole(loaded)
    if loaded.document.text.lstrip().startswith("{"):
        return canonical(whole, "json"), None
    if any(problem.kind is ProblemKind.UNSUPPORTED_YAML for problem in loaded.problems):
        return canonical(whole, "yaml"), "it uses a YAML alias or merge key, which a cut could separate"
    if any(problem.kind is ProblemKind.DUPLICATE_KEY for problem in loaded.problems):
        return canonical(whole, "yaml"), "it repeats a key, whose two copies its lines would carry into the parts"
    layout = cut(loaded.document)
    if isinstance(layout, str):
        return canonical(whole, "yaml"), layout
    return layout, None


def _item(unit: Unit, units: PackUnits, earlier: Earlier | None = None, piece_sizes: Mapping[Piece, int] = {}) -> Item:
    """The pieces a unit brings to a part that every part does not already have: its entries, and the
    heads of their sections; and, after an earlier split, the part that holds most of its rules (a
    unit of rules that were apart keeps the part of most of them) and how much it grew there."""
    entries = unit.entries - units.common
    heads = {(section, None) for section, _name in entries} - {(section, None) for section, _ in units.common}
    item = Item(unit.key, unit.rules, frozenset[Piece](entries | heads))
    if earlier is None:
        return item
    parts = [earlier.rules[key] for key in unit.rule_keys if key in earlier.rules]
    before = earlier.units.get(unit.key)
    if not parts and before is not None:  # a unit without rules (an unnamed remediation alone)
        parts = [before.part]
    if not parts:
        return item
    part = min(set(parts), key=lambda number: (-parts.count(number), number))
    # Growth is a unit's own: of the same rules in the same part (rules joined to it are not growth).
    same = before is not None and before.part == part and before.rule_keys == unit.rule_keys
    grown = upper(item, piece_sizes) - before.size if same and before is not None else 0
    return replace(item, previous=part, grown=max(grown, 0))


def _attempt(
    data: Mapping[str, object], units: PackUnits, layout: Layout, limits: SplitLimits, earlier: Earlier
) -> tuple[tuple[PartText, ...], Assignment] | None:
    """The parts, or None when a part cut from the pack's lines does not read back as its values."""
    previous_parts = earlier.parts
    most = len(units.units) + max(previous_parts, default=0)
    fixed, piece_sizes = sizes(layout, part_suffix(most, most))
    common = set(units.common) | {(section, None) for section, _name in units.common}
    fixed += sum(piece_sizes[piece] for piece in common if piece in piece_sizes)
    items = [_item(unit, units, earlier, piece_sizes) for unit in units.units]
    capacity = Capacity(limits.rules, limits.bytes, limits.bytes - limits.headroom, limits.rules)
    if not previous_parts:
        capacity = roomiest(items, piece_sizes, fixed, capacity)
    assignment = assign(items, piece_sizes, fixed, capacity, previous_parts)
    by_key = {unit.key: unit for unit in units.units}
    total = max((part.number for part in assignment.parts), default=0)
    parts = []
    for part in assignment.parts:
        chosen: set[Entry] = set(units.common)
        for key in part.keys:
            chosen |= by_key[key].entries
        suffix = part_suffix(part.number, total)
        text = render(layout, chosen, suffix)
        if layout.style == "cut" and not _reads_back(text, selected(data, chosen, suffix)):
            return None
        rule_keys = tuple(key for key in part.keys if by_key[key].rules)
        parts.append(PartText(part.number, text, part.rules, rule_keys))
    return tuple(parts), assignment


def _reads_back(text: str, expected: dict[str, object]) -> bool:
    document, problems = parse_text(text, "part.yaml")
    return document is not None and not problems and document.data == expected
