"""YAML (and JSON) text -> plain values with positions, from the parser's event stream.

Building the tree from events instead of composing nodes keeps the C parser's speed and gives this
module full control: nesting depth, alias expansion and duplicate keys are checked as the events
arrive, with no recursion, so hostile input ends in a finding instead of a crash.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from preflight.load import reading as problems
from preflight.load.reading import Parsed
from preflight.load.yaml_scalars import (
    CORE,
    LEADING_ZERO,
    PLAIN_INT,
    STR_TAG,
    cli_number,
    has_surrogates,
    key_text,
    resolve_plain,
    resolve_tagged,
    tag_wrapper,
    without_surrogates,
    wrap,
)
from preflight.model.findings import DocPath, Position, Span
from preflight.model.limits import SAFETY_LIMITS, SafetyLimits
from preflight.model.problems import Problem, ProblemKind

try:
    from _ruamel_yaml_clibz import CParser as _Parser  # type: ignore[import-not-found]

    C_PARSER = True
except ImportError:  # pragma: no cover - only without the C extension
    C_PARSER = False

from ruamel.yaml.error import MarkedYAMLError, YAMLError  # type: ignore[import-untyped]
from ruamel.yaml.events import (  # type: ignore[import-untyped]
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.reader import ReaderError  # type: ignore[import-untyped]


class _Abort(Exception):
    pass


class _Frame:
    """A mapping or sequence being built, with where it started: the hot loop's cursor, changed in
    place, so a plain class (not a record)."""

    __slots__ = ("anchor", "first_lines", "path", "pending_key", "pending_key_position", "size", "start", "value",
                 "wrapper")  # fmt: skip

    def __init__(
        self,
        value: dict[str, object] | list[object],
        path: DocPath,
        start: tuple[int, int],
        anchor: str | None,
        wrapper: str | None,
    ) -> None:
        self.value = value
        self.path = path
        self.start = start
        self.anchor = anchor
        self.wrapper = wrapper
        self.size = 1
        self.pending_key: str | None = None
        self.pending_key_position: Position | None = None
        self.first_lines: dict[str, int] | None = None  # of keys seen twice


def _position_of(event: object) -> Position:
    start, end = event.start_mark, event.end_mark  # type: ignore[attr-defined]
    return (start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _position(text: str, index: int) -> Span:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Span(line, column, line, column + 1)


# libyaml rejects some valid YAML 1.2 that CloudFormation accepts, notably `!Ref AWS::NoValue` inside a
# flow sequence ("found unexpected ':'"). On a syntax error the pure-Python parser gets a second
# opinion; it is about ten times slower, so only for input small enough to be a deployable template.
PURE_PARSER_RETRY_MAX_CHARS = 320 * 1024  # just above the largest deployable template (300 KB)


def parse(
    text: str,
    *,
    limits: SafetyLimits = SAFETY_LIMITS,
    scalars_as_text: bool = False,
    cli_numbers: bool = False,
    line_offset: int = 0,
) -> Parsed:
    """Parse `text`; every problem is recorded in `Parsed.problems`, nothing is raised.

    `scalars_as_text` keeps every scalar's text; `cli_numbers` reads plain numbers with leading zeros
    as numbers, as the AWS CLI's YAML loader does; `line_offset` shifts line numbers quoted in messages.
    """
    build = functools.partial(
        _build, limits=limits, as_text=scalars_as_text, cli_numbers=cli_numbers, line_offset=line_offset
    )
    if not C_PARSER:  # pragma: no cover - only without the C extension
        return _parse_with(_PureEvents(text), text, build)[0]
    parsed, syntax_failed = _parse_with(_Parser(text), text, build)
    if syntax_failed and len(text) <= PURE_PARSER_RETRY_MAX_CHARS:
        try:
            return _parse_with(_PureEvents(text), text, build)[0]
        except Exception:  # the pure parser is only a second opinion
            pass
    if any(separator in text for separator in _YAML11_BREAKS):
        _renumber_lines(parsed, text)
    return parsed


# libyaml also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR (YAML 1.1); editors, grep
# and GitHub do not, so positions are renumbered to \n, \r\n and \r lines.
_YAML11_BREAKS = ("\x85", "\u2028", "\u2029")
_LIBYAML_LINES = "\r\n|[\r\n\x85\u2028\u2029]"
_EDITOR_LINES = "\r\n|[\r\n]"


def _renumber_lines(parsed: Parsed, text: str) -> None:
    import bisect

    libyaml = [0] + [match.end() for match in re.finditer(_LIBYAML_LINES, text)]
    editor = [0] + [match.end() for match in re.finditer(_EDITOR_LINES, text)]

    def position(line: int, column: int) -> tuple[int, int]:
        index = libyaml[min(line, len(libyaml)) - 1] + column - 1
        row = bisect.bisect_right(editor, index)
        return row, index - editor[row - 1] + 1

    def renumber_position(where: Position) -> Position:
        return (*position(where[0], where[1]), *position(where[2], where[3]))

    def renumber(span: Span) -> Span:
        return Span(*renumber_position((span.line, span.column, span.end_line, span.end_column)))

    parsed.spans = {path: renumber_position(where) for path, where in parsed.spans.items()}
    parsed.key_spans = {path: renumber_position(where) for path, where in parsed.key_spans.items()}
    parsed.problems = [
        problem
        if problem.kind is ProblemKind.UNREADABLE
        else Problem(problem.kind, problem.message, renumber(problem.span), problem.fix, problem.severity)
        for problem in parsed.problems
    ]


class _PureEvents:
    """ruamel's pure-Python parser behind the C parser's get_event()."""

    def __init__(self, text: str) -> None:
        from ruamel.yaml import YAML  # type: ignore[import-untyped]

        self._events = YAML(typ="safe", pure=True).parse(text)

    def get_event(self) -> object:
        return next(self._events)


def _parse_with(parser: object, text: str, build: Callable[[object, Parsed], None]) -> tuple[Parsed, bool]:
    """The result, and whether the YAML parser itself (not this module) found a syntax error."""
    out = Parsed()
    try:
        build(parser, out)
    except _Abort:
        out.complete = False
    except ReaderError as error:
        index = _character_index(text, getattr(error, "position", 0) or 0, isinstance(parser, _PureEvents))
        char = getattr(error, "character", "")
        code = (
            f"#x{ord(char):04x}" if isinstance(char, str) and char else f"#x{char:04x}" if isinstance(char, int) else ""
        )
        out.problems.append(problems.unreadable_character(code, error.reason, _position(text, index)))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        detail = error.problem or "invalid YAML"
        if error.context:
            detail = f"{detail} ({error.context})"
        out.problems.append(problems.syntax_error(detail, Span(line, column, line, column + 1)))
        return out, True
    except YAMLError as error:
        out.problems.append(problems.syntax_error(str(error), Span(1, 1, 1, 1)))
        return out, True
    except RecursionError:
        out.problems.append(problems.nested_too_deeply(Span(1, 1, 1, 1)))
    return out, False


def _character_index(text: str, position: int, is_characters: bool) -> int:
    """libyaml reports a byte offset into the UTF-8 text; the pure parser a character index."""
    if is_characters:
        return position
    return len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))


def _build(
    parser: object, out: Parsed, *, limits: SafetyLimits, as_text: bool, cli_numbers: bool, line_offset: int
) -> None:
    """One pass over the events, the hot loop of every check. Positions stay plain tuples; each value
    is attached to the innermost open container (the code after the if-chain) as it completes."""
    get_event = parser.get_event  # type: ignore[attr-defined]
    spans, key_spans, found = out.spans, out.key_spans, out.problems
    stack: list[_Frame] = []
    frame: _Frame | None = None  # the innermost open container
    anchors: dict[str, tuple[object, int]] = {}
    aliased: set[str] = set()
    alias_nodes = 0
    nodes = 0
    root_set = False

    def child_path() -> DocPath:
        if frame is None:
            return ()
        if type(frame.value) is list:
            return frame.path + (len(frame.value),)
        if frame.pending_key is None:
            return frame.path + ("<key>",)
        return frame.path + (frame.pending_key,)

    while True:
        event = get_event()
        kind = type(event)
        value: object
        position: Position
        size = 1
        if kind is ScalarEvent:
            start, end = event.start_mark, event.end_mark
            position = (start.line + 1, start.column + 1, end.line + 1, end.column + 1)
            raw, style, tag = event.value, event.style, event.tag
            wrapper = None
            if tag is not None:
                tag = tag if isinstance(tag, str) else str(tag)
                wrapper = tag_wrapper(tag, position, found)
            if raw == "<<" and not style and frame is not None and frame.pending_key is None:
                if type(frame.value) is dict:
                    found.append(problems.merge_key(Span(*position)))
            if style == '"' and has_surrogates(raw):
                raw = without_surrogates(raw)
            if as_text or style or tag == STR_TAG or tag == "!":
                value = raw
            elif tag is not None and tag.startswith(CORE):
                value = resolve_tagged(raw, tag, position, found)
            elif cli_numbers and LEADING_ZERO.match(raw):
                value = cli_number(raw, position, found)
            else:
                value = resolve_plain(raw)
                if cli_numbers and type(value) is str and PLAIN_INT.match(raw):
                    found.append(problems.number_too_long(len(raw), Span(*position)))
            if wrapper is not None:
                value = wrap(wrapper, value)
                spans[child_path() + (wrapper,)] = position
            if event.anchor:
                anchors[event.anchor] = (value, 1)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            closed = stack.pop()
            end = event.end_mark
            position = (closed.start[0], closed.start[1], end.line + 1, end.column + 1)
            value, size = closed.value, closed.size
            if closed.wrapper is not None:
                value = {closed.wrapper: value}
                spans[closed.path] = position
            if closed.anchor:
                anchors[closed.anchor] = (value, size)
            frame = stack[-1] if stack else None
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(stack) >= limits.max_depth:
                found.append(problems.too_deep(limits.max_depth, Span(*_position_of(event))))
                raise _Abort
            start = event.start_mark
            line, column = start.line + 1, start.column + 1
            tag = event.tag
            wrapper = None
            if tag is not None:
                tag = tag if isinstance(tag, str) else str(tag)
                wrapper = tag_wrapper(tag, _position_of(event), found)
            path = child_path()
            if wrapper is not None:
                path = path + (wrapper,)
            frame = _Frame({} if kind is MappingStartEvent else [], path, (line, column), event.anchor, wrapper)
            stack.append(frame)
            continue
        elif kind is AliasEvent:
            position = _position_of(event)
            if event.anchor not in aliased:  # once per anchor: an alias-heavy file is one mistake
                aliased.add(event.anchor)
                found.append(problems.alias_used(event.anchor, Span(*position)))
            target = anchors.get(event.anchor)
            if target is None:
                found.append(problems.alias_without_anchor(event.anchor, Span(*position)))
                raise _Abort
            value, size = target
            alias_nodes += size
            if alias_nodes > limits.max_alias_nodes:
                found.append(problems.aliases_over_budget(limits.max_alias_nodes, Span(*position)))
                raise _Abort
        elif kind is DocumentStartEvent:
            out.documents += 1
            if out.documents > 1:
                found.append(problems.second_document(Span(*_position_of(event))))
                out.complete = True
                return
            continue
        elif kind is StreamEndEvent:
            out.complete = True
            return
        else:
            continue

        nodes += 1
        if nodes > limits.max_nodes:
            found.append(problems.too_many_values(limits.max_nodes, Span(*position)))
            raise _Abort
        if frame is None:
            if not root_set:
                out.data = value
                spans[()] = position
                root_set = True
            continue
        frame.size += size
        container = frame.value
        if type(container) is list:
            path = frame.path + (len(container),)
            container.append(value)
            spans.setdefault(path, position)
            continue
        key = frame.pending_key
        if key is None:
            if isinstance(value, (dict, list)):
                found.append(problems.collection_as_key(Span(*position)))
                key = f"<{type(value).__name__} key at line {position[0]}>"
            else:
                key = value if isinstance(value, str) else key_text(value)
            frame.pending_key, frame.pending_key_position = key, position
            continue
        key_position = frame.pending_key_position
        assert key_position is not None
        frame.pending_key = frame.pending_key_position = None
        path = frame.path + (key,)
        if key in container:
            if frame.first_lines is None:
                frame.first_lines = {}
            first_line = frame.first_lines.setdefault(key, key_spans[path][0])
            identical = container[key] == value  # type: ignore[call-overload]
            found.append(
                problems.duplicate_key(key, first_line + line_offset, Span(*key_position), identical=identical)
            )
        container[key] = value  # type: ignore[call-overload]
        spans[path] = position
        key_spans[path] = key_position
