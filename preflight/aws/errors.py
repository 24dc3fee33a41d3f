"""AWS errors as one sentence each, with what to do."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from preflight.aws.replies import reply_text
from preflight.aws.session import NotARegion, redact

# No credentials, profile, Region or endpoint: nothing AWS can be asked, so these end a run (exit 2)
# instead of being recorded as one check that could not run.
ENVIRONMENT_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    TokenRetrievalError,
    SSOError,
    ProfileNotFound,
    NoRegionError,
    EndpointConnectionError,
)

# What AWS answers when the credentials themselves are refused (expired, unknown, badly signed), as
# opposed to a permission the caller lacks: every call would fail the same way, so the run ends.
CREDENTIAL_ERROR_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
     "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature",
     "MissingAuthenticationToken", "AuthFailure", "RequestExpired", "InvalidToken", "TokenRefreshRequired"}
)  # fmt: skip


class CredentialsRefused(Exception):
    """AWS refused the caller's credentials; the message is one line for the user."""


def refuse_credentials(error: BaseException) -> None:
    """Raise CredentialsRefused when `error` says the credentials (not a permission) were refused."""
    if isinstance(error, ClientError) and error_code(error) in CREDENTIAL_ERROR_CODES:
        raise CredentialsRefused(describe_error(error)) from error


# A reply of a shape the model does not promise (a field missing, a string for a list): the check it
# served could not run, and the others go on.
MALFORMED_REPLY = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def malformed(error: Exception) -> str:
    return f"malformed reply from AWS ({type(error).__name__})"


# Every exception PutOrganizationConformancePack and PutConformancePack declare in the botocore model.
PUT_ERRORS: dict[str, str] = {
    "MaxNumberOfOrganizationConformancePacksExceededException": (
        "the organization already has the maximum number of organization conformance packs (50): delete one "
        "you no longer need, or merge packs"
    ),
    "MaxNumberOfConformancePacksExceededException": (
        "the account already has the maximum number of conformance packs (50): delete one, or merge packs"
    ),
    "ResourceInUseException": (
        "a create, update or delete of this pack is still in progress: wait for it to finish "
        "(preflight status NAME) and deploy again"
    ),
    "ValidationException": "AWS rejected the request's parameters: fix what the message names and deploy again",
    "InvalidParameterValueException": "AWS rejected a parameter value: fix what the message names and deploy again",
    "OrganizationAccessDeniedException": (
        "this account may not manage organization conformance packs: run from the management account or a "
        "delegated administrator for config-multiaccountsetup.amazonaws.com (which also needs "
        "organizations:ListDelegatedAdministrators)"
    ),
    "InsufficientPermissionsException": (
        "the caller lacks a permission AWS Config needs: iam:GetRole and iam:CreateServiceLinkedRole for the "
        "service-linked role, s3:GetObject on the template, or ssm:GetDocument"
    ),
    "OrganizationConformancePackTemplateValidationException": (
        "AWS rejected the template (it reports one problem at a time): run preflight check on it, fix, and deploy again"
    ),
    "ConformancePackTemplateValidationException": (
        "AWS rejected the template (it reports one problem at a time): run preflight check on it, fix, and deploy again"
    ),
    "OrganizationAllFeaturesNotEnabledException": (
        "the organization has only consolidated billing: enable all features in AWS Organizations first"
    ),
    "NoAvailableOrganizationException": (
        "the organization is no longer available (deleted, or this account left it): check the account"
    ),
}


def describe_error(error: BaseException) -> str:
    """One line for the user; never includes credentials, nor a password in the endpoint URL."""
    return redact(" ".join(_described(error).split()))


def _described(error: BaseException) -> str:
    if isinstance(error, CredentialsRefused):
        return str(error)
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Error")
        message = reply_text(str(error.response.get("Error", {}).get("Message", "")))
        operation = getattr(error, "operation_name", "")
        if code in CREDENTIAL_ERROR_CODES:
            return (
                f"AWS refused the credentials ({operation}: {code}{': ' + message if message else ''}): renew them "
                "(aws sso login, or new keys) and run again"
            )
        advice = PUT_ERRORS.get(code)
        detail = f": {message}" if message else ""
        text = f"{operation} failed with {code}{detail}"
        return f"{text}; {advice}" if advice else text
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return "no AWS credentials found: set a profile (--profile or AWS_PROFILE) or the AWS_* environment variables"
    if isinstance(error, (CredentialRetrievalError, TokenRetrievalError, SSOError)):
        why = reply_text(str(error))
        return f"the AWS credentials could not be loaded ({why}): renew them (aws sso login) and run again"
    if isinstance(error, ProfileNotFound):
        return f"{error}: check --profile and ~/.aws/config"
    if isinstance(error, NotARegion):
        return str(error)
    if isinstance(error, NoRegionError):
        return "no AWS Region: pass --region or set AWS_REGION"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach AWS: {error}"
    if isinstance(error, BotoCoreError):
        return f"AWS client error: {reply_text(str(error))}"
    return f"{type(error).__name__}: {reply_text(str(error))}"


def error_reason(error: BaseException) -> str:
    """Why a call failed, for a check that could not run: the error's code and text, with any page a
    server answered reduced to its first meaningful line."""
    return redact(f"{error_code(error) or type(error).__name__}: {reply_text(str(error))}")


def error_code(error: BaseException) -> str | None:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "")) or None
    return None
