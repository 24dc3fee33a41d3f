"""An HTTP proxy on 127.0.0.1 between preflight and the AWS stand-in that injects network faults: an
answer replaced (an expired token, a proxy's plain-text 503), a call that hangs, or a call that reaches
the server and whose answer is lost. Faults are matched by the AWS operation the request carries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.aws_stand_in import StandIn
from tests.relay import HANG, LOSE, Answer, relay


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


def _intercept(proxy: FaultProxy) -> Callable[[str, str, dict[str, str], bytes], Answer | str | None]:
    def intercept(operation: str, path: str, headers: dict[str, str], body: bytes) -> Answer | str | None:
        fault = proxy.take(operation)
        if fault is None:
            return None
        if fault.action == "meanwhile" and fault.before is not None:
            fault.before()
            return None
        if fault.action == "respond":
            return Answer(fault.status, fault.body, fault.content_type)
        return {"hang": HANG, "lose": LOSE}.get(fault.action)

    return intercept


@pytest.fixture
def fault_proxy(aws: StandIn) -> Iterator[FaultProxy]:
    proxy = FaultProxy("")
    with relay(aws.url, _intercept(proxy), proxy.closing) as url:
        proxy.url = url
        yield proxy
