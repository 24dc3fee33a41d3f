"""The runbook catalog: built from AWS's runbook reference by preflight.knowledge.runbooks, shipped as
package data. A page of the reference, as it was written, parses to the entry the package ships; with
a clone of the reference's repository at hand, the whole catalog is rebuilt and compared."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.knowledge.runbooks import PAGES_COMMIT, RUNBOOKS_FILE, build, covers, load_runbooks, parse_page
from tests.conftest import REPO

INDEX = REPO / "docs" / "catalogs" / "runbook-index.txt"
PAGES = Path("/work/.mirror/awsdocs+aws-systems-manager-user-guide/repo")
# doc_source/automation-aws-configures3bucketlogging.md of awsdocs/aws-systems-manager-user-guide at
# a7e29b69 (2021-05-07), the parameters part as written, escapes and an unmarked optional one included.
LOGGING_PAGE = r"""# AWS\-ConfigureS3BucketLogging<a name="automation-aws-configures3bucketlogging"></a>

**Description**

Enable logging on an Amazon Simple Storage Service \(Amazon S3\) bucket\.

**Parameters**
+ AutomationAssumeRole

  Type: String

  Description: \(Optional\) The Amazon Resource Name \(ARN\) of the AWS Identity and Access Management \(IAM\) role that allows Systems Manager Automation to perform the actions on your behalf\.
+ BucketName

  Type: String

  Description: \(Required\) The name of the Amazon S3 Bucket for which you want to configure logging\.
+ GrantedPermission

  Type: String

  Valid values: FULL\_CONTROL \| READ \| WRITE

  Description: \(Required\) Logging permissions assigned to the grantee for the bucket\.
+ GranteeEmailAddress

  Type: String

  \(Optional\) Email address of the grantee\.
+ GranteeId

  Type: String

  Description: \(Optional\) The canonical user ID of the grantee\.
+ GranteeType

  Type: String

  Valid values: CanonicalUser \| AmazonCustomerByEmail \| Group

  Description: \(Required\) Type of grantee\.
+ GranteeUri

  Type: String

  Description: \(Optional\) URI of the grantee group\.
+ TargetBucket

  Type: String

  Description: \(Required\) Specifies the bucket where you want Amazon S3 to store server access logs\.
+ TargetPrefix

  Type: String

  Default: /

  Description: \(Optional\) Specifies a prefix for the keys under which the log files will be stored\.

**Required IAM permissions**
"""
# The same runbook's page in today's reference (docs.aws.amazon.com/systems-manager-automation-runbooks),
# as it is written now: backticks around the name, no escapes.
CURRENT_PAGE = """# `AWSConfigRemediation-RestrictBucketSSLRequestsOnly`
<a name="automation-aws-s3-deny-http"></a>

**Parameters**
+ AutomationAssumeRole

  Type: String

  Description: (Required) The Amazon Resource Name (ARN) of the AWS Identity and Access Management (IAM) role that allows Systems Manager Automation to perform the actions on your behalf.
+ BucketName

  Type: String

  Description: (Required) The name of the S3 bucket that you want to deny HTTP requests.

**Required IAM permissions**
"""


def _shipped(name: str) -> dict[str, object]:
    entry = json.loads(RUNBOOKS_FILE.read_text())["runbooks"][name]
    assert isinstance(entry, dict)
    return entry


def test_a_page_of_the_reference_parses_to_the_entry_the_package_ships() -> None:
    parsed = parse_page(LOGGING_PAGE)
    assert parsed is not None
    name, parameters = parsed
    assert name == "AWS-ConfigureS3BucketLogging"
    assert parameters == _shipped(name)["parameters"]
    assert parameters["GrantedPermission"] == {
        "type": "String", "required": True, "default": None, "allowed": ["FULL_CONTROL", "READ", "WRITE"],
    }  # fmt: skip
    assert parameters["TargetPrefix"] == {"type": "String", "required": False, "default": "/", "allowed": None}
    assert parameters["GranteeEmailAddress"]["required"] is False  # "(Optional)" without "Description:"
    current = parse_page(CURRENT_PAGE)
    assert current is not None and current[1] == _shipped(current[0])["parameters"]


def test_a_page_that_is_no_runbook_s_is_not_one() -> None:
    assert parse_page('# Running automations<a name="x"></a>\n\n**Parameters**\n+ X\n') is None


def test_lookups_ignore_case_and_a_runbook_known_by_name_has_no_parameters() -> None:
    catalog = load_runbooks()
    assert len(catalog) == 320 and catalog.with_parameters == 175
    ssl = catalog.get("awsconfigremediation-restrictbucketsslrequestsonly")
    assert ssl is not None and ssl.name == "AWSConfigRemediation-RestrictBucketSSLRequestsOnly"
    assert ssl.parameters is not None and ssl.parameters["BucketName"].required is True
    newer = catalog.get("AWSConfigRemediation-DeleteOpenSearchDomain")  # only in today's index
    assert newer is not None and newer.parameters is None
    assert catalog.get("AWS-NoSuchRunbook") is None
    names = [line for line in INDEX.read_text().splitlines() if line]
    assert all(catalog.get(name) is not None for name in names)
    assert covers("AWSEC2-SQLServerDBRestore") and not covers("Acme-Fix") and not covers("arn:aws:ssm:x")


def test_build_takes_the_index_spelling_of_a_name_both_sources_have() -> None:
    catalog = build({"page": LOGGING_PAGE.replace("ConfigureS3BucketLogging", "Configures3bucketLogging")},
                    ["AWS-ConfigureS3BucketLogging", "AWS-Newer"], "2030-01-01", "pages", "index")  # fmt: skip
    assert list(catalog["runbooks"]) == ["AWS-ConfigureS3BucketLogging", "AWS-Newer"]
    assert catalog["runbooks"]["AWS-Newer"] == {"parameters": None, "source": "index"}
    assert catalog["date"] == "2030-01-01"


@pytest.mark.skipif(not PAGES.is_dir(), reason=f"no clone of awsdocs/aws-systems-manager-user-guide at {PAGES}")
def test_the_shipped_catalog_is_what_the_reference_builds(tmp_path: Path) -> None:
    output = tmp_path / "runbooks.json"
    subprocess.run(
        [sys.executable, "-m", "preflight.knowledge.runbooks", "build", "--pages", str(PAGES), "--commit",
         PAGES_COMMIT, "--index", str(INDEX), "--date", load_runbooks().date, "--output", str(output)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert output.read_text() == RUNBOOKS_FILE.read_text()
