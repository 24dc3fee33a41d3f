"""Every number AWS enforces, in two tables: the API's request limits (which must agree with the
installed botocore model; a test compares them) and the service quotas (which change, so
configuration can override them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


@dataclass(eq=False, frozen=True)
class ApiLimits:
    """PutOrganizationConformancePack / PutConformancePack (botocore `config` model)."""

    org_pack_name_max: int = 128
    account_pack_name_max: int = 256
    pack_name_pattern: str = r"[a-zA-Z][-a-zA-Z0-9]*"
    template_body_max_bytes: int = 51_200
    template_s3_uri_max: int = 1024
    template_s3_uri_pattern: str = r"s3://.*"
    delivery_bucket_max: int = 63
    delivery_prefix_max: int = 1024
    input_parameters_max: int = 330  # managed packs (an account pack with `Source`)
    custom_pack_input_parameters_max: int = 60  # packs with a template (the model's documentation says so)
    parameter_name_max: int = 255
    parameter_value_max: int = 4096
    managed_pack_parameter_value_max: int = 1024
    excluded_accounts_max: int = 1000
    account_id_pattern: str = r"\d{12}"
    # AWS never says whether "300 KB" is 300,000 or 307,200 bytes: warn above the first, fail above the second.
    s3_template_warn_bytes: int = 300_000
    s3_template_max_bytes: int = 307_200
    config_rule_name_max: int = 128
    # The resources a pack deploys (botocore `ConfigRule`, `CustomPolicyDetails`).
    rule_input_parameters_max: int = 1024  # ConfigRule.InputParameters, as JSON text
    policy_text_max: int = 10_000
    policy_runtime_pattern: str = r"guard\-2\.x\.x"
    # A remediation (botocore `RemediationConfiguration`, `RemediationParameterValue`, `ExecutionControls`).
    remediation_target_types: tuple[str, ...] = ("SSM_DOCUMENT",)
    remediation_resource_values: tuple[str, ...] = ("RESOURCE_ID",)
    remediation_parameters_max: int = 25
    remediation_static_values_max: int = 25
    remediation_static_value_max: int = 256
    automatic_attempts_min: int = 1
    automatic_attempts_max: int = 25
    retry_attempt_seconds_min: int = 1
    retry_attempt_seconds_max: int = 2_678_000
    percentage_min: int = 1
    percentage_max: int = 100
    # SSM's DocumentVersion (StartAutomationExecution runs the remediation's TargetVersion).
    document_version_pattern: str = r"([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)"
    # The request's Tags (TagsList, TagKey, TagValue).
    tags_max: int = 50
    tag_key_max: int = 128
    tag_value_max: int = 256
    # S3 (bucket naming rules): any bucket a request names.
    bucket_name_min: int = 3
    bucket_name_max: int = 63


API_LIMITS = ApiLimits()


@dataclass(eq=False, frozen=True)
class Quotas:
    """AWS Config service quotas (developer guide, "Service Limits"). Override with
    `[tool.preflight.quotas]`, for example `rules-per-pack = 130`."""

    rules_per_pack: int = 130
    packs_per_organization: int = 50
    packs_per_account: int = 50
    rules_per_account_across_org_packs: int = 350
    rules_per_account_across_account_packs: int = 150
    rules_per_account: int = 1000


DEFAULT_QUOTAS = Quotas()


@dataclass(eq=False, frozen=True)
class SafetyLimits:
    """What preflight itself refuses to read (CP006). No deployable pack comes near these."""

    max_file_bytes: int = 4 * 1024 * 1024
    max_config_bytes: int = 1024 * 1024
    max_depth: int = 100
    max_alias_nodes: int = 10_000
    # AWS's largest sample pack holds 2,210 values in 58 KB, so a real 300 KB template about 12,000.
    max_nodes: int = 100_000
    # Guard reads a real pack's policies in well under a second; a policy built to be slow is not checked.
    guard_seconds: float = 10.0
    # And in well under 100 MB; brackets nested 2,000 deep (4 KB) made it take 5.6 GB.
    guard_memory_bytes: int = 256 * 1024 * 1024


SAFETY_LIMITS = SafetyLimits()


def quota_keys() -> tuple[str, ...]:
    return tuple(f.name.replace("_", "-") for f in fields(Quotas))


def quotas_with(overrides: Mapping[str, int]) -> Quotas:
    """`overrides` uses the configuration's dashed names; unknown names raise KeyError."""
    known = {f.name for f in fields(Quotas)}
    changes: dict[str, int] = {}
    for key, value in overrides.items():
        name = key.replace("-", "_")
        if name not in known:
            raise KeyError(key)
        changes[name] = value
    return replace(DEFAULT_QUOTAS, **changes)
