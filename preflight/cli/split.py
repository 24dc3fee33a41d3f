"""`preflight split`: a pack over the rule quota or the inline size limit, cut into packs that fit."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from preflight.cli.terminal import EXIT_OK, fail
from preflight.model.limits import API_LIMITS, DEFAULT_QUOTAS
from preflight.reporters.printable import printable

if TYPE_CHECKING:
    from preflight.split.assign import Move

# The part of each part's byte limit that later splits keep free, so a rule can grow in place.
HEADROOM_SHARE = 20


@dataclass(frozen=True)
class SplitOptions:
    pack: Path
    out: Path
    max_rules: int
    max_bytes: int
    name: str | None
    allow_moves: bool = False


@click.command("split")
@click.argument("pack", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The folder for the parts and spec.yaml.")
@click.option(
    "--max-rules",
    type=click.IntRange(min=1),
    default=DEFAULT_QUOTAS.rules_per_pack,
    show_default=True,
    help="Config rules per part.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=API_LIMITS.template_body_max_bytes,
    show_default=True,
    help="Bytes per part (UTF-8).",
)
@click.option("--name", help="The parts' pack names are NAME-part-N (default: from the pack's file name).")
@click.option(
    "--allow-moves",
    is_flag=True,
    help="Let rules change part (AWS deletes each from one pack and creates it in another); without it, "
    "a split that would move a rule writes nothing and names each.",
)
def split_command(pack: Path, out: Path, max_rules: int, max_bytes: int, name: str | None, allow_moves: bool) -> None:
    """Split PACK into the fewest packs that each fit, and a spec file that deploys them together.

    Each part keeps the rules' own text, and the parameters, conditions and mappings they use.
    Splitting again into the same folder keeps every rule in its part."""
    sys.exit(split_pack(SplitOptions(pack, out, max_rules, max_bytes, name, allow_moves)))


def split_pack(options: SplitOptions) -> int:
    from preflight.split import folder
    from preflight.split.assign import DoesNotFit
    from preflight.split.folder import SPEC_FILE, SplitError, load_pack, naming, read_previous
    from preflight.split.parts import SplitLimits, config_rules, duplicate_rule_name, rule_names, split

    try:
        loaded = load_pack(options.pack)
        assert loaded.document is not None
        duplicate = duplicate_rule_name(loaded)
        if duplicate is not None:
            name, first, second = duplicate
            raise SplitError(
                f"{options.pack}: cannot split it: {first} and {second} are both the config rule {name!r}, which AWS "
                "refuses (CP205); rename one"
            )
        names = naming(options.pack, options.name, loaded.document.text.lstrip().startswith("{"))
        previous = read_previous(options.out, names)
        limits = SplitLimits(options.max_rules, options.max_bytes, options.max_bytes // HEADROOM_SHARE)
        try:
            result = split(loaded, limits, previous.earlier)
        except DoesNotFit as error:
            raise SplitError(
                f"{options.pack}: the rule {error.key} does not fit in a part: with what it needs it is "
                f"{_count(error.rules, 'config rule')} and {error.size:,} bytes (a part holds at most "
                f"{_count(options.max_rules, 'rule')} and {options.max_bytes:,} bytes)"
            ) from None
        if result.moved and not options.allow_moves:
            raise SplitError(_moves_refused(result.moved, options.out))
        names.check_count(max((part.number for part in result.parts), default=1))
        settings, moved_values = folder.kept_settings(result, previous)
        not_kept = folder.write(options.out, names, result, previous, options.pack.name, settings)
    except SplitError as error:
        fail(str(error))
    size = len(loaded.document.text.encode())
    click.echo(
        f"{printable(str(options.pack))}: {_count(config_rules(loaded), 'config rule')}, {size:,} bytes -> "
        f"{_count(len(result.parts), 'part')} in {printable(str(options.out))}"
    )
    width = max(len(names.file(part.number)) for part in result.parts)
    for part in result.parts:
        click.echo(f"  {names.file(part.number):<{width}}  {_count(part.rules, 'rule'):>9}  {part.size:>6,} bytes")
    click.echo(
        f"  {SPEC_FILE:<{width}}  preflight deploy --spec {printable(shlex.quote(str(options.out / SPEC_FILE)))}"
    )
    for key, number in result.placed if previous.earlier.parts else ():
        click.echo(f"new: {printable(key)} -> {names.file(number)}")
    for move in result.moved:
        click.echo(
            f"warning: {printable(move.key)} moved from part {move.source} to part {move.destination} "
            f"({printable(move.reason)}), so AWS deletes it from one pack and creates it in the other",
            err=True,
        )
    now = rule_names(loaded)
    for rule, number in sorted(previous.earlier.rules.items(), key=lambda item: (item[1], item[0])):
        if rule not in now:
            click.echo(
                f"removed: {printable(rule)} (part {number}) is no longer in the pack; the next deploy deletes it "
                "in AWS"
            )
    for note in moved_values:
        click.echo(f"note: {printable(note)}", err=True)
    for note in not_kept:
        click.echo(f"warning: {printable(note)}", err=True)
    for number in result.emptied:
        click.echo(
            f"warning: part {number} has no rules left: {names.file(number)} is removed; delete the pack "
            f"{names.pack(number)} in AWS",
            err=True,
        )
    if result.unused:
        entries = [f"{section}.{name}" for section, name in result.unused]
        more = f" and {len(entries) - 3} more" if len(entries) > 3 else ""
        noun = "entry" if len(entries) == 1 else "entries"
        click.echo(f"left out {len(entries)} {noun} no rule uses: {printable(', '.join(entries[:3]))}{more}")
    for key in result.left_out_keys:
        click.echo(
            f"warning: {printable(key)} is left out: it names resources, which are in different parts; "
            "add it to the part that holds them",
            err=True,
        )
    if result.canonical is not None:
        click.echo(f"note: the parts are written from the pack's values, not its lines: {result.canonical}", err=True)
    return EXIT_OK


def _moves_refused(moves: Sequence[Move], out: Path) -> str:
    """One line: the rules the split would move between parts, each with why; nothing was written."""
    each = "; ".join(
        f"{move.key} from part {move.source} to part {move.destination} ({move.reason})" for move in moves[:10]
    )
    more = f"; and {len(moves) - 10} more" if len(moves) > 10 else ""
    return (
        f"--out {out}: splitting again would move {_count(len(moves), 'rule')} to another part, and AWS would delete "
        f"each from one pack and create it in the other, losing its compliance history: {each}{more}. Nothing was "
        "written; pass --allow-moves to move them"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
