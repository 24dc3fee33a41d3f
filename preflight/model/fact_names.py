"""The names the online pre-flight and the online rules share: which fact a call finds out, and
the values of one. Apart from the facts themselves (preflight.model.facts) so that the rules, loaded
on every check, need not load those."""

from __future__ import annotations

import enum

# What the online pre-flight found out about the caller's organization (AwsFacts.organization).
ORGANIZATION_PRESENT = "present"
ORGANIZATION_NONE = "none"


class Fact(enum.Enum):
    """What one read-only call (or group of calls) of the online pre-flight finds out; an `Unavailable`
    names the fact it could not learn, and the online rules ask for it by the same member."""

    CALLER_IDENTITY = "caller identity"
    ORGANIZATION = "organization"
    ORGANIZATION_ACCOUNTS = "organization accounts"
    DELEGATED_ADMINISTRATORS = "delegated administrators"
    ORGANIZATION_PACKS = "organization conformance packs"
    ACCOUNT_PACKS = "conformance packs"
    PACK_STATUS = "pack status"
    CONFIG_RULES = "config rules"
    MEMBER_ACCOUNTS = "member accounts"  # the accounts the pack reaches, looked into with --member-role
    EARLIER_STATUSES = "earlier deployments' account statuses"
    AGGREGATOR = "configuration aggregators"
    LAMBDA_FUNCTIONS = "Lambda functions of custom rules"
    SERVICE_LINKED_ROLE = "service-linked role"
    TRUSTED_ACCESS = "trusted access for AWS Config"
    PERMISSIONS = "the caller's permissions"
    DELIVERY_BUCKET_POLICY = "the delivery bucket's policy"
    DOCUMENTS = "the remediations' SSM documents"
