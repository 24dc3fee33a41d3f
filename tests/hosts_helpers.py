"""What the tests of packs inside their hosts share (tests/test_hosts_*.py): a pack's body, the
CloudFormation stack that holds it, the rules they select and a `check` of a host, its findings as
rows."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, run_cli

Row = tuple[str, str, int, int, str]  # rule, severity, line, column, message

BODY = """\
Parameters:
  Frequency:
    Type: String
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: versioning
      MaximumExecutionFrequency: !Ref Frequency
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
  Encryption:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: !Ref EncryptionRuleName
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED
"""


def _stack(body: str, value: str = "Hourly") -> str:
    indented = "".join(f"        {line}\n" if line else "\n" for line in body.splitlines())
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Alerts:
    Type: AWS::SNS::Topic
  Baseline:
    Type: AWS::Config::OrganizationConformancePack
    Properties:
      OrganizationConformancePackName: s3-baseline
      ExcludedAccounts: ["111122223333"]
      ConformancePackInputParameters:
        - ParameterName: Frequency
          ParameterValue: {value}
      TemplateBody: |
{indented}Outputs:
  Topic:
    Value: !Ref Alerts
"""


def _rows(result: Run) -> list[Row]:
    return [(str(f["rule"]), str(f["severity"]), int(f["line"]), int(f["column"]), str(f["message"]))  # type: ignore[call-overload]
            for f in result.findings]  # fmt: skip


# These tests are about where a host's pack is checked and what the host gives it: the rules whose
# findings their stacks and modules show. Another rule's findings on them are not theirs to pin.
HOST_RULES = ("--select", "CP009,CP010,CP110,CP120,CP201,CP206,CP210,CP212,CP301,CP303,CP305,CP404,CP407,CP408")


def _check(path: Path, *args: str) -> Run:
    return run_cli(["check", "--no-cache", "--format", "json", *HOST_RULES, *args, str(path)])
