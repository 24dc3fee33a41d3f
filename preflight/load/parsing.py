"""Bytes -> Document. Every problem becomes a positioned Problem; nothing here raises."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from pathlib import Path

from preflight.load.files import Unreadable, read_regular_file
from preflight.load.yaml_builder import parse
from preflight.model.document import Document
from preflight.model.findings import START_OF_FILE, Severity, Span
from preflight.model.limits import SAFETY_LIMITS, SafetyLimits
from preflight.model.problems import Problem, ProblemKind

_UTF16_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(eq=False, repr=False, frozen=True)
class Loaded:
    """`document` is None when the file could not be read or parsed at all; `is_template` says whether
    template rules can run on it."""

    file: str
    document: Document | None
    problems: tuple[Problem, ...] = ()
    is_template: bool = False
    raw_size: int = 0
    body_bytes: int = 0
    text: str | None = None


def read_bytes(path: Path, limits: SafetyLimits = SAFETY_LIMITS) -> tuple[bytes | None, Problem | None]:
    try:
        return read_regular_file(path, limits.max_file_bytes), None
    except Unreadable as reason:
        return None, Problem(ProblemKind.UNREADABLE, str(reason), START_OF_FILE)


def _byte_position(data: bytes, index: int) -> Span:
    line = data.count(b"\n", 0, index) + 1
    line_start = data.rfind(b"\n", 0, index) + 1
    column = len(data[line_start:index].decode("utf-8", errors="replace")) + 1
    return Span(line, column, line, column + 1)


def decode(data: bytes, limits: SafetyLimits = SAFETY_LIMITS) -> tuple[str | None, Problem | None]:
    """UTF-8 with or without a BOM. UTF-16, UTF-32 and binary data are unreadable (no text); other
    bytes that are not UTF-8 are read as Latin-1, with a warning; over the size limit is over limits."""
    if len(data) > limits.max_file_bytes:
        return None, Problem(
            ProblemKind.OVER_LIMITS,
            f"file is larger than the safety limit of {limits.max_file_bytes:,} bytes; "
            "a conformance pack cannot exceed 300 KB",
            START_OF_FILE,
        )
    for bom in _UTF16_32_BOMS:
        if data.startswith(bom):
            encoding = "UTF-32" if len(bom) == 4 else "UTF-16"
            return None, Problem(
                ProblemKind.UNREADABLE,
                f"file is {encoding} (byte order mark); AWS tools read templates as UTF-8 and fail on it or garble it",
                START_OF_FILE,
                fix="save the file as UTF-8",
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, Problem(
            ProblemKind.UNREADABLE,
            "file contains NUL bytes: binary, not a YAML or JSON template",
            _byte_position(data, nul),
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return data.decode("latin-1"), Problem(
            ProblemKind.UNREADABLE,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x}), read as Latin-1: the AWS CLI decodes a template "
            "file with the machine's locale, so it deploys from some machines and fails or is garbled on others",
            _byte_position(data, error.start),
            fix="save the file as UTF-8",
            severity=Severity.WARNING,
        )


def parse_text(
    text: str,
    file: str,
    *,
    limits: SafetyLimits = SAFETY_LIMITS,
    scalars_as_text: bool = False,
    cli_numbers: bool = False,
    line_offset: int = 0,
    column_offset: int = 0,
) -> tuple[Document | None, list[Problem]]:
    """JSON when the file is named .json, or starts with `{` and parses as JSON; YAML otherwise. A
    `.json` file that is not strict JSON but is valid YAML (a trailing comma, a comment) is read as
    YAML, as AWS reads pack bodies, with a not-strict-JSON warning where strict JSON stopped."""
    parsed = None
    not_strict: Problem | None = None
    if file.endswith(".json") or text.lstrip().startswith("{"):
        from preflight.load.json_reader import parse_json  # only JSON input needs it

        parsed = parse_json(text, limits=limits, line_offset=line_offset)
        if not parsed.complete:
            syntax = next((problem for problem in parsed.problems if problem.kind is ProblemKind.SYNTAX), None)
            if not file.endswith(".json"):
                parsed = None  # YAML flow style, not JSON
            elif syntax is not None:
                as_yaml = parse(text, limits=limits, line_offset=line_offset)
                if as_yaml.complete and not any(
                    problem.kind in (ProblemKind.UNREADABLE, ProblemKind.SYNTAX) for problem in as_yaml.problems
                ):
                    parsed = as_yaml
                    not_strict = _not_strict_json(syntax)
    if parsed is None:
        parsed = parse(
            text, limits=limits, scalars_as_text=scalars_as_text, cli_numbers=cli_numbers, line_offset=line_offset
        )
    problems = list(parsed.problems) if not_strict is None else [not_strict, *parsed.problems]
    if not parsed.complete:
        return None, problems
    document = Document(
        file=file,
        text=text,
        data=parsed.data,
        spans=parsed.spans,
        key_spans=parsed.key_spans,
        line_offset=line_offset,
        column_offset=column_offset,
    )
    return document, problems


def _not_strict_json(syntax: Problem) -> Problem:
    detail = syntax.message.removeprefix("JSON syntax error: ")
    return Problem(
        ProblemKind.NOT_STRICT_JSON,
        f"not strict JSON ({detail}); read as YAML, as AWS Config reads a pack's body",
        syntax.span,
        fix="make the file strict JSON (other JSON tools reject it), or name it .yaml",
    )


def template_shape_problem(document: Document) -> Problem | None:
    data = document.data
    if data is None:
        return Problem(
            ProblemKind.NOT_A_TEMPLATE,
            "file is empty: a conformance pack template needs a Resources section",
            START_OF_FILE,
        )
    if not isinstance(data, dict):
        return Problem(
            ProblemKind.NOT_A_TEMPLATE,
            f"top level is a {_kind(data)}, not a mapping: this is not a CloudFormation template",
            document.locate(()),
        )
    if "Resources" not in data:
        return Problem(
            ProblemKind.NOT_A_TEMPLATE,
            "no Resources section: this is not a conformance pack template",
            START_OF_FILE,
            fix="add a Resources section with at least one AWS::Config::ConfigRule",
        )
    if not isinstance(data["Resources"], dict):
        return Problem(
            ProblemKind.NOT_A_TEMPLATE,
            f"Resources is a {_kind(data['Resources'])}, not a mapping",
            document.locate(("Resources",)),
        )
    return None


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if value is None:
        return "null"
    return type(value).__name__


def load_template_text(
    text: str, file: str, *, limits: SafetyLimits = SAFETY_LIMITS, line_offset: int = 0, column_offset: int = 0
) -> Loaded:
    document, problems = parse_text(text, file, limits=limits, line_offset=line_offset, column_offset=column_offset)
    if document is None:
        if line_offset or column_offset:
            problems = [_shift_problem(p, line_offset, column_offset) for p in problems]
        return Loaded(file, None, tuple(problems), body_bytes=len(text.encode("utf-8")), text=text)
    shape = template_shape_problem(document)
    if shape is not None:
        problems.append(shape)
    if line_offset or column_offset:
        problems = [_shift_problem(p, line_offset, column_offset) for p in problems]
    return Loaded(
        file,
        document,
        tuple(problems),
        is_template=shape is None,
        body_bytes=len(text.encode("utf-8")),
        text=text,
    )


def _shift_problem(problem: Problem, line_offset: int, column_offset: int) -> Problem:
    s = problem.span
    span = Span(s.line + line_offset, s.column + column_offset, s.end_line + line_offset, s.end_column + column_offset)
    return Problem(problem.kind, problem.message, span, problem.fix, problem.severity)


def load_template_bytes(data: bytes, file: str, *, limits: SafetyLimits = SAFETY_LIMITS) -> Loaded:
    text, problem = decode(data, limits)
    if text is None:
        assert problem is not None
        return Loaded(file, None, (problem,), raw_size=len(data))
    loaded = load_template_text(text, file, limits=limits)
    if problem is not None:
        loaded = replace(loaded, problems=(problem, *loaded.problems))
    return replace(loaded, raw_size=len(data))


def load_template_file(path: Path, file: str, *, limits: SafetyLimits = SAFETY_LIMITS) -> Loaded:
    data, problem = read_bytes(path, limits)
    if data is None:
        assert problem is not None
        return Loaded(file, None, (problem,))
    return load_template_bytes(data, file, limits=limits)


def shown_text(data: bytes) -> str | None:
    """The text of a file's bytes as its findings show its lines: decoded, or, when they are no
    template's text (not UTF-8, NUL bytes), read as well as they can be."""
    text, _problem = decode(data)
    if text is not None:
        return text
    return data.decode("utf-8-sig", errors="replace") if len(data) <= SAFETY_LIMITS.max_file_bytes else None
