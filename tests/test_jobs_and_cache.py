"""-j/--jobs gives the serial output; the cache can never return a stale result."""

from __future__ import annotations

import json
import os
import time
from dataclasses import fields, replace
from pathlib import Path

import pytest

from preflight.engine import cache as cache_module
from preflight.engine.runner import discover_rules
from preflight.model.findings import Finding, Severity, Span
from preflight.model.limits import DEFAULT_QUOTAS
from preflight.model.request import EmbeddedBody, InputParameter, Origin, PackRequest
from preflight.model.rule import Rule
from preflight.model.settings import Settings
from tests.conftest import CORPUS, FIXTURES, REPO, run_cli


def test_parallel_output_is_the_serial_output() -> None:
    paths = ["fixtures"] + ([str(CORPUS)] if CORPUS.is_dir() else [])
    serial = run_cli(["check", "--format", "json", "--no-cache", "-j", "1", *paths], cwd=REPO)
    parallel = run_cli(["check", "--format", "json", "--no-cache", "-j", "2", *paths], cwd=REPO)
    assert serial.stdout == parallel.stdout and serial.exit_code == parallel.exit_code == 1
    text_serial = run_cli(["check", "--no-cache", "-j", "1", "fixtures/packs"], cwd=REPO)
    text_parallel = run_cli(["check", "--no-cache", "-j", "3", "fixtures/packs"], cwd=REPO)
    assert text_serial.stdout == text_parallel.stdout


SENTINEL = {
    "rule": "CP999", "name": "from-the-cache", "severity": 3, "file": "packs/a.yaml", "span": [1, 1, 1, 2],
    "path": [], "message": "served from the cache", "fix": None, "origin": None, "edits": [], "unsafe": False,
    "accounts": [],
}  # fmt: skip


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PREFLIGHT_CACHE_DIR")  # the default: next to the settings file
    (tmp_path / ".preflight.toml").write_text("")
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "a.yaml").write_text((FIXTURES / "packs" / "iam-baseline.yaml").read_text())
    (tmp_path / "packs" / "b.yaml").write_text((FIXTURES / "packs" / "s3-baseline.yaml").read_text())
    return tmp_path


def _run(project: Path, *args: str) -> str:
    result = run_cli(["check", "--format", "json", *args, "packs"], cwd=project)
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def _poison(project: Path) -> int:
    """Replace every cached result with a sentinel finding; a run that shows it read the cache."""
    entries = [p for p in (project / ".preflight_cache").rglob("*") if p.is_file() and not p.name.startswith(".")]
    for entry in entries:
        entry.write_text(json.dumps({"findings": [SENTINEL], "suppressions": []}))
    return len(entries)


def _served_from_cache(output: str) -> bool:
    return "served from the cache" in output


def test_the_cache_is_used_and_marked_for_git(project: Path) -> None:
    first = _run(project)
    assert _poison(project) == 2
    assert _served_from_cache(_run(project))
    assert (project / ".preflight_cache" / ".gitignore").read_text().endswith("*\n")
    assert not _served_from_cache(_run(project, "--no-cache"))
    assert json.loads(_run(project, "--no-cache")) == json.loads(first)


@pytest.mark.parametrize(
    "change",
    [
        "content",
        "file name",
        "configuration",
        "selection",
        "request",
        "tool version",
        "code",
        "cfn-lint",
        "catalog",
        "resource schemas",
    ],
)
def test_every_key_part_invalidates(project: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    _run(project)
    _poison(project)
    args: list[str] = []
    if change == "content":
        (project / "packs" / "a.yaml").write_text((FIXTURES / "packs" / "iam-baseline.yaml").read_text() + "# edit\n")
        (project / "packs" / "b.yaml").write_text((FIXTURES / "packs" / "s3-baseline.yaml").read_text() + "# edit\n")
    elif change == "file name":
        (project / "packs" / "a.yaml").rename(project / "packs" / "c.yaml")
        (project / "packs" / "b.yaml").rename(project / "packs" / "d.yaml")
    elif change == "configuration":
        (project / ".preflight.toml").write_text("[quotas]\nrules-per-pack = 129\n")
    elif change == "selection":
        args = ["--ignore", "CP305"]
    elif change == "request":
        args = ["--region", "eu-west-1"]
    elif change == "tool version":
        monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    elif change == "code":
        original = cache_module.code_fingerprint
        monkeypatch.setattr(cache_module, "code_fingerprint", lambda: original() + "-edited")
    elif change == "cfn-lint":
        args = ["--cfn-lint"]
    else:  # the managed-rule catalog and the resource schemas are data files of the package: their sizes
        # and times are in the key
        copy = project / "package"
        for path in cache_module._PACKAGE.rglob("*"):
            if "__pycache__" not in path.parts and path.is_file():
                target = copy / path.relative_to(cache_module._PACKAGE)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        monkeypatch.setattr(cache_module, "_PACKAGE", copy)
        before = cache_module.code_fingerprint()
        data = copy / "data" / {"catalog": "managed_rules.jsonl", "resource schemas": "pack_schemas.json"}[change]
        data.write_text(data.read_text() + " ")
        assert cache_module.code_fingerprint() != before
        monkeypatch.setattr(cache_module, "_PACKAGE", copy)
    assert not _served_from_cache(_run(project, *args)), change


def test_a_damaged_cache_entry_is_recomputed(project: Path) -> None:
    expected = _run(project)
    for entry in (project / ".preflight_cache").rglob("*"):
        if entry.is_file() and entry.name != ".gitignore":
            entry.write_text("{not json")
    assert _run(project) == expected


def test_cfn_lint_version_and_params_file_contents_are_in_the_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = project / "params.yaml"
    params.write_text("AccessKeysRotatedParamMaxAccessKeyAge: '90'\n")
    _run(project, "--params-file", "params.yaml")
    _poison(project)
    assert _served_from_cache(_run(project, "--params-file", "params.yaml"))
    params.write_text("AccessKeysRotatedParamMaxAccessKeyAge: '45'\n")
    assert not _served_from_cache(_run(project, "--params-file", "params.yaml"))
    _poison(project)
    other_install = project.parent / "other-site-packages"
    _installed(other_install / "cfn_lint-0.0.1.dist-info", "Metadata-Version: 2.1\nName: cfn-lint\nVersion: 0.0.1\n")
    monkeypatch.syspath_prepend(str(other_install))  # another cfn-lint, found first
    assert not _served_from_cache(_run(project, "--params-file", "params.yaml"))


def test_only_packs_skips_other_yaml(tmp_path: Path) -> None:
    (tmp_path / "workflow.yaml").write_text("on: push\njobs: {}\n")
    (tmp_path / "pack.yaml").write_text((FIXTURES / "packs" / "iam-baseline.yaml").read_text())
    result = run_cli(["check", "--format", "json", "--only-packs", "workflow.yaml", "pack.yaml"], cwd=tmp_path)
    assert {f["file"] for f in result.findings} == {"pack.yaml"} and result.json["summary"]["files"] == 1
    plain = run_cli(["check", "--format", "json", "workflow.yaml"], cwd=tmp_path)
    assert [f["rule"] for f in plain.findings] == ["CP004"]


@pytest.mark.parametrize(
    "forged",
    [
        {"findings": [{**SENTINEL, "span": ["a", 1, 1, 2]}], "suppressions": []},
        {"findings": [{**SENTINEL, "severity": 7}], "suppressions": []},
        {"findings": [{**SENTINEL, "path": [{"x": 1}]}], "suppressions": []},
        {"findings": [{**SENTINEL, "extra": 1}], "suppressions": []},
        {"findings": [{k: v for k, v in SENTINEL.items() if k != "fix"}], "suppressions": []},
        {"findings": [SENTINEL], "suppressions": [[["CP001"], [0, 1, 1, 2], None, None]]},
        {"findings": [SENTINEL], "suppressions": [[["CP001"], [1, 1, 1, 2], "4", None]]},
        {"findings": [SENTINEL], "suppressions": [[[1], [1, 1, 1, 2], None, None]]},
        {"findings": [SENTINEL], "suppressions": [[["CP001"], [1, 1, 1, 2], None, [{"x": 1}]]]},
        {"findings": [SENTINEL], "suppressions": [[["CP001"], [1, 1, 1, 2], None, []]]},  # would cover the file
        {"findings": [SENTINEL], "suppressions": [[["CP001"], [1, 1, 1, 2], None]]},
        {"findings": [SENTINEL]},
        [SENTINEL],  # the format before suppressions were stored
    ],
)
def test_a_forged_or_mistyped_cache_entry_is_a_miss(project: Path, forged: object) -> None:
    expected = _run(project)
    for entry in (project / ".preflight_cache").rglob("*"):
        if entry.is_file() and entry.name != ".gitignore":
            entry.write_text(json.dumps(forged))
    assert _run(project) == expected  # checked again, and the JSON contract keeps its types


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    cache = cache_module.Cache(tmp_path / "cache", "context")
    unwritable = Finding("CP001", "x", Severity.ERROR, "f", Span(1, 1, 1, 2), (object(),), "m")  # type: ignore[arg-type]
    cache.put("ab" + "0" * 62, cache_module.Entry((unwritable,), ()))
    assert [path.name for path in (tmp_path / "cache").rglob("*") if path.is_file()] == [".gitignore"]
    assert cache.get("ab" + "0" * 62) is None


# One changed value for every field of the settings and of the request: each must change the key.
SETTINGS_CHANGES: dict[str, object] = {
    "select": ("CP1",),
    "extend_select": ("CP411",),
    "ignore": ("CP2",),
    "per_file_ignores": (("*.yaml", ("CP1",)),),
    "quotas": replace(DEFAULT_QUOTAS, rules_per_pack=1),
    "root": Path("/elsewhere"),
    "cfn_lint": True,
}
REQUEST_CHANGES: dict[str, object] = {
    "known": True,
    "scope": "account",
    "name": "pack",
    "name_given": True,
    "template_body": EmbeddedBody("Resources: {}", "request.json", 3, 4),
    "template_s3_uri": "s3://bucket/pack.yaml",
    "other_sources": ("TemplateSSMDocumentDetails",),
    "parameters": (InputParameter("Age", "90"),),
    "excluded_accounts": ("111122223333",),
    "tags": (("team", "platform"),),
    "unsent": ("Scope",),
    "delivery_bucket": "awsconfigconforms-results",
    "delivery_prefix": "results",
    "region": "eu-west-1",
    "origins": {("ConformancePackName",): Origin("request.json", Span(2, 3, 2, 9))},
    "from_request_file": "request.json",
    "unknown_values": frozenset({"Age"}),
    "body_unread": "it is built with an intrinsic function",
    "source_texts": {"request.json": '{"ConformancePackName": "pack"}  '},
}


def test_the_cache_key_holds_every_field_of_the_settings_and_the_request() -> None:
    settings, request = Settings(root=REPO), PackRequest()
    rules = discover_rules()

    def key(
        settings: Settings,
        request: PackRequest,
        cfn_lint: bool = False,
        only_packs: bool = False,
        guard: bool = True,
        enabled: tuple[Rule, ...] = rules,
    ) -> str:
        context = cache_module.run_fingerprint(request, cfn_lint, only_packs, guard_installed=guard)
        return cache_module.Cache(REPO, context).key("pack.yaml", b"Resources: {}", settings, enabled)

    assert set(SETTINGS_CHANGES) | set(cache_module.SETTINGS_OUTSIDE_FINGERPRINT) == {f.name for f in fields(Settings)}
    assert set(REQUEST_CHANGES) == {f.name for f in fields(PackRequest)}
    base = key(settings, request)
    for name, value in SETTINGS_CHANGES.items():
        assert key(replace(settings, **{name: value}), request) != base, name
    for name, value in REQUEST_CHANGES.items():
        assert key(settings, replace(request, **{name: value})) != base, name
    assert key(settings, request, cfn_lint=True) != base
    assert key(settings, request, only_packs=True) != base
    assert key(settings, request, guard=False) != base  # without Guard, CP413 reports policies not checked
    assert key(settings, request, enabled=rules[1:]) != base
    # What decides no finding keeps the cache.
    assert key(replace(settings, fail_level=Severity.WARNING, source="pyproject.toml"), request) == base


def test_the_cache_lives_in_the_project_else_in_the_users_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFLIGHT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    pack = (FIXTURES / "packs" / "s3-baseline.yaml").read_text()
    settings_project, git_project, no_project = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (settings_project / "sub", git_project / "sub", no_project):
        folder.mkdir(parents=True)
        (folder / "pack.yaml").write_text(pack)
    (settings_project / ".preflight.toml").write_text("")
    (git_project / ".git").mkdir()
    for folder in (settings_project / "sub", git_project / "sub", no_project):
        assert run_cli(["check", "pack.yaml"], cwd=folder).exit_code == 0
    assert (settings_project / ".preflight_cache").is_dir() and not (
        settings_project / "sub" / ".preflight_cache"
    ).exists()
    assert (git_project / ".preflight_cache").is_dir() and not (git_project / "sub" / ".preflight_cache").exists()
    assert not (no_project / ".preflight_cache").exists()
    assert len([p for p in (tmp_path / "user-cache" / "preflight").rglob("*") if len(p.parent.name) == 2]) == 1


def test_entries_unused_for_a_month_are_pruned_once_a_day(tmp_path: Path) -> None:
    cache = cache_module.Cache(tmp_path / "cache", "context")
    for key, age_days in (("aa" + "1" * 62, 40), ("ab" + "2" * 62, 10)):
        cache.put(key, cache_module.Entry((), ()))
        entry = tmp_path / "cache" / key[:2] / key
        os.utime(entry, (time.time() - age_days * 86400,) * 2)
    assert cache.prune() == 1
    assert [p.name[:2] for p in (tmp_path / "cache").rglob("*") if len(p.parent.name) == 2] == ["ab"]
    old = tmp_path / "cache" / "ab" / ("ab" + "2" * 62)
    os.utime(old, (time.time() - 40 * 86400,) * 2)
    assert cache.prune() == 0  # pruned less than a day ago
    assert cache.prune(now=time.time() + 86400 + 1) == 1


@pytest.mark.parametrize("distribution", ["ruamel.yaml", "ruamel.yaml.clibz", "click", "cfn-lint"])
def test_installed_versions_are_read_where_importlib_metadata_reads_them(distribution: str) -> None:
    import importlib.metadata

    found = importlib.metadata.distribution(distribution)
    folder = Path(str(found._path))  # type: ignore[attr-defined]
    metadata = (folder / "METADATA").stat()
    entry = cache_module.installed_metadata(distribution)
    assert entry == f"{folder.name}:{metadata.st_size}:{metadata.st_mtime_ns}"
    assert found.version in folder.name


def _installed(folder: Path, text: str = "Metadata-Version: 2.1\nName: cfn-lint\n") -> Path:
    folder.mkdir(parents=True)
    (folder / ("PKG-INFO" if folder.name.endswith(("egg-info", "EGG-INFO")) else "METADATA")).write_text(text)
    return folder


def test_a_distribution_is_found_by_its_normalised_name_first_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _installed(first / "Cfn_Lint-1.2.3.dist-info")
    _installed(second / "cfn.lint-9.9.9.dist-info")
    _installed(second / "cfn_lint_extra-1.0.dist-info")
    (tmp_path / "a.zip").write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip archive on the path
    monkeypatch.setattr("sys.path", [str(tmp_path / "missing"), str(tmp_path / "a.zip"), str(first), str(second)])
    assert cache_module.installed_metadata("cfn-lint").startswith("Cfn_Lint-1.2.3.dist-info:")
    assert cache_module.installed_metadata("cfn-lint-extra").startswith("cfn_lint_extra-1.0.dist-info:")
    assert cache_module.installed_metadata("absent-tool") is None
    (first / "Cfn_Lint-1.2.3.dist-info" / "METADATA").unlink()  # a folder without its metadata: not installed
    assert cache_module.installed_metadata("cfn-lint").startswith("cfn.lint-9.9.9.dist-info:")


def test_a_release_installed_over_an_egg_info_of_the_same_name_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    egg_info = _installed(tmp_path / "site" / "cfn_lint.egg-info", "Name: cfn-lint\nVersion: 1.0.0\n")
    monkeypatch.setattr("sys.path", [str(tmp_path / "site")])
    before = cache_module.installed_metadata("cfn-lint")
    (egg_info / "PKG-INFO").write_text("Name: cfn-lint\nVersion: 1.10.0\n")  # `setup.py develop` rewrites it
    assert cache_module.installed_metadata("cfn-lint") != before


def test_an_egg_on_the_path_and_an_egg_info_file_are_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    egg = tmp_path / "cfn_lint-1.0-py3.11.egg"
    _installed(egg / "EGG-INFO")
    site = tmp_path / "site"
    site.mkdir()
    (site / "ruamel.yaml-0.19.1-py3.11.egg-info").write_text("Name: ruamel.yaml\nVersion: 0.19.1\n")
    monkeypatch.setattr("sys.path", [str(egg), str(site)])
    assert cache_module.installed_metadata("cfn-lint").startswith("EGG-INFO:")
    assert cache_module.installed_metadata("ruamel.yaml").startswith("ruamel.yaml-0.19.1-py3.11.egg-info:")


def test_the_code_fingerprint_skips_a_dangling_link_and_sees_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "a.py").write_text("A = 1\n")
    (package / "data" / "catalog.jsonl").write_text("{}\n")
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled")
    (package / "gone.py").symlink_to(tmp_path / "nowhere.py")
    monkeypatch.setattr(cache_module, "_PACKAGE", package)
    first = cache_module.code_fingerprint()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled again")  # bytecode is not code
    assert cache_module.code_fingerprint() == first
    (package / "data" / "catalog.jsonl").write_text("{} \n")
    assert cache_module.code_fingerprint() != first


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_a_cached_run_reports_exactly_what_an_uncached_run_reports(output_format: str) -> None:
    """Every fixture, suppressions (used, unused, misspelt) and a Latin-1 file among them: a result from
    the cache is the result the rules gave, and its lines are read as the checked text was."""
    arguments = ["check", "--format", output_format, "fixtures"]
    uncached = run_cli([*arguments, "--no-cache"], cwd=REPO)
    filling = run_cli(arguments, cwd=REPO)
    entries = [path for path in Path(os.environ["PREFLIGHT_CACHE_DIR"]).rglob("*") if path.is_file()]
    served = run_cli(arguments, cwd=REPO)
    assert uncached.exit_code == 1 and len(entries) > 100
    assert filling == uncached
    assert served == uncached
