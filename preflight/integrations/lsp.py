"""`preflight lsp`: a language server over stdio that publishes diagnostics for conformance packs on
open, change and save, with the same engine, configuration and suppressions as `preflight check`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from preflight import __version__
from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.knowledge.hosts import may_host
from preflight.knowledge.reference import Reference
from preflight.load.discovery import mentions_aws_config
from preflight.load.parsing import load_template_bytes
from preflight.load.settings_file import SettingsError, load_settings
from preflight.load.yaml_scalars import without_surrogates
from preflight.model.document import text_lines
from preflight.model.findings import Edit, Finding, Severity, Span
from preflight.model.limits import SAFETY_LIMITS
from preflight.model.request import PackRequest
from preflight.model.rule import Rule
from preflight.model.settings import Settings

logger = logging.getLogger(__name__)

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def utf16_column(line: str, column: int) -> int:
    """LSP counts UTF-16 code units; preflight counts characters (1-based)."""
    prefix = line[: max(column - 1, 0)]
    return len(prefix.encode("utf-16-le")) // 2


def _edit_range(span: Span, lines: list[str]) -> dict[str, dict[str, int]]:
    """An edit's span as an LSP range (an empty span stays empty: it inserts)."""

    def position(line: int, column: int) -> dict[str, int]:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return {"line": max(line - 1, 0), "character": utf16_column(text, column)}

    return {"start": position(span.line, span.column), "end": position(span.end_line, span.end_column)}


def code_actions(
    uri: str, diagnostics: list[types.Diagnostic], document: TextDocument | None
) -> list[types.CodeAction]:
    """A quick fix for each diagnostic that carries edits (its `data`, from `_diagnostic`), when they
    were made for the buffer as it is now: none for a document that is not open, or for diagnostics
    of an older version (their ranges would land on the wrong text); none for data this server did
    not write, or whose positions are not in the buffer."""
    if document is None:
        return []
    lines = text_lines(document.source)
    actions = []
    for diagnostic in diagnostics:
        fix = diagnostic.data
        if not isinstance(fix, dict) or fix.get("version") != document.version:
            continue
        if fix.get("text") != text_digest(document.source):  # a version number restarts when a buffer reopens
            continue
        edits = _text_edits(fix.get("edits"), lines)
        if edits is None:
            continue
        unsafe = " (unsafe)" if fix.get("unsafe") is True else ""
        actions.append(
            types.CodeAction(
                title=f"preflight: {diagnostic.code}: {fix.get('title')}{unsafe}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(changes={uri: edits}),
                is_preferred=fix.get("unsafe") is False,
            )
        )
    return actions


def text_digest(text: str) -> str:
    """What a diagnostic's quick fix remembers of the text it was made for."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _text_edits(raw: object, lines: list[str]) -> list[types.TextEdit] | None:
    """The edits of a diagnostic's data, or None when they are not what this server writes."""
    if not isinstance(raw, list) or not raw:
        return None
    edits = []
    try:
        for edit in raw:
            start, end = edit["range"]["start"], edit["range"]["end"]
            positions = [start["line"], start["character"], end["line"], end["character"]]
            if not all(type(number) is int for number in positions) or not isinstance(edit["newText"], str):
                return None
            if not 0 <= positions[0] <= positions[2] <= len(lines):
                return None
            edits.append(
                types.TextEdit(
                    range=types.Range(
                        start=types.Position(line=positions[0], character=positions[1]),
                        end=types.Position(line=positions[2], character=positions[3]),
                    ),
                    new_text=edit["newText"],
                )
            )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return edits


def describe_edits(edits: Sequence[Edit]) -> str:
    """What a quick fix does, from its edits (a finding's hint may offer more than its edits make:
    "remove it, or use it"): `remove lines 3-4`, `insert "DependsOn: Rule"`, `replace with "true"`."""
    said = []
    for edit in edits:
        span, text = edit.span, edit.text
        if not text:
            last = span.end_line - 1 if span.end_column == 1 and span.end_line > span.line else span.end_line
            said.append(f"remove line {span.line}" if last == span.line else f"remove lines {span.line}-{last}")
        elif (span.line, span.column) == (span.end_line, span.end_column):
            said.append(f"insert {_shown(text)}")
        else:
            said.append(f"replace with {_shown(text)}")
    return "; ".join(said)


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return json.dumps(text if len(text) <= 60 else text[:57] + "...", ensure_ascii=False)


def to_range(span: Span, lines: list[str]) -> types.Range:
    def position(line: int, column: int) -> types.Position:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return types.Position(line=max(line - 1, 0), character=utf16_column(text, column))

    start = position(span.line, span.column)
    end = position(span.end_line, span.end_column)
    if (end.line, end.character) <= (start.line, start.character):
        end = types.Position(line=start.line, character=start.character + 1)
    return types.Range(start=start, end=end)


def rule_docs_folder() -> Path:
    """Where the rule pages diagnostics link to are kept: beside the result cache when
    `PREFLIGHT_CACHE_DIR` is set, else in the user's cache folder, one folder per release. They
    outlive the server, so a link followed after the editor restarted it still opens."""
    chosen = os.environ.get("PREFLIGHT_CACHE_DIR")
    base = Path(chosen) if chosen else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "preflight"
    return (base / "rules" / __version__).absolute()  # a file: link needs an absolute path


def write_rule_docs(rules: Sequence[Rule], folder: Path) -> dict[str, str]:
    """Each rule's documentation as a file the diagnostic links to (editors open file: links); a page
    already there with the same text is left as it is, one that differs is replaced whole. Without a
    folder that can be written, diagnostics carry no link."""
    links = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for current in rules:
            path = folder / f"{current.id}.md"
            text = f"# {current.id} {current.name} ({current.severity.label})\n\n{current.documentation}\n"
            if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
                handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                os.replace(temporary, path)
            links[current.id] = path.as_uri()
    except (OSError, ValueError) as error:  # ValueError: a path no file: URI can carry
        logger.error("preflight language server: rule pages not written to %s: %s", folder, error)
        return {}
    return links


class PreflightServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("preflight", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        # A hint about a run of the command line (pass --region) has no place in an editor.
        self.rules: tuple[Rule, ...] = tuple(rule for rule in discover_rules() if not rule.once)
        self.reference = Reference()  # the catalog and schemas, read once for the server's life
        self._docs = write_rule_docs(self.rules, rule_docs_folder())
        self.linter = Coalescer(self._lint_latest)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Logged, never shown: an editor's "Error in server" popup helps no one."""
        logger.error("preflight language server: %s: %s", type(error).__name__, error)

    def settings_for(self, file: Path) -> Settings | str:
        """The configuration that applies to `file` now (read every time: about a millisecond, and an
        edited configuration applies at once), or the one-line error that makes it unusable."""
        try:
            return load_settings(None, [rule.id for rule in self.rules], start=file.parent)
        except SettingsError as error:
            return str(error)

    def diagnostics(self, uri: str, text: str, version: int | None = None) -> list[types.Diagnostic]:
        """The diagnostics of one buffer (its `version`, which their quick fixes are for); whatever the
        URI or the text holds, never an exception."""
        try:
            return self._diagnostics(uri, text, version)
        except Exception as error:  # a URI with NUL bytes, a name too long for the file system, ...
            logger.error("preflight language server: %s: %s: %s", uri, type(error).__name__, error)
            return []

    def _diagnostics(self, uri: str, text: str, version: int | None) -> list[types.Diagnostic]:
        path = Path(to_fs_path(uri) or uri)
        original = text
        if len(text) > SAFETY_LIMITS.max_file_bytes:  # characters: at least as many bytes
            return [_message_diagnostic(_TOO_LARGE, "CP006")] if "AWS::Config::" in text[:1_000_000] else []
        text = without_surrogates(text)  # JSON-RPC may carry lone surrogates, which no file can hold
        data = text.encode("utf-8")
        if len(data) > SAFETY_LIMITS.max_file_bytes:
            return [_message_diagnostic(_TOO_LARGE, "CP006")] if mentions_aws_config(data[:1_000_000]) else []
        if not mentions_aws_config(data):
            return []  # editors attach the server to every YAML and JSON file: only packs get diagnostics
        lines = text_lines(text)
        settings = self.settings_for(path)
        if isinstance(settings, str):
            return [_message_diagnostic(f"preflight configuration error: {settings}")]
        loaded = load_template_bytes(data, str(path))  # read as a file of these bytes would be
        job = Job((PackInput(PackRequest(), (loaded,)),), settings, self.rules, reference=self.reference)
        report = run(job)
        made_for = (version, text_digest(original))
        # A pack inside a stack: its fixes are made by --fix, which checks the stack is kept, not here.
        hosting = may_host(data)
        return [
            self._diagnostic(replace(finding, edits=()) if hosting else finding, lines, made_for)
            for finding in report.findings
            if finding.file == str(path)
        ]

    def _diagnostic(self, finding: Finding, lines: list[str], made_for: tuple[int | None, str]) -> types.Diagnostic:
        message = (f"{finding.origin}: " if finding.origin else "") + finding.message
        message += f" (fix: {finding.fix})" if finding.fix else ""
        link = self._docs.get(finding.rule)
        fix = None
        if finding.edits:  # returned by the editor with a code action request, as the protocol says
            edits = [{"range": _edit_range(edit.span, lines), "newText": edit.text} for edit in finding.edits]
            fix = {"title": describe_edits(finding.edits), "unsafe": finding.unsafe, "edits": edits,
                   "version": made_for[0], "text": made_for[1]}  # fmt: skip
        return types.Diagnostic(
            range=to_range(finding.span, lines),
            message=message,
            severity=SEVERITIES[finding.severity],
            code=finding.rule,
            code_description=types.CodeDescription(href=link) if link else None,
            source="preflight",
            data=fix,
        )

    def lint_later(self, uri: str) -> None:
        """Lint `uri` off the message loop: only its latest text, once edits pause. Only documents the
        editor opened are linted; nothing is read from disk."""
        if self._opened(uri) is not None:
            self.linter.want(uri, asyncio.get_running_loop())

    def _opened(self, uri: str) -> TextDocument | None:
        """The editor's buffer of `uri` (pygls keys them by the unquoted URI), or None."""
        document: TextDocument | None = self.workspace.text_documents.get(unquote(uri))
        return document

    def _lint_latest(self, uri: str, loop: asyncio.AbstractEventLoop) -> None:
        document = self._opened(uri)
        if document is None:
            return  # closed meanwhile
        version = document.version  # before the text: a newer text under an older version is never published
        diagnostics = self.diagnostics(uri, document.source, version)
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        loop.call_soon_threadsafe(self._publish_if_open, params)

    def _publish_if_open(self, params: types.PublishDiagnosticsParams) -> None:
        document = self._opened(params.uri)
        if document is not None and document.version == params.version:  # no newer edit arrived meanwhile
            self.text_document_publish_diagnostics(params)


_TOO_LARGE = (
    f"the document is larger than the safety limit of {SAFETY_LIMITS.max_file_bytes:,} bytes, so it is not "
    "checked; a conformance pack cannot exceed 300 KB"
)


def _message_diagnostic(message: str, code: str | None = None) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=1)),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        code=code,
        source="preflight",
    )


class Coalescer:
    """One worker thread that runs `work(key, loop)` for each wanted key. A key wanted while it is neither
    waiting nor being worked on is worked on at once; wants that arrive while it is (a burst of edits)
    wait until they have paused for QUIET_SECONDS, and then count once. So a single edit is answered as
    fast as it is linted, a thousand quick edits to one document cost two lints, and the message loop
    keeps answering meanwhile."""

    QUIET_SECONDS = 0.05

    def __init__(self, work: Callable[[str, asyncio.AbstractEventLoop], None]) -> None:
        self._work = work
        self._due: dict[str, tuple[float, asyncio.AbstractEventLoop]] = {}
        self._working: str | None = None
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None

    def want(self, key: str, loop: asyncio.AbstractEventLoop) -> None:
        now = time.monotonic()
        with self._condition:
            burst = key in self._due or key == self._working
            self._due[key] = (now + self.QUIET_SECONDS if burst else now, loop)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="preflight-lint", daemon=True)
                self._thread.start()
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._due:
                    self._condition.wait()
                key, (due, loop) = min(self._due.items(), key=lambda item: item[1][0])
                wait = due - time.monotonic()
                if wait > 0:
                    self._condition.wait(wait)
                    continue
                del self._due[key]
                self._working = key
            try:
                self._work(key, loop)
            except Exception as error:  # the worker outlives any one document
                logger.error("preflight language server: %s: %s: %s", key, type(error).__name__, error)
            finally:
                with self._condition:
                    self._working = None


def make_server() -> PreflightServer:
    server = PreflightServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PreflightServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PreflightServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.lint_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PreflightServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint_later(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
    )
    def code_action(ls: PreflightServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(
            params.text_document.uri, list(params.context.diagnostics), ls._opened(params.text_document.uri)
        )

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PreflightServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    return server


def serve(**_options: Any) -> None:
    server = make_server()
    server.start_io()
