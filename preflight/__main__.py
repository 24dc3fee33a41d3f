from __future__ import annotations

from preflight.cli import run

run()
