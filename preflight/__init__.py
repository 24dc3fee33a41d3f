"""conformance-preflight: lint AWS Config conformance packs before AWS sees them."""

from __future__ import annotations

__version__ = "0.1.0"
