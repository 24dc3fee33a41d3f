"""The online rules (CP501-CP509) on hand-built facts: they read only plain data, so each is tested firing,
silent and unable to check, with every finding compared whole. tests/test_online.py runs them against
the AWS stand-in over the wire."""

from __future__ import annotations

from dataclasses import replace

import pytest

from preflight.engine.pipeline import Job, PackInput, run
from preflight.engine.runner import discover_rules
from preflight.load.parsing import Loaded, load_template_file
from preflight.model.facts import ORGANIZATION_NONE, ORGANIZATION_PRESENT, AwsFacts, Bucket, Fact, S3Object, Unavailable
from preflight.model.findings import Finding
from preflight.model.request import PackRequest
from preflight.model.rule import Phase
from preflight.model.settings import Settings
from tests.conftest import FIXTURES

RULES = discover_rules()
PACK = FIXTURES / "packs" / "s3-baseline.yaml"
FILE = PACK.as_posix()
CALLER = "111111111111"
MEMBER = "222222222222"
REQUEST = PackRequest(known=True, name="s3-baseline", name_given=True)
# The management account of an organization with all features, no packs and no rules yet.
CLEAN = AwsFacts(
    caller_account=CALLER,
    organization=ORGANIZATION_PRESENT,
    organization_feature_set="ALL",
    management_account=CALLER,
    accounts=frozenset({CALLER, MEMBER}),
    existing_packs=(),
    config_rule_names=(),
)
DENIED = "AccessDeniedException: not allowed"

Row = tuple[str, str, str, str, str, str | None]  # rule, severity, file, line:column or origin, message, fix


def _online(
    rule_id: str, facts: AwsFacts, request: PackRequest = REQUEST, loaded: Loaded | None = None, template: bool = True
) -> list[Row]:
    if template and loaded is None:
        loaded = load_template_file(PACK, FILE)
    sources = (loaded,) if loaded is not None else ()
    report = run(Job((PackInput(request, sources, facts),), Settings(select=(rule_id,)), RULES, raise_errors=True))
    return [(f.rule, f.severity.label, f.file, _place(f), f.message, f.fix) for f in report.findings]


def _place(finding: Finding) -> str:
    return finding.origin or f"{finding.span.line}:{finding.span.column}"


def test_every_online_rule_is_silent_on_a_clean_organization() -> None:
    for rule in RULES:
        if rule.phase is Phase.ONLINE:
            assert _online(rule.id, CLEAN) == [], rule.id


def test_cp501_no_organization() -> None:
    assert _online("CP501", replace(CLEAN, organization=ORGANIZATION_NONE)) == [
        ("CP501", "error", FILE, "AWS account", f"account {CALLER} is not in an AWS Organization",
         "run from the management account or a delegated administrator, or use --scope account"),
    ]  # fmt: skip
    assert _online("CP501", replace(CLEAN, organization=ORGANIZATION_NONE), replace(REQUEST, scope="account")) == []
    unknown = replace(CLEAN, organization=None, unavailable=(Unavailable(Fact.ORGANIZATION, DENIED),))
    assert _online("CP501", unknown) == [
        ("CP501", "warning", FILE, "AWS account", f"could not check the organization: {DENIED}", None),
    ]


def test_cp502_all_features() -> None:
    assert _online("CP502", replace(CLEAN, organization_feature_set="CONSOLIDATED_BILLING")) == [
        ("CP502", "error", FILE, "AWS account", "the organization's feature set is CONSOLIDATED_BILLING, not ALL",
         "enable all features in AWS Organizations"),
    ]  # fmt: skip
    assert _online("CP502", replace(CLEAN, organization_feature_set=None)) == []


def test_cp503_caller_not_administrator() -> None:
    member = replace(CLEAN, caller_account=MEMBER, delegated_administrators=frozenset())
    assert _online("CP503", member) == [
        ("CP503", "error", FILE, "AWS account",
         f"account {MEMBER} is neither the management account ({CALLER}) nor a delegated administrator for "
         "config-multiaccountsetup.amazonaws.com",
         "run from the management account, or register this account as a delegated administrator"),
    ]  # fmt: skip
    assert _online("CP503", replace(member, delegated_administrators=frozenset({MEMBER}))) == []
    denied = replace(member, delegated_administrators=None,
                     unavailable=(Unavailable(Fact.DELEGATED_ADMINISTRATORS, DENIED),))  # fmt: skip
    assert [row[:2] for row in _online("CP503", denied)] == [("CP503", "error")]
    throttled = replace(denied, unavailable=(Unavailable(Fact.DELEGATED_ADMINISTRATORS, "ThrottlingException: slow"),))
    assert _online("CP503", throttled) == [
        ("CP503", "warning", FILE, "AWS account",
         "could not check whether this account is a delegated administrator: ThrottlingException: slow", None),
    ]  # fmt: skip
    nobody = replace(CLEAN, caller_account=None, unavailable=(Unavailable(Fact.CALLER_IDENTITY, DENIED),))
    assert _online("CP503", nobody) == [
        ("CP503", "warning", FILE, "AWS account", f"could not check the caller's account: {DENIED}", None),
    ]


def test_cp504_excluded_account_not_in_organization() -> None:
    request = replace(REQUEST, excluded_accounts=(MEMBER, "333333333333"))
    assert _online("CP504", CLEAN, request) == [
        ("CP504", "warning", FILE, "AWS account", "excluded account 333333333333 is not in the organization", None),
    ]
    assert _online("CP504", CLEAN, replace(request, excluded_accounts=(MEMBER,))) == []
    unknown = replace(CLEAN, accounts=None, unavailable=(Unavailable(Fact.ORGANIZATION_ACCOUNTS, DENIED),))
    assert _online("CP504", unknown, request) == [
        ("CP504", "warning", FILE, "AWS account", f"could not check the excluded accounts against the organization: {DENIED}",
         None),
    ]  # fmt: skip


def test_cp505_pack_limit_reached() -> None:
    full = replace(CLEAN, existing_packs=tuple(f"pack-{index}" for index in range(50)))
    assert _online("CP505", full) == [
        ("CP505", "error", FILE, "AWS account", "there are already 50 organization conformance packs; the quota is 50",
         "delete a pack you no longer need, or merge packs"),
    ]  # fmt: skip
    updating = replace(full, existing_packs=(*full.existing_packs[:49], "s3-baseline"))
    assert _online("CP505", updating) == []  # an update adds no pack
    unknown = replace(CLEAN, existing_packs=None, unavailable=(Unavailable(Fact.ORGANIZATION_PACKS, DENIED),))
    assert _online("CP505", unknown) == [
        ("CP505", "warning", FILE, "AWS account", f"could not check the number of conformance packs: {DENIED}", None),
    ]


def test_cp506_pack_busy() -> None:
    assert _online("CP506", replace(CLEAN, pack_status="UPDATE_IN_PROGRESS")) == [
        ("CP506", "warning", FILE, "AWS account", "pack s3-baseline is UPDATE_IN_PROGRESS: a put now fails with "
         "ResourceInUseException", "wait for it: preflight status s3-baseline"),
    ]  # fmt: skip
    assert _online("CP506", replace(CLEAN, pack_status="CREATE_SUCCESSFUL")) == []
    unknown = replace(CLEAN, unavailable=(Unavailable(Fact.PACK_STATUS, DENIED),))
    assert _online("CP506", unknown) == [
        ("CP506", "warning", FILE, "AWS account", f"could not check whether pack s3-baseline is busy: {DENIED}", None),
    ]


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (S3Object("s3://b/k.yaml", False, error="not found"),
         [("CP507", "error", "<request>", "AWS account", "template object s3://b/k.yaml does not exist", None)]),
        (S3Object("s3://b/k.yaml", True, size=400_000),
         [("CP507", "error", "<request>", "AWS account",
           "template object s3://b/k.yaml is 400,000 bytes; AWS Config reads at most 300 KB", None)]),
        (S3Object("s3://b/k.yaml", None, error="403: cannot read it"),
         [("CP507", "warning", "<request>", "AWS account", "could not check the template object s3://b/k.yaml: 403: cannot "
           "read it", None)]),
        (S3Object("s3://b/k.yaml", True, size=1_000), []),
    ],
)  # fmt: skip
def test_cp507_template_only_in_s3(found: S3Object, expected: list[Row]) -> None:
    request = replace(REQUEST, template_s3_uri="s3://b/k.yaml")
    assert _online("CP507", replace(CLEAN, template_object=found), request, template=False) == expected


def test_cp507_a_local_template_unlike_the_object_it_will_replace() -> None:
    request = replace(REQUEST, template_s3_uri="s3://b/k.yaml")
    local = PACK.stat().st_size
    assert _online("CP507", replace(CLEAN, template_object=S3Object("s3://b/k.yaml", True, size=10)), request) == [
        ("CP507", "warning", FILE, "AWS account",
         f"s3://b/k.yaml holds 10 bytes, the local template {local:,}: the put uses whatever S3 holds at that moment",
         "upload the local file before the put (preflight deploy does)"),
    ]  # fmt: skip
    same = S3Object("s3://b/k.yaml", True, size=local)
    assert _online("CP507", replace(CLEAN, template_object=same), request) == []


def test_cp508_delivery_bucket() -> None:
    request = replace(REQUEST, delivery_bucket="awsconfigconforms-results")
    missing = replace(CLEAN, delivery_bucket=Bucket("awsconfigconforms-results", False, error="not found"))
    assert _online("CP508", missing, request) == [
        ("CP508", "warning", FILE, "AWS account", "delivery bucket awsconfigconforms-results does not exist", None),
    ]
    there = replace(CLEAN, delivery_bucket=Bucket("awsconfigconforms-results", True))
    assert _online("CP508", there, request) == []
    hidden = replace(CLEAN, delivery_bucket=Bucket("awsconfigconforms-results", None, error="403: cannot reach it"))
    assert _online("CP508", hidden, request) == [
        ("CP508", "warning", FILE, "AWS account",
         "could not check the delivery bucket awsconfigconforms-results: 403: cannot reach it", None),
    ]  # fmt: skip


def test_cp509_rules_per_account() -> None:
    in_packs = tuple(f"rule-{index}-conformance-pack-abcdefghi" for index in range(347))  # with the pack's 3: 350
    ours = ("s3-bucket-versioning-enabled-conformance-pack-abcdefghi",)  # this pack's own rule, already deployed
    updating = replace(CLEAN, config_rule_names=in_packs + ours, existing_packs=("s3-baseline",))
    assert _online("CP509", updating) == []  # an update replaces its own rule: not counted twice
    # A new pack adds all its rules, whatever another pack's rules are called.
    assert _online("CP509", replace(updating, existing_packs=())) == [
        ("CP509", "error", FILE, "16:1",
         f"{CALLER} already has 348 rules from conformance packs; with this pack's 3 it would have 351, over the "
         "quota of 350", "remove rules that several packs share, or split the accounts between packs"),
    ]  # fmt: skip
    full = replace(CLEAN, config_rule_names=(*in_packs, "rule-x-conformance-pack-zzzzzzzzz"))
    assert _online("CP509", full) == [
        ("CP509", "error", FILE, "16:1",
         f"{CALLER} already has 348 rules from conformance packs; with this pack's 3 it would have 351, over the "
         "quota of 350", "remove rules that several packs share, or split the accounts between packs"),
    ]  # fmt: skip
    loose = replace(CLEAN, config_rule_names=tuple(f"rule-{index}" for index in range(1_000)))
    assert _online("CP509", loose) == [
        ("CP509", "error", FILE, "16:1",
         f"{CALLER} already has 1000 config rules; with this pack's 3 it would have 1003, over the quota of 1000",
         "delete config rules the account no longer uses, or deploy fewer rules"),
    ]  # fmt: skip
    unknown = replace(CLEAN, config_rule_names=None, unavailable=(Unavailable(Fact.CONFIG_RULES, DENIED),))
    assert _online("CP509", unknown) == [
        ("CP509", "warning", FILE, "AWS account", f"could not check the number of config rules in the account: {DENIED}",
         None),
    ]  # fmt: skip
