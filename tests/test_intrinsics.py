from __future__ import annotations

from preflight.knowledge.intrinsics import NO_VALUE, UNKNOWN, Evaluator

CONDITIONS = {
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
    "ProdAndAge": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "Age"}, "90"]}]},
    "ProdOrUnknown": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "Unset"}, "x"]}]},
    "Loop": {"Condition": "Loop"},
    "InRegion": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
}


def test_conditions_follow_the_parameter_values() -> None:
    prod = Evaluator(CONDITIONS, {"Env": "prod", "Age": "90"}, {})
    assert [prod.condition(name) for name in ("IsProd", "NotProd", "ProdAndAge", "ProdOrUnknown")] == [
        True, False, True, True,
    ]  # fmt: skip
    dev = Evaluator(CONDITIONS, {"Env": "dev", "Age": "90"}, {})
    assert [dev.condition(name) for name in ("IsProd", "NotProd", "ProdAndAge", "ProdOrUnknown")] == [
        False, True, False, None,
    ]  # fmt: skip


def test_unknowable_and_cyclic_conditions_are_none() -> None:
    evaluator = Evaluator(CONDITIONS, {}, {})
    assert evaluator.condition("IsProd") is None
    assert evaluator.condition("Loop") is None
    assert evaluator.condition("Missing") is None
    assert evaluator.condition("InRegion") is None
    assert Evaluator(CONDITIONS, {}, {"AWS::Region": "us-east-1"}).condition("InRegion") is True


def test_resolve_applies_if_ref_sub_and_novalue() -> None:
    evaluator = Evaluator(CONDITIONS, {"Env": "prod", "Age": "90"}, {"AWS::Region": "eu-west-1"})
    value = {
        "a": {"Fn::If": ["IsProd", {"Ref": "Age"}, {"Ref": "AWS::NoValue"}]},
        "b": {"Fn::If": ["NotProd", "x", {"Ref": "AWS::NoValue"}]},
        "c": {"Fn::Sub": "${Env}-${AWS::Region}-${!Literal}"},
        "d": [{"Ref": "AWS::NoValue"}, "kept"],
        "e": {"Fn::Sub": "${Unknown}"},
        "f": {"Fn::GetAtt": ["R", "Arn"]},
    }
    assert evaluator.resolve(value) == {
        "a": "90",
        "c": "prod-eu-west-1-${Literal}",
        "d": ["kept"],
        "e": UNKNOWN,
        "f": UNKNOWN,
    }
    assert evaluator.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE
