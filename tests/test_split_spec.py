"""The spec file a split writes and reads back: splitting again keeps the defaults it gives (in block,
flow or JSON style, blank lines and comments too) and each part's own settings; a parameter value goes
to the parts that declare that parameter now, or is dropped."""

from __future__ import annotations

import json
from pathlib import Path

from preflight.load.spec_file import load_spec
from tests.conftest import run_cli
from tests.split_helpers import PARTS_PASS, _parts_checked, _rule, _small_pack, split


def test_splitting_again_keeps_the_spec_file_s_defaults(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One"), _rule("Two")]), tmp_path / "out"
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = (out / "spec.yaml").read_text()
    defaults = (
        "defaults:\n  # where the results go\n  delivery-bucket: awsconfigconforms-results\n  region: eu-west-1\n"
    )
    (out / "spec.yaml").write_text(spec.replace("packs:\n", defaults + "packs:\n"))
    _small_pack(pack, [_rule("One"), _rule("Two"), _rule("Three")])
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    assert defaults + "packs:\n" in (out / "spec.yaml").read_text()
    packs = load_spec(out / "spec.yaml").packs
    assert [(p.request.name, p.request.delivery_bucket, p.request.region) for p in packs] == [
        (f"pack-part-{number}", "awsconfigconforms-results", "eu-west-1") for number in (1, 2, 3)
    ]


def test_splitting_again_keeps_each_part_s_own_settings_and_the_defaults(tmp_path: Path) -> None:
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text("Resources:\n" + _rule("A") + _rule("B"))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(
        spec.read_text()
        .replace("packs:\n", "defaults:\n  template-bucket: pack-templates  # large parts go to S3\npacks:\n")
        .replace(
            "    template: pack-part-2.yaml\n",
            "    template: pack-part-2.yaml\n    template-s3-uri: s3://pack-templates/part-2.yaml  # pinned\n",
        )
    )
    pack.write_text("Resources:\n" + _rule("A") + _rule("B") + _rule("C"))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    assert spec.read_text().split("\n", 3)[3] == (
        "defaults:\n  template-bucket: pack-templates  # large parts go to S3\npacks:\n"
        "  - name: pack-part-1\n    template: pack-part-1.yaml\n"
        "  - name: pack-part-2\n    template: pack-part-2.yaml\n"
        '    template-s3-uri: "s3://pack-templates/part-2.yaml"\n'
        "  - name: pack-part-3\n    template: pack-part-3.yaml\n"
    )
    loaded = load_spec(spec)
    assert [(p.request.template_s3_uri, p.template_bucket) for p in loaded.packs] == [
        (None, "pack-templates"), ("s3://pack-templates/part-2.yaml", "pack-templates"), (None, "pack-templates"),
    ]  # fmt: skip
    # deploy uploads a part too large to send inline to the spec's template-bucket.
    (out / "pack-part-1.yaml").write_text("# " + "x" * 60_000 + "\nResources:\n" + _rule("A"))
    plan = run_cli(["deploy", "--spec", str(spec), "--dry-run", "--offline", "--format", "json"])
    assert plan.exit_code == 0, plan.stderr
    uploads = [pack["plan"]["upload"] for pack in json.loads(plan.stdout)["packs"]]
    assert uploads[0]["uri"].startswith("s3://pack-templates/preflight/pack-part-1/")
    assert uploads[1]["uri"] == "s3://pack-templates/part-2.yaml" and uploads[2] is None


def test_a_parameter_without_default_can_be_given_to_the_parts_that_declare_it(tmp_path: Path) -> None:
    """Each part declares only the parameters its rules use; a value in the spec's defaults goes to
    the parts that declare it, so the other parts get no undeclared parameter (CP302)."""
    rules = [
        _rule("Rule0").replace("        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n",
                               "        SourceIdentifier: ACCESS_KEYS_ROTATED\n      InputParameters:\n"
                               "        maxAccessKeyAge: !Ref MaxAge\n"),
        _rule("Rule1"),
    ]  # fmt: skip
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text("Parameters:\n  MaxAge:\n    Type: String\nResources:\n" + "".join(rules))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    assert run_cli(["check", "--spec", str(spec)]).exit_code == 1  # CP303: MaxAge has no value
    spec.write_text(
        spec.read_text().replace("packs:\n", 'defaults:\n  parameters: {MaxAge: "90"}\n  region: eu-west-1\npacks:\n')
    )
    assert _parts_checked(spec) == PARTS_PASS


def test_splitting_again_keeps_defaults_a_flow_or_json_spec_gives(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One")]), tmp_path / "out"
    assert split(pack, "--out", out).exit_code == 0
    (out / "spec.yaml").write_text(
        '{"defaults": {"region": "eu-west-1", "delivery-bucket": "awsconfigconforms-results", '
        '"parameters": {"X": "1"}},\n "packs": [{"name": "pack-part-1", "template": "pack-part-1.yaml"}]}\n'
    )
    _small_pack(pack, [_rule("One"), _rule("Two")])
    result = split(pack, "--out", out)
    assert (result.exit_code, result.stderr) == (0, "")
    assert (
        (out / "spec.yaml")
        .read_text()
        .split("\n", 3)[3]
        .startswith(
            'defaults:\n  "region": "eu-west-1"\n  "delivery-bucket": "awsconfigconforms-results"\n'
            '  "parameters": {"X": "1"}\npacks:\n'
        )
    )
    packs = load_spec(out / "spec.yaml").packs
    assert [(p.request.region, p.request.delivery_bucket) for p in packs] == [
        ("eu-west-1", "awsconfigconforms-results")
    ]


def _with_parameter(rule: str, parameter: str) -> str:
    return rule.replace(
        "      Source:\n", f"      InputParameters:\n        isMfaDeleteEnabled: !Ref {parameter}\n      Source:\n"
    )


def test_a_part_s_parameter_value_goes_where_the_parameter_now_is_or_is_dropped(tmp_path: Path) -> None:
    parameters = 'Parameters:\n  Bucket:\n    Type: String\n    Default: "false"\n'
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text(parameters + "Resources:\n" + _with_parameter(_rule("One"), "Bucket") + _rule("Two"))
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(spec.read_text().replace(
        "    template: pack-part-1.yaml\n", "    template: pack-part-1.yaml\n    parameters: {Bucket: \"true\"}\n"
    ))  # fmt: skip
    # rule One stops using Bucket, rule Two starts: the value moves with the parameter.
    pack.write_text(parameters + "Resources:\n" + _rule("One") + _with_parameter(_rule("Two"), "Bucket"))
    moved = split(pack, "--out", out, "--max-rules", "1")
    assert (moved.exit_code, moved.stderr) == (
        0,
        "note: parameter Bucket's value in the spec moves from part 1 to part 2\n",
    )
    assert [p.request.values() for p in load_spec(spec).packs] == [{}, {"Bucket": "true"}]
    assert run_cli(["check", "--spec", str(spec)]).exit_code == 0
    # no rule uses it any more: it is dropped, and the spec still deploys.
    pack.write_text(parameters + "Resources:\n" + _rule("One") + _rule("Two"))
    dropped = split(pack, "--out", out, "--max-rules", "1")
    assert (
        dropped.stderr
        == "note: parameter Bucket's value in the spec is dropped: part 2 no longer declares it, nor does another part\n"
    )
    assert [p.request.values() for p in load_spec(spec).packs] == [{}, {}]
    assert run_cli(["check", "--spec", str(spec)]).exit_code == 0


def test_an_emptied_part_s_parameter_value_moves_to_the_part_that_now_declares_it(tmp_path: Path) -> None:
    parameters = (
        'Parameters:\n  P:\n    Type: String\n    Default: "false"\n  Q:\n    Type: String\n    Default: "false"\n'
    )
    pack, out = tmp_path / "pack.yaml", tmp_path / "out"
    pack.write_text(
        parameters + "Resources:\n" + _with_parameter(_rule("One"), "P") + _with_parameter(_rule("Two"), "Q")
    )
    assert split(pack, "--out", out, "--max-rules", "1").exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(spec.read_text().replace(
        "    template: pack-part-2.yaml\n", '    template: pack-part-2.yaml\n    parameters: {Q: "true"}\n'
    ))  # fmt: skip
    pack.write_text(parameters + "Resources:\n" + _with_parameter(_rule("One"), "Q"))  # Two gone: part 2 emptied
    result = split(pack, "--out", out, "--max-rules", "1")
    assert result.exit_code == 0
    assert "note: parameter Q's value in the spec moves from part 2 to part 1\n" in result.stderr
    assert [p.request.values() for p in load_spec(spec).packs] == [{"Q": "true"}]


def test_defaults_that_end_in_blank_lines_keep_them(tmp_path: Path) -> None:
    pack, out = _small_pack(tmp_path / "pack.yaml", [_rule("One")]), tmp_path / "out"
    assert split(pack, "--out", out).exit_code == 0
    spec = out / "spec.yaml"
    spec.write_text(
        spec.read_text().replace("packs:\n", "defaults:\n  parameters:\n    Note: |+\n      kept\n\npacks:\n")
    )
    from preflight.load.mapping_file import load_mapping_file

    def note() -> object:
        return load_mapping_file(spec, strict_types=False).data["defaults"]["parameters"]["Note"]  # type: ignore[index]

    assert note() == "kept\n\n"
    _small_pack(pack, [_rule("One"), _rule("Two")])
    assert split(pack, "--out", out).exit_code == 0
    assert note() == "kept\n\n"
