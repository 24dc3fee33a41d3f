"""What a server said, as text fit for a message. An endpoint that is not AWS (a proxy, a gateway, a
load balancer) answers an error with an HTML page or plain text instead of the protocol's JSON or XML:
such a body becomes a structured error whose message is its HTTP status and its first meaningful
line, and any text a reply puts in a message goes through `reply_text`, so no page reaches a finding
or an error line."""

from __future__ import annotations

import html
import http.client
import json
import re
from typing import Any

MAX_LINE_CHARS = 200

# Where an HTML page starts in a text (botocore quotes an unreadable body as `b'<html>...'`).
_PAGE = re.compile(r"(?:b['\"])?<(?:!doctype|html|head|body|title|h[1-6]|p|div|pre|center)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_NOT_TEXT = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")

# AWS's own names for the statuses a gateway answers with; others get their HTTP reason phrase.
_STATUS_CODES = {500: "InternalFailure", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}


def _capped(text: str) -> str:
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 3].rstrip() + "..."


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def page_line(page: str) -> str:
    """The first meaningful line of an error page: for HTML its title, else its first heading, else its
    first line of text; tags stripped, whitespace collapsed, at most 200 characters. "" if it has none."""
    for pattern in (_TITLE, _HEADING):
        found = pattern.search(page)
        if found and (text := _plain(found.group(found.lastindex or 1))):
            return _capped(text)
    text = _TAG.sub(" ", _NOT_TEXT.sub(" ", _COMMENT.sub(" ", page)))
    for line in html.unescape(text).splitlines():
        if line := " ".join(line.split()):
            return _capped(line)
    return ""


def status_line(status: int, body: str) -> str:
    """A body that is not the protocol's, as a message: its first meaningful line, with the HTTP status
    when the line does not already name it."""
    line = page_line(body)
    if not line:
        return f"HTTP {status}"
    return line if re.search(rf"\b{status}\b", line) else f"HTTP {status}: {line}"


def reply_text(text: str) -> str:
    """Text a server's reply put in a message (an error's message, an exception that quotes a body) as
    one line: an HTML page in it is reduced to its first meaningful line, whitespace is collapsed."""
    page = _PAGE.search(text)
    if page is not None:
        text = f"{text[: page.start()]} {page_line(text[page.start() :])}"
    return " ".join(text.split())


def _status_code(status: int) -> str:
    if status in _STATUS_CODES:
        return _STATUS_CODES[status]
    phrase = re.sub(r"[^A-Za-z0-9]", "", http.client.responses.get(status, "").title())
    return phrase or f"HTTP{status}"


def structured_error_page(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
    """botocore's before-parse hook: an error answer whose body is not the protocol's JSON or XML (an
    HTML page, plain text) is rewritten as the protocol's error, coded by its status (BadGateway, a 5xx
    that botocore retries as it retries AWS's own) with `status_line` as its message. An empty body
    below 500 is left to botocore (S3 answers a HEAD that way)."""
    status = int(response_dict.get("status_code") or 0)
    body = response_dict.get("body") or b""
    if status < 400 or not isinstance(body, bytes) or (status < 500 and not body.strip()):
        return
    protocol = operation_model.service_model.resolved_protocol
    stripped = body.lstrip()
    if protocol in ("json", "rest-json"):
        if stripped.startswith(b"{"):
            return
    elif stripped.startswith(b"<?xml") or (stripped.startswith(b"<") and b"<Code>" in stripped[:4096]):
        return
    if protocol == "smithy-rpc-v2-cbor":
        return
    code = _status_code(status)
    message = status_line(status, body[:65536].decode("utf-8", "replace"))
    if protocol in ("json", "rest-json"):
        response_dict["body"] = json.dumps({"__type": code, "message": message}).encode()
    else:
        escaped = html.escape(message)
        response_dict["body"] = (
            f"<ErrorResponse><Error><Code>{code}</Code><Message>{escaped}</Message></Error></ErrorResponse>"
            if protocol in ("query", "ec2")
            else f"<Error><Code>{code}</Code><Message>{escaped}</Message></Error>"
        ).encode()
