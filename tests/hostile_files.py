"""Hostile files that are not plain templates: named pipes where a file is read, a folder the run may
not read or enter, settings files that are not UTF-8, deeply nested or huge, an exclude glob that
would make a backtracking matcher take hours, a poisoned cache entry, file names with control
characters or bytes that are not UTF-8, a standard input name with a line break. Part of
tests/hostile_inputs.py's table."""

from __future__ import annotations

from tests.hostile_common import FIFO, PACK, UNREADABLE, UNSEARCHABLE, Case, Expect, _template


def special_cases() -> list[Case]:
    # Packs by their content (a misspelt AWS Config type), found by searching the folder.
    named = {"bad\udcff.yaml": b"Resources:\n  R:\n    Type: AWS::Confg::ConfigRule\n",
             "new\nline\x1b[2J.yaml": b"Resources:\n  R:\n    Type: AWS::Confg::ConfigRule\n"}  # fmt: skip
    return [
        Case(
            "fifo_as_template",
            lambda: ({"pipe.yaml": FIFO}, ["check", "--format", "json", "pipe.yaml"]),
            Expect(1),
        ),
        Case(
            "fifo_in_a_folder",
            lambda: (
                {"packs/pipe.yaml": FIFO, "packs/ok.yaml": PACK},
                ["check", "--format", "json", "--no-cache", "packs"],
            ),
            Expect(1),
        ),
        Case(
            "fifo_as_params_file",
            lambda: ({"pack.yaml": PACK, "p.json": FIFO}, ["check", "--params-file", "p.json", "pack.yaml"]),
            Expect(2, error="preflight: error: p.json: is not a regular file"),
        ),
        Case(
            "fifo_as_request",
            lambda: ({"r.json": FIFO}, ["check", "--request", "r.json"]),
            Expect(2, error="preflight: error: r.json: is not a regular file"),
        ),
        Case(
            "fifo_as_spec",
            lambda: ({"s.yaml": FIFO}, ["check", "--spec", "s.yaml"]),
            Expect(2, error="preflight: error: s.yaml: is not a regular file"),
        ),
        Case(
            "fifo_as_config",
            lambda: ({"pack.yaml": PACK, "c.toml": FIFO}, ["check", "--config", "c.toml", "pack.yaml"]),
            Expect(2, error="preflight: error: c.toml: is not a regular file"),
        ),
        Case(
            "dev_zero_as_config",
            lambda: ({"pack.yaml": PACK}, ["check", "--config", "/dev/zero", "pack.yaml"]),
            Expect(2, error="preflight: error: /dev/zero: is not a regular file"),
        ),
        Case(
            "unreadable_folder",
            lambda: (
                {"packs/ok.yaml": PACK, "packs/secret": UNREADABLE},
                ["check", "--format", "json", "--no-cache", "packs"],
            ),
            Expect(1),
            unprivileged=True,
        ),
        Case(
            # Backtracking regular expressions would take hours on this glob and name; RE2 takes microseconds.
            "backtracking_exclude_glob",
            lambda: (
                {
                    ".preflight.toml": b'extend-exclude = ["' + b"*a" * 16 + b'b", "' + b"**/" * 16 + b'c"]\n',
                    "/".join(["a" * 30] * 6) + "/" + "a" * 200 + ".yaml": b"not: a pack\n",
                    "pack.yaml": _template(""),
                },
                ["check", "--format", "json", "--no-cache", "."],
            ),
            Expect(0),
        ),
        Case(
            "unsearchable_folder_with_settings",
            lambda: (
                {"packs/ok.yaml": PACK, "packs/closed": UNSEARCHABLE},
                ["check", "--format", "json", "--no-cache", "."],
            ),
            Expect(1),  # its pack cannot be read: a finding; ok.yaml's findings are kept
            unprivileged=True,
        ),
        Case(
            "pyproject_not_utf8",
            lambda: (
                {"pack.yaml": PACK, "pyproject.toml": b'[tool.preflight]\nfail-level = "warning"\n# \xff\n'},
                ["check", "pack.yaml"],
            ),
            Expect(2, error="preflight: error: "),
        ),
        Case(
            "config_deeply_nested",
            lambda: (
                {"pack.yaml": PACK, ".preflight.toml": b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"},
                ["check", "pack.yaml"],
            ),
            Expect(2, error="preflight: error: "),
        ),
        Case(
            "config_dotted_key_of_20000_parts",
            lambda: ({"pack.yaml": PACK, ".preflight.toml": b"a" + b".a" * 20_000 + b" = 1\n"}, ["check", "pack.yaml"]),
            Expect(2, error="preflight: error: "),
        ),
        Case(
            "twenty_thousand_per_file_ignores",
            lambda: (
                {
                    "pack.yaml": PACK.replace(b"AWS::Config::ConfigRule", b"AWS::S3::Bucket", 1),
                    ".preflight.toml": (
                        "[per-file-ignores]\n" + "".join(f'"dir{i}/*.yaml" = ["CP305"]\n' for i in range(20_000))
                    ).encode(),
                },
                ["check", "--format", "json", "--no-cache", "pack.yaml"],
            ),
            Expect(1),
        ),
        Case(
            "deeply_nested_cache_entry",
            lambda: (
                {"pack.yaml": PACK, ".preflight_cache/poison": b"[" * 100_000},
                ["check", "--format", "json", "pack.yaml"],
            ),
            Expect(0),
        ),
        Case(
            "control_characters_in_file_names",
            lambda: (named, ["check", "--format", "parseable", "--no-cache", "."]),
            Expect(1, one_line_each=True),
        ),
        Case(
            "non_utf8_file_name_as_sarif",
            lambda: (named, ["check", "--format", "sarif", "--no-cache", "."]),
            Expect(1),
        ),
        Case(
            "stdin_filename_with_a_line_break",
            lambda: (
                {},
                [
                    "check",
                    "--format",
                    "parseable",
                    "--stdin-filename",
                    "x\n/etc/passwd:1:1: error: [CP001] forged",
                    "-",
                ],
            ),
            Expect(1, one_line_each=True),
            stdin=b"Resources:\n  R:\n    Type: AWS::S3::Bucket\n",
        ),
    ]
