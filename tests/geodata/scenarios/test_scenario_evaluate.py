"""Evaluation numbers worked out by hand on the tiny vintage (picture in
scenario_fixtures.py), the design rules and the shape measures."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scenario_fixtures import ICB1, ICB2, fresh

from geodata.errors import BoundaryLabError
from geodata.scenarios import Move, Scenario
from geodata.scenarios import shapes as shapes_module
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.rules import RuleSet
from geodata.scenarios.shapes import icb_shapes, polsby_popper
from geodata.store import VintageData

NO_RULES = RuleSet(utla_within_one_icb=False, min_icb_population=None, contiguous=False)


def scenario(*moves: Move, blocks: dict[str, str] | None = None) -> Scenario:
    return Scenario("tiny", "test").with_moves(*moves).with_blocks(blocks or {})


def records(frame, columns):  # type: ignore[no-untyped-def]
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


def test_moving_district_2_unsplits_county_1(tiny: VintageData) -> None:
    ev = evaluate(tiny, scenario(Move("ltla", "E07000002", ICB1)))
    # ICB 1 gains District 2 (300 people): 300 -> 600; ICB 2: 1,200 -> 900.
    assert records(ev.icbs, ["code", "name", "new", "population_before", "population_after",
                             "change", "lsoas_before", "lsoas_after", "parts_after"]) == [
        (ICB1, "ICB 1", False, 300, 600, 300, 2, 3, 1),
        (ICB2, "ICB 2", False, 1200, 900, -300, 3, 2, 1),
    ]  # fmt: skip
    assert ev.summary == {
        "before": {"icbs": 2, "min": 300, "max": 1200, "ratio_max_min": 4.0},
        "after": {"icbs": 2, "min": 600, "max": 900, "ratio_max_min": 1.5},
        "utla_icb_links_before": 4,  # County 1 works with 2 ICBs, each unitary with 1
        "utla_icb_links_after": 3,
        "lsoas_moved": 1,
        "people_moved": 300,
    }
    assert records(ev.moved, ["from_code", "from_name", "to_code", "to_name", "population",
                              "lsoas"]) == [(ICB2, "ICB 2", ICB1, "ICB 1", 300, 1)]  # fmt: skip
    assert records(ev.utlas, ["code", "name", "icbs_before", "main_share_before", "icbs_after",
                              "main_share_after", "change"]) == [
        ("E06000001", "Unitary 1", 1, 1.0, 1, 1.0, ""),
        ("E06000002", "Unitary 2", 1, 1.0, 1, 1.0, ""),
        ("E10000001", "County 1", 2, 0.5, 1, 1.0, "became unsplit"),
    ]  # fmt: skip
    assert list(ev.ltlas["icbs_before"]) == [1, 1, 1, 1]
    assert list(ev.ltlas["icbs_after"]) == [1, 1, 1, 1]
    assert set(ev.ltlas["change"]) == {""}
    # County 1: 50/50 (type 4) -> all in ICB 1, and all of ICB 1 (type 1). The unitaries
    # keep their type (2), main ICB and share, so they are not listed.
    changes = ev.typology_changes.to_dict("records")
    assert len(changes) == 1
    assert {k: changes[0][k] for k in ("code", "type_before", "type_after", "main_share_before",
                                       "main_share_after", "share_of_icb_after")} == {
        "code": "E10000001", "type_before": 4, "type_after": 1, "main_share_before": 0.5,
        "main_share_after": 1.0, "share_of_icb_after": 1.0}  # fmt: skip
    assert ev.provenance.vintage == "tiny"
    assert "representative point" in ev.provenance.method
    assert ev.assignment.icb.tolist() == [ICB1, ICB1, ICB1, ICB2, ICB2]


def test_moving_one_lsoa_splits_its_district(tiny: VintageData) -> None:
    ev = evaluate(tiny, scenario(Move("lsoa", "E01000002", ICB2)))
    assert list(ev.icbs["population_after"]) == [100, 1400]
    ltlas = ev.ltlas.set_index("code")
    assert ltlas.loc["E07000001", "change"] == "became split"
    assert ltlas.loc["E07000001", "icbs_after"] == 2
    assert ltlas.loc["E07000001", "main_share_after"] == pytest.approx(200 / 300)
    county = ev.utlas.set_index("code").loc["E10000001"]
    assert (county["icbs_before"], county["icbs_after"], county["change"]) == (2, 2, "")
    assert county["main_share_after"] == pytest.approx(500 / 600)
    # County 1's main ICB changes (ICB 1 on the 50/50 tie, then ICB 2), type 4 both times.
    (row,) = ev.typology_changes.to_dict("records")
    assert (row["code"], row["type_before"], row["type_after"]) == ("E10000001", 4, 4)
    assert (row["main_icb_code_before"], row["main_icb_code_after"]) == (ICB1, ICB2)


def test_an_la_that_becomes_split_against_another_scenario(tiny: VintageData) -> None:
    county_in_icb1 = scenario(Move("utla", "E10000001", ICB1))
    ev = evaluate(tiny, scenario(Move("lsoa", "E01000001", ICB2)), against=county_in_icb1)
    assert ev.utlas.set_index("code").loc["E10000001", "change"] == "became split"
    assert ev.summary["utla_icb_links_before"] == 3
    assert ev.summary["utla_icb_links_after"] == 4
    # Against the scenario: LSOAs 1 and 3 differ (ICB 1 -> ICB 2).
    assert records(ev.moved, ["from_code", "to_code", "population", "lsoas"]) == [
        (ICB1, ICB2, 400, 2)]  # fmt: skip


def test_icb_count_changed_and_a_new_icb(tiny: VintageData) -> None:
    ev = evaluate(tiny, scenario(blocks={"E01000001": "new_icb:Western ICB"}))
    county = ev.utlas.set_index("code").loc["E10000001"]
    assert (county["icbs_before"], county["icbs_after"], county["change"]) == (
        2, 3, "ICB count changed")  # fmt: skip
    new = ev.icbs.set_index("code").loc["NEW-1"]
    assert (new["name"], new["new"], new["population_before"], new["population_after"]) == (
        "Western ICB", True, 0, 100)  # fmt: skip
    assert records(ev.moved, ["from_code", "to_code", "to_name", "population"]) == [
        (ICB1, "NEW-1", "Western ICB", 100)]  # fmt: skip
    assert ev.summary["after"]["icbs"] == 3


def test_an_icb_emptied_by_a_move_is_not_counted_after(tiny: VintageData) -> None:
    ev = evaluate(tiny, scenario(Move("utla", "E10000001", ICB2)))
    assert list(ev.icbs["population_after"]) == [0, 1500]
    assert list(ev.icbs["lsoas_after"]) == [0, 5]
    assert ev.summary["after"] == {"icbs": 1, "min": 1500, "max": 1500, "ratio_max_min": 1.0}
    assert ev.icbs.set_index("code").loc[ICB1, "parts_after"] == 0


def test_baseline_scenario_changes_nothing(tiny: VintageData) -> None:
    ev = evaluate(tiny, Scenario("tiny", "baseline"))
    assert ev.summary["lsoas_moved"] == ev.summary["people_moved"] == 0
    assert ev.moved.empty and ev.typology_changes.empty
    assert (ev.icbs["change"] == 0).all()
    assert set(ev.utlas["change"]) == set(ev.ltlas["change"]) == {""}


# Rules.


def rule(ev, name):  # type: ignore[no-untyped-def]
    (found,) = [r for r in ev.rules if r.rule == name]
    return found


def test_default_rules_on_the_baseline(tiny: VintageData) -> None:
    ev = evaluate(tiny, Scenario("tiny", "baseline"))
    assert [r.rule for r in ev.rules] == ["utla_within_one_icb", "icb_population",
                                          "icb_contiguous"]  # fmt: skip
    utla = rule(ev, "utla_within_one_icb")
    assert not utla.passed
    assert utla.offenders == [{"code": "E10000001", "name": "County 1", "icbs": 2}]
    population = rule(ev, "icb_population")
    assert population.description == "every ICB has at least 1,000,000 people"
    assert [o["code"] for o in population.offenders] == [ICB1, ICB2]
    assert rule(ev, "icb_contiguous").passed
    assert not ev.passed


def test_population_bounds(tiny: VintageData) -> None:
    rules = RuleSet(utla_within_one_icb=False, min_icb_population=500,
                    max_icb_population=1000, contiguous=False)  # fmt: skip
    before = rule(evaluate(tiny, Scenario("tiny", "baseline"), rules), "icb_population")
    assert before.description == "every ICB has at least 500 and at most 1,000 people"
    assert not before.passed
    assert before.offenders == [{"code": ICB1, "name": "ICB 1", "population": 300},
                                {"code": ICB2, "name": "ICB 2", "population": 1200}]  # fmt: skip
    ev = evaluate(tiny, scenario(Move("ltla", "E07000002", ICB1)), rules)
    assert [(r.rule, r.passed, r.offenders) for r in ev.rules] == [("icb_population", True, [])]
    assert ev.passed
    only_max = RuleSet(utla_within_one_icb=False, min_icb_population=None,
                       max_icb_population=1000, contiguous=False)  # fmt: skip
    result = rule(evaluate(tiny, Scenario("tiny", "b"), only_max), "icb_population")
    assert result.description == "every ICB has at most 1,000 people"
    assert [o["code"] for o in result.offenders] == [ICB2]


def test_unsplitting_the_county_passes_the_utla_rule(tiny: VintageData) -> None:
    ev = evaluate(tiny, scenario(Move("ltla", "E07000002", ICB1)))
    assert rule(ev, "utla_within_one_icb").passed
    assert rule(ev, "utla_within_one_icb").offenders == []


def test_rules_can_be_switched_off(tiny: VintageData) -> None:
    assert evaluate(tiny, Scenario("tiny", "b"), NO_RULES).rules == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"min_icb_population": -1}, "bounds must be 0 or more"),
     ({"min_icb_population": 10, "max_icb_population": 5}, "min ICB population 10 is above the "
                                                             "max 5")],
)  # fmt: skip
def test_bad_rule_sets_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(BoundaryLabError, match=message):
        RuleSet(**kwargs)


def test_a_non_adjacent_move_makes_an_exclave(tiny: VintageData) -> None:
    # E01000005 joins ICB 1 across ICB 2's squares 3 and 4: a detached 1 km² part.
    ev = evaluate(tiny, scenario(Move("lsoa", "E01000005", ICB1)))
    icb1 = ev.icbs.set_index("code").loc[ICB1]
    assert (icb1["parts_after"], icb1["islands_after"], icb1["exclaves_after"],
            icb1["fragments_after"]) == (2, 0, 1, 0)  # fmt: skip
    contiguous = rule(ev, "icb_contiguous")
    assert not contiguous.passed
    assert contiguous.offenders == [{"code": ICB1, "name": "ICB 1", "exclaves": 1}]
    # A sliver below the exclave size counts as a fragment of generalised boundaries.
    data = fresh(tiny)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shapes_module, "MIN_EXCLAVE_AREA", 2_000_000.0)
        ev = evaluate(data, scenario(Move("lsoa", "E01000005", ICB1)))
    icb1 = ev.icbs.set_index("code").loc[ICB1]
    assert (icb1["exclaves_after"], icb1["fragments_after"]) == (0, 1)
    assert rule(ev, "icb_contiguous").passed


def test_an_island_is_reported_but_is_not_an_exclave(tiny_island: VintageData) -> None:
    ev = evaluate(tiny_island, Scenario("tiny", "baseline"))
    icb2 = ev.icbs.set_index("code").loc[ICB2]
    assert (icb2["parts_after"], icb2["islands_after"], icb2["exclaves_after"]) == (2, 1, 0)
    assert rule(ev, "icb_contiguous").passed


def test_polsby_popper(tiny: VintageData) -> None:
    ev = evaluate(tiny, scenario(Move("ltla", "E06000002", "new_icb:Solo ICB")))
    pp = ev.icbs.set_index("code")["polsby_popper_after"]
    assert pp["NEW-1"] == pytest.approx(math.pi / 4)  # a 1 x 1 km square: 4π·1/4²
    assert pp[ICB1] == pytest.approx(2 * math.pi / 9)  # 2 x 1 rectangle: 4π·2/6²
    assert pp[ICB2] == pytest.approx(2 * math.pi / 9)
    assert polsby_popper(tiny.geometry().geometry.iloc[0]) == pytest.approx(math.pi / 4)


def test_shapes_are_cached_by_membership(tiny: VintageData) -> None:
    data = fresh(tiny)
    icb = np.array([ICB1, ICB1, ICB2, ICB2, ICB2], dtype=object)
    first = icb_shapes(data, icb)
    assert len(data.cache["icb_shapes"]) == 2
    moved = icb.copy()
    moved[4] = "NEW-1"
    second = icb_shapes(data, moved)
    assert second[ICB1] is first[ICB1]  # ICB 1 unchanged: not dissolved again
    assert len(data.cache["icb_shapes"]) == 4
    assert second[ICB2].outline.area == pytest.approx(2_000_000)


def test_evaluation_without_shapes(tiny: VintageData) -> None:
    ev = evaluate(tiny, scenario(Move("ltla", "E07000002", ICB1)), with_shapes=False)
    assert list(ev.icbs["population_after"]) == [600, 900]
    assert ev.icbs["parts_after"].isna().all()


def test_evaluation_without_shapes_still_checks_the_rules_that_need_none(
    tiny: VintageData,
) -> None:
    ev = evaluate(tiny, Scenario("tiny", "baseline"), with_shapes=False)
    assert [r.rule for r in ev.rules] == ["utla_within_one_icb", "icb_population"]
    assert not ev.passed


def test_evaluate_emits_no_deprecation_warning(tiny: VintageData) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as pytest's filterwarnings=error, past pytestmark
        evaluate(tiny, scenario(Move("ltla", "E07000002", ICB1)))
