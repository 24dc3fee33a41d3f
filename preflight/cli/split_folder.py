"""The folder a split is written to: its parts and the spec file that deploys them together.

The folder is also the split's memory. Splitting again reads the spec file and the parts it names
to learn which part each rule is in, so no other record is kept: a folder copied, committed or
edited by hand is read as it is."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from preflight.knowledge.split import Before, Earlier, Split, earlier_units
from preflight.load.parsing import Loaded, load_template_file
from preflight.load.request_file import RequestError, load_mapping_file
from preflight.load.spec_file import load_spec
from preflight.model.errors import InputError
from preflight.model.findings import Severity
from preflight.model.limits import API_LIMITS
from preflight.model.problems import ProblemKind
from preflight.reporters.printable import printable

SPEC_FILE = "spec.yaml"
SUFFIXES = (".yaml", ".yml", ".json", ".template")
# What a pack may hold and still be split: the rest of its problems would be copied into every part. A
# key repeated with the same definition (a warning: CloudFormation keeps one) is split too.
TOLERATED = frozenset({ProblemKind.UNSUPPORTED_YAML, ProblemKind.NOT_STRICT_JSON})


class SplitError(InputError):
    """Input `split` cannot work with: one line for the user."""


@dataclass(frozen=True)
class Naming:
    base: str  # the pack name the parts' names start with
    suffix: str  # the parts' file suffix

    def pack(self, number: int) -> str:
        return f"{self.base}-part-{number}"

    def file(self, number: int) -> str:
        return f"{self.pack(number)}{self.suffix}"

    def check_count(self, parts: int) -> None:
        """The last part's pack name is one AWS takes: at most 128 characters (an organization pack's limit)."""
        longest = self.pack(parts)
        if len(longest) > API_LIMITS.org_pack_name_max:
            room = API_LIMITS.org_pack_name_max - len(longest) + len(self.base)
            raise SplitError(
                f"--name {self.base[:40]!r}...: the parts' pack names, such as {longest[-20:]!r}, would be "
                f"{len(longest)} characters, over the {API_LIMITS.org_pack_name_max} an organization pack may "
                f"have: give a --name of at most {room} characters"
            )


@dataclass(frozen=True)
class Previous:
    """The split already in the folder (each unit's and each rule's part there), the lines of its spec
    file's `defaults` and each part's own settings (what a user added, kept when the spec is
    rewritten)."""

    earlier: Earlier
    defaults: str = ""
    # Each part's own settings in the spec (a template-s3-uri, parameters), by part number, kept too.
    settings: Mapping[int, tuple[tuple[str, object], ...]] = field(default_factory=dict)


def naming(pack: Path, name: str | None, json: bool) -> Naming:
    base = name if name is not None else _pack_name(pack.stem)
    if not re.fullmatch(API_LIMITS.pack_name_pattern, base):
        raise SplitError(f"--name {base!r}: a pack name starts with a letter and holds letters, digits and hyphens")
    suffix = ".json" if json else (pack.suffix if pack.suffix in SUFFIXES else ".yaml")
    return Naming(base, suffix)


def _pack_name(stem: str) -> str:
    name = re.sub(r"-+", "-", re.sub(r"[^-a-zA-Z0-9]", "-", stem)).strip("-")
    return name if name[:1].isalpha() else f"pack-{name}".rstrip("-")


def load_pack(path: Path) -> Loaded:
    if not path.is_file():
        raise SplitError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    loaded = load_template_file(path, str(path))
    for problem in loaded.problems:
        identical_duplicate = problem.kind is ProblemKind.DUPLICATE_KEY and problem.severity is Severity.WARNING
        if problem.kind not in TOLERATED and not identical_duplicate:
            where = f"{path}:{problem.span.line}:{problem.span.column}"
            raise SplitError(f"{where}: cannot split it: {problem.message}")
    if not loaded.is_template or loaded.document is None:
        raise SplitError(f"{path}: cannot split it: not a conformance pack")
    from preflight.knowledge.discovery import why_not_a_pack

    assert loaded.text is not None
    why = why_not_a_pack(loaded.text.encode("utf-8", "surrogateescape"))
    if why is not None:
        raise SplitError(f"{path}: cannot split it: {why}")
    return loaded


def read_previous(out: Path, names: Naming) -> Previous:
    """The split in `out`; an empty or missing folder holds none. Anything else there is an error, so
    that `split` never overwrites or deletes a file it did not write."""
    if out.exists() and not out.is_dir():
        raise SplitError(f"--out {out}: not a folder")
    if not out.exists():
        return Previous(Earlier())
    present = sorted(entry.name for entry in out.iterdir() if not entry.name.startswith("."))
    if not present:
        return Previous(Earlier())
    if SPEC_FILE not in present:
        raise SplitError(f"--out {out} holds files that no split wrote ({_some(present)}): give an empty folder")
    try:
        spec = load_spec(out / SPEC_FILE)
    except RequestError as error:
        raise SplitError(f"--out {out} holds a {SPEC_FILE} that is not a split's: {error}") from None
    numbers: list[int] = []
    own: dict[int, tuple[tuple[str, object], ...]] = {}
    entries = _pack_entries(out / SPEC_FILE)
    for pack, entry in zip(spec.packs, entries, strict=True):
        match = re.fullmatch(re.escape(names.base) + r"-part-([1-9][0-9]*)", pack.request.name or "")
        if match is None or pack.template is None or pack.template.name != names.file(int(match.group(1))):
            raise SplitError(
                f"--out {out} holds the split of another pack (its {SPEC_FILE} names {pack.request.name!r}, "
                f"not {names.pack(1)!r}...): give an empty folder, or --name"
            )
        numbers.append(int(match.group(1)))
        own[numbers[-1]] = tuple((key, value) for key, value in entry.items() if key not in ("name", "template"))
    others = sorted(set(present) - {SPEC_FILE} - {names.file(number) for number in numbers})
    if others:
        raise SplitError(f"--out {out} holds files that no split wrote ({_some(others)}): give an empty folder")
    units: dict[str, Before] = {}
    rules: dict[str, int] = {}
    for number in sorted(numbers):
        part = out / names.file(number)
        try:
            loaded = load_pack(part)
        except SplitError as error:
            raise SplitError(f"--out {out} holds a part that cannot be read back: {error}") from None
        for key, before in earlier_units(loaded, number).items():
            units.setdefault(key, before)
            for rule in before.rule_keys:
                rules.setdefault(rule, number)
    earlier = Earlier(units, rules, tuple(sorted(numbers)))
    return Previous(earlier, _defaults_lines((out / SPEC_FILE).read_text()), own)


def _pack_entries(spec: Path) -> list[Mapping[str, object]]:
    """The `packs` entries of a spec file load_spec has read, as values."""
    document = load_mapping_file(spec, strict_types=False)
    packs = document.data.get("packs") if isinstance(document.data, dict) else None
    return [entry for entry in packs if isinstance(entry, dict)] if isinstance(packs, list) else []


def _defaults_lines(text: str) -> str:
    """The lines of the top-level `defaults` key, with the comments among them."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if line[:1].strip() and not line.startswith("#"):
            inside = line.startswith("defaults:")
        if inside:
            kept.append(line if line.endswith("\n") else line + "\n")
    return "".join(kept)


def _some(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def spec_text(
    names: Naming,
    numbers: tuple[int, ...],
    source: str,
    defaults: str,
    settings: Mapping[int, tuple[tuple[str, object], ...]] | None = None,
) -> str:
    lines = [
        f"# The parts of {printable(source)}, written by `preflight split`; deploy them together with",
        f"# `preflight deploy --spec {SPEC_FILE}`. Split again into this folder to keep every rule in its part;",
        "# it rewrites this file and keeps its defaults and each part's own settings (without their comments).",
    ]
    lines += [defaults.rstrip("\n")] if defaults else []
    lines += ["packs:"]
    for number in numbers:
        lines += [f"  - name: {names.pack(number)}", f"    template: {names.file(number)}"]
        lines += [f"    {key}: {json.dumps(value, default=str)}" for key, value in (settings or {}).get(number, ())]
    return "\n".join(lines) + "\n"


def write(out: Path, names: Naming, result: Split, previous: Previous, source: str) -> None:
    """The parts and the spec file, all at once or not at all: written into a new folder beside `out`,
    which then takes its place (the split's earlier parts, and parts left with no unit, go with the old
    folder; what else it held, hidden files, is moved into the new one). A failure on the way (a full
    disk, a size limit) leaves the earlier split as it was."""
    numbers = tuple(part.number for part in result.parts)
    spec = spec_text(names, numbers, source, previous.defaults, previous.settings)
    parent = out.absolute().parent
    existing = next(folder for folder in (parent, *parent.parents) if folder.exists())
    if not existing.is_dir():
        raise SplitError(f"--out {out}: cannot write {out}: Not a directory")
    staging: Path | None = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.splitting-"))
        for part in result.parts:
            (staging / names.file(part.number)).write_bytes(part.text.encode())
        (staging / SPEC_FILE).write_bytes(spec.encode())
        _replace_folder(out, staging)
        staging = None
    except OSError as error:
        where = error.filename if error.filename is not None else out
        raise SplitError(f"--out {out}: cannot write {where}: {error.strerror or error}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _replace_folder(out: Path, staging: Path) -> None:
    """`staging` in `out`'s place: `out`'s hidden entries moved in, its mode kept; the old folder set
    aside and put back if the new one cannot take its place, removed once it has."""
    if not out.exists():
        staging.chmod(0o777 & ~_umask())
        os.rename(staging, out)
        return
    staging.chmod(stat.S_IMODE(out.stat().st_mode))
    for entry in out.iterdir():
        if entry.name.startswith("."):
            os.rename(entry, staging / entry.name)
    aside = Path(tempfile.mkdtemp(dir=out.absolute().parent, prefix=f".{out.name}.previous-"))
    os.rename(out, aside / out.name)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(aside / out.name, out)
        for entry in staging.iterdir():
            if entry.name.startswith("."):
                os.rename(entry, out / entry.name)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
