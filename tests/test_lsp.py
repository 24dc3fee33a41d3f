"""The language server, driven by a real LSP client over stdio."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from tests.conftest import FIXTURES
from tests.lsp_client import LspClient


def test_diagnostics_follow_the_buffer(tmp_path: Path) -> None:
    pack = tmp_path / "iam.yaml"
    text = (FIXTURES / "packs" / "iam-baseline.yaml").read_text()
    pack.write_text(text)
    (tmp_path / ".preflight.toml").write_text('ignore = ["CP305"]\n')
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
            .replace("<Account-Id>", "123456789012")
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
        assert not documentation.parent.exists()  # the rule documentation folder goes with the server
    finally:
        client.kill()
