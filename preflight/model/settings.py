"""This tool's settings ([tool.preflight] in pyproject.toml, or .preflight.toml), and what they select.
Reading them from a file is preflight.load.settings_file's job."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from preflight.model.findings import Finding, Severity
from preflight.model.limits import DEFAULT_QUOTAS, Quotas
from preflight.model.rule import Rule

# The default selection: every rule of preflight's and of cfn-lint's (with --cfn-lint), opt-in ones aside.
EVERY_RULE = ("CP", "cfn-lint")
FROM_FILE, COMMAND_LINE = "settings file", "command line"
# Folders that hold other people's files or generated ones, never packs to check (as ruff's defaults,
# plus the outputs of infrastructure tools). Hidden folders are skipped as well.
DEFAULT_EXCLUDE = (
    "node_modules", "venv", "site-packages", "__pypackages__", "__pycache__", "build", "dist", "_build",
    "buck-out", "cdk.out", "target", "vendor",
)  # fmt: skip


@dataclass(eq=False, frozen=True)
class Settings:
    """This tool's settings: which rules run, the fail level, per-file ignores and the service quotas;
    `root` is the folder globs are relative to, `source` the file they came from."""

    select: tuple[str, ...] = EVERY_RULE
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_level: Severity = Severity.ERROR
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    quotas: Quotas = DEFAULT_QUOTAS
    root: Path = field(default_factory=Path.cwd)
    source: str | None = None
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE  # globs (preflight.model.globs) of paths not searched
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    cfn_lint: bool = False  # also run cfn-lint (--cfn-lint)
    member_role: str | None = None  # the role the online checks assume in each member account (--member-role)
    # Where each setting that is not a default came from: (key as in the file, FROM_FILE or COMMAND_LINE).
    origins: tuple[tuple[str, str], ...] = ()
    # Which of `exclude` and `extend-exclude` the command line gave: those match paths from the working
    # directory (`command_line_root`), in every folder, whatever settings file governs it.
    command_line_globs: tuple[str, ...] = ()
    command_line_root: Path | None = None

    def is_enabled(self, rule_id: str, *, opt_in: bool = False) -> bool:
        """Selected (an opt-in rule only by its full id, never by a prefix such as `CP4`) and not
        ignored; `ignore` wins over `select`."""
        if matches(rule_id, self.ignore):
            return False
        selectors = self.select + self.extend_select
        return rule_id in selectors if opt_in else matches(rule_id, selectors)

    def enabled(self, rules: Iterable[Rule]) -> list[Rule]:
        return [rule for rule in rules if self.is_enabled(rule.id, opt_in=rule.opt_in)]

    def without_ignored(self, findings: Iterable[Finding]) -> list[Finding]:
        """`findings` less those that `per-file-ignores` ignores; each file's globs are matched once."""
        if not self.per_file_ignores:
            return list(findings)
        from preflight.model.globs import Glob  # only with per-file-ignores

        globs = [(Glob.of(pattern), selectors) for pattern, selectors in self.per_file_ignores]
        by_file: dict[str, tuple[str, ...]] = {}
        kept = []
        for finding in findings:
            if finding.file not in by_file:
                relative = relative_to(finding.file, self.root)
                by_file[finding.file] = tuple(
                    selector for glob, selectors in globs if glob.matches(relative) for selector in selectors
                )
            if not matches(finding.rule, by_file[finding.file]):
                kept.append(finding)
        return kept


def matches(rule_id: str, selectors: Iterable[str]) -> bool:
    """Whether a selector (a rule id or a prefix of one) selects `rule_id`."""
    return any(rule_id.startswith(selector) for selector in selectors)


def relative_to(file: str, root: Path) -> str:
    """`file` relative to `root` with forward slashes, or as given when it is not below `root`."""
    path = Path(file)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()
