"""Bytes to documents and requests: reading files (bounded), YAML and JSON with positions, and the
request, params, spec and settings files."""
