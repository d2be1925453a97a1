"""Invariants of every scenario, as hypothesis properties on the tiny vintage: population is
conserved, moving units back restores the baseline exactly, the baseline moves nobody."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_fixtures import ICB1, ICB2, LSOAS

from geodata.layers import code_column
from geodata.scenarios import Move, Scenario, baseline, resolve
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.rules import RuleSet
from geodata.store import VintageData

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
NO_RULES = RuleSet(utla_within_one_icb=False, min_icb_population=None, contiguous=False)
UNITS = {
    "lsoa": LSOAS,
    "ltla": ["E07000001", "E07000002", "E06000001", "E06000002"],
    "utla": ["E10000001", "E06000001", "E06000002"],
    "sicbl": ["E38000001", "E38000002", "E38000003"],
}
DESTINATIONS = st.sampled_from([ICB1, ICB2, "new_icb:North ICB", "new_icb:South ICB"])


@st.composite
def moves(draw: st.DrawFn) -> list[Move]:
    """Moves of distinct units of one layer: never two destinations for one LSOA."""
    layer = draw(st.sampled_from(sorted(UNITS)))
    codes = draw(st.lists(st.sampled_from(UNITS[layer]), unique=True, max_size=5))
    return [Move(layer, code, draw(DESTINATIONS)) for code in codes]


BLOCKS = st.dictionaries(st.sampled_from(LSOAS), DESTINATIONS, max_size=5)


@SETTINGS
@given(moves=moves(), blocks=BLOCKS)
def test_population_is_conserved(tiny: VintageData, moves: list[Move],
                                 blocks: dict[str, str]) -> None:  # fmt: skip
    for scenario in (Scenario("tiny", "m").with_moves(*moves),
                     Scenario("tiny", "b").with_blocks(blocks)):  # fmt: skip
        ev = evaluate(tiny, scenario, NO_RULES, with_shapes=False)
        total = int(tiny.table["population"].sum())
        assert int(ev.icbs["population_after"].sum()) == total == 1500
        assert int(ev.icbs["population_before"].sum()) == total
        assert int(ev.icbs["lsoas_after"].sum()) == len(LSOAS)
        assert int(ev.moved["population"].sum()) == ev.summary["people_moved"]
        assert (ev.icbs["change"].sum()) == 0
        applied = resolve(tiny, scenario).apply(tiny)
        by_icb = applied.table.groupby("icb_code", observed=True)["population"].sum()
        assert int(by_icb.sum()) == total


@SETTINGS
@given(moves=moves())
def test_moving_units_back_restores_the_baseline(tiny: VintageData, moves: list[Move]) -> None:
    forward = resolve(tiny, Scenario("tiny", "forward").with_moves(*moves))
    moved = forward.apply(tiny)  # the vintage as the scenario leaves it
    original = baseline(tiny).icb
    back = []
    for move in moves:
        column = tiny.table[code_column(move.unit_layer)].to_numpy()
        rows = np.flatnonzero(column == move.code)
        homes = set(original[rows])
        if len(homes) == 1:  # the unit was whole in one ICB: move it back as a unit
            back.append(Move(move.unit_layer, move.code, homes.pop()))
        else:  # a unit split at baseline (County 1) goes back LSOA by LSOA
            codes = tiny.table["lsoa_code"].to_numpy()[rows]
            back += [Move("lsoa", c, icb) for c, icb in zip(codes, original[rows], strict=True)]
    restored = resolve(moved, Scenario("tiny", "back").with_moves(*back))
    assert restored.icb.tolist() == original.tolist()


@SETTINGS
@given(moves=moves())
def test_a_scenario_evaluated_against_itself_moves_nobody(
    tiny: VintageData, moves: list[Move]
) -> None:
    scenario = Scenario("tiny", "s").with_moves(*moves)
    ev = evaluate(tiny, scenario, NO_RULES, with_shapes=False, against=scenario)
    assert ev.summary["lsoas_moved"] == ev.summary["people_moved"] == 0
    assert ev.moved.empty and ev.typology_changes.empty


@SETTINGS
@given(lsoas=st.lists(st.sampled_from(LSOAS), unique=True))
def test_the_baseline_moves_nobody(tiny: VintageData, lsoas: list[str]) -> None:
    # The baseline, written out in full or in part as blocks to their own ICBs.
    own = dict(zip(tiny.table["lsoa_code"], tiny.table["icb_code"], strict=True))
    scenario = Scenario("tiny", "baseline").with_blocks({code: own[code] for code in lsoas})
    ev = evaluate(tiny, scenario, NO_RULES, with_shapes=False)
    assert ev.summary["lsoas_moved"] == ev.summary["people_moved"] == 0
    assert ev.moved.empty and ev.typology_changes.empty
    assert (ev.icbs["change"] == 0).all()
    assert ev.summary["before"] == ev.summary["after"]
