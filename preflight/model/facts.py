"""What the read-only AWS calls found: frozen data that the online rules (CP5xx) read. No AWS code
here, so rules and their tests need no AWS at all."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.model.fact_names import ORGANIZATION_NONE, ORGANIZATION_PRESENT, Fact

__all__ = ["ORGANIZATION_NONE", "ORGANIZATION_PRESENT", "AwsFacts", "Bucket", "Fact", "S3Object", "Unavailable"]


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
class AwsFacts:
    caller_account: str | None = None
    organization: str | None = None  # ORGANIZATION_PRESENT, ORGANIZATION_NONE, or None when unknown
    organization_feature_set: str | None = None
    management_account: str | None = None
    accounts: frozenset[str] | None = None
    delegated_administrators: frozenset[str] | None = None
    existing_packs: tuple[str, ...] | None = None
    pack_status: str | None = None  # the status of the pack being deployed, when it exists
    template_object: S3Object | None = None
    delivery_bucket: Bucket | None = None
    config_rule_names: tuple[str, ...] | None = None
    unavailable: tuple[Unavailable, ...] = ()

    def why_unavailable(self, fact: Fact) -> str | None:
        for item in self.unavailable:
            if item.fact is fact:
                return item.reason
        return None
