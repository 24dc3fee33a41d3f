"""Wall time of `preflight check --online --member-role ...` against moto's server on 127.0.0.1 for
organizations of growing size: every member account is looked into (assume the role, read its
recorder and rules), 16 at a time. Half the accounts record; the other half have no recorder, so the
run ends with one CP510 error for each. Whole processes, the median of a few runs; moto answers in
well under a millisecond, so this measures preflight's own cost and its concurrency, not AWS's.

    python bench/members_speed.py [--runs 3] [--accounts 50,500]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

PACK = """\
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: versioning
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""


# moto accepts any credentials; these keep the bench off the machine's own (none, or real ones).
STAND_IN_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _record(client: Any, account: str) -> None:
    client("s3").create_bucket(Bucket=f"config-{account}")
    config = client("config")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{account}:role/config", "recordingGroup": {"allSupported": True},
    })  # fmt: skip
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"config-{account}"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def organization(url: str, accounts: int) -> None:
    import requests

    requests.post(f"{url}/moto-api/reset", timeout=10)

    def client(service: str, **credentials: str) -> Any:
        credentials = credentials or STAND_IN_CREDENTIALS
        return boto3.client(service, endpoint_url=url, region_name="us-east-1", **credentials)

    organizations = client("organizations")
    management = organizations.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    _record(client, management)
    for index in range(accounts):
        created = organizations.create_account(Email=f"m{index}@example.com", AccountName=f"member-{index}")
        number = created["CreateAccountStatus"]["AccountId"]
        if index % 2 == 0:
            given = client("sts").assume_role(RoleArn=f"arn:aws:iam::{number}:role/OrganizationAccountAccessRole",
                                              RoleSessionName="bench")["Credentials"]  # fmt: skip
            member = {"aws_access_key_id": given["AccessKeyId"], "aws_secret_access_key": given["SecretAccessKey"],
                      "aws_session_token": given["SessionToken"]}  # fmt: skip
            _record(lambda service, member=member: client(service, **member), number)


def timed(url: str, pack: Path) -> tuple[float, int]:
    command = [str(Path(sys.executable).with_name("preflight")), "check", "--online", "--endpoint-url", url,
               "--member-role", "OrganizationAccountAccessRole", "--name", "bench", "--format", "json",
               str(pack)]  # fmt: skip
    environment = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                   "AWS_SHARED_CREDENTIALS_FILE": os.devnull}  # fmt: skip
    environment.pop("AWS_SESSION_TOKEN", None)
    environment.pop("AWS_PROFILE", None)
    start = time.perf_counter()
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    errors = json.loads(result.stdout)["summary"]["error"]
    return elapsed, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--accounts", default="50,500")
    options = parser.parse_args()
    port = _port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    print("| member accounts | errors (no recorder) | check --online --member-role s |")
    print("|---|---|---|")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            pack = Path(scratch) / "pack.yaml"
            pack.write_text(PACK)
            for accounts in (int(count) for count in options.accounts.split(",")):
                organization(url, accounts)
                runs = [timed(url, pack) for _ in range(options.runs)]
                median = statistics.median(seconds for seconds, _errors in runs)
                print(f"| {accounts:,} | {runs[0][1]:,} | {median:.2f} |")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
