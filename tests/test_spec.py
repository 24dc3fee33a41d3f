"""`check --spec`: every pack with its own request, and the limits across packs (CP150-CP152)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

SMALL = (FIXTURES / "packs" / "s3-baseline.yaml").read_text()  # 3 rules
# The spec's rules (CP15x) and the requests it makes (CP1xx, and CP302 for their parameters): what the
# packs' templates hold is other tests' business.
SPEC_RULES = ("--select", "CP1,CP3")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "s3.yaml").write_text(SMALL)
    return tmp_path


def _check(spec: Path, *args: str) -> list[tuple[str, str, int]]:
    result = run_cli(["check", "--format", "json", *SPEC_RULES, "--spec", str(spec), *args])
    assert result.exit_code in (0, 1), result.stderr
    return [(str(f["rule"]), Path(str(f["file"])).name, int(f["line"])) for f in result.findings]  # type: ignore[call-overload]


def test_a_clean_spec(folder: Path) -> None:
    spec = folder / "spec.yaml"
    spec.write_text(
        "defaults:\n  delivery-bucket: awsconfigconforms-results\n"
        "packs:\n  - {name: a, template: s3.yaml}\n  - {name: b, template: s3.yaml, region: eu-west-1}\n"
    )
    assert _check(spec) == []


def test_cp150_duplicate_names_per_region(folder: Path) -> None:
    spec = folder / "spec.yaml"
    spec.write_text(
        "packs:\n"
        "  - {name: a, template: s3.yaml}\n"
        "  - {name: a, template: s3.yaml, region: eu-west-1}\n"
        "  - {name: a, template: s3.yaml}\n"
    )
    assert _check(spec) == [("CP150", "spec.yaml", 4)]


def test_cp151_too_many_packs(folder: Path) -> None:
    spec = folder / "spec.yaml"
    (folder / ".preflight.toml").write_text("[quotas]\npacks-per-organization = 2\n")
    spec.write_text("packs:\n" + "".join(f"  - {{name: p{i}, template: s3.yaml}}\n" for i in range(3)))
    result = run_cli(["check", "--format", "json", *SPEC_RULES, "--spec", str(spec)], cwd=folder)
    assert [(f["rule"], f["line"]) for f in result.findings] == [("CP151", 4)]


def test_cp152_rules_across_packs(folder: Path) -> None:
    spec = folder / "spec.yaml"
    (folder / ".preflight.toml").write_text("[quotas]\nrules-per-account-across-org-packs = 5\n")
    spec.write_text(
        "packs:\n"
        "  - {name: a, template: s3.yaml}\n"
        "  - {name: b, template: s3.yaml, scope: account}\n"
        "  - {name: c, template: s3.yaml}\n"
    )
    result = run_cli(["check", "--format", "json", *SPEC_RULES, "--spec", str(spec)], cwd=folder)
    assert [(f["rule"], f["line"]) for f in result.findings] == [("CP152", 4)]
    assert "an account gets 6 rules" in str(result.findings[0]["message"])


def test_pack_findings_point_into_the_spec(folder: Path) -> None:
    spec = folder / "spec.yaml"
    spec.write_text(
        "defaults:\n  exclude-accounts: ['1234']\n"
        "packs:\n  - name: 1st-pack\n    template: s3.yaml\n    parameters: {Unknown: x}\n"
    )
    assert _check(spec) == [
        ("CP120", "spec.yaml", 2),
        ("CP110", "spec.yaml", 4),
        ("CP302", "spec.yaml", 6),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("packs: []\n", "'packs' must be a non-empty list"),
        ("packs:\n  - {name: a}\n", "a pack needs a template"),
        ("packs:\n  - {name: a, template: missing.yaml}\n", "no such template file"),
        ("packs:\n  - {name: a, template: s3.yaml, colour: red}\n", "unknown key 'colour'"),
        ("defaults: {name: x}\npacks:\n  - {name: a, template: s3.yaml}\n", "unknown key 'name'"),
        ("packs:\n  - {name: a, template: s3.yaml, scope: global}\n", "scope must be organization or account"),
    ],
)
def test_unusable_specs_are_one_line_exit_2(folder: Path, content: str, expected: str) -> None:
    spec = folder / "spec.yaml"
    spec.write_text(content)
    result = run_cli(["check", "--spec", str(spec)])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert expected in result.stderr and "spec.yaml:" in result.stderr
