"""What the families of hostile inputs (tests/hostile_*.py) share, and tests/hostile_inputs.py's table
is made of: a case (the files of one folder and the `preflight` arguments run there) and the outcome
it must have, the stand-ins for files that are not plain (a named pipe, folders the run may not read
or enter), and the small packs and builders the cases are made from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

RULE = "  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
PACK = ("Resources:\n" + RULE).encode()
FIFO = object()  # a named pipe: reading it would block forever
UNREADABLE = object()  # a folder whose contents the run may not list
UNSEARCHABLE = object()  # a folder the run may list but not enter (mode r--), holding a pack and a settings file

Content = bytes | object
Files = Mapping[str, Content]


@dataclass(frozen=True)
class Expect:
    """`error`: the start of the one line on standard error (exit 2); `one_line_each`: standard output, in
    a line-based format, has a line for each finding and no other (a line break in input never forges one).
    The findings of exit 0 and 1 are in tests/hostile_expected.json."""

    exit: int
    error: str = ""
    one_line_each: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], tuple[Files, list[str]]]
    expect: Expect
    unprivileged: bool = False  # run as an unprivileged user (a folder root could read anyway)
    stdin: bytes = b""


def _template(body: str) -> bytes:
    return ("Resources:\n" + RULE + body).encode()


def _laughs(levels: int, width: int) -> bytes:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return ("\n".join(lines) + f"\nResources: *l{levels - 1}\n").encode()


def _checked(name: str, data: bytes, *extra: str) -> Callable[[], tuple[Files, list[str]]]:
    return lambda: ({name: data}, ["check", "--format", "json", "--no-cache", *extra, name])
