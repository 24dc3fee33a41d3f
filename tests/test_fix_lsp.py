"""The fixes `--fix` makes, offered by the language server as code actions: the same edits, ranges in
UTF-16 units on lines as the editor counts them, and titles that say what applying them does."""

from __future__ import annotations

from pathlib import Path

from tests.fix_helpers import FIX_RULES
from tests.lsp_client import LspClient


def _opened(folder: Path, uri: str, text: str, language: str) -> LspClient:
    """A language server started in `folder`, with `text` open as `uri`; the project's settings select
    FIX_RULES, as the command line does."""
    selected = ", ".join(f'"{rule_id}"' for rule_id in FIX_RULES[1].split(","))
    (folder / ".preflight.toml").write_text(f"select = [{selected}]\n")
    client = LspClient(folder)
    client.request("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}
    )
    return client


def test_the_language_server_offers_the_fix_as_a_code_action(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    text = (
        "Resources:\n  Policy:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {RequireSymbols: 'TRUE', MaxPasswordAge: 'ninety'}\n"
        "      Source: {Owner: AWS, SourceIdentifier: IAM_PASSWORD_POLICY}\n"
    )
    pack.write_text(text)
    uri = pack.as_uri()
    client = _opened(tmp_path, uri, text, "yaml")
    try:
        diagnostics = client.diagnostics(uri)
        assert [(d["code"], d["range"]["start"]) for d in diagnostics] == [
            ("CP404", {"line": 4, "character": 24}), ("CP404", {"line": 4, "character": 48}),
        ]  # fmt: skip
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 6, "character": 0}}
        answer = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
        )
        edit_range = {"start": {"line": 4, "character": 40}, "end": {"line": 4, "character": 46}}
        assert answer["result"] == [
            {
                "title": "preflight: CP404: replace with \"'true'\"",  # what the edit does
                "kind": "quickfix",
                "diagnostics": [diagnostics[0]],
                "isPreferred": True,
                "edit": {"changes": {uri: [{"range": edit_range, "newText": "'true'"}]}},
            }
        ]  # 'ninety' has no fix: no action for it
        fixed = text.replace("'TRUE'", "'true'")
        client.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}
        )
        assert [d["code"] for d in client.diagnostics(uri)] == ["CP404"]  # only 'ninety' is left
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_a_code_action_s_range_counts_utf16_units_on_lines_as_the_editor_counts_them(tmp_path: Path) -> None:
    """U+2028 is no line break to LSP (nor to the parser), and an emoji before the edit is two UTF-16 units."""
    pack = tmp_path / "pack.json"
    text = (
        '{"Description": "a\u2028b",\n "Resources": {"P": {"Type": "AWS::Config::ConfigRule", "Properties": {\n'
        ' "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}, "InputParameters": {\n'
        '"RequireSymbols": "\U0001f600", "RequireNumbers": "TRUE"}}}}}\n'
    )
    pack.write_text(text)
    uri = pack.as_uri()
    client = _opened(tmp_path, uri, text, "json")
    try:
        diagnostics = [d for d in client.diagnostics(uri) if d.get("data")]
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 0}}
        answer = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
        )
        [action] = answer["result"]
        [edit] = action["edit"]["changes"][uri]
        line = text.split("\n")[3]
        start = len(line[: line.index('"TRUE"')].encode("utf-16-le")) // 2
        assert edit == {
            "range": {"start": {"line": 3, "character": start}, "end": {"line": 3, "character": start + 6}},
            "newText": '"true"',
        }
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_a_quick_fix_is_titled_by_what_its_edit_does(tmp_path: Path) -> None:
    """A hint may offer more than the edit makes ("remove it, or use it"): the code action says what
    applying it does."""
    pack = tmp_path / "pack.yaml"
    text = (
        "Conditions:\n  Unused: !Equals [a, b]\nResources:\n  Rule:\n    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
    )
    pack.write_text(text)
    uri = pack.as_uri()
    client = _opened(tmp_path, uri, text, "yaml")
    try:
        diagnostics = client.diagnostics(uri)
        assert [d["code"] for d in diagnostics] == ["CP209"]
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 7, "character": 0}}
        answer = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
        )
        assert [action["title"] for action in answer["result"]] == ["preflight: CP209: remove lines 1-2"]
        assert client.shutdown() == 0
    finally:
        client.kill()
