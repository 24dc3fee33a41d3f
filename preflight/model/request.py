"""The API request a template will travel in: which put call, its name, template source, input
parameters, excluded accounts, tags and delivery, and where each value was given.

Values keep where they came from (`origins`, keyed by the API member path) so request-level
findings point at the line of the params or request file that set them. A value given as a flag
has no origin file: its findings point at the template and name the option.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from preflight.model.findings import NO_POSITION, DocPath, Span

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
    # The text of each file the request was read from (a request, params or spec file), kept from
    # loading: the suppression stage reads their comments, and a report the lines findings point to.
    source_texts: Mapping[str, str] = field(default_factory=dict)

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


# The request's plain text parameters: the API key, and the field of PackRequest (and of
# RequestInputs, the command-line option) that holds it.
TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("TemplateS3Uri", "template_s3_uri"),
    ("DeliveryS3Bucket", "delivery_bucket"),
    ("DeliveryS3KeyPrefix", "delivery_prefix"),
)
