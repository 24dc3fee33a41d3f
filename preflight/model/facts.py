"""What the read-only AWS calls found: frozen data that the online rules (CP5xx) read. No AWS code
here, so rules and their tests need no AWS at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from preflight.model.fact_names import ORGANIZATION_NONE, ORGANIZATION_PRESENT, Fact

__all__ = [
    "ORGANIZATION_NONE", "ORGANIZATION_PRESENT", "AwsFacts", "Bucket", "EarlierFailure", "Fact", "LambdaFunction",
    "MemberAccount", "RuleTally", "S3Object", "Simulated", "SsmDocument", "Unavailable",
]  # fmt: skip


# How many accounts a finding names in its message.
NAMED_ACCOUNTS = 10


@dataclass(frozen=True)
class Unavailable:
    """A check that could not run, and why (usually a permission the caller lacks)."""

    fact: Fact
    reason: str


@dataclass(frozen=True)
class S3Object:
    uri: str
    exists: bool | None  # None: could not tell (access denied)
    size: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Bucket:
    name: str
    exists: bool | None
    error: str | None = None


@dataclass(frozen=True)
class RuleTally:
    """An account's config rules as the quotas count them, without keeping every name (an account has
    up to 1,000): how many, how many came from conformance packs, and how many of those are named as
    each of a pack's rules (an update of that pack replaces one of each)."""

    total: int
    from_packs: int
    named_as: tuple[tuple[str, int], ...] = ()  # a pack's rule name, and how many pack rules bear it


@dataclass(frozen=True)
class MemberAccount:
    """One account the pack reaches, looked into through the member role (`--member-role`).
    `error` says why it could not be (or what one read could not learn); None values are unknown."""

    account: str
    name: str | None = None
    assumed: bool = False  # the member role could be assumed in it
    error: str | None = None
    recorders: int | None = None  # configuration recorders of its own (not service-linked)
    recording: bool | None = None  # one of them records
    rules: RuleTally | None = None  # its config rules, counted
    missing_roles: tuple[str, ...] = ()  # AutomationAssumeRole names that are not in the account
    missing_documents: tuple[str, ...] = ()  # remediation documents (by name) that are not in the account


@dataclass(frozen=True)
class EarlierFailure:
    """An account where an earlier organization pack or organization rule failed, as the management
    account sees it: the failure that predicts this pack's there."""

    account: str
    deployment: str  # the pack's or rule's name
    kind: str  # "conformance pack" or "config rule"
    error_code: str
    error_message: str


@dataclass(frozen=True)
class LambdaFunction:
    """A custom rule's Lambda function, looked up in its own Region: whether it exists there, and its
    resource policy (as AWS returns it) or why it could not be read."""

    arn: str
    exists: bool | None
    policy: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Simulated:
    """An action the put needs, as IAM's policy simulator judges it for the caller. Only a deny by a
    statement of the caller's own policies is certain: the simulator does not see resource-scoped
    allows on `*`, and it leaves out the conditions of SCPs and permissions boundaries."""

    action: str
    decision: str  # allowed | explicitDeny | implicitDeny
    missing_context: tuple[str, ...] = ()
    denied_by_identity: bool = False  # an explicit Deny of a user, group, role or managed policy matched
    allowed_by_organizations: bool | None = None
    allowed_by_boundary: bool | None = None

    @property
    def certainly_denied(self) -> bool:
        return self.decision == "explicitDeny" and self.denied_by_identity and not self.missing_context


@dataclass(frozen=True)
class SsmDocument:
    """A remediation's SSM document that is not AWS's own, as its owner (the caller) sees it: by name
    (each account runs its own document of that name) or by ARN (a shared document)."""

    name: str
    exists: bool | None
    shared_with: frozenset[str] | None = None  # account ids, or {"all"}; for an ARN of the caller's
    error: str | None = None

    @property
    def by_arn(self) -> bool:
        return self.name.startswith("arn:")


@dataclass(frozen=True)
class AwsFacts:
    caller_account: str | None = None
    caller_arn: str | None = None
    organization: str | None = None  # ORGANIZATION_PRESENT, ORGANIZATION_NONE, or None when unknown
    organization_feature_set: str | None = None
    management_account: str | None = None
    organization_id: str | None = None
    accounts: frozenset[str] | None = None
    delegated_administrators: frozenset[str] | None = None
    existing_packs: tuple[str, ...] | None = None
    pack_status: str | None = None  # the status of the pack being deployed, when it exists
    template_object: S3Object | None = None
    delivery_bucket: Bucket | None = None
    config_rule_names: tuple[str, ...] | None = None
    unavailable: tuple[Unavailable, ...] = ()
    region: str | None = None  # the Region the calls went to, the pack's
    # The accounts the pack reaches (ACTIVE, not excluded), by id and name, and what --member-role found in
    # each (None without --member-role).
    reached: tuple[tuple[str, str | None], ...] | None = None
    member_role: str | None = None
    members: tuple[MemberAccount, ...] | None = None
    earlier_failures: tuple[EarlierFailure, ...] | None = None
    # An organization aggregator's name and the accounts it has resources of in the pack's Region.
    aggregated: tuple[str, frozenset[str]] | None = None
    functions: tuple[LambdaFunction, ...] = ()
    service_linked_role: bool | None = None  # the role the put needs exists in the caller's account
    trusted_access: bool | None = None  # config-multiaccountsetup.amazonaws.com has trusted access
    simulated: tuple[Simulated, ...] | None = None
    bucket_policy: str | None = None  # the delivery bucket's policy document, when it has one
    documents: tuple[SsmDocument, ...] = ()

    @cached_property
    def _names(self) -> dict[str, str]:
        return {number: name for number, name in self.reached or () if name}

    @cached_property
    def reached_set(self) -> frozenset[str]:
        """The accounts the pack reaches (empty when that is not known), to look one up."""
        return frozenset(number for number, _name in self.reached or ())

    def account_label(self, account: str) -> str:
        """`account 210987654321 (Audit)`: the id, and its name in the organization when known."""
        name = self._names.get(account)
        return f"account {account} ({name})" if name else f"account {account}"

    def accounts_text(self, accounts: Sequence[str]) -> str:
        """The first NAMED_ACCOUNTS accounts by label, then how many more (a finding's `accounts` has all)."""
        named = ", ".join(self.account_label(account) for account in accounts[:NAMED_ACCOUNTS])
        more = len(accounts) - NAMED_ACCOUNTS
        return named + (f" and {more} more" if more > 0 else "")

    @property
    def region_text(self) -> str:
        return self.region or "the pack's Region"

    @property
    def reached_accounts(self) -> list[str]:
        return [account for account, _name in self.reached or ()]

    def why_unavailable(self, fact: Fact) -> str | None:
        for item in self.unavailable:
            if item.fact is fact:
                return item.reason
        return None
