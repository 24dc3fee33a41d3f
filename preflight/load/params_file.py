"""Input parameters from a params file, a request file's ConformancePackInputParameters and `--param`,
each with where its entry, name and value were written, and merged as the AWS CLI merges them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from preflight.load.mapping_file import RequestError, expect_str, load_mapping_file, origin_at
from preflight.model.document import Document
from preflight.model.findings import DocPath, Span
from preflight.model.request import InputParameter, Origin, command_line


@dataclass(frozen=True)
class SourcedParameter:
    """An input parameter and where its entry, name and value were written ("", "ParameterName",
    "ParameterValue")."""

    parameter: InputParameter
    origins: Mapping[str, Origin] = field(default_factory=dict)


def read_params_file(path: Path) -> tuple[list[SourcedParameter], Document]:
    """Three shapes: Settings's `[{ParameterName, ParameterValue}]`, CloudFormation's
    `[{ParameterKey, ParameterValue}]`, or a flat `{name: value}` mapping; JSON or YAML. With the
    document they were read from."""
    document = load_mapping_file(path, strict_types=False)
    return parameters_from(document, (), document.data, allow_flat=True), document


def parameters_from(document: Document, base: DocPath, data: object, *, allow_flat: bool) -> list[SourcedParameter]:
    found: list[SourcedParameter] = []
    if isinstance(data, dict) and allow_flat:
        for name, value in data.items():
            path = base + (name,)
            if isinstance(value, (dict, list)):
                raise RequestError(f"{document.where(path)}: the value of parameter {name!r} must be a string")
            key_origin = origin_at(document, path)
            value_origin = Origin(document.file, document.shift(Span(*document.spans[path])))
            found.append(
                SourcedParameter(
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
        name = expect_str(document, item_path + (name_key,), item[name_key], "ParameterName")
        value = item["ParameterValue"]
        if not allow_flat:  # a request file: the AWS CLI's types apply
            value = expect_str(document, item_path + ("ParameterValue",), value, "ParameterValue")
        elif isinstance(value, (dict, list)):
            raise RequestError(f"{document.where(item_path + ('ParameterValue',))}: ParameterValue must be a string")
        found.append(
            SourcedParameter(
                InputParameter(name, "" if value is None else str(value)),
                {
                    "": origin_at(document, item_path),
                    "ParameterName": origin_at(document, item_path + (name_key,)),
                    "ParameterValue": origin_at(document, item_path + ("ParameterValue",)),
                },
            )
        )
    return found


def flag_parameters(given: Sequence[str]) -> list[SourcedParameter]:
    """`--param NAME=VALUE`, each with the option as its origin."""
    found: list[SourcedParameter] = []
    for item in given:
        if "=" not in item:
            raise RequestError(f"--param {item!r}: expected NAME=VALUE")
        key, value = item.split("=", 1)
        option = command_line(f"--param {item}")
        found.append(
            SourcedParameter(
                InputParameter(key, value), {"": option, "ParameterName": option, "ParameterValue": option}
            )
        )
    return found


def merged(sources: Sequence[list[SourcedParameter]]) -> list[SourcedParameter]:
    """Later sources (request file, then params file, then --param) replace earlier ones by name, as
    the AWS CLI lets an explicit option override --cli-input-json. Repeats within one source stay, so
    CP133 can report them."""
    result: list[SourcedParameter] = []
    for source in sources:
        names = {entry.parameter.name for entry in source}
        result = [entry for entry in result if entry.parameter.name not in names] + source
    return result
