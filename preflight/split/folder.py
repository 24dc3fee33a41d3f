"""The folder a split is written to: its parts and the spec file that deploys them together.

The folder is also the split's memory. Splitting again reads the spec file and the parts it names
to learn which part each rule is in, so no other record is kept: a folder copied, committed or
edited by hand is read as it is."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from preflight.load.files import umask
from preflight.load.mapping_file import RequestError, load_mapping_file
from preflight.load.parsing import Loaded, load_template_file
from preflight.load.spec_file import load_spec
from preflight.model.document import lines_with_ends
from preflight.model.errors import InputError
from preflight.model.findings import Severity
from preflight.model.limits import API_LIMITS
from preflight.model.problems import ProblemKind
from preflight.reporters.printable import printable
from preflight.split.parts import Before, Earlier, Split, earlier_units

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
    """The split already in the folder (each unit's and each rule's part there), its spec file's
    `defaults` and each part's own settings (what a user added, kept when the spec is rewritten), and
    the names of the files the split wrote there (the only ones a new split replaces)."""

    earlier: Earlier
    defaults: str = ""  # the spec's `defaults`, as lines of YAML
    # Each part's own settings in the spec (a template-s3-uri, parameters), by part number, kept too.
    settings: Mapping[int, tuple[tuple[str, object], ...]] = field(default_factory=dict)
    files: tuple[str, ...] = ()


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
    from preflight.load.discovery import why_not_a_pack

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
    entries, defaults = _spec_values(out / SPEC_FILE)
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
    files = (*(names.file(number) for number in sorted(numbers)), SPEC_FILE)
    return Previous(earlier, defaults, own, files)


def _spec_values(spec: Path) -> tuple[list[Mapping[str, object]], str]:
    """The `packs` entries of a spec file load_spec has read, as values, and its `defaults` as YAML
    lines: the file's own lines (comments kept) when it writes them as a block at the top level and
    they read back the same, otherwise written from their values (a flow or JSON spec)."""
    document = load_mapping_file(spec, strict_types=False)
    data = document.data if isinstance(document.data, dict) else {}
    packs = data.get("packs")
    entries: list[Mapping[str, object]] = (
        [entry for entry in packs if isinstance(entry, dict)] if isinstance(packs, list) else []
    )
    defaults = data.get("defaults")
    if not isinstance(defaults, dict) or not defaults:
        return entries, ""
    key, node = document.key_spans.get(("defaults",)), document.spans.get(("defaults",))
    if key is not None and node is not None and key[1] == 1 and node[0] > key[0]:
        lines = lines_with_ends(document.text)
        last = node[2] - (1 if node[3] == 1 else 0)
        own = "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines[key[0] - 1 : last])
        if _reads_as(own, defaults):
            return entries, own
    written = "".join(f"  {json.dumps(name)}: {json.dumps(value, default=str)}\n" for name, value in defaults.items())
    return entries, "defaults:\n" + written


def _reads_as(text: str, defaults: Mapping[str, object]) -> bool:
    from preflight.load.parsing import parse_text

    document, problems = parse_text(text, "", scalars_as_text=True, cli_numbers=False)
    data = document.data if document is not None else None
    return not problems and isinstance(data, dict) and data.get("defaults") == defaults


def _some(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def spec_text(
    names: Naming,
    numbers: tuple[int, ...],
    source: str,
    defaults: str = "",
    settings: Mapping[int, tuple[tuple[str, object], ...]] | None = None,
) -> str:
    lines = [
        f"# The parts of {printable(source)}, written by `preflight split`; deploy them together with",
        f"# `preflight deploy --spec {SPEC_FILE}`. Split again into this folder to keep every rule in its part;",
        "# it rewrites this file and keeps its defaults and each part's own settings (without their comments).",
    ]
    lines += [defaults[:-1] if defaults.endswith("\n") else defaults] if defaults else []  # its own blank lines kept
    lines += ["packs:"]
    for number in numbers:
        lines += [f"  - name: {names.pack(number)}", f"    template: {names.file(number)}"]
        lines += [f"    {key}: {json.dumps(value, default=str)}" for key, value in (settings or {}).get(number, ())]
    return "\n".join(lines) + "\n"


def kept_settings(result: Split, previous: Previous) -> tuple[dict[int, tuple[tuple[str, object], ...]], list[str]]:
    """Each part's own settings from the earlier spec, with the `parameters` a part no longer declares
    (or a part emptied had) taken out: given to each part that now declares the parameter and has
    no value of its own, and otherwise dropped (a spec that passes a parameter its template lacks does
    not deploy). What was moved or dropped, in words."""
    declared = {part.number: _declared(part.text) for part in result.parts}
    kept: dict[int, dict[str, object]] = {number: dict(previous.settings.get(number, ())) for number in declared}
    notes: list[str] = []
    homeless: list[tuple[int, str, object]] = []  # (part, parameter, value) of values that must move
    for number, settings in kept.items():
        given = _parameters(settings)
        homeless += [(number, name, value) for name, value in given.items() if name not in declared[number]]
        stays = {name: value for name, value in given.items() if name in declared[number]}
        if stays:
            settings["parameters"] = stays
        else:
            settings.pop("parameters", None)
    for number, own in sorted(previous.settings.items()):
        if number not in declared:  # a part the split emptied
            homeless += [(number, name, value) for name, value in _parameters(dict(own)).items()]
    for number, name, value in homeless:
        takers = [other for other, names in declared.items() if name in names and name not in _parameters(kept[other])]
        for taker in takers:
            kept[taker]["parameters"] = {**_parameters(kept[taker]), name: value}
        if takers:
            parts = ", ".join(str(taker) for taker in takers)
            notes.append(f"parameter {name}'s value in the spec moves from part {number} to part {parts}")
        else:
            why = (
                f"part {number} no longer declares it, nor does another part"
                if number in declared
                else f"part {number} is gone, and no part declares it"
            )
            notes.append(f"parameter {name}'s value in the spec is dropped: {why}")
    return {number: tuple(settings.items()) for number, settings in kept.items() if settings}, notes


def _parameters(settings: Mapping[str, object]) -> dict[str, object]:
    given = settings.get("parameters")
    return dict(given) if isinstance(given, dict) else {}


def _declared(text: str) -> frozenset[str]:
    from preflight.load.parsing import load_template_text

    loaded = load_template_text(text, "")
    data = loaded.document.data if loaded.document is not None else None
    parameters = data.get("Parameters") if isinstance(data, dict) else None
    return frozenset(str(name) for name in parameters) if isinstance(parameters, dict) else frozenset()


def write(
    out: Path, names: Naming, result: Split, previous: Previous, source: str,
    settings: Mapping[int, tuple[tuple[str, object], ...]],
) -> list[str]:  # fmt: skip
    """The parts and the spec file, all of them or none. A new folder is made beside and renamed into
    place. In a folder that holds an earlier split, only the files that split wrote are replaced (a
    part left with no rule is removed): the new files are written into a hidden folder inside it,
    the old ones set aside in another, then the new ones moved in, the spec last; any failure puts
    the old ones back. Nothing else in the folder (a `.git`, notes) is moved or touched. A link to a
    folder is followed: the parts go into the folder it names."""
    numbers = tuple(part.number for part in result.parts)
    spec = spec_text(names, numbers, source, previous.defaults, settings)
    files = {names.file(part.number): part.text for part in result.parts} | {SPEC_FILE: spec}
    target = Path(os.path.realpath(out))
    try:
        if target.exists():
            return _replace_files(target, files, previous.files)
        _new_folder(target, files)
        return []
    except OSError as error:
        where = error.filename if error.filename is not None else out
        raise SplitError(f"--out {out}: cannot write {where}: {error.strerror or error}") from None


def _new_folder(target: Path, files: Mapping[str, str]) -> None:
    existing = next(folder for folder in target.parents if folder.exists())
    if not existing.is_dir():
        raise SplitError(f"--out {target}: cannot write {target}: Not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.splitting-"))
    try:
        for name, text in files.items():
            _write_new(staging / name, text, None)
        staging.chmod(0o777 & ~umask())
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace_files(target: Path, files: Mapping[str, str], old: tuple[str, ...]) -> list[str]:
    """What could not be kept of the files replaced (an owner), in words."""
    present = {entry.name for entry in target.iterdir() if not entry.name.startswith(".")}
    strangers = sorted(present - set(old))
    if strangers:  # written there since the folder was read
        raise SplitError(f"--out {target} now holds files that no split wrote ({_some(strangers)}): nothing written")
    staging = Path(tempfile.mkdtemp(dir=target, prefix=".splitting-"))
    aside: Path | None = None
    moved: list[str] = []  # old files set aside
    placed: list[str] = []  # new files moved in
    notes: list[str] = []
    try:
        for name, text in files.items():
            note = _write_new(staging / name, text, target / name)
            notes += [f"{name}: {note}"] if note else []
        aside = Path(tempfile.mkdtemp(dir=target, prefix=".previous-"))
        for name in sorted(present):
            os.rename(target / name, aside / name)
            moved.append(name)
        for name in [*(name for name in files if name != SPEC_FILE), SPEC_FILE]:
            os.rename(staging / name, target / name)
            placed.append(name)
    except BaseException:
        for name in reversed(placed):
            with contextlib.suppress(OSError):
                os.rename(target / name, staging / name)
        unrestored = []
        for name in reversed(moved):
            assert aside is not None
            try:
                os.rename(aside / name, target / name)
            except OSError:
                unrestored.append(name)
        shutil.rmtree(staging, ignore_errors=True)
        if aside is not None and not unrestored:
            shutil.rmtree(aside, ignore_errors=True)
        if unrestored:
            raise SplitError(
                f"--out {target}: the split failed and {_some(unrestored)} could not be put back: they are in {aside}"
            ) from None
        raise
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(aside, ignore_errors=True)
    return notes


def _write_new(path: Path, text: str, replacing: Path | None) -> str | None:
    """A new file with the mode of the one it replaces (or the umask's) and its owner: None, or what
    could not be kept."""
    path.write_bytes(text.encode())
    try:
        status = replacing.stat() if replacing is not None else None
    except FileNotFoundError:
        status = None
    if status is None:
        path.chmod(0o666 & ~umask())
        return None
    note = None
    if (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.chown(path, status.st_uid, status.st_gid)
        except PermissionError:
            note = f"it belonged to user {status.st_uid}; the new one belongs to user {os.geteuid()}"
    path.chmod(stat.S_IMODE(status.st_mode))
    return note
