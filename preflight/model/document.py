"""A loaded file: plain Python values plus the position of every node."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from preflight.model.findings import START_OF_FILE, DocPath, Position, Span

# Where a line ends, as the parsers, editors and LSP count lines: not at U+2028, U+0085 or a form
# feed, where str.splitlines also breaks.
LINE_BREAK = re.compile("\r\n|\r|\n")


def text_lines(text: str) -> list[str]:
    """The lines of `text`, numbered as findings number them (line N is item N - 1)."""
    return LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """The offset where each line of `text` starts (line N at item N - 1), lines as text_lines counts them."""
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def position_at(starts: list[int], index: int) -> tuple[int, int]:
    """The 1-based line and column of offset `index` in a text whose lines start at `starts`."""
    line = bisect.bisect_right(starts, index)
    return line, index - starts[line - 1] + 1


def lines_with_ends(text: str) -> list[str]:
    """The lines of `text` with their line breaks, as text_lines counts them (a last line without a
    break is kept; an empty text has none): `"".join(lines_with_ends(text)) == text`."""
    starts = line_starts(text)
    lines = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    return lines[:-1] if lines and not lines[-1] else lines


@dataclass(eq=False, repr=False, frozen=True)
class Document:
    """`data` holds dicts, lists, str, int, float, bool and None; intrinsic-function tags are already
    expanded to their long form (`!Ref x` is `{"Ref": "x"}`).

    `spans` maps a path to its node, `key_spans` a mapping entry's path to its key. When the document
    is embedded in another file (a `TemplateBody` literal block), `line_offset`/`column_offset` map
    positions back to that file.
    """

    file: str
    text: str
    data: object
    spans: Mapping[DocPath, Position] = field(repr=False)
    key_spans: Mapping[DocPath, Position] = field(repr=False)
    line_offset: int = 0
    column_offset: int = 0

    def locate(self, path: DocPath) -> Span:
        """The key of a mapping entry, else the node, else the nearest ancestor that has a position."""
        probe = tuple(path)
        while True:
            position = self.key_spans.get(probe) or self.spans.get(probe)
            if position is not None:
                return self.shift(Span(*position))
            if not probe:
                return self.shift(START_OF_FILE) if self.line_offset else START_OF_FILE
            probe = probe[:-1]

    def where(self, path: DocPath) -> str:
        """`file:line:column` of `path`, for one-line error messages."""
        span = self.locate(path)
        return f"{self.file}:{span.line}:{span.column}"

    def node_span(self, path: DocPath) -> Span | None:
        """The node at `path` itself (not its key), in this document's own lines and columns."""
        position = self.spans.get(path)
        return None if position is None else Span(*position)

    def key_span(self, path: DocPath) -> Span | None:
        """The key of the mapping entry at `path`, in this document's own lines and columns."""
        position = self.key_spans.get(path)
        return None if position is None else Span(*position)

    def shift(self, span: Span) -> Span:
        if not (self.line_offset or self.column_offset):
            return span
        return Span(
            span.line + self.line_offset,
            span.column + self.column_offset,
            span.end_line + self.line_offset,
            span.end_column + self.column_offset,
        )

    def value_at(self, path: DocPath) -> object:
        node: object = self.data
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node
