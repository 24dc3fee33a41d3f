"""An HTTP relay on 127.0.0.1 in front of an AWS stand-in: each request is handed to `intercept`,
which may answer it itself (`Answer`), hold it (`HANG`), pass it on and drop the reply (`LOSE`), or
pass it on (None). The fault proxy and the stand-in for what moto lacks are both made of it.
Requests are named by the AWS operation they carry (`operation_of`)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "text/plain"


HANG, LOSE = "hang", "lose"
Intercept = Callable[[str, str, dict[str, str], bytes], "Answer | str | None"]


def operation_of(method: str, path: str, headers: dict[str, str], body: bytes) -> str:
    target = headers.get("x-amz-target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    if action:
        return action
    return f"S3 {method}"


@contextmanager
def relay(upstream: str, intercept: Intercept, closing: threading.Event) -> Iterator[str]:
    """A relay to `upstream`, running until the block ends; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, intercept, closing))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        closing.set()
        server.shutdown()
        server.server_close()


def _handler(upstream: str, intercept: Intercept, closing: threading.Event) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            decision = intercept(operation_of(self.command, self.path, headers, body), self.path, headers, body)
            if decision == HANG:
                closing.wait(3600)  # until the test ends; then the connection closes unanswered
                self.close_connection = True
                return
            if isinstance(decision, Answer):
                self.send_response(decision.status)
                self.send_header("Content-Type", decision.content_type)
                self.send_header("Content-Length", str(len(decision.body)))
                self.end_headers()
                self.wfile.write(decision.body)
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            connection.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
            answer = connection.getresponse()
            data = answer.read()
            connection.close()
            if decision == LOSE:
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
