"""The request a check or deploy sends, built from its sources: a request file, then a params file,
then the command line, each overriding the one before as the AWS CLI lets an option override
`--cli-input-json`."""

from __future__ import annotations

from preflight.load.mapping_file import RequestError
from preflight.load.params_file import SourcedParameter, flag_parameters, merged, read_params_file
from preflight.load.request_file import FileRequest, read_request_file
from preflight.model.findings import DocPath
from preflight.model.request import (
    ACCOUNT_NAME_KEY,
    ORG_NAME_KEY,
    PARAMETERS_KEY,
    TEXT_FIELDS,
    InputParameter,
    Origin,
    PackRequest,
    RequestInputs,
    command_line,
)


def build_request(inputs: RequestInputs) -> PackRequest:
    given = (
        read_request_file(inputs.request_file, inputs.scope)
        if inputs.request_file is not None
        else FileRequest(scope=inputs.scope or "organization")
    )
    origins: dict[DocPath, Origin] = dict(given.origins)
    source_texts = dict(given.source_texts)
    parameters = _parameters(given, inputs, origins, source_texts)
    name = given.name
    if inputs.name is not None:
        name = inputs.name
        origins.pop((ORG_NAME_KEY,), None)
        origins.pop((ACCOUNT_NAME_KEY,), None)
        name_key = ORG_NAME_KEY if given.scope == "organization" else ACCOUNT_NAME_KEY
        origins[(name_key,)] = command_line(f"--name {inputs.name}")
    texts = dict(given.texts)
    for api_key, field_name in TEXT_FIELDS:
        option = getattr(inputs, field_name)
        if option is not None:
            texts[field_name] = option
            origins[(api_key,)] = command_line(f"--{field_name.replace('_', '-')} {option}")
    if inputs.region is not None:
        origins[("Region",)] = command_line(f"--region {inputs.region}")
    excluded = list(given.excluded)
    if inputs.exclude_accounts:
        if given.scope == "account":
            raise RequestError("--exclude-account applies to organization packs only (--scope organization)")
        for account in inputs.exclude_accounts:
            origins[("ExcludedAccounts", len(excluded))] = command_line(f"--exclude-account {account}")
            excluded.append(account)
    return PackRequest(
        known=inputs.any_given,
        scope=given.scope,
        name=name,
        name_given=name is not None,
        template_body=given.body,
        other_sources=given.other_sources,
        parameters=parameters,
        excluded_accounts=tuple(excluded),
        tags=given.tags,
        unsent=given.unsent,
        region=inputs.region,
        template_s3_uri=texts.get("template_s3_uri"),
        delivery_bucket=texts.get("delivery_bucket"),
        delivery_prefix=texts.get("delivery_prefix"),
        origins=origins,
        from_request_file=str(inputs.request_file) if inputs.request_file is not None else None,
        source_texts=source_texts,
    )


def _parameters(
    given: FileRequest, inputs: RequestInputs, origins: dict[DocPath, Origin], source_texts: dict[str, str]
) -> tuple[InputParameter, ...]:
    sources: list[list[SourcedParameter]] = [list(given.parameters)]
    if inputs.params_file is not None:
        from_file, document = read_params_file(inputs.params_file)
        sources.append(from_file)
        source_texts[document.file] = document.text
    if inputs.params:
        sources.append(flag_parameters(inputs.params))
    parameters = []
    for index, entry in enumerate(merged(sources)):
        parameters.append(entry.parameter)
        for part, origin in entry.origins.items():
            origins[(PARAMETERS_KEY, index, part) if part else (PARAMETERS_KEY, index)] = origin
    return tuple(parameters)
