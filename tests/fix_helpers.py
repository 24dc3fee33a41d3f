"""What the tests of `--fix` share (tests/test_fix_*.py): the rules they select, and a small pack whose
one unused parameter --fix removes."""

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
