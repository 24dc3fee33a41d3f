"""Conformance packs that live in Terraform: each `aws_config_conformance_pack` and
`aws_config_organization_conformance_pack` resource of a `.tf` file is a pack and its put request.
Its `template_body` is read where it is written: a heredoc (`<<EOT`, `<<-EOT`) or a quoted string in
the `.tf` file, or the file that `file("...")` or `templatefile("...", {...})` names. An
interpolation (`${var.env}`) is a value not known here: its characters stand in the pack as
placeholders, and a finding about them is not reported. The `.tf` file is parsed with python-hcl2
(the terraform extra), never with regular expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.knowledge.hosts import UNKNOWN, HostedPack
from preflight.load.parsing import decode, read_bytes
from preflight.model.document import line_starts, position_at
from preflight.model.findings import DocPath, Span
from preflight.model.request import ACCOUNT_NAME_KEY, ORG_NAME_KEY, PARAMETERS_KEY, InputParameter, Origin, PackRequest

TERRAFORM_TYPES = {"aws_config_conformance_pack": "account", "aws_config_organization_conformance_pack": "organization"}
_MARKER = re.compile(rb'resource\s+"(aws_config_(?:organization_)?conformance_pack)"')
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
# The module's own folder, as `${path.module}` and its like name it in a file's path.
_PATH_REFERENCES = re.compile(r"\$\{\s*path\.(?:module|root|cwd)\s*\}")


def holds_a_pack(data: bytes) -> bool:
    return _MARKER.search(data) is not None


class TerraformError(ValueError):
    """A .tf file that cannot be read: the extra missing, or what python-hcl2 cannot parse (and where)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True)
class _Text:
    """A value as Terraform would see it: its characters, the index in the source each comes from,
    and the ranges (of the value) that are interpolations, not known here."""

    value: str
    indices: list[int]
    unknown: tuple[tuple[int, int], ...] = ()

    @property
    def literal(self) -> str | None:
        return self.value if not self.unknown else None


def terraform_packs(text: str, file: str, folder: Path) -> list[HostedPack]:
    """The pack resources of a .tf file, in the order they are written."""
    try:
        import hcl2
    except ImportError as error:
        raise TerraformError(
            'the terraform extra, which reads .tf files, is not installed: pip install ".[terraform]" in '
            "preflight's source folder"
        ) from error
    try:
        tree = hcl2.parses_to_tree(text)
    except Exception as error:  # lark's errors, whatever their class: the file is not HCL it can read
        line, column = getattr(error, "line", None), getattr(error, "column", None)
        raise TerraformError(
            f"python-hcl2 cannot parse it: {_first_line(error)}",
            line if isinstance(line, int) and line > 0 else None,
            column if isinstance(column, int) and column > 0 else None,
        ) from None
    starts = line_starts(text)
    packs = []
    for block in _blocks(tree):
        labels = [_token_text(child) for child in block.children[1:] if _is(child, "string")]
        if _token_text(block.children[0]) != "resource" or len(labels) != 2 or labels[0] not in TERRAFORM_TYPES:
            continue
        packs.append(_pack(text, file, folder, starts, labels[0], labels[1], block))
    return packs


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _is(node: Any, name: str) -> bool:
    return getattr(node, "data", None) == name


def _blocks(tree: Any) -> list[Any]:
    body = next((child for child in tree.children if _is(child, "body")), None)
    return [child for child in (body.children if body is not None else []) if _is(child, "block")]


def _token_text(node: Any) -> str:
    """An identifier's name, or a string label's text without its quotes."""
    if _is(node, "identifier"):
        return str(node.children[0])
    if _is(node, "string"):
        return "".join(str(part.children[0]) for part in node.children if _is(part, "string_part"))
    return ""


def _attributes(block: Any) -> tuple[dict[str, Any], list[Any]]:
    """A block's attributes (name -> its expression) and nested blocks."""
    body = next((child for child in block.children if _is(child, "body")), None)
    attributes: dict[str, Any] = {}
    nested: list[Any] = []
    for child in body.children if body is not None else []:
        if _is(child, "attribute"):
            attributes[_token_text(child.children[0])] = child.children[-1]
        elif _is(child, "block"):
            nested.append(child)
    return attributes, nested


def _expression(node: Any) -> Any:
    """The expression an expr_term wraps."""
    while _is(node, "expr_term") and len(node.children) == 1:
        node = node.children[0]
    return node


def _span(starts: list[int], begin: int, end: int) -> Span:
    return Span(*position_at(starts, begin), *position_at(starts, end))


def _pack(text: str, file: str, folder: Path, starts: list[int], kind: str, label: str, block: Any) -> HostedPack:
    scope = TERRAFORM_TYPES[kind]
    attributes, nested = _attributes(block)
    resource_span = _span(starts, block.meta.start_pos, block.children[2].meta.end_pos + 1)
    origins: dict[DocPath, Origin] = {}

    def origin_of(node: Any) -> Origin:
        return Origin(
            file, _span(starts, node.meta.start_pos, node.meta.end_pos) if not node.meta.empty else resource_span
        )

    name_key = ORG_NAME_KEY if scope == "organization" else ACCOUNT_NAME_KEY
    values: dict[str, _Text | None] = {}
    named = {"name": name_key, "delivery_s3_bucket": "DeliveryS3Bucket",
             "delivery_s3_key_prefix": "DeliveryS3KeyPrefix", "template_s3_uri": "TemplateS3Uri"}  # fmt: skip
    for attribute, key in named.items():
        if attribute in attributes:
            values[attribute] = _string(text, _expression(attributes[attribute]))
            origins[(key,)] = origin_of(attributes[attribute])
    origins.setdefault((name_key,), Origin(file, resource_span))
    accounts: list[str] = []
    if "excluded_accounts" in attributes:
        listed = _expression(attributes["excluded_accounts"])
        for item in listed.children if _is(listed, "tuple") else []:
            if _is(item, "expr_term") and (found := _string(text, _expression(item))) and found.literal is not None:
                origins[("ExcludedAccounts", len(accounts))] = origin_of(item)
                accounts.append(found.literal)
    parameters: list[InputParameter] = []
    unknown: set[str] = set()
    for parameter in nested:
        if _token_text(parameter.children[0]) != "input_parameter":
            continue
        fields, _ = _attributes(parameter)
        name = _string(text, _expression(fields["parameter_name"])) if "parameter_name" in fields else None
        if name is None or name.literal is None:
            continue
        value = _string(text, _expression(fields["parameter_value"])) if "parameter_value" in fields else None
        index = len(parameters)
        parameters.append(InputParameter(name.literal, value.literal if value and value.literal is not None else ""))
        if value is None or value.literal is None:
            unknown.add(name.literal)
        origins[(PARAMETERS_KEY, index)] = origin_of(parameter)
        origins[(PARAMETERS_KEY, index, "ParameterName")] = origin_of(fields["parameter_name"])
        if "parameter_value" in fields:
            origins[(PARAMETERS_KEY, index, "ParameterValue")] = origin_of(fields["parameter_value"])
    body: _Text | None = None
    target: tuple[str, str] | None = None
    unread: str | None = None
    if "template_body" in attributes:
        origins[("TemplateBody",)] = origin_of(attributes["template_body"])
        body, target, unread = _template_body(text, folder, _expression(attributes["template_body"]))

    def literal(attribute: str) -> str | None:
        found = values.get(attribute)
        return found.literal if found is not None else None

    request = PackRequest(
        known=True,
        scope=scope,  # type: ignore[arg-type]
        name=literal("name"),
        name_given="name" in attributes,  # an expression is a name given, not known here
        template_s3_uri=literal("template_s3_uri"),
        parameters=tuple(parameters),
        excluded_accounts=tuple(accounts),
        delivery_bucket=literal("delivery_s3_bucket"),
        delivery_prefix=literal("delivery_s3_key_prefix"),
        origins=origins,
        from_request_file=file,
        unknown_values=frozenset(unknown),
        body_unread=unread,
    )
    if body is None:
        return HostedPack(f"{kind}.{label}", request)
    return HostedPack(
        f"{kind}.{label}", request, body.value, body.indices, unknown=body.unknown,
        target=target[0] if target else None, target_text=target[1] if target else text,
        target_starts=line_starts(target[1]) if target else starts,
    )  # fmt: skip


def _template_body(text: str, folder: Path, node: Any) -> tuple[_Text | None, tuple[str, str] | None, str | None]:
    """The body, the file it is read from when not this one (its name and text), or why it is not read."""
    if _is(node, "string") or _is(node, "heredoc_template") or _is(node, "heredoc_template_trim"):
        found = _string(text, node)
        if found is not None and _has_directive(text[node.meta.start_pos : node.meta.end_pos]):
            return None, None, DIRECTIVES
        return found, None, None if found is not None else "it is an expression this does not read"
    if _is(node, "function_call"):
        function = _token_text(node.children[0])
        arguments = next((child for child in node.children if _is(child, "arguments")), None)
        given = [
            _expression(child)
            for child in (arguments.children if arguments is not None else [])
            if _is(child, "expr_term")
        ]
        if function in ("file", "templatefile") and given and _is(given[0], "string"):
            return _from_file(text, folder, function, given)
    return None, None, "it is an expression whose value is known only when Terraform runs"


def _from_file(
    text: str, folder: Path, function: str, given: list[Any]
) -> tuple[_Text | None, tuple[str, str] | None, str | None]:
    raw = text[given[0].meta.start_pos + 1 : given[0].meta.end_pos - 1]
    relative = _PATH_REFERENCES.sub(".", raw)
    if "${" in relative:
        return None, None, f"{function}() names a file by an expression ({raw})"
    if Path(relative).is_absolute():
        return None, None, f"{function}() names {relative}, outside the module: not read"
    path = (folder / relative).resolve()
    if not path.is_relative_to(Path.cwd().resolve()) and not path.is_relative_to(folder.resolve()):
        return None, None, f"{function}() names {relative}, outside the working directory: not read"
    if not path.is_file():  # a folder, a FIFO or a device is no template
        return None, None, f"{function}() names {relative}, which is not a file"
    data, problem = read_bytes(path)
    if data is None:
        return None, None, f"{function}() names {relative}, which cannot be read ({problem.message if problem else ''})"
    content, problem = decode(data)
    if content is None:
        return None, None, f"{function}() names {relative}, which cannot be read ({problem.message if problem else ''})"
    if _has_directive(content):
        return None, None, f"{relative}: {DIRECTIVES}"
    shown = str(folder / relative)
    variables: dict[str, str] = {}
    if function == "templatefile" and len(given) > 1 and _is(given[1], "object"):
        for element in (child for child in given[1].children if _is(child, "object_elem")):
            key = _expression(element.children[0].children[0]) if element.children[0].children else None
            value = _string(text, _expression(element.children[-1]))
            name = _token_text(key) if key is not None else ""
            if name and value is not None and value.literal is not None:
                variables[name] = value.literal
    if function == "file":
        return _Text(content, list(range(len(content)))), (shown, content), None
    return _template(content, variables), (shown, content), None


# Terraform's template directives (`%{ if }`, `%{ for }`) make text that only Terraform can: not read.
DIRECTIVES = "it holds Terraform template directives (%{ ... }), whose text is known only when Terraform runs"


def _has_directive(text: str) -> bool:
    return re.search(r"(?<!%)%\{", text) is not None


def _string(text: str, node: Any) -> _Text | None:
    """A quoted string or a heredoc, decoded with the index of each character; None for another
    expression."""
    if _is(node, "string"):
        return _quoted(text, node.meta.start_pos + 1, node.meta.end_pos - 1)
    if _is(node, "heredoc_template") or _is(node, "heredoc_template_trim"):
        return _heredoc(text, node.meta.start_pos, node.meta.end_pos, trim=_is(node, "heredoc_template_trim"))
    return None


def _quoted(text: str, begin: int, end: int) -> _Text:
    chars: list[str] = []
    indices: list[int] = []
    unknown: list[tuple[int, int]] = []
    index = begin
    while index < end:
        char = text[index]
        if char == "\\" and index + 1 < end:
            following = text[index + 1]
            if following in "uU":
                digits = 4 if following == "u" else 8
                code = text[index + 2 : index + 2 + digits]
                try:
                    point = int(code, 16)
                except ValueError:
                    point = -1
                # A lone surrogate or a point past Unicode is no character a file can hold.
                chars.append(chr(point) if 0 <= point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF else "\ufffd")
                indices.append(index)
                index += 2 + digits
                continue
            chars.append(_ESCAPES.get(following, following))
            indices.append(index)
            index += 2
            continue
        skipped = _interpolation(text, index, end, chars, indices, unknown)
        if skipped is not None:
            index = skipped
            continue
        chars.append(char)
        indices.append(index)
        index += 1
    return _Text("".join(chars), indices, tuple(unknown))


def _interpolation(
    text: str, index: int, end: int, chars: list[str], indices: list[int], unknown: list[tuple[int, int]]
) -> int | None:
    """At `${` or `%{` (not `$${`, `%%{`): placeholders for the whole interpolation, and the index after
    it; at an escaped one, the literal `${`; else None."""
    pair = text[index : index + 2]
    if pair in ("$$", "%%") and text[index + 2 : index + 3] == "{":
        chars.extend(pair[0] + "{")
        indices.extend((index, index + 2))
        return index + 3
    if pair not in ("${", "%{"):
        return None
    depth, probe = 0, index + 1
    while probe < end:
        if text[probe] == "{":
            depth += 1
        elif text[probe] == "}":
            depth -= 1
            if depth == 0:
                break
        probe += 1
    stop = min(probe + 1, end)
    unknown.append((len(chars), len(chars) + stop - index))
    chars.extend(UNKNOWN * (stop - index))
    indices.extend(range(index, stop))
    return stop


def _heredoc(text: str, begin: int, end: int, *, trim: bool) -> _Text | None:
    opener_end = text.find("\n", begin, end)
    if opener_end < 0:
        return None
    marker = text[begin:opener_end].lstrip("<-").strip()
    lines: list[tuple[int, str]] = []  # each content line's start index and its text, with its line break
    index = opener_end + 1
    while index < end:
        stop = text.find("\n", index, end)
        line_end = stop + 1 if stop >= 0 else end
        line = text[index:line_end]
        if line.strip() == marker:
            break
        lines.append((index, line))
        index = line_end
    indent = 0
    if trim:
        widths = [len(line) - len(line.lstrip(" ")) for _start, line in lines if line.strip()]
        indent = min(widths, default=0)
    chars: list[str] = []
    indices: list[int] = []
    unknown: list[tuple[int, int]] = []
    for start, line in lines:
        skip = min(indent, len(line) - len(line.lstrip(" ")))
        position, stop = start + skip, start + len(line)
        while position < stop:
            jumped = _interpolation(text, position, stop, chars, indices, unknown)
            if jumped is not None:
                position = jumped
                continue
            chars.append(text[position])
            indices.append(position)
            position += 1
    return _Text("".join(chars), indices, tuple(unknown))


def _template(content: str, variables: dict[str, str]) -> _Text:
    """A templatefile's text with the variables given as literals put in; the others are unknown."""
    chars: list[str] = []
    indices: list[int] = []
    unknown: list[tuple[int, int]] = []
    index = 0
    while index < len(content):
        if content.startswith("${", index):
            close = content.find("}", index)
            name = content[index + 2 : close].strip() if close > 0 else ""
            if close > 0 and name in variables:
                chars.extend(variables[name])
                indices.extend([index] * len(variables[name]))
                index = close + 1
                continue
        jumped = _interpolation(content, index, len(content), chars, indices, unknown)
        if jumped is not None:
            index = jumped
            continue
        chars.append(content[index])
        indices.append(index)
        index += 1
    return _Text("".join(chars), indices, tuple(unknown))
