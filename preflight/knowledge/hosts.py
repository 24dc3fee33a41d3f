"""Conformance packs that live inside a CloudFormation stack (or a CDK app's synthesized template):
each `AWS::Config::ConformancePack` or `AWS::Config::OrganizationConformancePack` resource is a pack
and its put request. The inline `TemplateBody` is the pack's text, and every character of it is
mapped to where it is written in the stack (a literal or folded block, a quoted YAML string, a JSON
string with escapes), so findings point at the stack's lines. The request is read from the
resource's properties; a value written with an intrinsic function is not known, and says so."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from preflight.load.parsing import Loaded
from preflight.model.document import Document, line_starts, position_at
from preflight.model.findings import NO_POSITION, DocPath, Edit, Finding, Span
from preflight.model.request import ACCOUNT_NAME_KEY, ORG_NAME_KEY, PARAMETERS_KEY, InputParameter, Origin, PackRequest

PACK_TYPES = {"AWS::Config::ConformancePack": "account", "AWS::Config::OrganizationConformancePack": "organization"}
# Request properties of the resources whose values are plain text (the API's names are CloudFormation's).
_TEXTS = {"DeliveryS3Bucket": "delivery_bucket", "DeliveryS3KeyPrefix": "delivery_prefix",
          "TemplateS3Uri": "template_s3_uri"}  # fmt: skip


def may_host(data: bytes) -> bool:
    """Whether a file may be a stack holding a pack: it declares a resource of a pack's type."""
    if b"ConformancePack" not in data:
        return False
    from preflight.load.discovery import hosts_a_pack  # only for a file that names a pack type

    return hosts_a_pack(data)


@dataclass(frozen=True, eq=False)
class HostedPack:
    """One pack resource of a stack: its request, its inline template (`body`, with the index in the
    stack's text of each of its characters, or None where they cannot be told) and its logical id."""

    logical_id: str
    request: PackRequest
    body: str | None = None
    indices: list[int] | None = field(default=None, repr=False)
    # Ranges of the body that stand for values not known here (Terraform's interpolations).
    unknown: tuple[tuple[int, int], ...] = ()
    # The file the body is read from when it is not the host (Terraform's file()), and the text of the
    # file `indices` index into (the host's, or that file's).
    target: str | None = None
    target_text: str | None = field(default=None, repr=False)
    target_starts: list[int] | None = field(default=None, repr=False)  # where target_text's lines start
    # A block whose lines are the body's lines, each after this many spaces (a YAML literal block, a
    # Terraform heredoc): a fix's edits are exact there. None: edits are not made in the host.
    edit_indent: int | None = None

    @property
    def file(self) -> str:
        """The name the body is checked under, before its findings are moved to where it is written."""
        return f"{self.request.from_request_file}#{self.logical_id}"


def hosted_packs(stack: Loaded) -> list[HostedPack]:
    """The pack resources of a stack, in the order they are written."""
    document = stack.document
    if document is None or not isinstance(document.data, dict):
        return []
    resources = document.data.get("Resources")
    if not isinstance(resources, dict):
        return []
    found = []
    starts = line_starts(document.text)  # once for the stack, however many packs it holds
    for logical_id, resource in resources.items():
        if isinstance(resource, dict) and resource.get("Type") in PACK_TYPES:
            found.append(_hosted(document, str(logical_id), resource, starts))
    return found


def _hosted(document: Document, logical_id: str, resource: dict[str, Any], starts: list[int]) -> HostedPack:
    scope = PACK_TYPES[str(resource["Type"])]
    base: DocPath = ("Resources", logical_id, "Properties")
    properties = resource.get("Properties")
    properties = properties if isinstance(properties, dict) else {}
    origins: dict[DocPath, Origin] = {(): _origin(document, ("Resources", logical_id))}

    def at(*path: str | int) -> Origin:
        return _origin(document, (*base, *path)) if document.node_span((*base, *path)) else origins[()]

    name_key = ORG_NAME_KEY if scope == "organization" else ACCOUNT_NAME_KEY
    name = properties.get(name_key)
    origins[(name_key,)] = at(name_key)
    texts = {field_name: value for key, field_name in _TEXTS.items() if isinstance(value := properties.get(key), str)}
    for key in _TEXTS:
        if key in properties:
            origins[(key,)] = at(key)
    parameters: list[InputParameter] = []
    unknown: set[str] = set()
    given = properties.get(PARAMETERS_KEY)
    if isinstance(given, list):
        origins[(PARAMETERS_KEY,)] = at(PARAMETERS_KEY)
        for written, entry in enumerate(given):
            if not isinstance(entry, dict) or not isinstance(entry.get("ParameterName"), str):
                continue
            index = len(parameters)  # the request's index; `written` is the entry's in the stack
            value = entry.get("ParameterValue")
            parameters.append(InputParameter(entry["ParameterName"], value if isinstance(value, str) else ""))
            if not isinstance(value, str):
                unknown.add(entry["ParameterName"])
            for part in ("ParameterName", "ParameterValue"):
                origins[(PARAMETERS_KEY, index, part)] = at(PARAMETERS_KEY, written, part)
            origins[(PARAMETERS_KEY, index)] = at(PARAMETERS_KEY, written)
    excluded = properties.get("ExcludedAccounts")
    # CloudFormation reads a number written as an account id as its digits.
    accounts: list[str] = []
    for written, account in enumerate(excluded if isinstance(excluded, list) else []):
        if isinstance(account, str | int) and not isinstance(account, bool):
            origins[("ExcludedAccounts", len(accounts))] = at("ExcludedAccounts", written)
            accounts.append(str(account))
    body = properties.get("TemplateBody")
    unread = None
    substituted = None
    if "TemplateBody" in properties:
        origins[("TemplateBody",)] = at("TemplateBody")
        if not isinstance(body, str):
            substituted = _sub(document, (*base, "TemplateBody"), body, starts)
        if isinstance(body, dict) and substituted is None:
            unread = "it is built with an intrinsic function, whose value is known only when the stack is deployed"
        elif not isinstance(body, str | dict):
            unread = f"it is not a string but {type(body).__name__ if body is not None else 'null'}"
    request = PackRequest(
        known=True,
        scope=scope,  # type: ignore[arg-type]
        name=name if isinstance(name, str) else None,
        name_given=name_key in properties and name is not None,
        template_s3_uri=texts.get("template_s3_uri"),
        parameters=tuple(parameters),
        excluded_accounts=tuple(accounts),
        delivery_bucket=texts.get("delivery_bucket"),
        delivery_prefix=texts.get("delivery_prefix"),
        origins=origins,
        from_request_file=document.file,
        unknown_values=frozenset(unknown),
        body_unread=unread,
    )
    if substituted is not None:
        resolved, placed, unknown_ranges = substituted
        return HostedPack(
            logical_id, request, resolved, placed, unknown=unknown_ranges, target_text=document.text,
            target_starts=starts,
        )  # fmt: skip
    if not isinstance(body, str):
        return HostedPack(logical_id, request)
    from preflight.load.scalar_positions import source_indices

    span = document.node_span((*base, "TemplateBody"))
    indices = None
    if span is not None:
        indices = source_indices(
            document.text, (span.line, span.column), (span.end_line, span.end_column), body, starts
        )
    return HostedPack(
        logical_id, request, body, indices, target_text=document.text, target_starts=starts,
        edit_indent=literal_indent(document.text, starts, span, indices, body),
    )  # fmt: skip


def literal_indent(text: str, starts: list[int], span: Span | None, indices: list[int] | None, body: str) -> int | None:
    """The indentation of a YAML literal block (`|`) whose characters are all where `indices` says,
    line after line; None for another style, where an edit of the body is no edit of the host."""
    if span is None or not indices:
        return None
    header = starts[span.line - 1] + span.column - 1
    if text[header : header + 1] != "|":
        return None
    first = next((offset for offset, char in enumerate(body) if char not in "\r\n"), None)
    if first is None:
        return None
    return position_at(starts, indices[first])[1] - 1


def _origin(document: Document, path: DocPath) -> Origin:
    return Origin(document.file, document.node_span(path) or NO_POSITION)


# Why a fix of a hosted pack is not made by --fix: said with the fix.
NOT_EDITED = "--fix edits a pack only where its lines are written as they are, as in a literal block"


class BodyPositions:
    """Moves a finding about a hosted pack's body to where that place is written in the stack."""

    def __init__(self, hosted: HostedPack) -> None:
        starts = hosted.target_starts
        self._stack_lines = starts if starts is not None else line_starts(hosted.target_text or "")
        self._body_lines = line_starts(hosted.body or "")
        self._indices = hosted.indices
        self._hosted = hosted
        self._fallback = hosted.request.origins.get(("TemplateBody",))

    def _offset(self, line: int, column: int) -> int | None:
        if not 0 < line <= len(self._body_lines):
            return None
        return self._body_lines[line - 1] + column - 1

    def unknown(self, finding: Finding, body: Document | None) -> bool:
        """Whether a finding about the body is about a value not known here (an interpolation): its
        place, or the node its path names (a finding may point at the key), holds one."""
        if finding.file != self._hosted.file or not self._hosted.unknown:
            return False
        spans = [finding.span] if finding.span != NO_POSITION else []
        # A finding may point at the key of the value it is about: that value, when it is one.
        if body is not None and finding.path and not isinstance(body.value_at(finding.path), dict | list):
            node = body.node_span(finding.path)
            spans.extend([node] if node is not None else [])
        return any(self._overlaps(span) for span in spans)

    def _overlaps(self, span: Span) -> bool:
        start, end = self._offset(span.line, span.column), self._offset(span.end_line, span.end_column)
        if start is None or end is None:
            return False
        return any(begin < max(end, start + 1) and start < stop for begin, stop in self._hosted.unknown)

    def _place(self, line: int, column: int) -> tuple[int, int] | None:
        indices = self._indices
        offset = self._offset(line, column)
        if indices is None or offset is None:
            return None
        if offset < len(indices):
            index = indices[offset]
        elif indices:
            index = indices[-1] + 1
        else:
            return None
        return position_at(self._stack_lines, index)

    def move(self, finding: Finding, stack_file: str) -> Finding:
        if finding.file != self._hosted.file:
            return finding  # about the request: already placed in the stack
        stack_file = self._hosted.target or stack_file
        span = finding.span
        start = self._place(span.line, span.column) if span != NO_POSITION else None
        end = self._place(span.end_line, span.end_column) if start is not None else None
        if start is None or end is None:
            fallback = self._fallback.span if self._fallback is not None else NO_POSITION
            fix = f"{finding.fix} ({NOT_EDITED})" if finding.edits and finding.fix is not None else finding.fix
            return replace(finding, file=stack_file, span=fallback, edits=(), fix=fix)
        edits = self._edits(finding.edits)
        fix = finding.fix
        if finding.edits and not edits and fix is not None:
            fix += f" ({NOT_EDITED})"
        return replace(finding, file=stack_file, span=Span(*start, *end), edits=edits, fix=fix)

    def _edits(self, edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
        """The edits of a fix, made in the host: only in a block whose lines are the body's, and all of
        them or none (a fix half made is another fix). A place at the start of a body line is the start
        of the host's line (its indentation with it), and the text is indented as the block is."""
        indent = self._hosted.edit_indent
        if indent is None or not edits:
            return ()
        newline = "\r\n" if "\r\n" in (self._hosted.target_text or "") else "\n"
        moved = []
        for edit in edits:
            span = edit.span
            start, end = self._line_place(span.line, span.column), self._line_place(span.end_line, span.end_column)
            if start is None or end is None:
                return ()
            text = indented(edit.text, indent, at_line_start=span.column == 1).replace("\n", newline)
            moved.append(Edit(Span(*start, *end), text))
        return tuple(moved)

    def _line_place(self, line: int, column: int) -> tuple[int, int] | None:
        place = self._place(line, column)
        return (place[0], 1) if place is not None and column == 1 else place


def indented(text: str, indent: int, *, at_line_start: bool) -> str:
    """A body's text as the literal block holds it: each line after `indent` spaces (the first only
    when it starts a line), blank lines as they are."""
    pad = " " * indent
    lines = text.splitlines(keepends=True)
    return "".join(
        line if (number == 0 and not at_line_start) or not line.strip("\r\n") else pad + line
        for number, line in enumerate(lines)
    )


def unindented(text: str, indent: int, *, at_line_start: bool) -> str:
    """The reverse of `indented`, for a host's edit read again in the body."""
    pad = " " * indent
    lines = text.replace("\r\n", "\n").splitlines(keepends=True)
    return "".join(
        line if (number == 0 and not at_line_start) else line.removeprefix(pad) for number, line in enumerate(lines)
    )


def without_bodies(document: Document, packs: list[HostedPack]) -> object:
    """A stack's data less its pack resources' TemplateBody values: what a fix in a body must keep."""
    import copy

    data = copy.deepcopy(document.data)
    resources = data.get("Resources") if isinstance(data, dict) else None
    for pack in packs:
        resource = resources.get(pack.logical_id) if isinstance(resources, dict) else None
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if isinstance(properties, dict):
            properties.pop("TemplateBody", None)
    return data


@dataclass(frozen=True)
class BodyOffsets:
    """A hosted pack's body read back from the host: each host index's body offset (a body line's start
    is its host line's start), and where the body's lines start. Made once for a pack's findings."""

    pack: HostedPack
    offsets: dict[int, int]
    body_lines: list[int]
    starts: list[int]


def body_offsets(pack: HostedPack) -> BodyOffsets | None:
    if pack.indices is None or pack.body is None:
        return None
    starts = pack.target_starts if pack.target_starts is not None else line_starts(pack.target_text or "")
    body_lines = line_starts(pack.body)
    offsets = {index: offset for offset, index in enumerate(pack.indices)}
    if pack.indices:
        offsets[pack.indices[-1] + 1] = len(pack.indices)
    for begins in body_lines:
        if begins < len(pack.indices):
            host_line = position_at(starts, pack.indices[begins])[0]
            offsets.setdefault(starts[host_line - 1], begins)
    return BodyOffsets(pack, offsets, body_lines, starts)


def in_body(finding: Finding, read: BodyOffsets) -> Finding | None:
    """A finding moved into the stack, with its edits read again in the pack's body; None when an edit
    is not in that body (the finding is another pack's)."""
    if not finding.edits:
        return None
    pack, offsets, body_lines, starts = read.pack, read.offsets, read.body_lines, read.starts
    edits = []
    for edit in finding.edits:
        points = []
        for line, column in ((edit.span.line, edit.span.column), (edit.span.end_line, edit.span.end_column)):
            index = starts[line - 1] + column - 1 if 0 < line <= len(starts) else None
            found = offsets.get(index) if index is not None else None
            if found is None:
                return None
            points.append(position_at(body_lines, found))
        text = unindented(edit.text, pack.edit_indent or 0, at_line_start=points[0][1] == 1)
        edits.append(Edit(Span(*points[0], *points[1]), text))
    return replace(finding, edits=tuple(edits))


# What CloudFormation's Fn::Sub replaces: `${Name}`, `${Resource.Attribute}`; `${!Text}` is `${Text}`.
_SUB_VARIABLE = "${"
# A character standing for one of a value not known here: a letter keeps a plain scalar plain.
UNKNOWN = "x"


def _sub(
    document: Document, path: DocPath, body: object, starts: list[int]
) -> tuple[str, list[int], tuple[tuple[int, int], ...]] | None:
    """A TemplateBody written as `!Sub` (a string, or a string and its variables): the text with each
    variable that has a literal value put in (the Sub's own variables, the stack's parameters'
    Defaults), the others (pseudo parameters, resources' attributes) standing as values not known.
    None for another intrinsic, or a string whose characters cannot be placed."""
    from preflight.load.scalar_positions import source_indices

    if not isinstance(body, dict) or list(body) != ["Fn::Sub"]:
        return None
    given = body["Fn::Sub"]
    variables: dict[str, object] = {}
    string_path: DocPath = (*path, "Fn::Sub")
    if isinstance(given, list) and len(given) == 2 and isinstance(given[1], dict):
        given, variables = given[0], given[1]
        string_path = (*string_path, 0)
    span = document.node_span(string_path) or document.node_span(path)
    if not isinstance(given, str) or span is None:
        return None
    start = (span.line, span.column)
    begin = starts[span.line - 1] + span.column - 1
    written = document.text[begin : begin + 64]
    if tag := re.match(r"!Sub[ \t]+", written):  # the short form: the string follows the tag
        start = (span.line, span.column + tag.end())
    indices = source_indices(document.text, start, (span.end_line, span.end_column), given, starts)
    if indices is None:
        return None
    data = document.data if isinstance(document.data, dict) else {}
    parameters = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}

    def value_of(name: str) -> str | None:
        value = variables.get(name)
        if value is None and isinstance(parameters, dict) and isinstance(parameters.get(name), dict):
            value = parameters[name].get("Default")
        return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None

    chars: list[str] = []
    placed: list[int] = []
    unknown: list[tuple[int, int]] = []
    index = 0
    while index < len(given):
        close = given.find("}", index) if given.startswith(_SUB_VARIABLE, index) else -1
        if close < 0:
            chars.append(given[index])
            placed.append(indices[index])
            index += 1
            continue
        name = given[index + 2 : close]
        if name.startswith("!"):  # ${!Literal} is written out as ${Literal}
            written = "${" + name[1:] + "}"
            chars.extend(written)
            placed.extend([indices[index]] * len(written))
        elif (value := value_of(name.strip())) is not None:
            chars.extend(value)
            placed.extend([indices[index]] * len(value))
        else:
            unknown.append((len(chars), len(chars) + close + 1 - index))
            chars.extend(UNKNOWN * (close + 1 - index))
            placed.extend(indices[index : close + 1])
        index = close + 1
    return "".join(chars), placed, tuple(unknown)
