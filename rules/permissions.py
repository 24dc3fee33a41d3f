"""CP516 and CP517: whether the caller may make the put, as AWS checks it when the put arrives or an
hour later: the service-linked role and trusted access AWS Config needs, and the actions the put
needs as IAM's policy simulator judges them for the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from preflight.api import ORGANIZATION_PRESENT, Context, Fact, Issue, Phase, Severity, rule

if TYPE_CHECKING:
    from preflight.api import AwsFacts, Simulated

MULTI_ACCOUNT_SERVICE = "config-multiaccountsetup.amazonaws.com"
CONFORMS_SERVICE = "config-conforms.amazonaws.com"
CREATE_ROLE = "iam:CreateServiceLinkedRole"
ENABLE_ACCESS = "organizations:EnableAWSServiceAccess"
LIST_ADMINISTRATORS = "organizations:ListDelegatedAdministrators"


def _organization_pack(ctx: Context) -> bool:
    return ctx.request.scope == "organization" and ctx.aws.organization == ORGANIZATION_PRESENT


def _delegated(facts: AwsFacts) -> bool:
    """The caller is a delegated administrator, not the management account."""
    return None not in (facts.caller_account, facts.management_account) and (
        facts.caller_account != facts.management_account
    )


def _verdict(facts: AwsFacts, action: str) -> Simulated | None:
    """The simulator's row for `action` when it does not allow it to the caller."""
    for row in facts.simulated or ():
        if row.action == action and row.decision != "allowed":
            return row
    return None


def _doubt(row: Simulated) -> str:
    """Why a denial the simulator reports is not certain: what it does not see, and what denied."""
    said = f"IAM's policy simulator decided {row.decision}"
    if row.missing_context:
        return f"{said} without {', '.join(row.missing_context)}"
    causes = [
        cause
        for cause, present in (
            ("an SCP denies it, and the simulator leaves out SCPs' conditions", row.allowed_by_organizations is False),
            ("the permissions boundary denies it", row.allowed_by_boundary is False),
        )
        if present
    ]
    if not causes and row.decision == "implicitDeny":
        causes.append("no statement allows it on every resource, and an allow scoped to resources is not seen")
    return f"{said} ({'; '.join(causes) or 'no statement of the caller denies it'})"


@rule("CP516", "service-access-missing", Severity.ERROR, tags=("online", "permissions"), phase=Phase.ONLINE)
def service_access_missing(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Checks the two things AWS Config sets up on the first put, when the caller may not set them up:
    the service-linked role (`AWSServiceRoleForConfigMultiAccountSetup` for an organization pack,
    `AWSServiceRoleForConfigConforms` for an account pack) and, for an organization pack, trusted
    access for `config-multiaccountsetup.amazonaws.com`. Either is an error when it is missing and
    an explicit Deny in the caller's own policies denies `iam:CreateServiceLinkedRole` or
    `organizations:EnableAWSServiceAccess` (as IAM's policy simulator reads them; any other denial
    is a warning that it could not be verified), and the role always when the caller is a delegated
    administrator, for whom AWS Config does not create it.

    ## Why is this bad?
    The put fails with InsufficientPermissionsException ("you do not have permissions to call IAM
    GetRole action or create a service-linked role").

    ## Example
    A first organization pack deployed from a delegated administrator account.

    ## Use instead
    Create the role once (`aws iam create-service-linked-role --aws-service-name
    config-multiaccountsetup.amazonaws.com`) and enable trusted access from the management account
    (`aws organizations enable-aws-service-access --service-principal
    config-multiaccountsetup.amazonaws.com`).

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack: it "enables organization
      service access for config-multiaccountsetup.amazonaws.com through the EnableAWSServiceAccess
      action and creates a service-linked role AWSServiceRoleForConfigMultiAccountSetup ... The
      service-linked role is created only when the role does not exist in the caller account."
    - [documented] AWS Config API Reference, InsufficientPermissionsException, for PutConformancePack
      and PutOrganizationConformancePack: "You do not have permission to call IAM GetRole action or
      create a service-linked role."
    - [documented] AWS Config Developer Guide, conformance-pack-organization-apis: "be aware that AWS
      Config won't automatically create the service-linked role (SLR)" for a delegated administrator.
    """
    facts = ctx.aws
    organization = _organization_pack(ctx)
    if ctx.request.scope == "organization" and not organization:
        return  # no organization: CP501 says so
    role = "AWSServiceRoleForConfigMultiAccountSetup" if organization else "AWSServiceRoleForConfigConforms"
    service = MULTI_ACCOUNT_SERVICE if organization else CONFORMS_SERVICE
    account = facts.caller_account or "the caller's account"
    create = f"create it once: aws iam create-service-linked-role --aws-service-name {service}"
    if facts.service_linked_role is False:
        if organization and _delegated(facts):
            yield Issue(
                f"service-linked role {role} is not in account {account}, and AWS Config does not create it for a "
                "delegated administrator: the put fails with InsufficientPermissionsException",
                fix=create,
                where="request",
            )
        elif (row := _verdict(facts, CREATE_ROLE)) and row.certainly_denied:
            yield Issue(
                f"service-linked role {role} is not in account {account}, and the caller may not create it "
                f"({CREATE_ROLE}: denied by the caller's own policies): the put fails with "
                "InsufficientPermissionsException",
                fix=f"{create} (as an administrator), or allow {CREATE_ROLE}",
                where="request",
            )
        elif row:
            yield Issue.could_not_check(
                f"whether the caller may create service-linked role {role}, which is not in account {account}",
                _doubt(row),
            )
    elif facts.service_linked_role is None and (reason := facts.why_unavailable(Fact.SERVICE_LINKED_ROLE)):
        yield Issue.could_not_check(f"whether service-linked role {role} exists", reason)
    if not organization or _delegated(facts):
        return  # a delegated administrator is registered only once trusted access is enabled
    enable = (
        f"enable it once from the management account: aws organizations enable-aws-service-access "
        f"--service-principal {MULTI_ACCOUNT_SERVICE}"
    )
    if facts.trusted_access is False and (row := _verdict(facts, ENABLE_ACCESS)) and row.certainly_denied:
        yield Issue(
            f"trusted access for {MULTI_ACCOUNT_SERVICE} is not enabled, and the caller may not enable it "
            f"({ENABLE_ACCESS}: denied by the caller's own policies): the put fails",
            fix=enable,
            where="request",
        )
    elif facts.trusted_access is False and row:
        yield Issue.could_not_check(
            f"whether the caller may enable trusted access for {MULTI_ACCOUNT_SERVICE}, which is not enabled",
            _doubt(row),
        )
    elif facts.trusted_access is None and (reason := facts.why_unavailable(Fact.TRUSTED_ACCESS)):
        yield Issue.could_not_check(f"whether trusted access for {MULTI_ACCOUNT_SERVICE} is enabled", reason)


@rule("CP517", "put-not-permitted", Severity.ERROR, tags=("online", "permissions"), phase=Phase.ONLINE)
def put_not_permitted(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Asks IAM's policy simulator (`iam:SimulatePrincipalPolicy`) whether the caller's user or role may
    perform each action the put needs: the permissions CloudFormation's registry lists for creating
    an `AWS::Config::OrganizationConformancePack` (or `AWS::Config::ConformancePack`), `iam:GetRole`,
    `s3:GetObject` on the template object, and `ssm:GetDocument` for a template in an SSM document.
    An action an explicit Deny in the caller's own policies (user, group, role or managed policy)
    denies is an error naming it. Any other denial is a warning, could not verify: the simulator is
    asked about every resource (`*`), so an allow scoped to the pack's bucket or documents reads as an
    implicit deny, and it does not see an SCP's or a permissions boundary's conditions. The
    service-linked role's and trusted access's actions are CP516's, and only when needed.

    ## Why is this bad?
    The put is refused (AccessDeniedException), or fails with InsufficientPermissionsException.

    ## Example
    A deployment role with `config:PutOrganizationConformancePack` but not `iam:GetRole`.

    ## Use instead
    Remove the Deny from the caller's policies (or narrow it), and check the organization's SCPs and
    any permissions boundary.

    ## References
    - [documented] AWS Config API Reference, InsufficientPermissionsException, for PutConformancePack
      and PutOrganizationConformancePack: "You do not have permission to call IAM GetRole action ...
      You do not have permission to read Amazon S3 bucket or call SSM:GetDocument."
    - [documented] The CloudFormation registry schemas of AWS::Config::OrganizationConformancePack and
      AWS::Config::ConformancePack, handlers.create.permissions (as cfn-lint ships them).
    - [documented] IAM API Reference, SimulatePrincipalPolicy: session policies are not evaluated;
      [reported] aws/aws-sdk#102: SCP conditions the simulator cannot evaluate. Hence "could not
      verify", never an error, for those.
    """
    facts = ctx.aws
    if facts.simulated is None:
        if reason := facts.why_unavailable(Fact.PERMISSIONS):
            yield Issue.could_not_check("the caller's permissions for the put", reason)
        return
    skipped = {CREATE_ROLE, ENABLE_ACCESS}
    if not _delegated(facts):
        skipped.add(LIST_ADMINISTRATORS)  # AWS asks it of a delegated administrator only
    caller = facts.caller_arn or f"account {facts.caller_account or '(unknown)'}"
    reported: set[str] = set()
    for row in facts.simulated:
        if row.action in skipped or row.decision == "allowed" or row.action in reported:
            continue
        reported.add(row.action)
        if not row.certainly_denied:
            yield Issue.could_not_check(f"whether {caller} may {row.action}", _doubt(row))
            continue
        yield Issue(
            f"{caller} may not {row.action} (an explicit Deny in the caller's own policies, as IAM's policy "
            "simulator reads them): the put is refused or fails with InsufficientPermissionsException",
            fix=f"remove or narrow the Deny of {row.action} in the caller's policies",
            where="request",
        )
