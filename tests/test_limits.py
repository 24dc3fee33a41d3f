"""The API limits table must agree with the installed botocore model (loaded here, never by the lint path)."""

from __future__ import annotations

import botocore.session

from preflight.model.limits import API_LIMITS


def _member(shape: object, name: str) -> object:
    return shape.members[name]  # type: ignore[attr-defined]


def test_api_limits_match_the_botocore_model() -> None:
    model = botocore.session.get_session().get_service_model("config")
    org = model.operation_model("PutOrganizationConformancePack").input_shape
    account = model.operation_model("PutConformancePack").input_shape

    def meta(shape: object) -> dict[str, object]:
        return shape.metadata  # type: ignore[attr-defined, no-any-return]

    assert meta(_member(org, "OrganizationConformancePackName"))["max"] == API_LIMITS.org_pack_name_max
    assert meta(_member(account, "ConformancePackName"))["max"] == API_LIMITS.account_pack_name_max
    assert meta(_member(org, "OrganizationConformancePackName"))["pattern"] == API_LIMITS.pack_name_pattern
    assert meta(_member(account, "ConformancePackName"))["pattern"] == API_LIMITS.pack_name_pattern
    for shape in (org, account):
        assert meta(_member(shape, "TemplateBody"))["max"] == API_LIMITS.template_body_max_bytes
        assert meta(_member(shape, "TemplateS3Uri"))["max"] == API_LIMITS.template_s3_uri_max
        assert meta(_member(shape, "TemplateS3Uri"))["pattern"] == API_LIMITS.template_s3_uri_pattern
        assert meta(_member(shape, "DeliveryS3Bucket"))["max"] == API_LIMITS.delivery_bucket_max
        assert meta(_member(shape, "DeliveryS3KeyPrefix"))["max"] == API_LIMITS.delivery_prefix_max
        parameters = _member(shape, "ConformancePackInputParameters")
        assert meta(parameters)["max"] == API_LIMITS.input_parameters_max
        item = parameters.member  # type: ignore[attr-defined]
        assert meta(_member(item, "ParameterName"))["max"] == API_LIMITS.parameter_name_max
        assert meta(_member(item, "ParameterValue"))["max"] == API_LIMITS.parameter_value_max
    documentation = " ".join(_member(account, "ConformancePackInputParameters").documentation.split())  # type: ignore[attr-defined]
    assert (
        f"Custom conformance packs can have at most {API_LIMITS.custom_pack_input_parameters_max} input parameters. "
        f"Managed conformance packs can have at most {API_LIMITS.input_parameters_max} input parameters."
    ) in documentation
    value_doc = " ".join(model.shape_for("ConformancePackInputParameter").documentation.split())
    assert f"maximum length of {API_LIMITS.managed_pack_parameter_value_max} characters" in value_doc
    assert f"maximum length of {API_LIMITS.parameter_value_max} characters" in value_doc
    excluded = _member(org, "ExcludedAccounts")
    assert meta(excluded)["max"] == API_LIMITS.excluded_accounts_max
    assert meta(excluded.member)["pattern"] == API_LIMITS.account_id_pattern  # type: ignore[attr-defined]
    rule_name = model.shape_for("ConfigRule").members["ConfigRuleName"]
    assert meta(rule_name)["max"] == API_LIMITS.config_rule_name_max
    assert meta(model.shape_for("ConfigRule").members["InputParameters"])["max"] == API_LIMITS.rule_input_parameters_max
    policy = model.shape_for("CustomPolicyDetails")
    assert meta(policy.members["PolicyText"])["max"] == API_LIMITS.policy_text_max  # type: ignore[attr-defined]
    assert meta(policy.members["PolicyRuntime"])["pattern"] == API_LIMITS.policy_runtime_pattern  # type: ignore[attr-defined]
    remediation = model.shape_for("RemediationConfiguration")
    assert tuple(remediation.members["TargetType"].enum) == API_LIMITS.remediation_target_types  # type: ignore[attr-defined]
    assert meta(remediation.members["Parameters"])["max"] == API_LIMITS.remediation_parameters_max  # type: ignore[attr-defined]
    assert meta(remediation.members["MaximumAutomaticAttempts"]) == {  # type: ignore[attr-defined]
        "min": API_LIMITS.automatic_attempts_min, "max": API_LIMITS.automatic_attempts_max,
    }  # fmt: skip
    assert meta(remediation.members["RetryAttemptSeconds"]) == {  # type: ignore[attr-defined]
        "min": API_LIMITS.retry_attempt_seconds_min, "max": API_LIMITS.retry_attempt_seconds_max,
    }  # fmt: skip
    value = model.shape_for("ResourceValue").members["Value"]  # type: ignore[attr-defined]
    assert tuple(value.enum) == API_LIMITS.remediation_resource_values
    static = model.shape_for("StaticValue").members["Values"]  # type: ignore[attr-defined]
    assert meta(static)["max"] == API_LIMITS.remediation_static_values_max
    assert meta(static.member)["max"] == API_LIMITS.remediation_static_value_max
    for control in ("ConcurrentExecutionRatePercentage", "ErrorPercentage"):
        percentage = model.shape_for("SsmControls").members[control]  # type: ignore[attr-defined]
        assert meta(percentage) == {"min": API_LIMITS.percentage_min, "max": API_LIMITS.percentage_max}
    ssm = botocore.session.get_session().get_service_model("ssm")
    assert ssm.shape_for("DocumentVersion").metadata["pattern"] == API_LIMITS.document_version_pattern
    tags = _member(org, "Tags")
    assert meta(tags)["max"] == API_LIMITS.tags_max
    assert meta(tags.member.members["Key"])["max"] == API_LIMITS.tag_key_max  # type: ignore[attr-defined]
    assert meta(tags.member.members["Value"])["max"] == API_LIMITS.tag_value_max  # type: ignore[attr-defined]
    assert meta(_member(account, "Tags"))["max"] == API_LIMITS.tags_max
    # A delivery bucket is any bucket: the model's limit is S3's naming rule.
    assert API_LIMITS.delivery_bucket_max == API_LIMITS.bucket_name_max


def test_request_file_keys_match_the_botocore_model() -> None:
    from preflight.model.request import REQUEST_KEYS

    model = botocore.session.get_session().get_service_model("config")
    org = model.operation_model("PutOrganizationConformancePack").input_shape
    account = model.operation_model("PutConformancePack").input_shape
    assert REQUEST_KEYS["organization"] == set(org.members)
    assert REQUEST_KEYS["account"] == set(account.members)
