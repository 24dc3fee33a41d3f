"""JSON text -> plain values with positions, for JSON templates and request files.

JSON is not quite a subset of YAML as libyaml reads it (keys over 1,024 characters, a line break
before the colon, surrogate-pair escapes), so JSON gets its own small parser. Strings are decoded
by the standard library's scanner; depth is bounded like the YAML path."""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]

from preflight.load import reading as problems
from preflight.load.reading import Parsed
from preflight.load.yaml_scalars import has_surrogates, without_surrogates
from preflight.model.document import line_starts
from preflight.model.findings import DocPath, Position, Span
from preflight.model.limits import SAFETY_LIMITS, SafetyLimits
from preflight.model.problems import Problem

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _Stop(Exception):
    pass


class _JsonReader:
    def __init__(self, text: str, limits: SafetyLimits, out: Parsed, line_offset: int) -> None:
        self.line_offset = line_offset
        self.text = text
        self.limits = limits
        self.out = out
        self.line_starts = line_starts(text)  # at CR, LF and CRLF, as the editor and the reports count lines
        self.nodes = 0

    def position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def span(self, start: int, end: int) -> Position:
        return (*self.position(start), *self.position(end))

    def stop(self, problem: Callable[[Span], Problem], index: int) -> _Stop:
        line, column = self.position(min(index, len(self.text)))
        self.out.problems.append(problem(Span(line, column, line, column + 1)))
        return _Stop()

    def fail(self, detail: str, index: int) -> _Stop:
        return self.stop(functools.partial(problems.json_syntax_error, detail), index)

    def skip(self, index: int) -> int:
        return _WHITESPACE.match(self.text, index).end()  # type: ignore[union-attr]

    def value(self, index: int, path: DocPath, depth: int) -> tuple[object, int]:
        index = self.skip(index)
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise self.stop(functools.partial(problems.too_many_values, self.limits.max_nodes), index)
        if depth > self.limits.max_depth:
            raise self.stop(functools.partial(problems.too_deep, self.limits.max_depth), index)
        char = self.text[index : index + 1]
        start = index
        value: object
        if char == "{":
            value, index = self.mapping(index + 1, path, depth)
        elif char == "[":
            value, index = self.sequence(index + 1, path, depth)
        elif char == '"':
            value, index = self.string(index)
        else:
            number = _NUMBER.match(self.text, index)
            if number:
                text = number.group()
                value = float(text) if number.group(2) or number.group(3) else _int(text)
                index = number.end()
            else:
                for word, literal in _LITERALS.items():
                    if self.text.startswith(word, index):
                        value, index = literal, index + len(word)
                        break
                else:
                    raise self.fail("expecting a value", index)
        self.out.spans[path] = self.span(start, index)
        return value, index

    def string(self, index: int) -> tuple[str, int]:
        try:
            value, end = scanstring(self.text, index + 1, True)
        except json.JSONDecodeError as error:
            raise self.fail(error.msg, error.pos) from None
        return _clean(value), end

    def mapping(self, index: int, path: DocPath, depth: int) -> tuple[dict[str, object], int]:
        result: dict[str, object] = {}
        first_lines: dict[str, int] = {}
        index = self.skip(index)
        if self.text.startswith("}", index):
            return result, index + 1
        while True:
            index = self.skip(index)
            if not self.text.startswith('"', index):
                raise self.fail("expecting a property name in double quotes", index)
            key_start = index
            key, index = self.string(index)
            key_span = self.span(key_start, index)
            index = self.skip(index)
            if not self.text.startswith(":", index):
                raise self.fail("expecting ':' after a property name", index)
            child = path + (key,)
            value, index = self.value(index + 1, child, depth + 1)
            if key in first_lines:
                identical = result[key] == value
                first = first_lines[key] + self.line_offset
                self.out.problems.append(problems.duplicate_key(key, first, Span(*key_span), identical=identical))
            else:
                first_lines[key] = key_span[0]
            result[key] = value
            self.out.key_spans[child] = key_span
            index = self.skip(index)
            if self.text.startswith(",", index):
                index += 1
                continue
            if self.text.startswith("}", index):
                return result, index + 1
            raise self.fail("expecting ',' or '}'", index)

    def sequence(self, index: int, path: DocPath, depth: int) -> tuple[list[object], int]:
        result: list[object] = []
        index = self.skip(index)
        if self.text.startswith("]", index):
            return result, index + 1
        while True:
            value, index = self.value(index, path + (len(result),), depth + 1)
            result.append(value)
            index = self.skip(index)
            if self.text.startswith(",", index):
                index += 1
                continue
            if self.text.startswith("]", index):
                return result, index + 1
            raise self.fail("expecting ',' or ']'", index)


def _int(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:  # more digits than int() accepts: keep the text
        return text


def _clean(value: str) -> str:
    return without_surrogates(value) if has_surrogates(value) else value


def parse_json(text: str, *, limits: SafetyLimits = SAFETY_LIMITS, line_offset: int = 0) -> Parsed:
    """`line_offset` shifts the line numbers quoted in messages (for a body embedded in another file)."""
    out = Parsed()
    reader = _JsonReader(text, limits, out, line_offset)
    try:
        data, index = reader.value(0, (), 0)
        index = reader.skip(index)
        if index != len(text):
            raise reader.fail("extra data after the document", index)
    except _Stop:
        return out
    except RecursionError:
        out.problems.append(problems.nested_too_deeply(Span(1, 1, 1, 1)))
        return out
    out.data = data
    out.documents = 1
    out.complete = True
    return out
