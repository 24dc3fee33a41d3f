"""The text of a split pack's parts, made of the original's pieces.

A YAML pack is cut by lines: each top-level key, and each entry of Parameters, Conditions, Mappings
and Resources, keeps its exact lines, with the comment lines directly above it (no blank line
between) and the blank and comment lines after it. The lines above the first top-level key go to
every part. A layout that cannot be cut so (a flow-style mapping, an alias that a cut could separate
from its anchor) is rendered canonically instead: block YAML with every value that could read as
anything else quoted, or for a JSON pack always `json.dumps` with an indent of 2, in the original's
key order. A part is its pieces joined, so its size is the sum of theirs."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from preflight.load.yaml_scalars import resolve_plain
from preflight.model.document import Document
from preflight.split.assign import Piece
from preflight.split.units import SECTIONS, Entry

DESCRIPTION = "Description"
Style = Literal["cut", "yaml", "json"]


@dataclass(frozen=True)
class Block:
    """A top-level key. `text` is a plain key's whole text, or a section's head; a section's entries
    follow it (joined by the layout's `entry_joiner`), then `tail`. A description that gets a suffix
    is `before` + the quoted value + `after`."""

    key: str
    text: str
    entries: tuple[tuple[str, str], ...] | None = None
    tail: str = ""
    description: str | None = None
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Layout:
    style: Style
    header: str  # before the first key (a YAML pack's opening comments; `{` for JSON)
    blocks: tuple[Block, ...]
    footer: str = ""
    joiner: str = ""  # between blocks
    entry_joiner: str = ""  # between a section's entries


def render(layout: Layout, chosen: Collection[Entry], suffix: str) -> str:
    """The part holding the entries `chosen`, its description (if a string) ending with `suffix`."""
    texts = []
    for block in layout.blocks:
        if block.description is not None:
            texts.append(block.before + _quote(block.description + suffix, layout.style) + block.after)
        elif block.entries is None:
            texts.append(block.text)
        else:
            kept = [text for name, text in block.entries if (block.key, name) in chosen]
            if kept:
                texts.append(block.text + layout.entry_joiner.join(kept) + block.tail)
    return layout.header + layout.joiner.join(texts) + layout.footer


def sizes(layout: Layout, longest_suffix: str) -> tuple[int, dict[Piece, int]]:
    """The bytes every part has (its description with `longest_suffix`), and each piece's: an entry
    with its joiner, and a section's head (`(section, None)`) with its tail and joiner. For YAML these
    are exact; for JSON, each joiner is counted even where none is written."""
    fixed = len(layout.header.encode()) + len(layout.footer.encode())
    pieces: dict[Piece, int] = {}
    joiner, entry_joiner = len(layout.joiner.encode()), len(layout.entry_joiner.encode())
    for block in layout.blocks:
        if block.entries is None:
            fixed += len(render(Layout(layout.style, "", (block,)), (), longest_suffix).encode()) + joiner
            continue
        pieces[(block.key, None)] = len(block.text.encode()) + len(block.tail.encode()) + joiner
        for name, text in block.entries:
            pieces[(block.key, name)] = len(text.encode()) + entry_joiner
    return fixed, pieces


def selected(data: Mapping[str, object], chosen: Collection[Entry], suffix: str) -> dict[str, object]:
    """The values a part holding `chosen` reads back as."""
    part: dict[str, object] = {}
    for key, value in data.items():
        if key in SECTIONS and isinstance(value, dict) and value:
            entries = {name: item for name, item in value.items() if (key, name) in chosen}
            if entries:
                part[key] = entries
        elif key == DESCRIPTION and isinstance(value, str):
            part[key] = value + suffix
        else:
            part[key] = value
    return part


# ----- YAML cut by lines


_LINE_BREAKS = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def cut(document: Document) -> Layout | str:
    """The pack's own lines as pieces, or why its layout cannot be cut safely."""
    data = document.data
    assert isinstance(data, dict)
    lines = [line for line in _LINE_BREAKS.split(document.text) if line]
    if not lines:
        return "the pack is empty"
    newline = next((match.group(0) for match in re.finditer(r"\r\n|\r|\n", document.text)), "\n")
    if not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    keys = list(data)
    top = _key_lines(document, [(key,) for key in keys], lines)
    if top is None or top[1] != 1:
        return "its top level is not a block mapping with one key per line"
    starts = top[0]
    leads = [starts[0]] + [_lead(lines, line, 1, previous) for previous, line in itertools.pairwise(starts)]
    ends = [*leads[1:], len(lines) + 1]
    blocks = []
    for index, key in enumerate(keys):
        value = data[key]
        span = (leads[index], ends[index])
        if key in SECTIONS and isinstance(value, dict) and value:
            block = _section(document, key, value, lines, starts[index], span)
            if block is None:
                return f"its {key} section is not a block mapping with one entry per line"
            blocks.append(block)
        elif key == DESCRIPTION and isinstance(value, str):
            blocks.append(_description(value, lines, starts[index], span))
        else:
            blocks.append(Block(key, "".join(lines[span[0] - 1 : span[1] - 1])))
    return Layout("cut", "".join(lines[: starts[0] - 1]), tuple(blocks))


def _key_lines(document: Document, paths: list[tuple[str, ...]], lines: list[str]) -> tuple[list[int], int] | None:
    """The lines of the keys at `paths` and their column, when each starts its own line, all in one
    column, in order."""
    found: list[int] = []
    columns = set()
    for path in paths:
        span = document.key_span(path)
        if span is None or span.line > len(lines) or lines[span.line - 1][: span.column - 1].strip(" "):
            return None
        if found and span.line <= found[-1]:
            return None
        found.append(span.line)
        columns.add(span.column)
    return (found, columns.pop()) if len(columns) == 1 else None


def _is_comment(line: str, column: int) -> bool:
    """A comment line indented no deeper than `column`, so not inside a block scalar of the entry above."""
    stripped = line.lstrip(" \t")
    return stripped.startswith("#") and len(line) - len(stripped) < column


def _lead(lines: list[str], line: int, column: int, floor: int) -> int:
    """The first line of a key's entry: its own line, or the comment lines right above it."""
    start = line
    while start - 1 > floor and _is_comment(lines[start - 2], column):
        start -= 1
    return start


def _section(
    document: Document, key: str, value: dict[str, object], lines: list[str], line: int, span: tuple[int, int]
) -> Block | None:
    value_span = document.node_span((key,))
    found = _key_lines(document, [(key, name) for name in value], lines)
    if value_span is None or value_span.line <= line or found is None:
        return None
    starts, column = found
    leads = [_lead(lines, starts[0], column, line)]
    leads += [_lead(lines, now, column, previous) for previous, now in itertools.pairwise(starts)]
    ends = [*leads[1:], span[1]]
    entries = tuple((name, "".join(lines[leads[i] - 1 : ends[i] - 1])) for i, name in enumerate(value))
    return Block(key, "".join(lines[span[0] - 1 : leads[0] - 1]), entries)


def _description(value: str, lines: list[str], line: int, span: tuple[int, int]) -> Block:
    """The description's value is rewritten; the comments above it and the blank and comment lines
    after it stay."""
    first_after = span[1]
    while first_after - 1 > line and _is_blank_or_comment(lines[first_after - 2]):
        first_after -= 1
    newline = lines[line - 1][len(lines[line - 1].rstrip("\r\n")) :]
    return Block(
        DESCRIPTION,
        "".join(lines[span[0] - 1 : span[1] - 1]),
        description=value,
        before="".join(lines[span[0] - 1 : line - 1]) + f"{DESCRIPTION}: ",
        after=newline + "".join(lines[first_after - 1 : span[1] - 1]),
    )


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


# ----- canonical renderings


def canonical(data: Mapping[str, object], style: Literal["yaml", "json"]) -> Layout:
    """The pack rendered from its values: block YAML, or JSON as `json.dumps(data, indent=2)` writes it."""
    entry: Callable[[str, object, int], str] = _json_entry if style == "json" else _yaml_entry
    blocks = []
    for key, value in data.items():
        if key in SECTIONS and isinstance(value, dict) and value:
            entries = tuple((name, entry(name, item, 2)) for name, item in value.items())
            if style == "json":
                blocks.append(Block(key, f"  {_json(key)}: {{\n", entries, tail="\n  }"))
            else:
                blocks.append(Block(key, f"{_yaml_scalar(key)}:\n", entries))
        elif key == DESCRIPTION and isinstance(value, str):
            before = f"  {_json(key)}: " if style == "json" else f"{_yaml_scalar(key)}: "
            after = "" if style == "json" else "\n"
            blocks.append(Block(key, entry(key, value, 0), description=value, before=before, after=after))
        else:
            blocks.append(Block(key, entry(key, value, 0)))
    if style == "json":
        return Layout("json", "{\n", tuple(blocks), footer="\n}\n", joiner=",\n", entry_joiner=",\n")
    return Layout("yaml", "", tuple(blocks))


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _json_entry(key: str, value: object, depth: int) -> str:
    """One `"key": value` line of an object at `depth`, indented as json.dumps(indent=2) indents it."""
    indent = "  " * (depth // 2 + 1)
    return f"{indent}{_json(key)}: " + _json(value).replace("\n", "\n" + indent)


# Characters YAML does not take unescaped in a double-quoted scalar, or reads as line breaks.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/()-]*(?: [A-Za-z0-9_.:/()-]+)*")
# Words YAML 1.1 readers (CloudFormation's among them) take for booleans or null.
_YAML11_WORDS = frozenset("y n yes no on off true false null".split())


def yaml_quote(text: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, and the characters YAML needs escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group(0)):04x}", quoted)


def _quote(text: str, style: Style) -> str:
    return _json(text) if style == "json" else yaml_quote(text)


def _yaml_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    text = str(value)
    plain = (
        _PLAIN.fullmatch(text) is not None
        and not text.endswith(":")
        and ": " not in text
        and text.lower() not in _YAML11_WORDS
        and resolve_plain(text) == text
    )
    return text if plain else yaml_quote(text)


def _yaml_entry(key: str, value: object, indent: int) -> str:
    space = " " * indent
    if isinstance(value, dict) and value:
        return f"{space}{_yaml_scalar(key)}:\n" + "".join(_yaml_entry(k, v, indent + 2) for k, v in value.items())
    if isinstance(value, list) and value:
        return f"{space}{_yaml_scalar(key)}:\n" + "".join(_yaml_item(item, indent + 2) for item in value)
    return f"{space}{_yaml_scalar(key)}: {_yaml_flat(value)}\n"


def _yaml_item(value: object, indent: int) -> str:
    space = " " * indent
    if isinstance(value, dict) and value:
        text = "".join(_yaml_entry(k, v, indent + 2) for k, v in value.items())
        return f"{space}- {text[indent + 2 :]}"
    if isinstance(value, list) and value:
        return f"{space}-\n" + "".join(_yaml_item(item, indent + 2) for item in value)
    return f"{space}- {_yaml_flat(value)}\n"


def _yaml_flat(value: object) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _yaml_scalar(value)
