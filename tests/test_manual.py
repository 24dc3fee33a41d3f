"""The manual (README.md, CONTRIBUTING.md, bench/README.md and docs/): the generated rule pages are
current, and every relative link leads to a file and heading that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from preflight.docs import COMMAND, FOLDER, generated, rule_page, stale, write
from preflight.engine.runner import discover_rules
from tests.conftest import REPO, run_cli

RULES = discover_rules()
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\]\(([^()\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.MULTILINE)


def manual_pages() -> list[Path]:
    return [
        REPO / "README.md",
        REPO / "CONTRIBUTING.md",
        REPO / "bench" / "README.md",
        *sorted((REPO / "docs").rglob("*.md")),
    ]


def _prose(markdown: str) -> str:
    """The text outside code blocks and code spans, where links and headings are."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces as hyphens, and
    `-1`, `-2` ... after a repeated one."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        found.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return found


def broken_links(page: Path) -> list[str]:
    """Each relative link of the page whose file, or whose `#anchor` in that file, does not exist."""
    broken = []
    for target in LINK.findall(_prose(page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target} (no file {linked})")
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked.read_text(encoding="utf-8"))):
            broken.append(f"{target} (no heading #{anchor} in {linked.name})")
    return broken


def test_the_rule_pages_are_current() -> None:
    folder = REPO / FOLDER
    differing = stale(folder, generated(folder, RULES))
    assert not differing, f"stale or extra in {FOLDER}: {', '.join(differing)}; run: {COMMAND}"


def test_a_rule_page_is_what_explain_prints() -> None:
    for rule_id in ("CP404", "CP411"):
        printed = run_cli(["explain", rule_id]).stdout
        assert (REPO / FOLDER / f"{rule_id}.md").read_text(encoding="utf-8") == f"# {printed}"


def test_regenerating_writes_changed_pages_and_removes_pages_of_rules_that_are_gone(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "README.md").write_text((REPO / FOLDER / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "CP001.md").write_text("# old\n", encoding="utf-8")
    (folder / "CP998.md").write_text("# a rule that is gone\n", encoding="utf-8")
    (folder / "CP001.md").chmod(0o640)
    (folder / "notes.md").write_text("mine\n", encoding="utf-8")  # not the generator's: left alone
    (folder / "images").mkdir()
    wanted = generated(folder, RULES[:2])
    assert stale(folder, wanted) == ["CP001.md", "CP002.md", "CP998.md", "README.md"]
    write(folder, wanted)
    assert stale(folder, wanted) == []
    assert sorted(path.name for path in folder.iterdir()) == ["CP001.md", "CP002.md", "README.md", "images", "notes.md"]
    assert (folder / "CP001.md").stat().st_mode & 0o777 == 0o640 and (folder / "notes.md").read_text() == "mine\n"
    assert (folder / "CP001.md").read_text(encoding="utf-8") == rule_page(RULES[0])
    assert "| [CP002](CP002.md) |" in (folder / "README.md").read_text(encoding="utf-8")
    assert f"[{RULES[2].id}]" not in (folder / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", manual_pages(), ids=lambda page: str(page.relative_to(REPO)))
def test_relative_links_lead_somewhere(page: Path) -> None:
    assert broken_links(page) == []


def test_a_broken_link_or_anchor_is_found(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text("# Guide\n\n## Spec files: several packs\n\n```sh\n# not a heading\n```\n")
    page = tmp_path / "README.md"
    page.write_text(
        "# Start\n\n[ok](guide.md) [ok](guide.md#spec-files-several-packs) [ok](#start) [web](https://example.com/x)\n"
        "[gone](missing.md) [no heading](guide.md#not-a-heading) [self](#nowhere) `[code](nothing.md)`\n"
    )
    assert [link.split(" ", 1)[0] for link in broken_links(page)] == [
        "missing.md",
        "guide.md#not-a-heading",
        "#nowhere",
    ]


def test_repeated_headings_get_numbered_anchors() -> None:
    assert anchors("# Usage\n## Usage\n### `--fix` and `--diff`\n") == {"usage", "usage-1", "--fix-and---diff"}


def test_the_readme_is_a_front_door() -> None:
    """At most 250 lines: what preflight is for, the two commands, the quick start, links into docs/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert "(docs/README.md)" in readme and "(docs/rules/README.md)" in readme
