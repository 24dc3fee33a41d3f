"""The suppression stage: each file's suppressions applied once, over the findings of every pack
reported in it, with the text its loading kept (a request, params or spec file is not read again)."""

from __future__ import annotations

from pathlib import Path

from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.load.paths import Subject
from preflight.load.request import build_request
from preflight.model.findings import Finding, Severity, Span
from preflight.model.request import RequestInputs
from preflight.model.settings import Settings
from tests.conftest import FIXTURES

RULES = discover_rules()
PACK = FIXTURES / "packs" / "iam-baseline.yaml"
NAME = "AccessKeysRotatedParamMaxAccessKeyAge"
OTHER = "IamPasswordPolicyParamMinimumPasswordLength"
REQUEST = f"""OrganizationConformancePackName: iam
ConformancePackInputParameters:
  - ParameterName: {NAME}
    ParameterValue: "90"
  - ParameterName: {NAME}  # preflight: ignore[CP133]
    ParameterValue: "60"
  - ParameterName: {OTHER}  # preflight: ignore[CP133]
    ParameterValue: "14"
"""


def _run(request_file: Path, *packs: Path) -> tuple[list[Finding], dict[str, dict[int, str]]]:
    request = build_request(RequestInputs(request_file=request_file))
    request_file.write_text("# rewritten after it was read\n" * 10)  # what the run shows is what was read
    inputs = tuple(PackInput(request, (Subject(str(pack), pack),)) for pack in packs)
    report = run(Job(inputs, Settings(select=("CP133", "CP009")), RULES, raise_errors=True))
    return list(report.findings), {file: dict(lines) for file, lines in report.lines.items()}


def test_a_request_file_s_suppressions_are_read_from_the_text_its_loading_kept(tmp_path: Path) -> None:
    request_file = tmp_path / "request.yaml"
    request_file.write_text(REQUEST)
    findings, lines = _run(request_file, PACK)
    unused = Finding(
        "CP009",
        "unused-suppression",
        Severity.WARNING,
        str(request_file),
        Span(
            7,
            len(f"  - ParameterName: {OTHER}  ") + 1,
            7,
            len(f"  - ParameterName: {OTHER}  # preflight: ignore[CP133]") + 1,
        ),
        (),
        "ignore[CP133] suppresses nothing: no CP133 finding on this line",
        "remove it, or name the rule of the finding it is meant for",
    )
    assert findings == [unused]
    assert lines[str(request_file)] == {7: f"  - ParameterName: {OTHER}  # preflight: ignore[CP133]"}


def test_a_suppression_used_by_one_pack_of_a_run_is_used(tmp_path: Path) -> None:
    """Two packs share the request file: its suppressions are applied once, over both packs' findings,
    so the used one is not reported as unused for the second, and the unused one is reported once."""
    request_file = tmp_path / "request.yaml"
    request_file.write_text(REQUEST)
    second = tmp_path / "second.yaml"
    second.write_text(PACK.read_text())
    findings, _lines = _run(request_file, PACK, second)
    assert [(finding.rule, finding.file, finding.span.line) for finding in findings] == [
        ("CP009", str(request_file), 7)
    ]
