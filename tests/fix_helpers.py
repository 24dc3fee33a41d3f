"""What the tests of `--fix` share (tests/test_fix_*.py): the rules they select, and the small packs
more than one of them fixes: one whose unused parameter goes, a YAML pack with a fix of each kind, a
password policy whose boolean is quoted."""

from __future__ import annotations

# These tests are about fixes: the rules that make them, and those whose findings a fixed pack must
# still show or no longer show. Another rule's findings on these packs are not theirs to pin.
FIX_RULES = (
    "--select",
    "CP002,CP003,CP004,CP007,CP208,CP209,CP212,CP302,CP304,CP305,CP401,CP402,CP403,CP404,CP406,CP407,CP410",
)

RULE = """\
Resources:
  Keys:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters:
        maxAccessKeyAge: !Ref Age
      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}
"""


UNUSED = "Parameters:\n  Age: {Type: String, Default: '90'}\n  Unused: {Type: String, Default: x}\n" + RULE


YAML_PACK = """\
# Password policy pack: kept by the platform team.
Parameters:
  MaxAge:
    Type: String
    Default: "90"  # days
  Leftover: {Type: String, Default: x}
  OnlyInCondition:
    Type: String
    Default: ""
Conditions:
  HasOnly: !Not [!Equals ["", !Ref OnlyInCondition]]
Resources:
  PasswordPolicy:
    Type: AWS::Config::ConfigRule
    Properties:
      InputParameters:
        RequireSymbols: 'TRUE'   # the FedRAMP way
        MaxPasswordAge: 90
        MinimumPasswordLength: !Ref MaxAge
      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}
  ElbLogging:
    Type: AWS::Config::ConfigRule
    Properties:
      Source:
        Owner: AWS
        SourceIdentifier: ELB_LOGGING_ENABLED
      MaximumExecutionFrequency: TwentyFour_Hours
      Scope:
        ComplianceResourceTypes: [AWS::ElasticLoadBalancing::LoadBalancer]
"""


POLICY_PACK = (
    "Resources:\n  Policy:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters:\n"
    "        RequireSymbols: TRUE\n      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
)
