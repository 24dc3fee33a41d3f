"""Hostile files given beside a pack: parameter files, request files and spec files that are binary,
deep, of the wrong shape, huge or an alias bomb, and command lines with an unknown format or a missing
path; each refused with one line and exit 2, or checked. Part of tests/hostile_inputs.py's table."""

from __future__ import annotations

import json

from tests.hostile_common import PACK, Case, Expect, Files, _laughs


def request_cases() -> list[Case]:
    def case(name: str, files: Files, args: list[str], expect: Expect) -> Case:
        return Case(name, lambda: ({"pack.yaml": PACK, **files}, args), expect)

    return [
        case(
            "params_binary",
            {"p.json": bytes(range(256)) * 100},
            ["check", "--params-file", "p.json", "pack.yaml"],
            Expect(2, error="preflight: error: p.json: "),
        ),
        case(
            "params_deep",
            {"p.json": b"[" * 100_000 + b"]" * 100_000},
            ["check", "--params-file", "p.json", "pack.yaml"],
            Expect(2, error="preflight: error: p.json:"),
        ),
        case(
            "params_wrong_items",
            {"p.yaml": b"- 1\n- [2]\n"},
            ["check", "--params-file", "p.yaml", "pack.yaml"],
            Expect(2, error="preflight: error: p.yaml:1:3: each parameter must be a mapping"),
        ),
        case(
            "params_ten_thousand_typos",
            {"p.yaml": b"".join(b"P%d: v\n" % i for i in range(10_000))},
            ["check", "--format", "json", "--params-file", "p.yaml", "pack.yaml"],
            Expect(1),
        ),
        case(
            "params_alias_bomb",
            {"p.yaml": _laughs(9, 9)},
            ["check", "--params-file", "p.yaml", "pack.yaml"],
            Expect(2, error="preflight: error: p.yaml:"),
        ),
        case(
            "request_binary",
            {"r.json": b"\xff\xfe\x00garbage"},
            ["check", "--request", "r.json"],
            Expect(2, error="preflight: error: r.json: "),
        ),
        case(
            "request_not_mapping",
            {"r.yaml": b"- a\n- b\n"},
            ["check", "--request", "r.yaml"],
            Expect(2, error="preflight: error: r.yaml:1:1: a request file is a mapping of API parameters"),
        ),
        case(
            "request_huge_body",
            {"r.json": json.dumps({"OrganizationConformancePackName": "a", "TemplateBody": "#" * 5_000_000}).encode()},
            ["check", "--request", "r.json"],
            Expect(2, error="preflight: error: r.json: "),
        ),
        case(
            "request_body_not_string",
            {"r.yaml": b"OrganizationConformancePackName: a\nTemplateBody: {Resources: {}}\n"},
            ["check", "--request", "r.yaml"],
            Expect(2, error="preflight: error: r.yaml:2:1: TemplateBody must be a string"),
        ),
        case(
            "request_deep",
            {"r.json": b'{"ExcludedAccounts": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"},
            ["check", "--request", "r.json"],
            Expect(2, error="preflight: error: r.json:"),
        ),
        case(
            "request_number_of_5000_digits",
            {
                "r.yaml": b"OrganizationConformancePackName: a\nConformancePackInputParameters:\n  - ParameterName: x\n"
                b"    ParameterValue: " + b"9" * 5000 + b"\n"
            },
            ["check", "--request", "r.yaml", "pack.yaml"],
            Expect(2, error="preflight: error: r.yaml:4:21: a number of 5,000 digits"),
        ),
        case(
            "spec_thousand_packs",
            {"s.yaml": b"packs:\n" + b"".join(b"  - {name: p%d, template: pack.yaml}\n" % i for i in range(1_000))},
            ["check", "--format", "json", "--spec", "s.yaml"],
            Expect(1),
        ),
        case(
            "spec_binary",
            {"s.yaml": bytes(range(256)) * 10},
            ["check", "--spec", "s.yaml"],
            Expect(2, error="preflight: error: s.yaml: "),
        ),
        case(
            "spec_wrong_shapes",
            {"s.yaml": b"packs: {a: b}\n"},
            ["check", "--spec", "s.yaml"],
            Expect(2, error="preflight: error: s.yaml:1:1: 'packs' must be a non-empty list of packs"),
        ),
        case(
            "spec_template_is_directory",
            {"d/x.yaml": b"Resources: {}\n", "s.yaml": b"packs:\n  - {name: a, template: d}\n"},
            ["check", "--spec", "s.yaml"],
            Expect(2, error="preflight: error: s.yaml:2:15: no such template file: d"),
        ),
        case(
            "format_unknown",
            {},
            ["check", "--format", "xml", "pack.yaml"],
            Expect(2, error="preflight: error: Invalid value for '--format'"),
        ),
        case(
            "missing_path",
            {},
            ["check", "missing.yaml"],
            Expect(2, error="preflight: error: missing.yaml: no such file or directory"),
        ),
    ]
