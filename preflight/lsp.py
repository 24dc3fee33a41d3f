"""`preflight lsp`: a language server over stdio that publishes diagnostics for conformance packs on
open, change and save, with the same engine, configuration and suppressions as `preflight check`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from preflight import __version__
from preflight.check import PACK_MARKER, check
from preflight.config import Config, ConfigError, load_config
from preflight.engine import discover_rules
from preflight.findings import Finding, Severity, Span
from preflight.loader import load_template_text
from preflight.request import PackRequest
from preflight.rule import Rule

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def utf16_column(line: str, column: int) -> int:
    """LSP counts UTF-16 code units; preflight counts characters (1-based)."""
    prefix = line[: max(column - 1, 0)]
    return len(prefix.encode("utf-16-le")) // 2


def to_range(span: Span, lines: list[str]) -> types.Range:
    def position(line: int, column: int) -> types.Position:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return types.Position(line=max(line - 1, 0), character=utf16_column(text, column))

    start = position(span.line, span.column)
    end = position(span.end_line, span.end_column)
    if (end.line, end.character) <= (start.line, start.character):
        end = types.Position(line=start.line, character=start.character + 1)
    return types.Range(start=start, end=end)


class PreflightServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("preflight", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.rules: tuple[Rule, ...] = discover_rules()
        self._docs_folder = tempfile.TemporaryDirectory(prefix="preflight-rules-")  # removed by `serve`
        self._docs = self._write_rule_docs(Path(self._docs_folder.name))

    def remove_rule_docs(self) -> None:
        self._docs_folder.cleanup()

    def _write_rule_docs(self, folder: Path) -> dict[str, str]:
        """Each rule's documentation as a file the diagnostic links to (editors open file: links)."""
        links = {}
        for current in self.rules:
            path = folder / f"{current.id}.md"
            path.write_text(f"# {current.id} {current.name} ({current.severity.label})\n\n{current.documentation}\n")
            links[current.id] = path.as_uri()
        return links

    def config_for(self, file: Path) -> Config | str:
        """The configuration that applies to `file` now (read every time: about a millisecond, and an
        edited configuration applies at once), or the one-line error that makes it unusable."""
        try:
            return load_config(None, [rule.id for rule in self.rules], start=file.parent)
        except ConfigError as error:
            return str(error)

    def diagnostics(self, uri: str, text: str) -> list[types.Diagnostic]:
        path = Path(to_fs_path(uri) or uri)
        if PACK_MARKER not in text:
            return []  # editors attach the server to every YAML and JSON file: only packs get diagnostics
        config = self.config_for(path)
        lines = text.splitlines()
        if isinstance(config, str):
            return [
                types.Diagnostic(
                    range=types.Range(
                        start=types.Position(line=0, character=0), end=types.Position(line=0, character=1)
                    ),
                    message=f"preflight configuration error: {config}",
                    severity=types.DiagnosticSeverity.Error,
                    source="preflight",
                )
            ]
        loaded = load_template_text(text, str(path))
        report = check([], PackRequest(), config, self.rules, preloaded=loaded)
        return [self._diagnostic(finding, lines) for finding in report.findings if finding.file == str(path)]

    def _diagnostic(self, finding: Finding, lines: list[str]) -> types.Diagnostic:
        message = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
        link = self._docs.get(finding.rule)
        return types.Diagnostic(
            range=to_range(finding.span, lines),
            message=message,
            severity=SEVERITIES[finding.severity],
            code=finding.rule,
            code_description=types.CodeDescription(href=link) if link else None,
            source="preflight",
        )

    def publish(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=self.diagnostics(uri, document.source))
        )


def make_server() -> PreflightServer:
    server = PreflightServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PreflightServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PreflightServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PreflightServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PreflightServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    return server


def serve(**_options: Any) -> None:
    server = make_server()
    try:
        server.start_io()
    finally:  # the process ends with os._exit, which runs no cleanup of its own
        server.remove_rule_docs()
