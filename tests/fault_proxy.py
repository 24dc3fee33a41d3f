"""An HTTP proxy on 127.0.0.1 between preflight and the AWS stand-in that injects network faults: an
answer replaced (an expired token, a proxy's plain-text 503), a call that hangs, or a call that reaches
the server and whose answer is lost. Faults are matched by the AWS operation the request carries."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.aws_stand_in import StandIn


@dataclass
class Fault:
    """What to do to the next `times` requests of `operation` (such as "PutOrganizationConformancePack",
    "GetCallerIdentity" or "S3 GET"): `respond` with a canned answer, `hang` without answering, `lose`
    the answer after the stand-in has acted on the request, or `meanwhile` run `before` (another
    process changing a file, say) and then pass the request on."""

    operation: str
    action: str  # respond | hang | lose | meanwhile
    times: int = 1
    status: int = 500
    body: bytes = b""
    content_type: str = "text/plain"
    before: Callable[[], None] | None = None


@dataclass
class FaultProxy:
    url: str
    faults: list[Fault] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # every operation that reached the proxy, in order
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)  # ends every hanging call

    def args(self) -> list[str]:
        return ["--endpoint-url", self.url]

    def take(self, operation: str) -> Fault | None:
        with self.lock:
            self.seen.append(operation)
            for fault in self.faults:
                if fault.operation == operation and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None


def operation_of(method: str, path: str, headers: dict[str, str], body: bytes) -> str:
    target = headers.get("x-amz-target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    if action:
        return action
    return f"S3 {method}"


def _handler(proxy: FaultProxy, upstream: str) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            fault = proxy.take(operation_of(self.command, self.path, headers, body))
            if fault is not None and fault.action == "meanwhile" and fault.before is not None:
                fault.before()
            if fault is not None and fault.action == "hang":
                proxy.closing.wait(3600)  # until the test ends; then the connection closes unanswered
                self.close_connection = True
                return
            if fault is not None and fault.action == "respond":
                self.send_response(fault.status)
                self.send_header("Content-Type", fault.content_type)
                self.send_header("Content-Length", str(len(fault.body)))
                self.end_headers()
                self.wfile.write(fault.body)
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            connection.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
            answer = connection.getresponse()
            data = answer.read()
            connection.close()
            if fault is not None and fault.action == "lose":
                self.close_connection = True
                self.connection.shutdown(2)  # the stand-in acted on the request; its answer never arrives
                return
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            # A HEAD answer has no body but says how long the object is.
            self.send_header(
                "Content-Length", answer.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
            )
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _relay

    return Handler


@pytest.fixture
def fault_proxy(aws: StandIn) -> Iterator[FaultProxy]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True
    proxy = FaultProxy(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(proxy, aws.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.closing.set()
        server.shutdown()
        server.server_close()
