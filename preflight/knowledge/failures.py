"""Which online check predicts a failure a rollout reports: an account's error code (and message) in a
pack's detailed status, mapped to the rules of `check --online` that look for it before the put."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Predictor:
    rules: tuple[str, ...]
    needs_member_role: bool  # the check looks into member accounts only with --member-role


_BY_CODE = {
    "NoAvailableConfigurationRecorderException": Predictor(("CP510",), True),
    "MaxNumberOfConfigRulesExceededException": Predictor(("CP509", "CP511"), True),
    "InsufficientPermissionsException": Predictor(("CP515", "CP516", "CP517"), False),
    "MaxNumberOfConformancePacksExceededException": Predictor(("CP505",), False),
    "MaxNumberOfOrganizationConformancePacksExceededException": Predictor(("CP505",), False),
    "OrganizationAccessDeniedException": Predictor(("CP503",), False),
    "OrganizationAllFeaturesNotEnabledException": Predictor(("CP502",), False),
    "NoAvailableOrganizationException": Predictor(("CP501",), False),
}
_CANNOT_BE_INVOKED = Predictor(("CP515",), False)


def predictor(error_code: str, error_message: str = "") -> Predictor | None:
    """The checks that would have caught an account's failure, when there are any."""
    if "cannot be invoked" in error_message:
        return _CANNOT_BE_INVOKED
    return _BY_CODE.get(error_code)
