"""Fixes as text edits of a template. Each edit replaces the exact text of one node (or removes whole
lines of one entry), so everything else in the file (comments, quoting, indentation, key order) stays
byte for byte. A node whose text cannot be edited that safely (escapes, a flow mapping on one line,
an entry that shares its line) gets no edit: the finding keeps its hint only."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping

from preflight.knowledge.template import Template
from preflight.model.document import Document, line_starts
from preflight.model.findings import DocPath, Edit, Span

_QUOTES = ("'", '"')
# The header of a block scalar that keeps its trailing line breaks: `|+`, `>+`, `|2+`, `|+2`, maybe a comment.
_KEPT_BLOCK = re.compile(r"[|>](?:[1-9]?\+|\+[1-9])\s*(?:#.*)?$")  # matched from the value's start


class Editor:
    """Edits of one template file, from its text and the positions its parse recorded."""

    def __init__(self, text: str, document: Document) -> None:
        self.text = text
        self.document = document
        self._starts = line_starts(text)
        self._node_starts: list[tuple[int, int]] | None = None  # where each node starts, sorted: read once

    def replace_scalar(self, path: DocPath, old: str, new: str) -> Edit | None:
        """The scalar at `path`, written `old` (plain or in simple quotes), rewritten as `new`, in the
        same quotes."""
        return self._rewrite(self.document.node_span(path), old, new)

    def rename_key(self, path: DocPath, old: str, new: str) -> Edit | None:
        return self._rewrite(self.document.key_span(path), old, new)

    def quote_scalar(self, path: DocPath, text: str) -> Edit | None:
        """A plain scalar (`90`, `True`) written as the string `text` it stands for (`"90"`, `"true"`),
        in double quotes; only when it is written as that text, up to case (not `0x1F` for `"31"`)."""
        span = self.document.node_span(path)
        source = self._slice(span)
        if span is None or source is None or not source or source[0] in (*_QUOTES, "[", "{", "!", "&", "*", "|", ">"):
            return None
        if source.lower() != text.lower() or any(char in text for char in '"\\\n#'):
            return None
        return Edit(span, f'"{text}"')

    def remove_entry(self, path: DocPath) -> Edit | None:
        """The lines of one mapping entry, when it has them to itself (block YAML, or JSON with one
        entry per line); in JSON the comma that separated it goes too."""
        key, value = self.document.key_span(path), self.document.node_span(path)
        if key is None or value is None:
            return None
        if self._line(key.line)[: key.column - 1].strip():
            return None  # something precedes the key on its line
        end_line = value.end_line
        if end_line > value.line and not self._line(end_line)[: value.end_column - 1].strip():
            # A block collection ends where the next entry starts: its last line is the one before,
            # less the blank lines and comments that lead into the next entry. A line starting with
            # `#` indented deeper than this entry's key is the value's own (the last line of a
            # `Description: |` block): it goes with the entry.
            end_line -= 1
            while end_line > value.line and self._leads_into_next(end_line, key.column):
                end_line -= 1
            tail = ""
        else:
            tail = self._line(end_line)[value.end_column - 1 :].strip()
        if not (tail in ("", ",") or tail.startswith("#")):
            return None
        if (tail == "" or tail.startswith("#")) and self._after_kept_block(key.line, key.column):
            # The lines before the entry end a block scalar that keeps its trailing blank lines (`|+`):
            # blank lines left after the entry would join it, so they go too.
            while end_line < len(self._starts) and not self._line(end_line + 1).strip():
                end_line += 1
        removal = Edit(Span(key.line, 1, end_line + 1, 1), "")
        if tail == "" and self._json_last_entry(end_line):
            return self._with_previous_comma(key.line, removal)
        return removal

    def add_entry_after(self, path: DocPath, key: str, value: str) -> Edit | None:
        """A new entry `key: value` on a line of its own after the entry at `path`, indented and quoted
        as that entry's key is; only when that entry has its line to itself. In a flow mapping (a JSON
        object) the entries are joined by commas: after an entry with its comma, the new one ends with
        one; after the last entry, it gets one."""
        key_span, value_span = self.document.key_span(path), self.document.node_span(path)
        parent = self.document.node_span(path[:-1])
        if key_span is None or value_span is None or parent is None or value_span.end_line != key_span.line:
            return None
        line = self._line(key_span.line)
        indent = line[: key_span.column - 1]
        if indent.strip() or key_span.line >= len(self._starts):
            return None  # something precedes the key on its line, or it is the file's last line
        rest = line[value_span.end_column - 1 :].strip()
        quoted = (self._slice(key_span) or "")[:1] in _QUOTES
        flow = (self._slice(Span(parent.line, parent.column, parent.line, parent.column + 1)) or "") == "{"
        newline = "\r\n" if line.endswith("\r\n") else "\r" if line.endswith("\r") else "\n"
        written = json.dumps(value) if quoted or flow or not value.isalnum() else value
        entry = f"{json.dumps(key) if quoted else key}: {written}"
        if flow and rest == ",":
            return Edit(Span(key_span.line + 1, 1, key_span.line + 1, 1), f"{indent}{entry},{newline}")
        if flow and rest == "":
            end = Span(value_span.end_line, value_span.end_column, value_span.end_line, value_span.end_column)
            return Edit(end, f",{newline}{indent}{entry}")
        if not flow and (rest == "" or rest.startswith("#")):
            return Edit(Span(key_span.line + 1, 1, key_span.line + 1, 1), f"{indent}{entry}{newline}")
        return None

    def remove_member(self, section: str, name: str) -> Edit | None:
        """One entry of a top-level section; the whole section with its last entry (an empty
        `Conditions:` or `Parameters:` is invalid)."""
        data = self.document.data
        entries = data.get(section) if isinstance(data, dict) else None
        only = isinstance(entries, dict) and len(entries) == 1 and name in entries
        return self.remove_entry((section,) if only else (section, name))

    def _after_kept_block(self, line: int, column: int) -> bool:
        """Whether the value written last before the key at `line`, `column` is a block scalar that
        keeps its trailing line breaks (`|+`, `>+`): read from the parse, whatever the indentation."""
        if self._node_starts is None:
            self._node_starts = sorted((span[0], span[1]) for span in self.document.spans.values())
        index = bisect.bisect_left(self._node_starts, (line, column)) - 1
        if index < 0:
            return False
        start_line, start_column = self._node_starts[index]
        header = self._line(start_line)[start_column - 1 :].rstrip("\r\n")
        return _KEPT_BLOCK.match(header) is not None

    def _leads_into_next(self, number: int, key_column: int) -> bool:
        """A blank line, or a comment no deeper than a key at `key_column`."""
        line = self._line(number)
        stripped = line.strip()
        return not stripped or (stripped.startswith("#") and len(line) - len(line.lstrip()) < key_column)

    def _json_last_entry(self, end_line: int) -> bool:
        """The next non-blank line closes the JSON object: the entry before must lose its comma."""
        for number in range(end_line + 1, len(self._starts) + 1):
            stripped = self._line(number).strip()
            if stripped:
                return stripped.startswith("}")
        return False

    def _with_previous_comma(self, start_line: int, removal: Edit) -> Edit | None:
        for number in range(start_line - 1, 0, -1):
            whole = self._line(number)
            line = whole.rstrip("\r\n")
            if line.strip():
                if not line.rstrip().endswith(","):
                    return None
                comma = len(line.rstrip())  # 1-based column of the comma
                return Edit(Span(number, comma, removal.span.end_line, 1), whole[len(line) :] or "\n")
        return None

    def _rewrite(self, span: Span | None, old: str, new: str) -> Edit | None:
        source = self._slice(span)
        if span is None or source is None:
            return None
        if source == old:
            return Edit(span, new)
        if len(source) >= 2 and source[0] in _QUOTES and source[-1] == source[0] and source[1:-1] == old:
            if source[0] in new or "\\" in new or "\n" in new:
                return None
            return Edit(span, source[0] + new + source[0])
        return None

    def _slice(self, span: Span | None) -> str | None:
        if span is None or span.line < 1 or span.end_line < span.line:
            return None
        start = self._offset(span.line, span.column)
        end = self._offset(span.end_line, span.end_column)
        if start is None or end is None or end < start:
            return None
        return self.text[start:end]

    def _offset(self, line: int, column: int) -> int | None:
        if not 1 <= line <= len(self._starts):
            return None
        return self._starts[line - 1] + column - 1

    def _line(self, number: int) -> str:
        if not 1 <= number <= len(self._starts):
            return ""
        end = self._starts[number] if number < len(self._starts) else len(self.text)
        return self.text[self._starts[number - 1] : end]


def literal_path(template: Template, path: DocPath, raw: object, given: Mapping[str, str]) -> DocPath | None:
    """Where the text of the value at `path` (written as `raw`) is: the node itself when it is a
    literal; the `Default` of the parameter a `Ref` names, when the request gives that parameter no
    value and nothing else refers to it; the branch of an `Fn::If` its condition takes."""
    if isinstance(raw, (str, int, float, bool)):
        return path
    if not isinstance(raw, dict) or len(raw) != 1:
        return None
    ((function, argument),) = raw.items()
    if function == "Ref" and isinstance(argument, str):
        declaration = template.parameters.get(argument)
        uses = sum(
            1 for name, where in template.references if name == argument and not _emptiness_test(template, where)
        )
        if declaration is None or argument in given or uses != 1 or "Default" not in declaration:
            return None
        return ("Parameters", argument, "Default")
    if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str):
        taken = template.evaluator.condition(argument[0])
        if taken is None:
            return None
        branch = 1 if taken else 2
        return literal_path(template, (*path, "Fn::If", branch), argument[branch], given)
    return None


def _emptiness_test(template: Template, where: DocPath) -> bool:
    """A reference that only asks whether the value is empty (`!Equals ["", !Ref P]`, as AWS's packs
    write their conditions): rewriting the value's case or quoting cannot change its answer."""
    if not where or where[0] != "Conditions" or len(where) < 4 or where[-1] != "Ref" or where[-3] != "Fn::Equals":
        return False
    node: object = template.data
    for part in where[:-2]:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return isinstance(node, list) and len(node) == 2 and "" in node
