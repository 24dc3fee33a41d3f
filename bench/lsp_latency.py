"""How fast the language server answers a didChange on a large pack: the time from sending the
change to receiving its publishDiagnostics, over stdio, median of many changes.

    python bench/lsp_latency.py [--file FILE] [--changes 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.lsp_client import LspClient

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "aws-samples"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--changes", type=int, default=30)
    args = parser.parse_args()
    file = args.file or max(DEFAULT.glob("*.yaml"), key=lambda p: p.stat().st_size)
    text = file.read_text(encoding="utf-8")
    uri = file.resolve().as_uri()
    client = LspClient(file.parent, [str(Path(sys.executable).parent / "preflight"), "lsp"])
    client.request("initialize", {"processId": None, "capabilities": {}})
    client.notify("initialized", {})
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
    )
    client.diagnostics(uri)
    timings = []
    for version in range(2, args.changes + 2):
        changed = text + f"# edit {version}\n"
        start = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": changed}]},
        )
        client.diagnostics(uri)
        timings.append((time.perf_counter() - start) * 1000)
    client.shutdown()
    print(f"{file.name} ({len(text.encode()):,} bytes): didChange -> publishDiagnostics over stdio")
    print(f"median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, max {max(timings):.1f} ms "
          f"over {len(timings)} changes")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
