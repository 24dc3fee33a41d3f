"""The language server, driven by a real LSP client over stdio."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from preflight import __version__
from tests.conftest import FIXTURES
from tests.lsp_client import LspClient


def _select(folder: Path, *rule_ids: str) -> None:
    """The server runs only the rules a test is about, chosen as an editor's project would: in its settings."""
    (folder / ".preflight.toml").write_text(f"select = {list(rule_ids)!r}\n".replace("'", '"'))


def test_diagnostics_follow_the_buffer(tmp_path: Path) -> None:
    pack = tmp_path / "iam.yaml"
    text = (FIXTURES / "packs" / "iam-baseline.yaml").read_text()
    pack.write_text(text)
    (tmp_path / ".preflight.toml").write_text(
        'select = ["CP002", "CP208", "CP209", "CP305", "CP403", "CP410"]\nignore = ["CP305"]\n'
    )
    uri = pack.as_uri()
    client = LspClient(tmp_path)
    try:
        initialized = client.request(
            "initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}
        )
        assert initialized["result"]["serverInfo"]["name"] == "preflight"
        client.notify("initialized", {})
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        diagnostics = client.diagnostics(uri)
        assert [(d["code"], d["severity"], d["range"]) for d in diagnostics] == [
            ("CP209", 2, {"start": {"line": 20, "character": 2}, "end": {"line": 20, "character": 39}}),
            ("CP208", 1, {"start": {"line": 28, "character": 12}, "end": {"line": 28, "character": 48}}),
            ("CP403", 1, {"start": {"line": 58, "character": 6}, "end": {"line": 58, "character": 12}}),
            ("CP410", 1, {"start": {"line": 76, "character": 16}, "end": {"line": 76, "character": 65}}),
        ]  # CP305 is ignored by the configuration, as in `preflight check`
        assert all(d["source"] == "preflight" for d in diagnostics)
        assert diagnostics[1]["codeDescription"]["href"].endswith("/CP208.md")
        documentation = Path(unquote(urlparse(diagnostics[1]["codeDescription"]["href"]).path))
        assert documentation.read_text().startswith("# CP208 undefined-condition (error)")
        assert "did you mean 'accessKeysRotatedParamMaxAccessKeyAge'?" in diagnostics[1]["message"]

        fixed = (
            text.replace("accessKeysRotatedParamMaxAccesKeyAge", "accessKeysRotatedParamMaxAccessKeyAge")
            .replace("<Account-Id>", "210987654321")
            .replace(
                "      ConfigRuleName: iam-user-unused-credentials-check\n",
                "      ConfigRuleName: iam-user-unused-credentials-check\n"
                "      InputParameters:\n"
                "        maxCredentialUsageAge: !Ref IamUserUnusedCredentialsParamMaxCredentialUsageAge\n",
            )
        )
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
        )
        assert client.diagnostics(uri) == []
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 3},
                "contentChanges": [{"text": "Resources: [AWS::Config::ConfigRule\n"}],
            },
        )
        assert [d["code"] for d in client.diagnostics(uri)] == ["CP002"]
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        assert [d["code"] for d in client.diagnostics(uri)] == ["CP002"]
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        assert client.diagnostics(uri) == []
        assert client.shutdown() == 0
        # The rule pages outlive the server (a link followed later still opens), beside the cache.
        assert documentation.read_text().startswith("# CP208 undefined-condition (error)")
        assert documentation.parent == Path(os.environ["PREFLIGHT_CACHE_DIR"]) / "rules" / __version__
    finally:
        client.kill()


PACK = (
    "Resources:\n  Rule:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
    "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n  R:\n    Type: AWS::S3::Bucket\n"
)


def _open(client: LspClient, uri: str, text: str, version: int = 1) -> None:
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}
    )


def _started(tmp_path: Path) -> LspClient:
    client = LspClient(tmp_path)
    client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    return client


def _messages_until_diagnostics(client: LspClient, uri: str) -> tuple[list[dict[str, object]], list[object]]:
    """The messages before the next diagnostics of `uri` (window/showMessage popups among them), and those."""
    seen = []
    while True:
        message = client.receive()
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
            return seen, message["params"]["diagnostics"]
        seen.append(message)


def test_a_burst_of_edits_skips_the_stale_versions(tmp_path: Path) -> None:
    _select(tmp_path, "CP201", "CP420")
    uri = (tmp_path / "pack.yaml").as_uri()
    client = _started(tmp_path)
    try:
        _open(client, uri, PACK)
        assert [d["code"] for d in client.diagnostics(uri)] == ["CP201"]
        for version in range(2, 1002):  # a thousand edits as fast as the pipe takes them
            text = PACK.replace("AWS::S3::Bucket", "AWS::Config::ConfigRule" if version == 1001 else f"X{version}")
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
            )
        published = []
        while True:  # every answer belongs to some version; the last is the latest text's
            message = client.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                published.append(message["params"])
                if message["params"].get("version") == 1001:
                    break
        versions = [p["version"] for p in published]
        assert len(versions) < 100 and versions == sorted(set(versions)), versions  # never a stale one after
        assert published[-1]["version"] == 1001
        assert [d["code"] for d in published[-1]["diagnostics"]] == ["CP420"]  # the rule has no Properties
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_hostile_uris_and_text_give_a_diagnostic_or_nothing_never_an_error_popup(tmp_path: Path) -> None:
    _select(tmp_path, "CP006", "CP201")
    client = _started(tmp_path)
    try:
        cases = [
            (f"{tmp_path.as_uri()}/a%00b.yaml", PACK, ["CP201"]),  # a NUL byte in the path
            ((tmp_path / ("d" * 5000 + ".yaml")).as_uri(), PACK, ["CP201"]),  # too long for the file system
            ((tmp_path / "surrogate.yaml").as_uri(), PACK + '    D: "\ud800"\n', ["CP201"]),
            # Over the 4 MiB a file may have: one diagnostic, and the text is not parsed.
            ((tmp_path / "big.yaml").as_uri(), PACK + "# " + "x" * (4 * 1024 * 1024) + "\n", ["CP006"]),
        ]
        for uri, text, codes in cases:
            _open(client, uri, text)
            popups, diagnostics = _messages_until_diagnostics(client, uri)
            assert popups == []
            assert [d["code"] for d in diagnostics] in (codes, []), (uri[:60], diagnostics)
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_the_server_reads_nothing_it_was_not_sent(tmp_path: Path) -> None:
    """A save of a document the editor never opened (/dev/zero, a named pipe) is not read from disk."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    _select(tmp_path, "CP201")
    client = _started(tmp_path)
    try:
        for path in ("/dev/zero", str(fifo)):
            client.notify("textDocument/didSave", {"textDocument": {"uri": Path(path).as_uri()}})
        uri = (tmp_path / "open.yaml").as_uri()
        _open(client, uri, PACK)  # the server still answers, and nothing else came first
        popups, diagnostics = _messages_until_diagnostics(client, uri)
        assert popups == [] and [d["code"] for d in diagnostics] == ["CP201"]
        assert client.shutdown() == 0
    finally:
        client.kill()


FIXABLE = """\
Parameters:
  Unused: {Type: String, Default: x}
Resources:
  Rule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: versioning
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""


def _code_actions(client: LspClient, uri: str, diagnostics: list[object]) -> object:
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}}
    answer = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
    )
    assert "error" not in answer, answer
    return answer["result"]


def test_code_actions_are_only_for_the_buffer_as_it_is(tmp_path: Path) -> None:
    """Diagnostics of an older version (the editor asks before the new ones arrive) carry ranges of
    the older text: applied now they would cut the wrong lines, so they get no action. Nor does a
    document that is closed or was never opened, nor data this server did not write."""
    _select(tmp_path, "CP305")
    uri = (tmp_path / "pack.yaml").as_uri()
    client = _started(tmp_path)
    try:
        _open(client, uri, FIXABLE)
        _popups, old = _messages_until_diagnostics(client, uri)
        assert [d["code"] for d in old] == ["CP305"]  # type: ignore[index]
        [action] = _code_actions(client, uri, old)  # type: ignore[misc]
        assert action["edit"]["changes"][uri] == [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}}, "newText": ""}
        ]  # the only parameter: the section goes
        shifted = "# a comment added above\n" + FIXABLE
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": shifted}]},
        )
        _popups, new = _messages_until_diagnostics(client, uri)
        assert _code_actions(client, uri, old) == []  # asked with the old diagnostics: nothing
        [action] = _code_actions(client, uri, new)  # type: ignore[misc]
        assert action["edit"]["changes"][uri][0]["range"]["start"]["line"] == 1
        forged = [dict(new[0], data={**new[0]["data"], "edits": [{"range": {"start": {"line": -5, "character": 0},  # type: ignore[index]
                                                                          "end": {"line": 1, "character": 0}}, "newText": ""}]})]  # fmt: skip
        assert _code_actions(client, uri, forged) == []
        other = dict(new[0], data=["not", "ours"])  # type: ignore[index]
        assert _code_actions(client, uri, [other]) == []
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        assert _code_actions(client, uri, new) == []
        never = (tmp_path / "never.yaml").as_uri()
        assert _code_actions(client, never, new) == []
        # Reopened, its versions start again at 1 with other text: the first session's fixes are not for it.
        _open(client, uri, "Parameters:\n  Kept: {Type: String}\n" + FIXABLE.split("\n", 2)[2])
        _popups, reopened = _messages_until_diagnostics(client, uri)
        assert _code_actions(client, uri, old) == []
        assert len(_code_actions(client, uri, reopened)) == len([d for d in reopened if d.get("data")])  # type: ignore[union-attr]
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_a_document_over_the_file_limit_is_one_diagnostic_and_costs_little_memory(tmp_path: Path) -> None:
    uri = (tmp_path / "huge.yaml").as_uri()
    client = _started(tmp_path)
    try:
        _open(client, uri, FIXABLE + "# " + "x" * (50 * 1024 * 1024) + "\n")
        _popups, diagnostics = _messages_until_diagnostics(client, uri)
        assert [(d["code"], d["severity"]) for d in diagnostics] == [("CP006", 1)]  # type: ignore[index]
        status = Path(f"/proc/{client.process.pid}/status").read_text()
        peak_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])
        assert peak_kb < 300 * 1024, peak_kb  # the 50 MB text as pygls holds it, and no more copies of it
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_a_relative_cache_folder_still_gives_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFLIGHT_CACHE_DIR", "relative-cache")
    _select(tmp_path, "CP305")
    uri = (tmp_path / "pack.yaml").as_uri()
    client = _started(tmp_path)
    try:
        _open(client, uri, FIXABLE)
        _popups, diagnostics = _messages_until_diagnostics(client, uri)
        href = diagnostics[0]["codeDescription"]["href"]  # type: ignore[index]
        assert href == (tmp_path / "relative-cache" / "rules" / __version__ / "CP305.md").as_uri()
        assert client.shutdown() == 0
    finally:
        client.kill()
