"""A minimal LSP client over stdio: JSON-RPC with Content-Length framing, as editors speak it."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path
from typing import Any


class LspClient:
    def __init__(self, cwd: Path, command: list[str] | None = None) -> None:
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "preflight", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            bufsize=0,  # unbuffered, so `select` sees every byte the server sent
        )
        self._next_id = 0
        self._buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self, timeout: float = 60) -> dict[str, Any]:
        """The next message; a server that stays silent for `timeout` seconds fails the test instead of
        hanging it."""
        length = 0
        while True:
            line = self._read_line(timeout)
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self._read(length, timeout))  # type: ignore[no-any-return]

    def _fill(self, timeout: float) -> None:
        assert self.process.stdout is not None
        if not select.select([self.process.stdout], [], [], timeout)[0]:
            self.kill()
            raise TimeoutError(f"no message from the language server in {timeout:g} s")
        chunk = os.read(self.process.stdout.fileno(), 1 << 16)
        if not chunk:
            raise EOFError(self.process.stderr.read().decode() if self.process.stderr else "server exited")
        self._buffer += chunk

    def _read(self, size: int, timeout: float) -> bytes:
        while len(self._buffer) < size:
            self._fill(timeout)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _read_line(self, timeout: float) -> bytes:
        while b"\n" not in self._buffer:
            self._fill(timeout)
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line + b"\n"

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self._next_id and "method" not in message:
                return message

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]  # type: ignore[no-any-return]

    def shutdown(self) -> int:
        """The LSP exit handshake; the server's exit code."""
        assert self.request("shutdown", {})["result"] is None
        self.notify("exit", {})
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
