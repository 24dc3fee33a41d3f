"""Deploy sends exactly what passed, and network faults neither hang it nor repeat a put: the AWS stand-in
behind a proxy that swaps files, expires tokens, loses answers and hangs calls."""

from __future__ import annotations

import json
from pathlib import Path

from tests.aws_stand_in import StandIn
from tests.conftest import FIXTURES, run_cli
from tests.fault_proxy import Fault, FaultProxy

SMALL = FIXTURES / "packs" / "s3-baseline.yaml"
LARGE = FIXTURES / "CP101" / "bad_over_limit.yaml"
BROKEN = SMALL.read_text().replace("AWS::Config::ConfigRule", "AWS::S3::Bucket", 1)
FAST = ["--poll-interval", "0", "--busy-timeout", "5"]
# These tests are about what deploy does, not which findings its check gate has: the gate runs the
# rules of the request, its parameters and the online facts (the template's rules are check's tests').
GATE = ["--select", "CP1,CP3,CP5"]
EXPIRED = json.dumps(
    {"__type": "ExpiredTokenException", "message": "The security token included in the request is expired"}
)
STS_EXPIRED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
    b"<Message>The security token included in the request is expired</Message></Error></ErrorResponse>"
)


def _organization(aws: StandIn) -> None:
    aws.client("organizations").create_organization(FeatureSet="ALL")


def _run(proxy: FaultProxy, *args: str) -> tuple[int, str, str]:
    result = run_cli([args[0], *proxy.args(), *args[1:]])
    return result.exit_code, result.stdout, result.stderr


def _bucket(aws: StandIn, key: str, body: str) -> str:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="pack-templates")
    s3.put_object(Bucket="pack-templates", Key=key, Body=body.encode())
    return f"s3://pack-templates/{key}"


def test_a_template_only_in_s3_is_fetched_and_linted_before_the_put(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    uri = _bucket(aws, "broken.yaml", BROKEN)
    code, out, _err = _run(fault_proxy, "deploy", *FAST, "--name", "x", "--template-s3-uri", uri)
    assert code == 1, out
    assert f"{uri}:" in out and "error CP201 unsupported-resource-type" in out
    assert "refusing to deploy x: 1 error above must be fixed first" in out
    assert aws.scenario.puts == [] and "PutOrganizationConformancePack" not in fault_proxy.seen

    good = _bucket(aws, "good.yaml", SMALL.read_text())
    code, out, _err = _run(fault_proxy, "deploy", *FAST, "--name", "x", "--template-s3-uri", good)
    assert code == 0, out
    assert [put["template_s3_uri"] for put in aws.scenario.puts] == [good]
    assert f"template already in S3 at {good}, checked as fetched (ETag " in out


def test_an_s3_template_that_changes_after_it_was_checked_is_not_put(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    uri = _bucket(aws, "pack.yaml", SMALL.read_text())
    swap = lambda: aws.client("s3").put_object(Bucket="pack-templates", Key="pack.yaml", Body=BROKEN.encode())  # noqa: E731
    fault_proxy.faults.append(Fault("GetCallerIdentity", "meanwhile", before=swap))
    code, _out, err = _run(fault_proxy, "deploy", *FAST, "--name", "x", "--template-s3-uri", uri)
    assert code == 1
    assert err == f"preflight: error: {uri} changed after it was checked; nothing was put: deploy again\n"
    assert aws.scenario.puts == []


def test_the_local_file_is_read_once_so_a_swap_never_reaches_the_put(
    aws: StandIn, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    _organization(aws)
    pack = tmp_path / "pack.yaml"
    pack.write_text(SMALL.read_text())
    fault_proxy.faults.append(Fault("GetCallerIdentity", "meanwhile", before=lambda: pack.write_text(BROKEN)))
    code, out, _err = _run(fault_proxy, "deploy", *FAST, "--name", "x", str(pack))
    assert code == 0, out
    assert pack.read_text() == BROKEN  # the file did change during the deploy
    assert [put["template_body"] for put in aws.scenario.puts] == [SMALL.read_text()]  # the bytes that passed


def test_an_upload_is_read_back_and_the_minified_body_is_the_checked_template(
    aws: StandIn, fault_proxy: FaultProxy
) -> None:
    _organization(aws)
    aws.client("s3").create_bucket(Bucket="pack-templates")
    code, out, _err = _run(
        fault_proxy, "deploy", *FAST, "--name", "big", "--template-bucket", "pack-templates", str(LARGE)
    )
    assert code == 0, out
    assert fault_proxy.seen.count("S3 PUT") == 1 and "S3 GET" in fault_proxy.seen  # uploaded once, read back
    code, out, _err = _run(fault_proxy, "deploy", *FAST, "--name", "big", "--minify", str(LARGE))
    assert code == 0, out
    from preflight.load.parsing import load_template_file

    checked = load_template_file(LARGE, str(LARGE)).document
    assert checked is not None and json.loads(aws.scenario.puts[-1]["template_body"]) == checked.data


def test_refused_credentials_end_the_run_before_any_put(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    fault_proxy.faults.append(Fault("GetCallerIdentity", "respond", times=10, status=403, body=STS_EXPIRED,
                                    content_type="text/xml"))  # fmt: skip
    code, out, err = _run(fault_proxy, "check", "--online", "--name", "x", str(SMALL))
    assert (code, out) == (2, "")
    assert err == (
        "preflight: error: AWS refused the credentials (GetCallerIdentity: ExpiredToken: The security token included "
        "in the request is expired): renew them (aws sso login, or new keys) and run again\n"
    )
    code, out, err = _run(fault_proxy, "deploy", *FAST, "--name", "x", str(SMALL))
    assert code == 2 and err.startswith(
        "preflight: error: AWS refused the credentials (GetCallerIdentity: ExpiredToken"
    )
    assert aws.scenario.puts == []


def test_an_expired_token_on_a_later_call_also_ends_the_run(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    fault_proxy.faults.append(Fault("DescribeConfigRules", "respond", times=10, status=400, body=EXPIRED.encode(),
                                    content_type="application/x-amz-json-1.1"))  # fmt: skip
    code, _out, err = _run(fault_proxy, "deploy", *FAST, "--name", "x", str(SMALL))
    assert code == 2
    assert err.startswith("preflight: error: AWS refused the credentials (DescribeConfigRules: ExpiredTokenException")
    assert aws.scenario.puts == []


def test_a_permission_denied_on_one_read_stays_a_warning_naming_the_check(
    aws: StandIn, fault_proxy: FaultProxy
) -> None:
    _organization(aws)
    denied = json.dumps({"__type": "AccessDeniedException", "message": "not allowed"}).encode()
    fault_proxy.faults.append(Fault("DescribeConfigRules", "respond", times=10, status=400, body=denied,
                                    content_type="application/x-amz-json-1.1"))  # fmt: skip
    result = run_cli(["check", "--online", *fault_proxy.args(), "--format", "json", "--name", "x", str(SMALL)])
    assert result.exit_code == 0, result.stderr
    warnings = [(f["rule"], f["severity"], f["message"]) for f in result.findings if f["rule"] == "CP509"]
    assert warnings == [
        ("CP509", "warning", "could not check the number of config rules in the account: AccessDeniedException: "
         "An error occurred (AccessDeniedException) when calling the DescribeConfigRules operation: not allowed")
    ]  # fmt: skip


def test_a_put_whose_answer_is_lost_is_sent_once_and_then_looked_up(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    fault_proxy.faults.append(Fault("PutOrganizationConformancePack", "lose"))
    code, out, _err = _run(fault_proxy, "deploy", *FAST, "--name", "x", str(SMALL))
    assert fault_proxy.seen.count("PutOrganizationConformancePack") == 1 and len(aws.scenario.puts) == 1
    assert "the answer to the put of x was lost" in out and "looking up whether AWS took it" in out
    assert "AWS has x (CREATE_SUCCESSFUL): the put was accepted, and is not sent again" in out
    assert code == 0, out


def test_a_proxy_s_503_on_the_put_is_looked_up_and_the_put_sent_again_when_aws_never_saw_it(
    aws: StandIn, fault_proxy: FaultProxy
) -> None:
    """The proxy answers the put itself (AWS never saw it): AWS has no such pack, so it is sent again."""
    _organization(aws)
    fault_proxy.faults.append(
        Fault("PutOrganizationConformancePack", "respond", status=503, body=b"Service Unavailable")
    )
    code, out, err = _run(fault_proxy, "deploy", *FAST, "--name", "x", str(SMALL))
    assert (code, err) == (0, "")
    assert fault_proxy.seen.count("PutOrganizationConformancePack") == 2 and len(aws.scenario.puts) == 1
    assert (
        "the answer to the put of x was lost (PutOrganizationConformancePack failed with ServiceUnavailable: HTTP "
        "503: Service Unavailable); looking up whether AWS took it\n"
        "AWS shows no such pack: the put was not applied; sending it again (2 of 3)\n"
    ) in out
    assert "put x: accepted by AWS Config" in out


def test_a_put_aws_never_takes_is_sent_three_times_and_fails(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    fault_proxy.faults.append(
        Fault("PutOrganizationConformancePack", "respond", times=5, status=503, body=b"Service Unavailable")
    )
    code, out, err = _run(fault_proxy, "deploy", *FAST, "--format", "json", "--name", "x", str(SMALL))
    assert code == 1 and fault_proxy.seen.count("PutOrganizationConformancePack") == 3 and aws.scenario.puts == []
    assert err.endswith("preflight: error: AWS did not take the put of x in 3 attempts; deploy again later\n")
    assert [(p["result"], p["error"]) for p in json.loads(out)["packs"]] == [
        ("failed", "AWS did not take the put of x in 3 attempts; deploy again later")
    ]


def test_a_proxy_s_plain_text_503_is_retried_like_an_aws_one(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    fault_proxy.faults.append(Fault("GetCallerIdentity", "respond", status=503, body=b"Service Unavailable"))
    fault_proxy.faults.append(Fault("S3 HEAD", "respond", status=502, content_type="text/html",
                                    body=b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"))  # fmt: skip
    result = run_cli(["check", "--online", *fault_proxy.args(), *GATE, "--format", "json", "--name", "x",
                      "--delivery-bucket", "awsconfigconforms-results", str(SMALL)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert fault_proxy.seen.count("GetCallerIdentity") == 2  # the 503, then the retry
    assert [f["rule"] for f in result.findings] == ["CP508"]  # the bucket does not exist: found after the 502


def test_a_page_of_html_from_a_gateway_is_reported_by_its_status_and_title(
    aws: StandIn, fault_proxy: FaultProxy
) -> None:
    _organization(aws)
    page = b"<html><head><title>504 Gateway Time-out</title></head><body><h1>504</h1></body></html>"
    fault_proxy.faults.append(Fault("GetCallerIdentity", "respond", times=10, status=504, body=page,
                                    content_type="text/html"))  # fmt: skip
    result = run_cli(["check", "--online", *fault_proxy.args(), "--format", "json", "--name", "x", str(SMALL)])
    assert result.exit_code == 0, result.stderr
    assert fault_proxy.seen.count("GetCallerIdentity") == 5  # retried as an AWS 5xx is
    messages = [str(f["message"]) for f in result.findings]
    assert messages and all("<" not in message for message in messages)
    assert (
        "could not check the caller's account: GatewayTimeout: An error occurred (GatewayTimeout) when calling the "
        "GetCallerIdentity operation (reached max retries: 4): 504 Gateway Time-out"
    ) in messages


def test_status_stops_at_its_timeout_when_a_call_hangs(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    assert _run(fault_proxy, "deploy", *FAST, "--no-wait", "--name", "x", str(SMALL))[0] == 0
    aws.scenario.in_progress_polls = 100
    # The first look is answered, the next one hangs: the rollout is seen, and goes on in AWS.
    hang = Fault("DescribeOrganizationConformancePackStatuses", "hang", times=10)
    fault_proxy.faults.append(
        Fault(
            "DescribeOrganizationConformancePackStatuses", "meanwhile", before=lambda: fault_proxy.faults.append(hang)
        )
    )
    code, out, err = _run(fault_proxy, "status", "x", "--timeout", "2", "--poll-interval", "0")
    assert (code, err) == (1, "")
    assert out.splitlines()[-1] == (
        "x: not finished before the timeout (0/1 accounts done, 0 failed (CREATE_IN_PROGRESS)); "
        "resume with: preflight status x"
    )


def test_status_whose_first_look_hangs_could_not_read_anything(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    assert _run(fault_proxy, "deploy", *FAST, "--no-wait", "--name", "x", str(SMALL))[0] == 0
    fault_proxy.faults.append(Fault("DescribeOrganizationConformancePackStatuses", "hang", times=10))
    code, out, err = _run(fault_proxy, "status", "x", "--timeout", "2", "--poll-interval", "0")
    assert (code, out, err) == (2, "", "preflight: error: AWS did not answer within 2 s\n")


def test_status_with_refused_credentials_is_one_line_and_exit_2(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    assert _run(fault_proxy, "deploy", *FAST, "--no-wait", "--name", "x", str(SMALL))[0] == 0
    fault_proxy.faults.append(Fault("DescribeOrganizationConformancePackStatuses", "respond", times=10, status=400,
                                    body=EXPIRED.encode(), content_type="application/x-amz-json-1.1"))  # fmt: skip
    code, out, err = _run(fault_proxy, "status", "x", "--poll-interval", "0")
    assert (code, out) == (2, "")
    assert err == (
        "preflight: error: AWS refused the credentials (DescribeOrganizationConformancePackStatuses: "
        "ExpiredTokenException: The security token included in the request is expired): renew them (aws sso login, "
        "or new keys) and run again\n"
    )


def test_a_password_in_the_endpoint_url_is_never_printed(aws: StandIn) -> None:
    result = run_cli(
        ["check", "--online", "--endpoint-url", "http://admin:s3cr3t@127.0.0.1:9", "--name", "x", str(SMALL)]
    )
    assert result.exit_code == 2
    assert "s3cr3t" not in result.stderr and "admin" not in result.stderr
    assert "http://***@127.0.0.1:9" in result.stderr and len(result.stderr.splitlines()) == 1


GATEWAY_PAGE = (
    b"<!DOCTYPE html>\n<html><head><style>body { font-family: sans-serif }</style></head>\n<body>\n"
    b"<h1>Bad   Gateway</h1>\n<p>The proxy could not reach <b>the upstream server</b>.</p>\n</body></html>\n"
)


def _finding(rule: str, name: str, message: str) -> dict[str, object]:
    """A finding of the online pre-flight about the account: no place in the template."""
    return {"rule": rule, "name": name, "severity": "warning", "file": str(SMALL), "line": None, "column": None,
            "end_line": None, "end_column": None, "origin": "AWS account", "path": [], "message": message,
            "fix": None, "edits": [], "applicability": None, "accounts": []}  # fmt: skip


def test_a_gateway_s_502_page_becomes_its_status_and_heading_in_the_finding(
    aws: StandIn, fault_proxy: FaultProxy
) -> None:
    _organization(aws)
    fault_proxy.faults.append(Fault("DescribeOrganization", "respond", times=10, status=502, body=GATEWAY_PAGE,
                                    content_type="text/html"))  # fmt: skip
    result = run_cli(["check", "--online", *fault_proxy.args(), *GATE, "--format", "json", "--name", "x", str(SMALL)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert fault_proxy.seen.count("DescribeOrganization") == 5  # a 5xx is retried
    assert result.findings == [
        _finding("CP501", "no-organization", "could not check the organization: BadGateway: An error occurred "
                 "(BadGateway) when calling the DescribeOrganization operation (reached max retries: 4): HTTP 502: "
                 "Bad Gateway"),
    ]  # fmt: skip


def test_a_proxy_s_4xx_page_or_plain_text_is_reduced_to_one_line(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    title = "Access denied by the corporate proxy " + "because of policy " * 20
    page = f"<html><head><title>\n  {title}\n</title></head><body><p>x</p></body></html>".encode()
    fault_proxy.faults.append(Fault("DescribeConfigRules", "respond", times=10, status=403, body=page,
                                    content_type="text/html"))  # fmt: skip
    fault_proxy.faults.append(Fault("GetCallerIdentity", "respond", times=10, status=407,
                                    body=b"\n  Proxy authentication required\nSee http://proxy.example/help\n"))  # fmt: skip
    result = run_cli(["check", "--online", *fault_proxy.args(), "--format", "json", "--select", "CP50", "--name", "x",
                      str(SMALL)])  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "")
    capped = " ".join(title.split())[:197].rstrip() + "..."
    assert result.findings == [
        _finding("CP503", "caller-not-administrator", "could not check the caller's account: "
                 "ProxyAuthenticationRequired: An error occurred (ProxyAuthenticationRequired) when calling the "
                 "GetCallerIdentity operation: HTTP 407: Proxy authentication required"),
        _finding("CP509", "rules-per-account-quota", "could not check the number of config rules in the account: "
                 f"Forbidden: An error occurred (Forbidden) when calling the DescribeConfigRules operation: HTTP 403: "
                 f"{capped}"),
    ]  # fmt: skip


def test_an_html_answer_to_the_put_is_one_error_line(aws: StandIn, fault_proxy: FaultProxy) -> None:
    _organization(aws)
    fault_proxy.faults.append(Fault("PutOrganizationConformancePack", "respond", status=403, body=GATEWAY_PAGE,
                                    content_type="text/html"))  # fmt: skip
    code, out, err = _run(fault_proxy, "deploy", *FAST, *GATE, "--name", "x", str(SMALL))
    assert code == 1
    size = len(SMALL.read_bytes())
    assert (
        out
        == f"plan for x (put_organization_conformance_pack):\n  - template sent inline as TemplateBody ({size:,} bytes of 51,200)\n"
    )
    assert err == "preflight: error: PutOrganizationConformancePack failed with Forbidden: HTTP 403: Bad Gateway\n"
    assert aws.scenario.puts == []
