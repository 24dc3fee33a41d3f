"""AWS's own Automation runbooks (the SSM documents a remediation's `TargetId` names): their names and,
where AWS's runbook reference gave them, their parameters (type, required, default, allowed values).

The package ships `preflight/data/runbooks.json`, built from the reference's pages by

    python -m preflight.knowledge.runbooks build --pages GIT_DIR [--commit SHA] --index NAMES.txt \\
        [--date YYYY-MM-DD] [--output PATH]

`--pages` is a clone of github.com/awsdocs/aws-systems-manager-user-guide: its `doc_source` held one
page per runbook until 2021-05-07, when the reference moved to a guide of its own (the last full set
is commit a7e29b69, the default). `--index` lists the names the current reference's index has, one a
line (docs/catalogs/runbook-index.txt): a runbook only there is known by name, its parameters are
not, and no parameter of it is checked.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNBOOKS_FILE = Path(__file__).resolve().parent.parent / "data" / "runbooks.json"
FORMAT = 1
PAGES_COMMIT = "a7e29b6947bc67e73baab04a88e292d8023b8aab"
PAGES_DATE = "2021-05-07"
# The families of names AWS keeps for its own runbooks that the reference covers (SSM reserves `AWS`
# prefixes for its documents: CreateDocument's Name "can't use ... aws, amazon, amzn, AWSEC2,
# AWSConfigRemediation, AWSSupport").
FAMILIES = ("AWSConfigRemediation-", "AWSSupport-", "AWSPremiumSupport-", "AWSEC2-", "AWS-")


@dataclass(frozen=True)
class RunbookParameter:
    name: str
    type: str | None
    required: bool | None  # None: the page does not say
    default: str | None
    allowed: tuple[str, ...] | None  # the values the page lists, when it lists plain values


@dataclass(frozen=True)
class Runbook:
    name: str
    parameters: Mapping[str, RunbookParameter] | None  # None: known by name only


@dataclass(eq=False, frozen=True)
class RunbookCatalog:
    date: str
    sources: Mapping[str, str]
    runbooks: Mapping[str, Mapping[str, Any]] = field(repr=False)  # lower-case name -> entry
    decoded: dict[str, Runbook | None] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.runbooks)

    def get(self, name: str) -> Runbook | None:
        """The runbook named `name`, whatever the case of its letters (AWS's pages and documents do
        not agree on it: `EnableAPIGatewayTracing`, `EnableApiGatewayTracing`)."""
        key = name.lower()
        if key not in self.decoded:
            entry = self.runbooks.get(key)
            self.decoded[key] = None if entry is None else _decode(entry)
        return self.decoded[key]

    def names(self) -> list[str]:
        return [str(entry["name"]) for entry in self.runbooks.values()]

    @property
    def with_parameters(self) -> int:
        return sum(1 for entry in self.runbooks.values() if entry.get("parameters") is not None)


def covers(name: str) -> bool:
    """Whether `name` is in a family of AWS's own runbooks (an ARN or another account's document is not)."""
    return name.startswith(FAMILIES) and not name.startswith("arn:")


def _decode(entry: Mapping[str, Any]) -> Runbook:
    parameters = entry.get("parameters")
    if parameters is None:
        return Runbook(str(entry["name"]), None)
    return Runbook(
        str(entry["name"]),
        {
            name: RunbookParameter(
                name, spec.get("type"), spec.get("required"), spec.get("default"),
                tuple(spec["allowed"]) if spec.get("allowed") is not None else None,
            )
            for name, spec in parameters.items()
        },
    )  # fmt: skip


def load_runbooks(path: Path = RUNBOOKS_FILE) -> RunbookCatalog:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: runbook catalog format {data.get('format')!r}, expected {FORMAT}")
    return RunbookCatalog(str(data["date"]), dict(data["sources"]), {
        str(name).lower(): {**entry, "name": str(name)} for name, entry in data["runbooks"].items()
    })  # fmt: skip


def runbooks_summary(path: Path = RUNBOOKS_FILE) -> str:
    try:
        catalog = load_runbooks(path)
    except (OSError, ValueError, KeyError) as error:
        return f"runbook catalog unavailable: {error}"
    return f"runbook catalog of {catalog.date}, {len(catalog)} runbooks ({catalog.with_parameters} with parameters)"


# ----- building the catalog from the reference's pages


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_page(text: str) -> tuple[str, dict[str, dict[str, Any]]] | None:
    """A runbook page of the reference (Markdown): its runbook's name and parameters; None when it
    is not a runbook's page."""
    title = re.match(r"#\s*`?(.+?)`?\s*(?:<a name|\n)", text)
    if title is None:
        return None
    name = _unescaped(title.group(1)).strip().strip("`")
    if not name.startswith(FAMILIES):
        return None
    section = re.search(r"\*\*Parameters\*\*\n(.*?)(?=\n\*\*[A-Z]|\Z)", text, re.S)
    parameters: dict[str, dict[str, Any]] = {}
    for block in re.split(r"\n[+-] ", "\n" + section.group(1))[1:] if section else ():
        lines = block.split("\n")
        parameter = _unescaped(lines[0]).strip()
        body = _unescaped("\n".join(lines[1:]))
        kind = re.search(r"Type: *(.+)", body)
        default = re.search(r"Default: *(.*)", body)
        allowed = re.search(r"(?:Valid|Allowed) values: *(.+)", body)
        marker = re.search(r"^\s*(?:Description: *)?\((Required|Optional)\)", body, re.M)
        required = None if marker is None else marker.group(1) == "Required"
        parameters[parameter] = {
            "type": kind.group(1).strip() if kind else None,
            "required": required if default is None else False,
            "default": default.group(1).strip() if default else None,
            "allowed": _values(allowed.group(1)) if allowed else None,
        }
    return name, parameters


def _values(listed: str) -> list[str] | None:
    """A page's "Valid values" as plain values (`FULL_CONTROL | READ | WRITE`); None for a range or
    anything else that is not a list of values (`1-35`, `7, 731`)."""
    separator = " | " if " | " in listed else ", "
    values = [value.strip() for value in listed.strip().rstrip(".").split(separator)]
    if len(values) < 2 or any(not re.fullmatch(r"[A-Za-z][\w.:/-]*", value) for value in values):
        return None
    return values


def build(
    pages: Mapping[str, str], index: Sequence[str], date: str, pages_source: str, index_source: str
) -> dict[str, Any]:
    """The catalog: every runbook of the pages with its parameters, and every other name of the index
    by name alone; a name in both (whatever its case) takes the index's spelling."""
    runbooks: dict[str, dict[str, Any]] = {}
    for text in pages.values():
        parsed = parse_page(text)
        if parsed is not None:
            name, parameters = parsed
            runbooks[name.lower()] = {"name": name, "parameters": parameters, "source": "pages"}
    for name in index:
        entry = runbooks.get(name.lower())
        if entry is None:
            runbooks[name.lower()] = {"name": name, "parameters": None, "source": "index"}
        else:
            entry["name"] = name
    ordered = {entry["name"]: {key: value for key, value in entry.items() if key != "name"}
               for _key, entry in sorted(runbooks.items())}  # fmt: skip
    return {"format": FORMAT, "date": date, "sources": {"pages": pages_source, "index": index_source},
            "runbooks": ordered}  # fmt: skip


def _pages_at(repository: Path, commit: str) -> dict[str, str]:
    import subprocess

    def git(*arguments: str) -> str:
        return subprocess.run(["git", "-C", str(repository), *arguments], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip

    names = [path for path in git("ls-tree", "-r", "--name-only", commit, "doc_source").split()
             if re.match(r"doc_source/automation-aws(support|premiumsupport|ec2)?-", path)]  # fmt: skip
    return {path: git("show", f"{commit}:{path}") for path in names}


def _build_command(argv: Sequence[str]) -> int:
    import argparse
    import datetime

    parser = argparse.ArgumentParser(prog="python -m preflight.knowledge.runbooks")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="the runbook catalog from the reference's pages and index")
    make.add_argument("--pages", type=Path, required=True, help="a clone of awsdocs/aws-systems-manager-user-guide")
    make.add_argument("--commit", default=PAGES_COMMIT)
    make.add_argument("--index", type=Path, required=True, help="the index's runbook names, one a line")
    make.add_argument("--date", default=datetime.date.today().isoformat(), help="when the sources were read")
    make.add_argument("--output", type=Path, default=RUNBOOKS_FILE)
    options = parser.parse_args(argv)
    index = [line.strip() for line in options.index.read_text(encoding="utf-8").splitlines() if line.strip()]
    catalog = build(
        _pages_at(options.pages, options.commit), index, options.date,
        f"awsdocs/aws-systems-manager-user-guide@{options.commit[:8]} ({PAGES_DATE}): each runbook's page",
        "the current reference's index (docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/"
        "llms.txt, 2025 or later): names only",
    )  # fmt: skip
    options.output.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    parameters = sum(1 for entry in catalog["runbooks"].values() if entry["parameters"] is not None)
    print(f"{options.output}: {len(catalog['runbooks'])} runbooks, {parameters} with parameters")
    return 0


if __name__ == "__main__":
    sys.exit(_build_command(sys.argv[1:]))
