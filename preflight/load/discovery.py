"""Which YAML and JSON files are conformance packs, by their content, before they are parsed: a
folder of a real repository holds compose files, manifests, `package.json` and CloudFormation stacks
too, and none of those is a broken pack.

A file is a pack when it declares a config rule or remediation and every resource type it names is
one a pack may hold. A type that is almost one of those (`AWS::Confg::ConfigRule`), or any type of
AWS Config's that CloudFormation does not have (`AWS::Config::Remediation`), counts as one: such a
file is meant as a pack, and checking it reports the typo. Any other type (`AWS::SNS::Topic`,
`AWS::Config::OrganizationConformancePack`, `Custom::Thing`) makes the file a CloudFormation stack,
even when it also holds config rules or carries a pack's text inline."""

from __future__ import annotations

import re

from preflight.model.suggest import edits

# A `Type` key (not `ResourceType`) whose value is a resource type (`Vendor::Service::Kind`, or `Custom::Name`), in YAML
# (quoted or not) or JSON; not a parameter type (`AWS::SSM::Parameter::Value<String>`,
# `List<AWS::EC2::VPC::Id>`), which has a fourth part or sits inside brackets.
_RESOURCE_TYPE = (
    rb"""(?<![\w-])["']?Type["']?[ \t]*:[ \t]*["']?"""
    rb"""([A-Za-z0-9]+):{1,2}([A-Za-z0-9]+)(?::{1,2}([A-Za-z0-9]+))?(?![A-Za-z0-9]*(?::|<))"""
)
_SERVICE = "config"
_PACK_TYPES = ("configrule", "remediationconfiguration")
# AWS Config's other CloudFormation types, which a pack cannot hold: a template naming one is a stack.
# Any other type of the service (`AWS::Config::Rule`) is taken for a misspelt pack type.
_OTHER_CONFIG_TYPES = frozenset({
    "aggregationauthorization", "configurationaggregator", "configurationrecorder", "conformancepack",
    "deliverychannel", "organizationconfigrule", "organizationconformancepack", "storedquery",
})  # fmt: skip
NOT_A_PACK = "not a conformance pack: it declares no config rule or remediation"


def is_pack(data: bytes) -> bool:
    return why_not_a_pack(data) is None


def why_not_a_pack(data: bytes) -> str | None:
    """None for a conformance pack; otherwise why the file is not one, in words (`--show-files`)."""
    rules = 0
    other: str | None = None
    for vendor, service, kind in _types(data):
        if _is_pack_type(vendor, service, kind):
            rules += 1
        elif other is None:
            other = b"::".join(part for part in (vendor, service, kind) if part).decode("ascii")
    if not rules:
        return NOT_A_PACK
    if other is not None:
        return f"a CloudFormation stack: it holds {other}, which a conformance pack cannot"
    return None


HOSTS_A_PACK = "a CloudFormation stack holding a conformance pack, checked where it is written"
TERRAFORM_HOLDS_A_PACK = "a Terraform file holding a conformance pack, checked where it is written"
TERRAFORM_WITHOUT_A_PACK = "a Terraform file with no aws_config_conformance_pack resource"


def hosts_a_pack(data: bytes) -> bool:
    """Whether a file declares an `AWS::Config::ConformancePack` or `...OrganizationConformancePack`
    resource: a stack whose packs are checked where they are written (preflight.load.hosts)."""
    return any(
        vendor.lower() == b"aws" and service.lower() == b"config" and kind.lower() in _HOST_TYPES
        for vendor, service, kind in _types(data)
    )


def _types(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """The resource types a file names, but in a comment (a pack's notes may name a stack's type)."""
    found = []
    comments = not data.lstrip()[:1] == b"{"  # JSON has none: a '#' there is in a string
    for match in re.finditer(_RESOURCE_TYPE, data):
        before = data[data.rfind(b"\n", 0, match.start()) + 1 : match.start()]
        if not comments or not re.search(rb"(?:^|[ \t])#", before):
            vendor, service, kind = match.groups()
            found.append((vendor, service, kind or b""))
    return found


_HOST_TYPES = (b"conformancepack", b"organizationconformancepack")


def _is_pack_type(vendor: bytes, service: bytes, kind: bytes) -> bool:
    """`AWS::Config::ConfigRule` or `AWS::Config::RemediationConfiguration`, or a near miss of one."""
    if not kind:
        return False
    if vendor.lower() != b"aws" and edits(vendor.lower().decode(), "aws", cap=2) > 1:
        return False
    if edits(service.decode().lower(), _SERVICE) > 2:
        return False
    name = kind.decode().lower()
    return name not in _OTHER_CONFIG_TYPES or any(edits(name, known, cap=4) <= 3 for known in _PACK_TYPES)


def mentions_aws_config(data: bytes) -> bool:
    """Looser, for an editor's buffer: a pack being edited stays one while its syntax is broken."""
    return b"AWS::Config::" in data or is_pack(data)
