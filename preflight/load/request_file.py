"""A request file (`--request`): the put call's parameters as the AWS CLI's `--cli-input-json` or
`--cli-input-yaml` takes them, each value with where it was written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from preflight.load.mapping_file import RequestError, expect_str, load_mapping_file, origin_at
from preflight.load.params_file import SourcedParameter, parameters_from
from preflight.model.document import Document, text_lines
from preflight.model.findings import DocPath
from preflight.model.request import (
    ACCOUNT_NAME_KEY,
    MANAGED_PACK_SOURCE,
    ORG_NAME_KEY,
    PARAMETERS_KEY,
    REQUEST_KEYS,
    TEXT_FIELDS,
    UNSENT_KEYS,
    EmbeddedBody,
    Origin,
    Scope,
)


@dataclass(frozen=True)
class FileRequest:
    """What a request file says; `texts` holds the fields of TEXT_FIELDS by PackRequest field name."""

    scope: Scope
    name: str | None = None
    body: EmbeddedBody | None = None
    texts: Mapping[str, str] = field(default_factory=dict)
    other_sources: tuple[str, ...] = ()
    parameters: tuple[SourcedParameter, ...] = ()
    excluded: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    unsent: tuple[str, ...] = ()
    origins: Mapping[DocPath, Origin] = field(default_factory=dict)
    source_texts: Mapping[str, str] = field(default_factory=dict)  # the file's text, by its name


def read_request_file(path: Path, scope_option: Scope | None) -> FileRequest:
    """The request file at `path`; `scope_option` is --scope, which must agree with the name key the
    file uses (its scope when it uses none)."""
    document = load_mapping_file(path, strict_types=True)
    data = document.data
    if not isinstance(data, dict):
        raise RequestError(f"{document.where(())}: a request file is a mapping of API parameters")
    scope = _scope(document, data, path, scope_option)
    origins: dict[DocPath, Origin] = {}

    def text(key: str, what: str) -> str:
        origins[(key,)] = origin_at(document, (key,))
        return expect_str(document, (key,), data[key], what)

    name_key = ORG_NAME_KEY if scope == "organization" else ACCOUNT_NAME_KEY
    name = text(name_key, name_key) if name_key in data else None
    body = None
    if "TemplateBody" in data:
        body = _embedded_body(document, ("TemplateBody",), text("TemplateBody", "TemplateBody"))
    texts = {field_name: text(api_key, api_key) for api_key, field_name in TEXT_FIELDS if api_key in data}
    other_sources = tuple(key for key in ("TemplateSSMDocumentDetails", MANAGED_PACK_SOURCE) if key in data)
    origins.update({(key,): origin_at(document, (key,)) for key in other_sources})
    parameters: list[SourcedParameter] = []
    if PARAMETERS_KEY in data:
        parameters = parameters_from(document, (PARAMETERS_KEY,), data[PARAMETERS_KEY], allow_flat=False)
        origins[(PARAMETERS_KEY,)] = origin_at(document, (PARAMETERS_KEY,))
    excluded = _excluded(document, data["ExcludedAccounts"], origins) if "ExcludedAccounts" in data else []
    tags: list[tuple[str, str]] = []
    if "Tags" in data:
        tags = _tags(document, data["Tags"])
        for path_of_tag in [("Tags",), *(("Tags", index) for index in range(len(tags)))]:
            origins[path_of_tag] = origin_at(document, path_of_tag)
    return FileRequest(
        scope=scope,
        name=name,
        body=body,
        texts=texts,
        other_sources=other_sources,
        parameters=tuple(parameters),
        excluded=tuple(excluded),
        tags=tuple(tags),
        unsent=tuple(key for key in UNSENT_KEYS if key in data),
        origins=origins,
        source_texts={document.file: document.text},
    )


def _scope(document: Document, data: Mapping[str, object], path: Path, scope_option: Scope | None) -> Scope:
    """The put call the file is for, by its name key, and refuses keys that call does not take."""
    has_org, has_account = ORG_NAME_KEY in data, ACCOUNT_NAME_KEY in data
    if has_org and has_account:
        raise RequestError(
            f"{document.where((ACCOUNT_NAME_KEY,))}: a request names either {ORG_NAME_KEY} "
            f"(put-organization-conformance-pack) or {ACCOUNT_NAME_KEY} (put-conformance-pack), not both"
        )
    named: Scope | None = "organization" if has_org else "account" if has_account else None
    if named is not None and scope_option is not None and scope_option != named:
        raise RequestError(f"{path}: the request is for an {named} pack but --scope says {scope_option}")
    scope: Scope = named or scope_option or "organization"
    allowed = REQUEST_KEYS[scope]
    for key in data:
        if key not in allowed:
            operation = "put-organization-conformance-pack" if scope == "organization" else "put-conformance-pack"
            raise RequestError(
                f"{document.where((key,))}: {operation} has no parameter {key!r} (valid: {', '.join(sorted(allowed))})"
            )
    return scope


def _excluded(document: Document, accounts: object, origins: dict[DocPath, Origin]) -> list[str]:
    if not isinstance(accounts, list):
        raise RequestError(f"{document.where(('ExcludedAccounts',))}: ExcludedAccounts must be a list of account ids")
    origins[("ExcludedAccounts",)] = origin_at(document, ("ExcludedAccounts",))
    found = []
    for index, account in enumerate(accounts):
        found.append(expect_str(document, ("ExcludedAccounts", index), account, "an account id"))
        origins[("ExcludedAccounts", index)] = origin_at(document, ("ExcludedAccounts", index))
    return found


def _tags(document: Document, given: object) -> list[tuple[str, str]]:
    """A request file's Tags: `[{Key: ..., Value: ...}]`, as the API takes them (CP122 checks their limits)."""
    if not isinstance(given, list):
        raise RequestError(f"{document.where(('Tags',))}: Tags must be a list of {{Key, Value}}")
    tags = []
    for index, tag in enumerate(given):
        if not isinstance(tag, dict) or set(tag) - {"Key", "Value"} or "Key" not in tag:
            raise RequestError(f"{document.where(('Tags', index))}: a tag is a mapping of Key and Value")
        key = expect_str(document, ("Tags", index, "Key"), tag["Key"], "a tag key")
        value = expect_str(document, ("Tags", index, "Value"), tag.get("Value", ""), "a tag value")
        tags.append((key, value))
    return tags


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
