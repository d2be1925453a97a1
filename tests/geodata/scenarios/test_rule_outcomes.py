"""Rule outcomes read against the base: hand-built rule results, each class by hand."""

from __future__ import annotations

from geodata.scenarios.outcomes import classify
from geodata.scenarios.rules import RuleResult


def result(rule: str, *codes: str, **figures: int) -> RuleResult:
    offenders = [{"code": code, "name": code.lower(), **figures} for code in codes]
    return RuleResult(rule, f"{rule} holds", not offenders, offenders)


def test_each_class_by_hand() -> None:
    base = [result("split", "A", "B"), result("size", "X"), result("whole"),
            result("mixed", "P")]  # fmt: skip
    scenario = [result("split", "A", "B", icbs=3), result("size"), result("whole", "W"),
                result("mixed", "P", "Q")]  # fmt: skip
    outcomes = {o.rule: o for o in classify(base, scenario)}
    assert outcomes["split"].status == "already failing in the base"
    assert [o["code"] for o in outcomes["split"].existing] == ["A", "B"]
    assert outcomes["split"].existing[0]["icbs"] == 3  # the scenario's figures
    assert outcomes["size"].status == "fixed"
    assert [o["code"] for o in outcomes["size"].fixed] == ["X"]
    assert outcomes["whole"].status == "newly failing"
    assert [o["code"] for o in outcomes["whole"].new] == ["W"]
    # a new offender outranks an old one: the redraw causes a failure of its own
    assert outcomes["mixed"].status == "newly failing"
    assert ([o["code"] for o in outcomes["mixed"].new],
            [o["code"] for o in outcomes["mixed"].existing]) == (["Q"], ["P"])  # fmt: skip


def test_passing_everywhere_and_a_rule_the_base_lacks() -> None:
    outcomes = classify([result("a")], [result("a"), result("b", "Z")])
    assert [(o.rule, o.status) for o in outcomes] == [("a", "passes"), ("b", "newly failing")]
    assert outcomes[0].as_dict() == {"rule": "a", "description": "a holds", "status": "passes",
                                     "new": [], "existing": [], "fixed": []}  # fmt: skip


def test_fixed_and_remaining_together_is_already_failing() -> None:
    [outcome] = classify([result("split", "A", "B")], [result("split", "B")])
    assert outcome.status == "already failing in the base"
    assert [o["code"] for o in outcome.fixed] == ["A"]
