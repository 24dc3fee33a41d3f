from __future__ import annotations

from preflight.entry import run

run()
