"""A params or request file read as a mapping, and the one-line error for one that cannot be used."""

from __future__ import annotations

from pathlib import Path

from preflight.load.parsing import decode, parse_text, read_bytes
from preflight.model.document import Document
from preflight.model.errors import InputError
from preflight.model.findings import DocPath
from preflight.model.problems import ProblemKind
from preflight.model.request import Origin


class RequestError(InputError):
    """A request input that cannot be used at all; the CLI prints it as one line and exits 2."""


def load_mapping_file(path: Path, *, strict_types: bool) -> Document:
    """A params or request file. `strict_types` reads scalars as the AWS CLI's loader does (so an
    unquoted 90 is a number); otherwise every scalar is kept as its text."""
    data, problem = read_bytes(path)
    if data is None:
        assert problem is not None
        raise RequestError(f"{path}: {problem.message}")
    text, problem = decode(data)
    if text is None or problem is not None:
        assert problem is not None
        message = "not valid UTF-8" if text is not None else problem.message
        raise RequestError(f"{path}: {message}")
    document, problems = parse_text(text, str(path), scalars_as_text=not strict_types, cli_numbers=strict_types)
    fatal = [p for p in problems if p.kind is not ProblemKind.UNKNOWN_TAG]
    if document is None or fatal:
        first = (fatal or problems)[0]
        message = (
            first.message.split(";")[0] + " (each key may appear once)"
            if first.kind is ProblemKind.DUPLICATE_KEY
            else first.message
        )
        raise RequestError(f"{path}:{first.span.line}:{first.span.column}: {message}")
    return document


def origin_at(document: Document, path: DocPath) -> Origin:
    return Origin(document.file, document.locate(path))


def expect_str(document: Document, path: DocPath, value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        raise RequestError(
            f"{document.where(path)}: {what} must be a string, not the {type(value).__name__} {value!r}: "
            "the AWS CLI rejects it; quote the value"
        )
    raise RequestError(f"{document.where(path)}: {what} must be a string")
