"""`check --show-settings`: the settings in effect, as the TOML that would set them, each line saying
where its value came from."""

from __future__ import annotations

import json
from dataclasses import fields

from preflight.model.limits import DEFAULT_QUOTAS
from preflight.model.settings import Settings
from preflight.reporters.printable import printable


def describe_settings(settings: Settings) -> str:
    origins = dict(settings.origins)
    source = printable(settings.source) if settings.source else "none (defaults)"
    lines = [f"# settings file: {source}", f"# paths are relative to: {printable(str(settings.root))}"]
    values: list[tuple[str, object]] = [
        ("select", list(settings.select)),
        ("extend-select", list(settings.extend_select)),
        ("ignore", list(settings.ignore)),
        ("fail-level", settings.fail_level.label),
        ("exclude", list(settings.exclude)),
        ("extend-exclude", list(settings.extend_exclude)),
        ("respect-gitignore", settings.respect_gitignore),
        ("cfn-lint", settings.cfn_lint),
    ]
    if settings.member_role is not None:
        values.append(("member-role", settings.member_role))
    width = max(len(key) for key, _ in values)
    for key, value in values:
        lines.append(f"{key:<{width}} = {_toml(value)}  # {origins.get(key, 'default')}")
    lines.append("")
    lines.append(f"[per-file-ignores]  # {origins.get('per-file-ignores', 'default')}")
    lines.extend(f"{_toml(pattern)} = {_toml(list(ids))}" for pattern, ids in settings.per_file_ignores)
    lines.append("")
    lines.append(f"[quotas]  # {origins.get('quotas', 'default')}")
    for item in fields(settings.quotas):
        value = getattr(settings.quotas, item.name)
        changed = "" if value == getattr(DEFAULT_QUOTAS, item.name) else "  # changed"
        lines.append(f"{item.name.replace('_', '-')} = {value}{changed}")
    return "\n".join(printable(line) for line in lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)
