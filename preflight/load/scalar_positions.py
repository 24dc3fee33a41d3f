"""Where each character of a string value is written in its file: the value of a YAML block scalar
(literal `|`, folded `>`, with indentation and chomping indicators), a double-quoted scalar (escapes
and folded lines), a single-quoted or a plain scalar, or a JSON string (escapes such as `\\n` and
`\\u00e9`). A finding about a place inside a value (a Guard policy's syntax error) points there.

The source is decoded again here, character by character, and the result must equal the value the
reader made; when it does not (a style this module does not follow, a tag, an anchor), there is no
answer, and the caller points at the value as a whole instead of guessing."""

from __future__ import annotations

import re

from preflight.model.document import position_at

# Line breaks as the readers count lines: libyaml breaks at \r\n, \r and \n.
_LINE_BREAK = re.compile("\r\n|[\r\n]")
_BLANKS = " \t"
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}

Decoded = list[tuple[str, int]]  # each character of the value and the index in the text it comes from


def character_position(
    text: str, start: tuple[int, int], end: tuple[int, int], value: str, offset: int
) -> tuple[int, int] | None:
    """The 1-based line and column in `text` of `value[offset]`, where `value` is the string written
    from `start` to `end` (the scalar node's line and column, as the readers record them); an offset
    at the end of the value is the position just after its last character. None when the value is
    not written out there character by character."""
    if not 0 <= offset <= len(value):
        return None
    lines = _line_starts(text)
    begin, stop = _index(lines, *start), _index(lines, *end)
    if not 0 <= begin < stop <= len(text):
        return None
    indices = _source_indices(text, begin, stop, value)
    if indices is None:
        return None
    index = indices[offset] if offset < len(indices) else (indices[-1] + 1 if indices else begin)
    return _position(lines, index)


def source_indices(
    text: str, start: tuple[int, int], end: tuple[int, int], value: str, lines: list[int] | None = None
) -> list[int] | None:
    """The index in `text` of each character of `value`, written from `start` to `end` (as in
    character_position); None when it is not written out there character by character. `lines`:
    where the text's lines start, when the caller has them (a stack of many packs)."""
    lines = lines if lines is not None else _line_starts(text)
    begin, stop = _index(lines, *start), _index(lines, *end)
    if not 0 <= begin < stop <= len(text):
        return None
    return _source_indices(text, begin, stop, value)


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in _LINE_BREAK.finditer(text)]


def _index(lines: list[int], line: int, column: int) -> int:
    if not 1 <= line <= len(lines):
        return -1
    return lines[line - 1] + column - 1


def _position(lines: list[int], index: int) -> tuple[int, int]:
    return position_at(lines, index)


def _source_indices(text: str, begin: int, stop: int, value: str) -> list[int] | None:
    first = text[begin]
    decoded: Decoded | None
    if first in "|>":
        decoded = _block(text, begin, stop, value)
    elif first in "\"'":
        if text[stop - 1] != first:
            return None
        decoded = _flow(text, begin + 1, stop - 1, first)
    elif first in "!&*{[#":  # a tag, an anchor, an alias or a collection: not a written-out string
        return None
    else:
        decoded = _flow(text, begin, stop, "")
    if decoded is None or "".join(char for char, _ in decoded) != value:
        return None
    return [index for _, index in decoded]


def _flow(text: str, begin: int, stop: int, quote: str) -> Decoded | None:
    """A double-quoted (`quote` is `"`), single-quoted (`'`) or plain (empty) scalar between `begin`
    and `stop`: blanks before a line break are dropped, a line break becomes a space, or one line
    feed per empty line after it, and the next line's leading blanks are dropped."""
    out: Decoded = []
    blanks: Decoded = []  # kept only if no line break follows them
    index = begin
    while index < stop:
        char = text[index]
        if char in "\r\n":
            blanks = []
            index = _fold(text, index, stop, out, escaped=False)
        elif char in _BLANKS:
            blanks.append((char, index))
            index += 1
        else:
            out.extend(blanks)
            blanks = []
            if quote == "'" and char == "'":
                if not text.startswith("''", index):
                    return None
                out.append(("'", index))
                index += 2
            elif quote == '"' and char == "\\":
                found = _escape(text, index, stop, out)
                if found is None:
                    return None
                index = found
            else:
                out.append((char, index))
                index += 1
    out.extend(blanks)
    return out


def _fold(text: str, index: int, stop: int, out: Decoded, *, escaped: bool) -> int:
    """Past the line break at `index` (escaped with a backslash or not), the empty lines after it and
    the next line's leading blanks; what they stand for goes to `out`. Returns the index after them."""
    breaks = [index]
    index = _after_break(text, index)
    while True:
        probe = index
        while probe < stop and text[probe] in _BLANKS:
            probe += 1
        if probe < stop and text[probe] in "\r\n":
            breaks.append(probe)
            index = _after_break(text, probe)
            continue
        index = probe
        break
    if len(breaks) == 1 and not escaped:
        out.append((" ", breaks[0]))
    else:
        out.extend(("\n", at) for at in breaks[1:])
    return index


def _after_break(text: str, index: int) -> int:
    return index + 2 if text.startswith("\r\n", index) else index + 1


def _escape(text: str, index: int, stop: int, out: Decoded) -> int | None:
    """The escape sequence whose backslash is at `index`; each character it stands for comes from the
    backslash. A \\u escape of a surrogate pair is one character, a lone surrogate U+FFFD, as the
    readers make them."""
    if index + 1 >= stop:
        return None
    code = text[index + 1]
    if code in "\r\n":
        return _fold(text, index + 1, stop, out, escaped=True)
    if code in _ESCAPES:
        out.append((_ESCAPES[code], index))
        return index + 2
    digits = _HEX_DIGITS.get(code)
    if digits is None:
        return None
    number = _hex(text, index + 2, digits, stop)
    if number is None:
        return None
    after = index + 2 + digits
    if 0xD800 <= number <= 0xDBFF and text.startswith("\\u", after):
        low = _hex(text, after + 2, 4, stop)
        if low is not None and 0xDC00 <= low <= 0xDFFF:
            out.append((chr(0x10000 + ((number - 0xD800) << 10) + (low - 0xDC00)), index))
            return after + 6
    if 0xD800 <= number <= 0xDFFF:
        out.append(("\ufffd", index))
    elif number <= 0x10FFFF:
        out.append((chr(number), index))
    else:
        return None
    return after


def _hex(text: str, index: int, digits: int, stop: int) -> int | None:
    chunk = text[index : index + digits]
    if index + digits > stop or len(chunk) != digits or not all(c in "0123456789abcdefABCDEF" for c in chunk):
        return None
    return int(chunk, 16)


def _block(text: str, begin: int, stop: int, value: str) -> Decoded | None:
    """A literal (`|`) or folded (`>`) block scalar whose indicator is at `begin`, as libyaml reads it:
    the content's indentation is the first content line's less the spaces the value starts that line
    with (an explicit indentation indicator is relative to a parent this module does not see), and
    chomping keeps the line breaks the value ends with."""
    literal = text[begin] == "|"
    header_end = _LINE_BREAK.search(text, begin, stop)
    if header_end is None:
        return None
    header = text[begin + 1 : header_end.start()].split("#", 1)[0].strip()
    if len(header) > 2 or any(c not in "123456789+-" for c in header):
        return None
    lines = _content_lines(text, header_end.end(), stop)
    first_content = next((line for line in lines if line[1].strip(" ")), None)
    if first_content is None:
        indent = 0
    else:
        first_value_line = value.lstrip("\n").split("\n", 1)[0]
        indent = _spaces(first_content[1]) - _spaces(first_value_line)
        if indent < 0:
            return None
    out: Decoded = []
    leading_break: Decoded = []
    trailing_breaks: Decoded = []
    previous_blank_start = False
    for start, line, break_index in lines:
        if len(line) <= indent and not line.strip(" "):
            trailing_breaks.append(("\n", break_index))
            continue
        if not line.startswith(" " * indent):
            return None
        content = line[indent:]
        blank_start = content[:1] in (" ", "\t")
        if not literal and leading_break and not previous_blank_start and not blank_start:
            if not trailing_breaks:
                out.append((" ", leading_break[0][1]))
        else:
            out.extend(leading_break)
        out.extend(trailing_breaks)
        trailing_breaks = []
        out.extend((char, start + indent + position) for position, char in enumerate(content))
        leading_break = [("\n", break_index)]
        previous_blank_start = blank_start
    out.extend(leading_break)
    out.extend(trailing_breaks)
    decoded = "".join(char for char, _ in out)
    if len(decoded) < len(value) or decoded[len(value) :].strip("\n"):
        return None
    return out[: len(value)]  # chomping drops line breaks from the end


def _content_lines(text: str, begin: int, stop: int) -> list[tuple[int, str, int]]:
    """(start index, text, index of its line break) of each line from `begin` up to `stop`."""
    lines = []
    index = begin
    while index < stop:
        found = _LINE_BREAK.search(text, index, stop)
        end = found.start() if found else stop
        lines.append((index, text[index:end], end))
        index = found.end() if found else stop
    return lines


def _spaces(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
