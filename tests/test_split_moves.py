"""Which rules move when a pack is split again: only a rule that grew past its part's room (not the
largest), or one a reference joins with another part, with the user's word; a group that breaks moves
none of its rules; a part left with no rules is removed and named. The assignment is also tried alone
and on whole splits against edits hypothesis makes up."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from preflight.split.assign import Capacity, Item, assign, roomiest
from tests.split_helpers import _rule, _small_pack, places, split

# ----- stability: edits move no rule


def test_a_rule_that_outgrows_its_part_is_the_only_one_to_move(tmp_path: Path) -> None:
    rules = [_rule(f"Rule{index}") for index in range(6)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-bytes", "800").exit_code == 0
    before = places(out)
    assert sorted(before.items()) == [(f"Rule{index}", f"pack-part-{index // 3 + 1}.yaml") for index in range(6)]
    rules[0] = _rule("Rule0", "y" * 300)
    _small_pack(pack, rules)
    spec = (out / "spec.yaml").read_text()

    refused = split(pack, "--out", out, "--max-bytes", "800")  # a move needs the user's word
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"preflight: error: --out {out}: splitting again would move 1 rule to another part, and AWS would delete "
        "each from one pack and create it in the other, losing its compliance history: rule0 from part 1 to part 3 "
        "(it grew by 320 bytes, past its part's room). Nothing was written; pass --allow-moves to move them\n"
    )
    assert places(out) == before and (out / "spec.yaml").read_text() == spec

    result = split(pack, "--out", out, "--max-bytes", "800", "--allow-moves")
    assert result.exit_code == 0, result.stderr
    assert places(out) == {**before, "Rule0": "pack-part-3.yaml"}
    assert result.stderr == (
        "warning: rule0 moved from part 1 to part 3 (it grew by 320 bytes, past its part's room), so AWS deletes "
        "it from one pack and creates it in the other\n"
    )


def test_a_part_left_with_no_rules_is_removed_and_named(tmp_path: Path) -> None:
    rules = [_rule(f"Rule{index}") for index in range(4)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    assert places(out) == {"Rule0": "pack-part-1.yaml", "Rule1": "pack-part-1.yaml",
                           "Rule2": "pack-part-2.yaml", "Rule3": "pack-part-2.yaml"}  # fmt: skip
    _small_pack(pack, rules[:2] + [_rule("Rule4")])
    result = split(pack, "--out", out, "--max-rules", "2")
    assert result.exit_code == 0, result.stderr
    assert places(out) == {"Rule0": "pack-part-1.yaml", "Rule1": "pack-part-1.yaml", "Rule4": "pack-part-2.yaml"}
    assert result.stderr == ""
    _small_pack(pack, rules[:2])
    result = split(pack, "--out", out, "--max-rules", "2")
    assert sorted(path.name for path in out.iterdir()) == ["pack-part-1.yaml", "spec.yaml"]
    assert result.stderr == (
        "warning: part 2 has no rules left: pack-part-2.yaml is removed; delete the pack pack-part-2 in AWS\n"
    )


# ----- the assignment alone: whatever the edit, only a rule that grew moves


@settings(derandomize=True, deadline=None, max_examples=150)
@given(
    sizes=st.lists(st.integers(50, 400), min_size=1, max_size=60),
    removed=st.sets(st.integers(0, 59)),
    added=st.lists(st.integers(50, 400), max_size=20),
    growth=st.lists(st.integers(0, 1_500), max_size=60),  # by index: what each rule grows
)
def test_only_a_rule_that_grew_ever_moves(
    sizes: list[int], removed: set[int], added: list[int], growth: list[int]
) -> None:
    limits = Capacity(rules=10, bytes=2_000, target=1_900, target_rules=10)
    fixed = 20
    first = [Item(f"r{index:03}", 1, frozenset({f"r{index:03}"})) for index in range(len(sizes))]
    pieces: dict[Hashable, int] = {item.key: size for item, size in zip(first, sizes, strict=True)}
    before = assign(first, pieces, fixed, roomiest(first, pieces, fixed, limits))
    part_of = {key: part.number for part in before.parts for key in part.keys}

    kept = [item for index, item in enumerate(first) if index not in removed]
    grown = {
        item.key: extra
        for index, (item, extra) in enumerate(zip(first, growth, strict=False))
        if extra and index not in removed
    }
    now: dict[Hashable, int] = {**pieces, **{key: pieces[key] + extra for key, extra in grown.items()}}
    items = [replace(item, previous=part_of[item.key], grown=grown.get(item.key, 0)) for item in kept]
    for index, size in enumerate(added):
        now[f"new{index:03}"] = size
        items.append(Item(f"new{index:03}", 1, frozenset({f"new{index:03}"})))
    after = assign(items, now, fixed, limits, previous=[part.number for part in before.parts])

    for part in after.parts:
        assert part.rules <= limits.rules and part.bytes <= limits.bytes
    moved = {key for part in after.parts for key in part.keys if key in part_of and part_of[key] != part.number}
    assert moved <= set(grown)  # about one example in five moves some
    assert moved == {move.key for move in after.moved}


@settings(derandomize=True, deadline=None, max_examples=100)
@given(pairs=st.lists(st.tuples(st.integers(300, 400), st.integers(50, 100)), min_size=6, max_size=20), data=st.data())
def test_a_part_gives_up_the_rule_that_grew_though_another_is_larger(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    """A rule grows just past its part's room and stays smaller than another rule of its part: the part
    gives up the rule that grew, not the largest."""
    sizes = [size for pair in pairs for size in pair]  # large and small rules, side by side
    limits = Capacity(rules=10, bytes=2_000, target=1_900, target_rules=10)
    first = [Item(f"r{index:03}", 1, frozenset({f"r{index:03}"})) for index in range(len(sizes))]
    pieces: dict[Hashable, int] = {item.key: size for item, size in zip(first, sizes, strict=True)}
    fixed = 20
    before = assign(first, pieces, fixed, limits)  # parts filled to the target: a little growth overflows one
    part_of = {key: part.number for part in before.parts for key in part.keys}
    candidates = [
        (part, key)
        for part in before.parts
        for key in part.keys
        if len(part.keys) > 1
        and pieces[key] + (limits.bytes - part.bytes + 1) < max(pieces[other] for other in part.keys if other != key)
    ]  # fmt: skip
    assume(candidates)  # a part that holds a rule smaller than another by more than the part's room
    part, key = data.draw(st.sampled_from(candidates))
    extra = limits.bytes - part.bytes + 1
    now = {**pieces, key: pieces[key] + extra}
    items = [replace(item, previous=part_of[item.key], grown=extra if item.key == key else 0) for item in first]
    after = assign(items, now, fixed, limits, previous=[p.number for p in before.parts])
    assert [(move.key, move.source) for move in after.moved] == [(key, part.number)]


# ----- a rule keeps its part: groups that break or join, and the user's word for a move


def _depends(text: str, on: str) -> str:
    """`text` (a _rule) with a DependsOn on rule `on`."""
    return text.replace(
        "    Type: AWS::Config::ConfigRule\n", f"    Type: AWS::Config::ConfigRule\n    DependsOn: {on}\n", 1
    )


def test_a_group_that_breaks_moves_none_of_its_rules(tmp_path: Path) -> None:
    """Rule1 DependsOn Rule0, so they shared a part; without the DependsOn each keeps that part."""
    rules = [_rule("Rule0"), _depends(_rule("Rule1"), "Rule0"), *(_rule(f"Rule{index}") for index in range(2, 6))]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    before = places(out)
    assert before["Rule0"] == before["Rule1"]
    rules[1] = _rule("Rule1")
    result = split(_small_pack(pack, rules), "--out", out, "--max-rules", "2")
    assert (result.exit_code, result.stderr) == (0, "")
    assert places(out) == before


def test_a_group_that_joins_rules_of_two_parts_needs_the_user_s_word(tmp_path: Path) -> None:
    rules = [_rule(f"Rule{index}") for index in range(4)]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "2").exit_code == 0
    before = places(out)
    assert (before["Rule1"], before["Rule2"]) == ("pack-part-1.yaml", "pack-part-2.yaml")
    rules[2] = _depends(rules[2], "Rule1")
    _small_pack(pack, rules)
    refused = split(pack, "--out", out, "--max-rules", "3")
    assert refused.exit_code == 2 and places(out) == before
    assert refused.stderr.endswith(
        "losing its compliance history: rule2 from part 2 to part 1 (a reference now keeps it with rule1, in part "
        "1). Nothing was written; pass --allow-moves to move them\n"
    )
    allowed = split(pack, "--out", out, "--max-rules", "3", "--allow-moves")
    assert allowed.exit_code == 0
    assert places(out) == {**before, "Rule2": "pack-part-1.yaml"}
    assert allowed.stderr == (
        "warning: rule2 moved from part 2 to part 1 (a reference now keeps it with rule1, in part 1), so AWS "
        "deletes it from one pack and creates it in the other\n"
    )


def test_the_rule_that_grew_moves_not_the_largest(tmp_path: Path) -> None:
    """Rule0 is the largest; Rule1, much smaller, grows past the part's room: Rule1 moves."""
    rules = [_rule("Rule0", "x" * 200), _rule("Rule1"), _rule("Rule2"), _rule("Rule3")]
    pack, out = _small_pack(tmp_path / "pack.yaml", rules), tmp_path / "out"
    assert split(pack, "--out", out, "--max-bytes", "1000").exit_code == 0
    assert set(places(out).values()) == {"pack-part-1.yaml"}  # 931 bytes: one part
    rules[1] = _rule("Rule1", "y" * 100)
    result = split(_small_pack(pack, rules), "--out", out, "--max-bytes", "1000", "--allow-moves")
    assert result.exit_code == 0, result.stderr
    assert places(out) == {"Rule0": "pack-part-1.yaml", "Rule1": "pack-part-2.yaml", "Rule2": "pack-part-1.yaml",
                           "Rule3": "pack-part-1.yaml"}  # fmt: skip
    assert result.stderr == (
        "warning: rule1 moved from part 1 to part 2 (it grew by 120 bytes, past its part's room), so AWS deletes it "
        "from one pack and creates it in the other\n"
    )


def _earlier(result: Any) -> Any:
    """What `split` reads back from the folder of `result`: each unit's and each rule's part."""
    from preflight.load.parsing import load_template_text
    from preflight.split.parts import Earlier, earlier_units

    units = {}
    for part in result.parts:
        units.update(earlier_units(load_template_text(part.text, "part.yaml"), part.number))
    rules = {rule: before.part for before in units.values() for rule in before.rule_keys}
    return Earlier(units, rules, tuple(part.number for part in result.parts))


@settings(derandomize=True, deadline=None, max_examples=60)
@given(
    sizes=st.lists(st.integers(0, 150), min_size=2, max_size=12),
    joins=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
    growth=st.lists(st.integers(-100, 250), max_size=12),
    rejoins=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
)
def test_a_rule_moves_only_when_it_grew_or_a_reference_joins_it_with_another_part(
    sizes: list[int], joins: list[tuple[int, int]], growth: list[int], rejoins: list[tuple[int, int]]
) -> None:
    """Whatever the edit (rules grow or shrink, references join rules or are removed), every rule of
    the earlier split keeps its part, but those the split names as moved, each because its group grew
    past its part's room or because a reference now groups it with a rule of another part."""
    from preflight.knowledge.template import Template
    from preflight.load.parsing import load_template_text
    from preflight.split.assign import DoesNotFit
    from preflight.split.parts import SplitLimits, earlier_units
    from preflight.split.parts import split as split_pack
    from preflight.split.units import pack_units

    count = len(sizes)

    def pack(descriptions: list[int], edges: list[tuple[int, int]]) -> Any:
        rules = []
        for index, length in enumerate(descriptions):
            text = _rule(f"Rule{index}", "d" * length if length > 0 else "")
            targets = sorted({b for a, b in edges if a == index and b != index and b < count})
            if targets:
                depends = f"    DependsOn: [{', '.join(f'Rule{b}' for b in targets)}]\n"
                text = text.replace(
                    "    Type: AWS::Config::ConfigRule\n", "    Type: AWS::Config::ConfigRule\n" + depends
                )
            rules.append(text)
        return load_template_text("Resources:\n" + "".join(rules), "pack.yaml")

    limits = SplitLimits(rules=4, bytes=1_200, headroom=60)
    earlier = _earlier(split_pack(pack(sizes, joins), limits))
    grown = [max(size + (growth[index] if index < len(growth) else 0), 0) for index, size in enumerate(sizes)]
    edited = pack(grown, rejoins)
    try:
        second = split_pack(edited, limits, earlier)
    except DoesNotFit as refused:  # the edit made one group too big for any part: refused, not moved
        assert refused.rules > limits.rules or refused.size > limits.bytes, (refused.rules, refused.size)
        return
    part_of_rule = {}
    for part in second.parts:
        for before in earlier_units(load_template_text(part.text, "part.yaml"), part.number).values():
            part_of_rule.update((rule, part.number) for rule in before.rule_keys)
    assert edited.document is not None
    group_of = {rule: unit.rule_keys for unit in pack_units(Template(edited.document.data, {}, {})).units
                for rule in unit.rule_keys}  # fmt: skip
    moved = {move.key: move for move in second.moved}
    for key, part in earlier.rules.items():
        if key not in moved:
            assert part_of_rule[key] == part, (key, part, part_of_rule[key])
            continue
        move = moved[key]
        assert (move.source, move.destination) == (part, part_of_rule[key])
        if move.reason.startswith("it grew by"):
            assert any(grown[int(rule[4:])] > sizes[int(rule[4:])] for rule in group_of[key])
        else:
            assert move.reason.startswith(("a reference now keeps it with", "its part is over the limits"))
            assert len({earlier.rules[rule] for rule in group_of[key]}) > 1 or move.reason.startswith("its part")
    for part in second.parts:
        assert part.rules <= limits.rules and part.size <= limits.bytes
