"""The AWS Config managed-rule catalog: identifiers, triggers, parameters and Region availability.

The package ships its own compact format (`preflight/data/managed_rules.jsonl`), built from a facts
file with

    python -m preflight.knowledge.catalog build FACTS.json [--notes NOTES.json] [--date YYYY-MM-DD]

and checked by `python -m preflight.knowledge.catalog verify FACTS.json [--notes NOTES.json]` (the
build round-trips the facts). The notes (docs/catalogs/managed-rule-notes.json) add what the facts
lack, each with its source: rules AWS has discontinued, and Regions where a rule's availability is in
doubt (an earlier version of its page excluded the Region, or it was reported failing there).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATALOG_FILE = Path(__file__).resolve().parent.parent / "data" / "managed_rules.jsonl"
# JSON lines: a header ({"format", "date", "region_sets", "sources"}), then one rule per line,
# `["IDENTIFIER", rule_name, trigger_types, parameters, resource_types, regions, source_ids]` and, for
# a rule the notes name, its notes (`{"discontinued": ..., "region_doubts": [...]}`) last, so a check
# decodes only the lines of the rules its pack uses.
FORMAT = 3


@dataclass(frozen=True)
class ManagedParameter:
    """A parameter of a managed rule, as the catalog describes it."""

    name: str
    type: str  # int, double, boolean, CSV, String, StringMap
    optional: bool
    default: str | None


@dataclass(frozen=True)
class Discontinued:
    """AWS's word that a rule no longer evaluates: since `date`, with a `replacement` when AWS names one."""

    date: str
    replacement: str | None
    source: str


@dataclass(frozen=True)
class RegionDoubt:
    """Regions the newest list offers a rule in, though `source` says otherwise: an earlier version of
    its page excluded them (`earlier-page`), or it was reported failing there (`reported`)."""

    regions: frozenset[str]
    kind: str
    source: str


@dataclass(eq=False, frozen=True)
class ManagedRule:
    """A managed rule of the catalog: its triggers, parameters and resource types."""

    identifier: str
    rule_name: str | None
    trigger_types: tuple[str, ...]
    parameters: Mapping[str, ManagedParameter]
    resource_types: tuple[str, ...] | None
    regions_only: frozenset[str] | None
    regions_except: frozenset[str] | None
    sources: tuple[str, ...]
    discontinued: Discontinued | None = None
    region_doubts: tuple[RegionDoubt, ...] = ()

    @property
    def change_triggered(self) -> bool:
        return any(trigger.startswith("Configuration changes") for trigger in self.trigger_types)

    @property
    def periodic(self) -> bool:
        return any(trigger.startswith("Periodic") for trigger in self.trigger_types)

    def available_in(self, region: str) -> bool | None:
        """False when the catalog says the rule is not offered in `region`; None when it does not say."""
        if self.regions_only is not None:
            return region in self.regions_only
        if self.regions_except is not None:
            return region not in self.regions_except
        return None


@dataclass(eq=False, repr=False, frozen=True)
class Catalog:
    """Entries are decoded when asked for: a pack uses a few dozen of the 800-odd rules."""

    date: str
    lines: Mapping[str, str] = field(repr=False)  # identifier -> its line of the catalog file
    region_sets: Sequence[Sequence[str]] = field(repr=False)
    sources: Sequence[str] = field(repr=False)
    decoded: dict[str, ManagedRule | None] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.lines)

    def __contains__(self, identifier: object) -> bool:
        return identifier in self.lines

    def get(self, identifier: str) -> ManagedRule | None:
        if identifier not in self.decoded:
            self.decoded[identifier] = self._decode(identifier)
        return self.decoded[identifier]

    def entry(self, identifier: str) -> list[object] | None:
        """The rule's compact entry (`encode`'s value for it), or None."""
        line = self.lines.get(identifier)
        return None if line is None else json.loads(line)[1:]

    def _decode(self, identifier: str) -> ManagedRule | None:
        entry = self.entry(identifier)
        if entry is None:
            return None
        rule_name, triggers, parameters, resource_types, regions, source_ids = entry[:6]
        notes = entry[6] if len(entry) > 6 and isinstance(entry[6], dict) else {}
        gone = notes.get("discontinued")
        mode, index = (regions[0], regions[1]) if regions else (None, None)  # type: ignore[index]
        region_set = frozenset(self.region_sets[index]) if index is not None else None  # type: ignore[index]
        return ManagedRule(
            identifier=identifier,
            rule_name=rule_name,  # type: ignore[arg-type]
            trigger_types=tuple(triggers),  # type: ignore[arg-type]
            parameters={
                name: ManagedParameter(name, spec[0], bool(spec[1]), spec[2] if len(spec) > 2 else None)
                for name, spec in parameters.items()  # type: ignore[attr-defined]
            },
            resource_types=tuple(resource_types) if resource_types is not None else None,  # type: ignore[arg-type]
            regions_only=region_set if mode == "only" else None,
            regions_except=region_set if mode == "except" else None,
            sources=tuple(self.sources[i] for i in source_ids),  # type: ignore[attr-defined]
            discontinued=Discontinued(gone["date"], gone.get("replacement"), gone["source"]) if gone else None,
            region_doubts=tuple(
                RegionDoubt(frozenset(doubt["regions"]), doubt["kind"], doubt["source"])
                for doubt in notes.get("region_doubts", ())
            ),
        )


def encode(facts: Mapping[str, object], date: str) -> dict[str, object]:
    """The facts file's `rules` in the package's compact format (region lists and source names interned)."""
    rules = facts["rules"]
    assert isinstance(rules, dict)
    region_sets: list[list[str]] = []
    region_index: dict[tuple[str, ...], int] = {}
    sources: list[str] = []
    encoded: dict[str, list[object]] = {}
    for identifier in sorted(rules):
        rule = rules[identifier]
        regions: list[object] | None = None
        if "regions" in rule:
            regions = []
            for mode in ("only", "except"):
                if mode in rule["regions"]:
                    key = tuple(rule["regions"][mode])
                    if key not in region_index:
                        region_index[key] = len(region_sets)
                        region_sets.append(list(key))
                    regions = [mode, region_index[key]]
        for source in rule["sources"]:
            if source not in sources:
                sources.append(source)
        parameters = {
            name: [spec["type"], 1 if spec["optional"] else 0, *([spec["default"]] if "default" in spec else [])]
            for name, spec in rule["parameters"].items()
        }
        encoded[identifier] = [
            rule["rule_name"],
            rule["trigger_types"],
            parameters,
            rule.get("resource_types"),
            regions,
            [sources.index(source) for source in rule["sources"]],
        ]
        notes = {key: rule[key] for key in NOTE_KEYS if key in rule}
        if notes:
            encoded[identifier].append(notes)
    return {"format": FORMAT, "date": date, "region_sets": region_sets, "sources": sources, "rules": encoded}


def decode_facts(compact: Mapping[str, object]) -> dict[str, object]:
    """The inverse of `encode`: the facts file's `rules` mapping again."""
    region_sets, sources = compact["region_sets"], compact["sources"]
    assert isinstance(region_sets, list) and isinstance(sources, list)
    rules: dict[str, object] = {}
    for identifier, entry in compact["rules"].items():  # type: ignore[attr-defined]
        rule_name, triggers, parameters, resource_types, regions, source_ids = entry[:6]
        rule: dict[str, object] = {
            "rule_name": rule_name,
            "trigger_types": triggers,
            "parameters": {
                name: {
                    "type": spec[0],
                    "optional": bool(spec[1]),
                    **({"default": spec[2]} if len(spec) > 2 else {}),
                }
                for name, spec in parameters.items()
            },
        }
        if resource_types is not None:
            rule["resource_types"] = resource_types
        if regions is not None:
            rule["regions"] = {regions[0]: region_sets[regions[1]]} if regions else {}
        rule["sources"] = [sources[index] for index in source_ids]
        if len(entry) > 6:
            rule.update(entry[6])
        rules[identifier] = rule
    return rules


NOTE_KEYS = ("discontinued", "region_doubts")


def with_notes(facts: Mapping[str, Any], notes: Mapping[str, Any]) -> dict[str, Any]:
    """The facts with each note on its rule: `notes` maps a note key (NOTE_KEYS) to rules and values."""
    rules = {identifier: dict(rule) for identifier, rule in facts["rules"].items()}
    for key in NOTE_KEYS:
        for identifier, value in notes.get(key, {}).items():
            if identifier not in rules:
                raise _FactsError(f"the notes' {key} names {identifier}, which the facts lack")
            rules[identifier][key] = value
    return {**facts, "rules": rules}


def to_lines(compact: Mapping[str, object]) -> str:
    """`encode`'s result as the catalog file's text."""
    header = {key: compact[key] for key in ("format", "date", "region_sets", "sources")}
    rules = compact["rules"]
    assert isinstance(rules, dict)
    lines = [json.dumps(header, separators=(",", ":"))]
    lines.extend(json.dumps([identifier, *entry], separators=(",", ":")) for identifier, entry in rules.items())
    return "\n".join(lines) + "\n"


def read_catalog(text: str) -> Catalog:
    """The catalog file's text as a Catalog; rule lines stay undecoded until asked for."""
    header_line, _, body = text.partition("\n")
    header = json.loads(header_line)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise ValueError(f"managed-rule catalog format {found!r} is not {FORMAT}")
    lines: dict[str, str] = {}
    for line in body.splitlines():
        if line.startswith('["'):
            lines[line[2 : line.index('"', 2)]] = line
    return Catalog(str(header["date"]), lines, header["region_sets"], header["sources"])


def compact_form(catalog: Catalog) -> dict[str, object]:
    """The catalog as `encode` returns it (every line decoded), for `decode_facts`."""
    rules = {identifier: catalog.entry(identifier) for identifier in catalog.lines}
    return {"format": FORMAT, "date": catalog.date, "region_sets": catalog.region_sets, "sources": catalog.sources,
            "rules": rules}  # fmt: skip


def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    return read_catalog(path.read_text(encoding="utf-8"))


def catalog_summary(path: Path = CATALOG_FILE) -> str:
    try:
        catalog = load_catalog(path)
    except (OSError, ValueError) as error:
        return f"managed-rule catalog unavailable: {error}"
    return f"managed-rule catalog of {catalog.date}, {len(catalog)} rules"


def _build(argv: Sequence[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m preflight.knowledge.catalog")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="convert a facts file into the package's catalog")
    build.add_argument("facts", type=Path)
    build.add_argument("--notes", type=Path, help="discontinued rules and Region doubts, with their sources")
    build.add_argument("--date", help="the facts' date, YYYY-MM-DD (default: the facts file's modification date)")
    build.add_argument("--output", type=Path, default=CATALOG_FILE)
    verify = commands.add_parser("verify", help="check that the shipped catalog holds exactly the facts")
    verify.add_argument("facts", type=Path)
    verify.add_argument("--notes", type=Path)
    verify.add_argument("--catalog", type=Path, default=CATALOG_FILE)
    args = parser.parse_args(argv)
    try:
        facts = _read_facts(args.facts)
        if args.notes is not None:
            facts = with_notes(facts, _read_json(args.notes))
        if args.command == "build":
            from datetime import UTC, datetime

            date = args.date or datetime.fromtimestamp(args.facts.stat().st_mtime, tz=UTC).date().isoformat()
            compact = encode(facts, date)
            args.output.write_text(to_lines(compact), encoding="utf-8")
            print(f"wrote {args.output}: {len(compact['rules'])} rules of {date}")  # type: ignore[arg-type]
            return 0
        shipped = compact_form(read_catalog(args.catalog.read_text(encoding="utf-8")))
    except _FactsError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    except (KeyError, TypeError) as error:
        print(f"{parser.prog}: error: {args.facts}: not a managed-rule facts file ({error!r})", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    if decode_facts(shipped) != facts["rules"]:
        print(f"{args.catalog} differs from {args.facts}: rebuild it", file=sys.stderr)
        return 1
    print(f"{args.catalog} holds exactly the facts of {args.facts}")
    return 0


class _FactsError(Exception):
    pass


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as error:
        raise _FactsError(f"{path}: {error.strerror or error}") from None
    except (ValueError, RecursionError) as error:
        raise _FactsError(f"{path}: not JSON: {error}") from None


def _read_facts(path: Path) -> dict[str, Any]:
    """A facts file: `{"about": "...", "rules": {IDENTIFIER: {...}}}`, as ../shared/data/managed-rules.json."""
    facts = _read_json(path)
    if not isinstance(facts, dict) or not isinstance(facts.get("rules"), dict):
        raise _FactsError(f"{path}: not a managed-rule facts file (expected an object with a 'rules' object)")
    return facts


if __name__ == "__main__":
    sys.exit(_build(sys.argv[1:]))
