"""The vectorised scenario engine against the slower paths on the real bundle: resolution
against the one-change-at-a-time resolver, metrics against pandas group-bys and against
``typology()`` and ``split_table()`` run on the scenario's own block table, outlines
against a full re-dissolve. Random moves of several sizes, both vintages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.errors import BoundaryLabError
from geodata.scenarios import Move, Scenario, baseline, resolve
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.resolve import resolve_in_order
from geodata.scenarios.rules import RuleSet
from geodata.scenarios.shapes import icb_shapes
from geodata.splits import split_table
from geodata.store import VintageData
from geodata.typology import typology

pytestmark = [pytest.mark.real_data]


def random_scenario(data: VintageData, lsoas: int, seed: int) -> Scenario:
    """``lsoas`` random LSOA moves (about one in ten to a new ICB) plus a whole district."""
    rng = np.random.default_rng(seed)
    codes = data.table["lsoa_code"].to_numpy()
    icbs = sorted(data.names["icb"])
    district = sorted(set(data.table["ltla_code"].astype(str)))[rng.integers(300)]
    rows = np.flatnonzero(data.table["ltla_code"].astype(str).to_numpy() != district)
    moves = [Move("lsoa", codes[i], "new_icb:A new ICB" if rng.random() < 0.1
                  else icbs[rng.integers(len(icbs))])
             for i in rng.choice(rows, lsoas, replace=False)]  # fmt: skip
    moves.append(Move("ltla", district, icbs[rng.integers(len(icbs))]))
    return Scenario(data.name, f"random {lsoas}").with_moves(*moves)


@pytest.fixture(params=["2022", "2024"])
def data(request: pytest.FixtureRequest, data2022: VintageData,
         data2024: VintageData) -> VintageData:  # fmt: skip
    return data2022 if request.param == "2022" else data2024


@pytest.mark.parametrize("lsoas", [1, 40, 2000])
def test_resolve_matches_the_in_order_resolver(data: VintageData, lsoas: int) -> None:
    scenario = random_scenario(data, lsoas, seed=lsoas)
    fast, slow = resolve(data, scenario), resolve_in_order(data, scenario)
    assert fast.icb.tolist() == slow.icb.tolist()
    assert (fast.names, fast.new_icbs) == (slow.names, slow.new_icbs)
    assert fast.codes.categories[fast.codes.codes].tolist() == slow.icb.tolist()


@pytest.mark.parametrize(
    "moves",
    [
        [Move("lsoa", "E01000001", "E54000026"), Move("lsoa", "e01000001", "E54000025")],
        [Move("ltla", "E09000001", "E54000026"), Move("lsoa", "E01000001", "E54000025")],
        [Move("lsoa", "E01999999", "E54000026")],
        [Move("ltla", "E09000001", "E54999999")],
        [Move("pcn", "U99999", "E54000026")],
        [Move("place", "mid-essex", "E54000026")],
    ],
)
def test_refused_scenarios_get_the_in_order_message(
    data2022: VintageData, moves: list[Move]
) -> None:
    scenario = Scenario("2022", "bad").with_moves(*moves)
    with pytest.raises(BoundaryLabError) as slow:
        resolve_in_order(data2022, scenario)
    with pytest.raises(BoundaryLabError) as fast:
        resolve(data2022, scenario)
    assert str(fast.value) == str(slow.value)


def test_clashing_blocks_get_the_in_order_message(data2022: VintageData) -> None:
    scenario = Scenario("2022", "bad", blocks=(("E01000001", "E54000026"),
                                               ("E01000002", "E54000026"),
                                               ("e01000001", "E54000025")))  # fmt: skip
    with pytest.raises(BoundaryLabError) as slow:
        resolve_in_order(data2022, scenario)
    with pytest.raises(BoundaryLabError) as fast:
        resolve(data2022, scenario)
    assert str(fast.value) == str(slow.value) and "more than once" in str(fast.value)


@pytest.mark.parametrize("lsoas", [3, 300])
def test_evaluation_matches_pandas_and_the_typology(data: VintageData, lsoas: int) -> None:
    scenario = random_scenario(data, lsoas, seed=100 + lsoas)
    ev = evaluate(data, scenario, with_shapes=False)
    after = resolve_in_order(data, scenario)
    frame = pd.DataFrame({"before": data.table["icb_code"].astype(str).to_numpy(),
                          "after": after.icb.astype(str),
                          "population": data.table["population"].to_numpy(),
                          "utla": data.table["utla_code"].astype(str).to_numpy(),
                          "ltla": data.table["ltla_code"].astype(str).to_numpy()})  # fmt: skip

    icbs = ev.icbs.set_index("code")
    for when in ("before", "after"):
        expected = frame.groupby(when)["population"].agg(["sum", "size"])
        got = icbs.loc[icbs[f"lsoas_{when}"] > 0]
        assert got[f"population_{when}"].to_dict() == expected["sum"].to_dict()
        assert got[f"lsoas_{when}"].to_dict() == expected["size"].to_dict()

    changed = frame.loc[frame["before"] != frame["after"]]
    expected_moved = changed.groupby(["before", "after"])["population"].agg(["sum", "size"])
    got_moved = ev.moved.set_index(["from_code", "to_code"])
    assert got_moved["population"].to_dict() == expected_moved["sum"].to_dict()
    assert got_moved["lsoas"].to_dict() == expected_moved["size"].to_dict()
    assert ev.summary["people_moved"] == int(changed["population"].sum())

    after_data = after.apply(data)
    for layer, result in (("utla", ev.utlas), ("ltla", ev.ltlas)):
        for when, table in (("before", data.table), ("after", after_data.table)):
            pairs = split_table(table, layer, "icb").groupby("by_code")
            got = result.set_index("code")
            assert got[f"icbs_{when}"].to_dict() == pairs["across_code"].count().to_dict()
            assert got[f"main_share_{when}"].to_dict() == pairs["share"].max().to_dict()

    columns = ["type", "main_icb_code", "main_icb_name", "main_share", "share_of_icb",
               "other_las"]  # fmt: skip
    old = typology(data).frame.set_index("code")[columns]
    new = typology(after_data).frame.set_index("code")[columns]
    differs = (old["type"] != new["type"]) | (old["main_icb_code"] != new["main_icb_code"])
    differs |= (old["main_share"] - new["main_share"]).abs() > 1e-9
    got_types = ev.typology_changes.set_index("code")
    assert sorted(got_types.index) == sorted(old.index[differs])
    for column in columns:
        assert got_types[f"{column}_before"].to_dict() == old.loc[differs, column].to_dict()
        assert got_types[f"{column}_after"].to_dict() == new.loc[differs, column].to_dict()


def test_outlines_of_changed_icbs_match_a_full_dissolve(data2022: VintageData) -> None:
    scenario = random_scenario(data2022, 25, seed=7)
    after = resolve(data2022, scenario)
    icb_shapes(data2022, baseline(data2022).icb)  # the baseline's outlines, cached
    incremental = icb_shapes(data2022, after.icb)
    data2022.cache.pop("icb_shapes")
    whole = icb_shapes(data2022, after.icb)
    assert incremental.keys() == whole.keys()
    polygons = data2022.geometry().geometry.to_numpy()
    for code, shape in incremental.items():
        assert shapely.equals_exact(shape.outline, whole[code].outline, 0)
        members = shapely.union_all(polygons[after.icb == code])
        assert shape.outline.symmetric_difference(members).area < 1e-3 * members.area
        assert (shape.parts, shape.exclaves, shape.islands) == (
            whole[code].parts,
            whole[code].exclaves,
            whole[code].islands,
        )


def test_evaluations_are_cached_per_scenario_and_rules(data2022: VintageData) -> None:
    scenario = random_scenario(data2022, 5, seed=11)
    first = evaluate(data2022, scenario, with_shapes=False)
    again = evaluate(data2022, Scenario.from_dict(scenario.as_dict()), with_shapes=False)
    assert again.icbs is first.icbs  # an equal immutable scenario: the cached evaluation
    other_rules = evaluate(data2022, scenario, RuleSet(min_icb_population=2_000_000),
                           with_shapes=False)  # fmt: skip
    assert other_rules.icbs is not first.icbs
    assert [r.rule for r in other_rules.rules] == [r.rule for r in first.rules]
