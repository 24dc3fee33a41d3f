"""The API request a template will travel in: built from flags, a params file and a request file.

Values keep where they came from (`origins`, keyed by the API member path) so request-level
findings point at the line of the params or request file that set them. A value given as a flag
has no origin; its findings point at the template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from preflight.load.parsing import decode, parse_text, read_bytes
from preflight.model.document import Document, text_lines
from preflight.model.errors import InputError
from preflight.model.findings import NO_POSITION, DocPath, Span
from preflight.model.problems import ProblemKind

Scope = Literal["organization", "account"]
ORG_NAME_KEY = "OrganizationConformancePackName"
ACCOUNT_NAME_KEY = "ConformancePackName"
PARAMETERS_KEY = "ConformancePackInputParameters"
MANAGED_PACK_SOURCE = "Source"  # PutConformancePack's member that names a managed conformance pack

_COMMON_KEYS = frozenset(
    {"TemplateS3Uri", "TemplateBody", "DeliveryS3Bucket", "DeliveryS3KeyPrefix", PARAMETERS_KEY, "Tags"}
)
REQUEST_KEYS: Mapping[Scope, frozenset[str]] = {
    "organization": _COMMON_KEYS | {ORG_NAME_KEY, "ExcludedAccounts"},
    "account": _COMMON_KEYS | {ACCOUNT_NAME_KEY, "TemplateSSMDocumentDetails", MANAGED_PACK_SOURCE, "Scope"},
}


# Keys of a request file that `check` reads and `deploy` does not send: it refuses such a request.
UNSENT_KEYS = ("Scope",)


class RequestError(InputError):
    """A request input that cannot be used at all; the CLI prints it as one line and exits 2."""


@dataclass(frozen=True)
class Origin:
    """Where a request value was written: a place in a file, or a command-line option (`option`,
    as typed; `file` and `span` are then empty)."""

    file: str
    span: Span
    option: str | None = None


def command_line(option: str) -> Origin:
    return Origin("", NO_POSITION, option)


@dataclass(frozen=True)
class InputParameter:
    """One of the request's ConformancePackInputParameters."""

    name: str
    value: str


@dataclass(frozen=True)
class EmbeddedBody:
    """A TemplateBody carried inside a request file."""

    text: str
    file: str
    line_offset: int
    column_offset: int


@dataclass(frozen=True)
class PackRequest:
    """The put request: name, scope, template source, input parameters, excluded accounts and delivery."""

    known: bool = False
    scope: Scope = "organization"
    name: str | None = None
    name_given: bool = False
    template_body: EmbeddedBody | None = None
    template_s3_uri: str | None = None
    other_sources: tuple[str, ...] = ()  # TemplateSSMDocumentDetails, Source (a managed pack): account packs
    parameters: tuple[InputParameter, ...] = ()
    excluded_accounts: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()  # (Key, Value), from a request file's Tags
    unsent: tuple[str, ...] = ()  # the request file's keys that deploy does not send (Scope)
    delivery_bucket: str | None = None
    delivery_prefix: str | None = None
    region: str | None = None
    origins: Mapping[DocPath, Origin] = field(default_factory=dict)
    from_request_file: str | None = None
    # A pack in a CloudFormation stack or a Terraform file: its input parameters whose values are
    # not known there (a Ref, a variable), and why a TemplateBody it has could not be read.
    unknown_values: frozenset[str] = frozenset()
    body_unread: str | None = None

    @property
    def name_key(self) -> str:
        return ORG_NAME_KEY if self.scope == "organization" else ACCOUNT_NAME_KEY

    def origin(self, path: DocPath) -> Origin | None:
        """Where the value at `path` was given: a place in a file or a command-line option. An entry
        of a list has only an origin of its own, never the list's."""
        probe = tuple(path)
        while probe:
            found = self.origins.get(probe)
            if found is not None:
                return found
            if isinstance(probe[-1], int):
                return None
            probe = probe[:-1]
        return None

    def values(self) -> dict[str, str]:
        """Input parameters by name, those whose values are known; with duplicates, the last one (as
        AWS would see it is undefined)."""
        return {p.name: p.value for p in self.parameters if p.name not in self.unknown_values}


@dataclass(eq=False, frozen=True)
class RequestInputs:
    """What the command line said."""

    name: str | None = None
    scope: Scope | None = None
    params: Sequence[str] = ()
    params_file: Path | None = None
    exclude_accounts: Sequence[str] = ()
    delivery_bucket: str | None = None
    delivery_prefix: str | None = None
    template_s3_uri: str | None = None
    region: str | None = None
    request_file: Path | None = None

    @property
    def any_given(self) -> bool:
        return bool(
            self.name is not None
            or self.params
            or self.params_file
            or self.exclude_accounts
            or self.delivery_bucket is not None
            or self.delivery_prefix is not None
            or self.template_s3_uri is not None
            or self.request_file
        )


def _tags(document: Document, given: object) -> list[tuple[str, str]]:
    """A request file's Tags: `[{Key: ..., Value: ...}]`, as the API takes them (CP122 checks their limits)."""
    if not isinstance(given, list):
        raise RequestError(f"{document.where(('Tags',))}: Tags must be a list of {{Key, Value}}")
    tags = []
    for index, tag in enumerate(given):
        if not isinstance(tag, dict) or set(tag) - {"Key", "Value"} or "Key" not in tag:
            raise RequestError(f"{document.where(('Tags', index))}: a tag is a mapping of Key and Value")
        key = _expect_str(document, ("Tags", index, "Key"), tag["Key"], "a tag key")
        value = _expect_str(document, ("Tags", index, "Value"), tag.get("Value", ""), "a tag value")
        tags.append((key, value))
    return tags


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


def _expect_str(document: Document, path: DocPath, value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        raise RequestError(
            f"{document.where(path)}: {what} must be a string, not the {type(value).__name__} {value!r}: "
            "the AWS CLI rejects it; quote the value"
        )
    raise RequestError(f"{document.where(path)}: {what} must be a string")


@dataclass(frozen=True)
class _Sourced:
    """An input parameter and where its entry, name and value were written ("", "ParameterName",
    "ParameterValue")."""

    parameter: InputParameter
    origins: Mapping[str, Origin] = field(default_factory=dict)


def read_params_file(path: Path) -> list[_Sourced]:
    """Three shapes: Settings's `[{ParameterName, ParameterValue}]`, CloudFormation's
    `[{ParameterKey, ParameterValue}]`, or a flat `{name: value}` mapping; JSON or YAML."""
    document = load_mapping_file(path, strict_types=False)
    return _parameters_from(document, (), document.data, allow_flat=True)


def _parameters_from(document: Document, base: DocPath, data: object, *, allow_flat: bool) -> list[_Sourced]:
    found: list[_Sourced] = []
    if isinstance(data, dict) and allow_flat:
        for name, value in data.items():
            path = base + (name,)
            if isinstance(value, (dict, list)):
                raise RequestError(f"{document.where(path)}: the value of parameter {name!r} must be a string")
            key_origin = origin_at(document, path)
            value_origin = Origin(document.file, document.shift(Span(*document.spans[path])))
            found.append(
                _Sourced(
                    InputParameter(name, "" if value is None else str(value)),
                    {"": key_origin, "ParameterName": key_origin, "ParameterValue": value_origin},
                )
            )
        return found
    if not isinstance(data, list):
        shapes = "a list of {ParameterName, ParameterValue}"
        if allow_flat:
            shapes += ", a list of {ParameterKey, ParameterValue} or a mapping of name to value"
        raise RequestError(f"{document.where(base)}: expected {shapes}")
    for index, item in enumerate(data):
        item_path = base + (index,)
        if not isinstance(item, dict):
            raise RequestError(
                f"{document.where(item_path)}: each parameter must be a mapping with ParameterName and ParameterValue"
            )
        if "ParameterName" in item:
            name_key = "ParameterName"
        elif allow_flat and "ParameterKey" in item:
            name_key = "ParameterKey"
        else:
            raise RequestError(f"{document.where(item_path)}: parameter has no ParameterName")
        if "ParameterValue" not in item:
            raise RequestError(f"{document.where(item_path)}: parameter has no ParameterValue")
        unknown = sorted(set(item) - {name_key, "ParameterValue"})
        if unknown:
            raise RequestError(
                f"{document.where(item_path + (unknown[0],))}: unknown field {unknown[0]!r} in a parameter "
                "(AWS Config takes only a name and a value)"
            )
        name = _expect_str(document, item_path + (name_key,), item[name_key], "ParameterName")
        value = item["ParameterValue"]
        if not allow_flat:  # a request file: the AWS CLI's types apply
            value = _expect_str(document, item_path + ("ParameterValue",), value, "ParameterValue")
        elif isinstance(value, (dict, list)):
            raise RequestError(f"{document.where(item_path + ('ParameterValue',))}: ParameterValue must be a string")
        found.append(
            _Sourced(
                InputParameter(name, "" if value is None else str(value)),
                {
                    "": origin_at(document, item_path),
                    "ParameterName": origin_at(document, item_path + (name_key,)),
                    "ParameterValue": origin_at(document, item_path + ("ParameterValue",)),
                },
            )
        )
    return found


_BLOCK_HEADER = r"(?:!\S*\s+)?\|(?P<a>[1-9])?[+-]?(?P<b>[1-9])?\s*(?:#.*)?$"


def _embedded_body(document: Document, path: DocPath, body: str) -> EmbeddedBody:
    """Map the body's positions back to the request file when it is a literal block (`|`, `|2-`,
    `!!str |`) whose lines appear verbatim; otherwise positions are relative to the body itself."""
    span, key_span = document.node_span(path), document.key_span(path)
    lines = text_lines(document.text)
    if span is not None and key_span is not None and 0 < span.line <= len(lines):
        header = re.match(_BLOCK_HEADER, lines[span.line - 1][span.column - 1 :])
        if header is not None:
            body_lines = text_lines(body.removesuffix("\n").removesuffix("\r"))
            digit = header["a"] or header["b"]
            if digit:
                indent = key_span.column - 1 + int(digit)
            else:
                first = next((line for line in lines[span.line :] if line.strip()), "")
                indent = len(first) - len(first.lstrip(" "))
            candidate = lines[span.line : span.line + len(body_lines)]
            if len(candidate) == len(body_lines) and all(
                (line[indent:] if line.strip() else "") == (text if text.strip() else "")
                for line, text in zip(candidate, body_lines, strict=True)
            ):
                return EmbeddedBody(body, document.file, span.line, indent)
    return EmbeddedBody(body, f"{document.file}#TemplateBody", 0, 0)


# The request's plain text parameters: the API key, and the field of PackRequest (and of
# RequestInputs, the command-line option) that holds it.
TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("TemplateS3Uri", "template_s3_uri"),
    ("DeliveryS3Bucket", "delivery_bucket"),
    ("DeliveryS3KeyPrefix", "delivery_prefix"),
)


def build_request(inputs: RequestInputs) -> PackRequest:
    origins: dict[DocPath, Origin] = {}
    scope: Scope | None = None
    name: str | None = None
    name_given = False
    body: EmbeddedBody | None = None
    texts: dict[str, str] = {}  # PackRequest field -> value, for the fields of TEXT_FIELDS
    other_sources: list[str] = []
    request_params: list[_Sourced] = []
    excluded: list[str] = []
    tags: list[tuple[str, str]] = []
    unsent: tuple[str, ...] = ()

    if inputs.request_file is not None:
        document = load_mapping_file(inputs.request_file, strict_types=True)
        data = document.data
        if not isinstance(data, dict):
            raise RequestError(f"{document.where(())}: a request file is a mapping of API parameters")
        has_org, has_account = ORG_NAME_KEY in data, ACCOUNT_NAME_KEY in data
        if has_org and has_account:
            raise RequestError(
                f"{document.where((ACCOUNT_NAME_KEY,))}: a request names either {ORG_NAME_KEY} "
                f"(put-organization-conformance-pack) or {ACCOUNT_NAME_KEY} (put-conformance-pack), not both"
            )
        scope = "organization" if has_org else "account" if has_account else None
        if scope is not None and inputs.scope is not None and inputs.scope != scope:
            raise RequestError(
                f"{inputs.request_file}: the request is for an {scope} pack but --scope says {inputs.scope}"
            )
        scope = scope or inputs.scope or "organization"
        allowed = REQUEST_KEYS[scope]
        for key in data:
            if key not in allowed:
                operation = "put-organization-conformance-pack" if scope == "organization" else "put-conformance-pack"
                raise RequestError(
                    f"{document.where((key,))}: {operation} has no parameter {key!r} "
                    f"(valid: {', '.join(sorted(allowed))})"
                )
        name_key = ORG_NAME_KEY if scope == "organization" else ACCOUNT_NAME_KEY
        if name_key in data:
            name = _expect_str(document, (name_key,), data[name_key], name_key)
            name_given = True
            origins[(name_key,)] = origin_at(document, (name_key,))
        if "TemplateBody" in data:
            text = _expect_str(document, ("TemplateBody",), data["TemplateBody"], "TemplateBody")
            body = _embedded_body(document, ("TemplateBody",), text)
            origins[("TemplateBody",)] = origin_at(document, ("TemplateBody",))
        for api_key, field_name in TEXT_FIELDS:
            if api_key in data:
                texts[field_name] = _expect_str(document, (api_key,), data[api_key], api_key)
                origins[(api_key,)] = origin_at(document, (api_key,))
        unsent = tuple(key for key in UNSENT_KEYS if key in data)
        for other_source in ("TemplateSSMDocumentDetails", MANAGED_PACK_SOURCE):
            if other_source in data:
                other_sources.append(other_source)
                origins[(other_source,)] = origin_at(document, (other_source,))
        if PARAMETERS_KEY in data:
            request_params = _parameters_from(document, (PARAMETERS_KEY,), data[PARAMETERS_KEY], allow_flat=False)
            origins[(PARAMETERS_KEY,)] = origin_at(document, (PARAMETERS_KEY,))
        if "ExcludedAccounts" in data:
            accounts = data["ExcludedAccounts"]
            if not isinstance(accounts, list):
                raise RequestError(
                    f"{document.where(('ExcludedAccounts',))}: ExcludedAccounts must be a list of account ids"
                )
            origins[("ExcludedAccounts",)] = origin_at(document, ("ExcludedAccounts",))
            for index, account in enumerate(accounts):
                excluded.append(_expect_str(document, ("ExcludedAccounts", index), account, "an account id"))
                origins[("ExcludedAccounts", index)] = origin_at(document, ("ExcludedAccounts", index))
        if "Tags" in data:
            tags = _tags(document, data["Tags"])
            origins[("Tags",)] = origin_at(document, ("Tags",))
            for index in range(len(tags)):
                origins[("Tags", index)] = origin_at(document, ("Tags", index))
    else:
        scope = inputs.scope or "organization"

    parameters: list[InputParameter] = []
    for index, entry in enumerate(_merge_parameters(request_params, inputs)):
        parameters.append(entry.parameter)
        for part, origin in entry.origins.items():
            origins[(PARAMETERS_KEY, index, part) if part else (PARAMETERS_KEY, index)] = origin

    if inputs.name is not None:
        name, name_given = inputs.name, True
        origins.pop((ORG_NAME_KEY,), None)
        origins.pop((ACCOUNT_NAME_KEY,), None)
        origins[(ORG_NAME_KEY if scope == "organization" else ACCOUNT_NAME_KEY,)] = command_line(
            f"--name {inputs.name}"
        )
    for api_key, field_name in TEXT_FIELDS:  # an option overrides the request file, as in the AWS CLI
        given = getattr(inputs, field_name)
        if given is not None:
            texts[field_name] = given
            origins[(api_key,)] = command_line(f"--{field_name.replace('_', '-')} {given}")
    if inputs.region is not None:
        origins[("Region",)] = command_line(f"--region {inputs.region}")
    if inputs.exclude_accounts:
        if scope == "account":
            raise RequestError("--exclude-account applies to organization packs only (--scope organization)")
        base = len(excluded)
        excluded.extend(inputs.exclude_accounts)
        for index in range(base, len(excluded)):
            origins[("ExcludedAccounts", index)] = command_line(f"--exclude-account {excluded[index]}")

    return PackRequest(
        known=inputs.any_given,
        scope=scope,
        name=name,
        name_given=name_given,
        template_body=body,
        other_sources=tuple(other_sources),
        parameters=tuple(parameters),
        excluded_accounts=tuple(excluded),
        tags=tuple(tags),
        unsent=unsent,
        region=inputs.region,
        template_s3_uri=texts.get("template_s3_uri"),
        delivery_bucket=texts.get("delivery_bucket"),
        delivery_prefix=texts.get("delivery_prefix"),
        origins=origins,
        from_request_file=str(inputs.request_file) if inputs.request_file is not None else None,
    )


def _merge_parameters(request_params: list[_Sourced], inputs: RequestInputs) -> list[_Sourced]:
    """Later sources (request file, then params file, then --param) replace earlier ones by name, as
    the AWS CLI lets an explicit option override --cli-input-json. Repeats within one source stay, so
    CP133 can report them."""
    sources = [request_params]
    if inputs.params_file is not None:
        sources.append(read_params_file(inputs.params_file))
    if inputs.params:
        flag_params: list[_Sourced] = []
        for item in inputs.params:
            if "=" not in item:
                raise RequestError(f"--param {item!r}: expected NAME=VALUE")
            key, value = item.split("=", 1)
            option = command_line(f"--param {item}")
            flag_params.append(
                _Sourced(InputParameter(key, value), {"": option, "ParameterName": option, "ParameterValue": option})
            )
        sources.append(flag_params)
    merged: list[_Sourced] = []
    for source in sources:
        names = {entry.parameter.name for entry in source}
        merged = [entry for entry in merged if entry.parameter.name not in names] + source
    return merged
