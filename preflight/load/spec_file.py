"""A spec file: several packs, with shared defaults, checked and deployed as one set.

    defaults:                       # optional; every pack gets these unless it sets its own
      scope: organization           # organization (default) | account
      region: us-east-1
      delivery-bucket: awsconfigconforms-results
      delivery-prefix: conformance
      template-bucket: pack-templates # deploy uploads a template over 51,200 bytes here (--template-bucket)
      exclude-accounts: ["210987654321"]
      parameters: {MaxAccessKeyAge: "90"}   # given to each pack whose template declares it
    packs:
      - name: s3-baseline
        template: packs/s3-baseline.yaml    # relative to the spec file
        parameters: {S3TargetBucket: central-logs}   # merged over the defaults' parameters
      - name: iam-baseline
        template: packs/iam-baseline.yaml
        template-s3-uri: s3://packs/iam-baseline.yaml

Positions of every value are kept, so findings point into the spec file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from preflight.load.mapping_file import RequestError, load_mapping_file, origin_at
from preflight.model.document import Document
from preflight.model.findings import DocPath, Span
from preflight.model.request import (
    ACCOUNT_NAME_KEY,
    ORG_NAME_KEY,
    PARAMETERS_KEY,
    TEXT_FIELDS,
    InputParameter,
    Origin,
    PackRequest,
)

PACK_KEYS = frozenset(
    {"name", "template", "template-s3-uri", "template-bucket", "parameters", "exclude-accounts", "delivery-bucket",
     "delivery-prefix", "scope", "region"}
)  # fmt: skip
DEFAULT_KEYS = PACK_KEYS - {"name", "template", "template-s3-uri"}
# A pack's plain text settings: the spec key, where findings about it point (the API key) and the
# field of PackRequest that holds it.
_TEXT_KEYS = (
    ("delivery-bucket", "DeliveryS3Bucket", "delivery_bucket"),
    ("delivery-prefix", "DeliveryS3KeyPrefix", "delivery_prefix"),
    ("region", "Region", "region"),
    ("template-s3-uri", *TEXT_FIELDS[0]),
)


@dataclass(frozen=True)
class SpecPack:
    request: PackRequest
    template: Path | None
    entry: Origin
    template_bucket: str | None = None  # where `deploy` uploads a template too large to send inline


@dataclass(frozen=True)
class Spec:
    file: str
    packs: tuple[SpecPack, ...]


def _text(document: Document, path: DocPath, value: object, what: str) -> str:
    if isinstance(value, str) and value:
        return value
    raise RequestError(f"{document.where(path)}: {what} must be a non-empty string")


def _table(document: Document, path: DocPath, value: object, keys: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise RequestError(f"{document.where(path)}: expected a mapping")
    for key in value:
        if key not in keys:
            raise RequestError(
                f"{document.where(path + (key,))}: unknown key {key!r} (valid: {', '.join(sorted(keys))})"
            )
    return value


def load_spec(path: Path) -> Spec:
    document = load_mapping_file(path, strict_types=False)
    root = _table(document, (), document.data, frozenset({"defaults", "packs"}))
    defaults = _table(document, ("defaults",), root.get("defaults", {}), DEFAULT_KEYS)
    packs = root.get("packs")
    if not isinstance(packs, list) or not packs:
        raise RequestError(f"{document.where(('packs',))}: 'packs' must be a non-empty list of packs")
    base = path.parent
    return Spec(
        str(path),
        tuple(_pack(document, ("packs", index), entry, defaults, base) for index, entry in enumerate(packs)),
    )


def _pack(document: Document, path: DocPath, entry: object, defaults: Mapping[str, object], base: Path) -> SpecPack:
    pack = _table(document, path, entry, PACK_KEYS)

    def setting(key: str) -> tuple[object, DocPath] | None:
        if key in pack:
            return pack[key], path + (key,)
        if key in defaults:
            return defaults[key], ("defaults", key)
        return None

    name = _text(document, path + ("name",), pack.get("name"), "name")
    scope_setting = setting("scope")
    scope = "organization"
    if scope_setting is not None:
        scope = _text(document, scope_setting[1], scope_setting[0], "scope")
        if scope not in ("organization", "account"):
            raise RequestError(f"{document.where(scope_setting[1])}: scope must be organization or account")
    template = None
    if "template" in pack:
        template = base / _text(document, path + ("template",), pack["template"], "template")
        if not template.is_file():
            raise RequestError(f"{document.where(path + ('template',))}: no such template file: {template}")
    s3_uri = pack.get("template-s3-uri")
    if template is None and s3_uri is None:
        raise RequestError(f"{document.where(path)}: a pack needs a template (or a template-s3-uri)")
    name_key = ORG_NAME_KEY if scope == "organization" else ACCOUNT_NAME_KEY
    origins: dict[DocPath, Origin] = {(name_key,): origin_at(document, path + ("name",))}

    parameters: dict[str, tuple[str, DocPath]] = {}
    declared = _declared_parameters(template) if template is not None else None
    for source in (("defaults", "parameters"), path + ("parameters",)):
        table = document.value_at(source)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise RequestError(f"{document.where(source)}: parameters must be a mapping of name to value")
        for key, value in table.items():
            if isinstance(value, (dict, list)):
                raise RequestError(f"{document.where(source + (key,))}: the value of {key!r} must be a string")
            if source[0] == "defaults" and declared is not None and key not in declared:
                continue  # a default is given to the packs whose template declares it
            parameters[key] = ("" if value is None else str(value), source + (key,))
    input_parameters = []
    for index, (key, (value, value_path)) in enumerate(parameters.items()):
        input_parameters.append(InputParameter(key, value))
        origins[(PARAMETERS_KEY, index)] = origin_at(document, value_path)
        origins[(PARAMETERS_KEY, index, "ParameterName")] = origin_at(document, value_path)
        origins[(PARAMETERS_KEY, index, "ParameterValue")] = Origin(document.file, _value_span(document, value_path))

    excluded: list[str] = []
    accounts = setting("exclude-accounts")
    if accounts is not None:
        values, accounts_path = accounts
        if not isinstance(values, list):
            raise RequestError(f"{document.where(accounts_path)}: exclude-accounts must be a list of account ids")
        for index, account in enumerate(values):
            excluded.append(str(account))
            origins[("ExcludedAccounts", index)] = origin_at(document, accounts_path + (index,))

    texts: dict[str, str] = {}
    for key, api_key, field_name in _TEXT_KEYS:
        found = setting(key)
        if found is not None:
            origins[(api_key,)] = origin_at(document, found[1])
            texts[field_name] = _text(document, found[1], found[0], key)
    request = PackRequest(
        known=True,
        scope=scope,  # type: ignore[arg-type]
        name=name,
        name_given=True,
        parameters=tuple(input_parameters),
        excluded_accounts=tuple(excluded),
        origins=origins,
        template_s3_uri=texts.get("template_s3_uri"),
        delivery_bucket=texts.get("delivery_bucket"),
        delivery_prefix=texts.get("delivery_prefix"),
        region=texts.get("region"),
        source_texts={document.file: document.text},
    )
    bucket = setting("template-bucket")
    template_bucket = _text(document, bucket[1], bucket[0], "template-bucket") if bucket is not None else None
    return SpecPack(request, template, origin_at(document, path), template_bucket)


def _declared_parameters(template: Path) -> frozenset[str] | None:
    """The parameters `template` declares, or None when it cannot be read as a template (its check
    says why, and every default is then given to it)."""
    from preflight.load.parsing import load_template_file

    loaded = load_template_file(template, str(template))
    data = loaded.document.data if loaded.document is not None else None
    parameters = data.get("Parameters") if isinstance(data, dict) else None
    if not isinstance(data, dict) or (parameters is not None and not isinstance(parameters, dict)):
        return None
    return frozenset(parameters or ())


def _value_span(document: Document, path: DocPath) -> Span:
    span = document.node_span(path)
    return document.shift(span) if span is not None else document.locate(path)
