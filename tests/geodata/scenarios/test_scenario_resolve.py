"""Resolving scenarios to one ICB per LSOA on the tiny vintage (picture in
scenario_fixtures.py), and every refusal with its message."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scenario_fixtures import ICB1, ICB2, LSOAS, fresh

from geodata.errors import BoundaryLabError
from geodata.scenarios import Move, Scenario, baseline, resolve
from geodata.store import VintageData

BASE = [ICB1, ICB1, ICB2, ICB2, ICB2]


def icbs(data: VintageData, *moves: Move, blocks: dict[str, str] | None = None) -> list[str]:
    scenario = Scenario("tiny", "test").with_moves(*moves).with_blocks(blocks or {})
    return list(resolve(data, scenario).icb)


def test_baseline_is_the_vintage_icb_layer(tiny: VintageData) -> None:
    assignment = baseline(tiny)
    assert list(assignment.icb) == BASE
    assert assignment.names == {ICB1: "ICB 1", ICB2: "ICB 2"}
    assert assignment.new_icbs == {}
    assert list(resolve(tiny, Scenario("tiny", "no changes")).icb) == BASE


@pytest.mark.parametrize(
    ("move", "expected"),
    [
        (Move("lsoa", "E01000003", ICB1), [ICB1, ICB1, ICB1, ICB2, ICB2]),
        (Move("lsoa", "e01000003", ICB1), [ICB1, ICB1, ICB1, ICB2, ICB2]),  # any case
        (Move("ltla", "E07000001", ICB2), [ICB2, ICB2, ICB2, ICB2, ICB2]),
        (Move("ltla", "E06000002", ICB1), [ICB1, ICB1, ICB2, ICB2, ICB1]),
        (Move("utla", "E10000001", ICB1), [ICB1, ICB1, ICB1, ICB2, ICB2]),
        (Move("utla", "E10000001", ICB2), [ICB2, ICB2, ICB2, ICB2, ICB2]),
        (Move("sicbl", "E38000003", ICB1), [ICB1, ICB1, ICB2, ICB1, ICB1]),
        (Move("sicbl", "E38000001", "e54000002"), [ICB2, ICB2, ICB2, ICB2, ICB2]),
    ],
    ids=["lsoa", "lsoa-lower-case", "ltla", "unitary", "utla-1", "utla-2", "sicbl", "icb-case"],
)
def test_a_move_moves_every_lsoa_of_its_unit(
    tiny: VintageData, move: Move, expected: list[str]
) -> None:
    assert icbs(tiny, move) == expected


def test_moves_apply_in_order_and_compose(tiny: VintageData) -> None:
    moves = (Move("ltla", "E07000002", ICB1), Move("lsoa", "E01000004", ICB1))
    assert icbs(tiny, *moves) == [ICB1, ICB1, ICB1, ICB1, ICB2]


def test_a_unit_and_an_lsoa_inside_it_may_agree(tiny: VintageData) -> None:
    moves = (Move("utla", "E10000001", ICB2), Move("lsoa", "E01000001", ICB2))
    assert icbs(tiny, *moves) == [ICB2] * 5


def test_block_assignment(tiny: VintageData) -> None:
    blocks = {"E01000001": ICB2, "e01000005": ICB1}
    assert icbs(tiny, blocks=blocks) == [ICB2, ICB1, ICB2, ICB2, ICB1]


def test_blocks_then_moves(tiny: VintageData) -> None:
    assert icbs(tiny, Move("ltla", "E06000002", ICB1), blocks={"E01000003": ICB1}) == [
        ICB1, ICB1, ICB1, ICB2, ICB1]  # fmt: skip


def test_a_new_icb_by_name(tiny: VintageData) -> None:
    scenario = Scenario("tiny", "coast").with_moves(
        Move("ltla", "E06000002", "new_icb:Coastal ICB"),
        Move("lsoa", "E01000004", "new_icb:Coastal ICB"),  # the same name is the same new ICB
        Move("lsoa", "E01000001", "new_icb:Western ICB"),
    )
    assignment = resolve(tiny, scenario)
    assert list(assignment.icb) == ["NEW-2", ICB1, ICB2, "NEW-1", "NEW-1"]
    assert assignment.new_icbs == {"NEW-1": "Coastal ICB", "NEW-2": "Western ICB"}
    assert assignment.names == {ICB1: "ICB 1", ICB2: "ICB 2", "NEW-1": "Coastal ICB",
                                "NEW-2": "Western ICB"}  # fmt: skip
    applied = assignment.apply(tiny)
    assert list(applied.table["icb_code"]) == list(assignment.icb)
    assert applied.names["icb"]["NEW-1"] == "Coastal ICB"
    assert list(tiny.table["icb_code"]) == BASE  # the vintage itself is untouched


def test_new_icb_in_a_block_assignment(tiny: VintageData) -> None:
    scenario = Scenario("tiny", "b").with_blocks({"E01000002": "new_icb:Middle ICB"})
    assignment = resolve(tiny, scenario)
    assert list(assignment.icb) == [ICB1, "NEW-1", ICB2, ICB2, ICB2]
    assert assignment.new_icbs == {"NEW-1": "Middle ICB"}


def test_scenarios_are_immutable(tiny: VintageData) -> None:
    first = Scenario("tiny", "a")
    second = first.with_moves(Move("lsoa", "E01000001", ICB2))
    third = second.with_blocks({"E01000005": ICB1})
    assert first.moves == () and first.blocks == ()
    assert second.blocks == () and len(third.moves) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Move("lsoa", "E01000001", ICB2).to_icb = ICB1  # type: ignore[misc]


def test_scenario_dict_round_trip() -> None:
    scenario = Scenario("tiny", "x", description="d", notes=("n",)).with_moves(
        Move("ltla", "E07000001", ICB2)).with_blocks({"E01000005": "New"})  # fmt: skip
    assert Scenario.from_dict(scenario.as_dict()) == scenario


# Refusals, each with its message.


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (Scenario("tiny", "s").with_blocks({"E01999999": ICB1, "E01000001": ICB2}),
         "^1 unknown LSOA code\\(s\\) in vintage tiny: E01999999$"),
        (Scenario("tiny", "s").with_moves(Move("lsoa", "E01999999", ICB1)),
         "^moves\\[0\\]: unknown lsoa code 'E01999999' in vintage tiny \\(codes look like "
         "E01000001\\)$"),
        (Scenario("tiny", "s").with_moves(Move("ltla", "E07000001", ICB2),
                                          Move("ltla", "E07999999", ICB1)),
         "^moves\\[1\\]: unknown ltla code 'E07999999' in vintage tiny \\(codes look like "
         "E07000066\\)$"),
        (Scenario("tiny", "s").with_moves(Move("utla", "E10999999", ICB1)),
         "unknown utla code 'E10999999'"),
        (Scenario("tiny", "s").with_moves(Move("sicbl", "E38999999", ICB1)),
         "unknown sicbl code 'E38999999'"),
        (Scenario("tiny", "s").with_moves(Move("ltla", "E07000001", "E54999999")),
         "^moves\\[0\\]: unknown ICB 'E54999999' in vintage tiny; give an ICB code or name "
         "of the vintage \\(boundary-lab areas --layer icb\\), or new_icb:NAME to create a "
         "new ICB$"),
        (Scenario("tiny", "s").with_blocks({"E01000001": "E54999999"}),
         "^LSOA E01000001: unknown ICB 'E54999999' in vintage tiny"),
        (Scenario("tiny", "s").with_moves(Move("ltla", "E07000001", ICB2),
                                          Move("ltla", "e07000001", ICB2)),
         "^moves\\[1\\]: ltla e07000001 is moved twice$"),
        (Scenario("tiny", "s").with_moves(Move("ltla", "E07000001", ICB2),
                                          Move("lsoa", "E01000002", "new_icb:Elsewhere")),
         "^moves\\[1\\] \\(lsoa E01000002 to new_icb:Elsewhere\\) sends LSOAs already moved by "
         "ltla E07000001 elsewhere: E01000002$"),
        (Scenario("tiny", "s").with_moves(Move("lsoa", "E01000003", ICB1),
                                          Move("utla", "E10000001", ICB2)),
         "sends LSOAs already moved by lsoa E01000003 elsewhere: E01000003$"),
        (Scenario("tiny", "s").with_blocks({"E01000001": ICB2})
         .with_moves(Move("ltla", "E07000001", ICB1)),
         "^moves\\[0\\] \\(ltla E07000001 to E54000001\\) sends LSOAs already moved by "
         "block E01000001 elsewhere: E01000001$"),
        (Scenario("tiny", "s", blocks=(("E01000001", ICB2), ("E01000002", ICB2),
                                       ("e01000001", ICB1))),
         "^LSOA E01000001 is assigned more than once \\(rows 1 and 3\\)$"),
        (Scenario("tiny", "s").with_blocks({"E01000001": ICB2})
         .with_blocks({"E01000001": ICB2}),
         "^LSOA E01000001 is assigned more than once \\(rows 1 and 2\\)$"),
        (Scenario("2022", "Essex in one ICB"),
         "^scenario 'Essex in one ICB' is on vintage 2022, not tiny$"),
        (Scenario("tiny", "s").with_moves(Move("pcn", "U12345", ICB1)),
         "^moves\\[0\\]: the PCN layer is not built for vintage tiny$"),
    ],
    ids=["unknown-lsoa-block", "unknown-lsoa-move", "unknown-ltla", "unknown-utla",
         "unknown-sicbl", "unknown-icb-move", "unknown-icb-block", "moved-twice",
         "two-destinations", "two-destinations-unit-after-lsoa", "block-then-move",
         "duplicate-block-rows", "duplicate-block-rows-two-calls", "wrong-vintage",
         "pcn-not-built"],
)  # fmt: skip
def test_refusals(tiny: VintageData, scenario: Scenario, message: str) -> None:
    with pytest.raises(BoundaryLabError, match=message):
        resolve(tiny, scenario)


def test_pcn_moves_use_the_best_fit_pcn_layer_when_built(tiny: VintageData) -> None:
    data = fresh(tiny)
    data.cache["pcn_best_fit"] = np.array(["U1", "U1", "U2", "U2", "U3"], dtype=object)
    scenario = Scenario("tiny", "pcn").with_moves(Move("pcn", "U2", ICB1))
    assert list(resolve(data, scenario).icb) == [ICB1, ICB1, ICB1, ICB1, ICB2]
    with pytest.raises(BoundaryLabError, match="unknown pcn code 'U9'"):
        resolve(data, Scenario("tiny", "pcn").with_moves(Move("pcn", "U9", ICB1)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("lad", "E07000001", ICB1), "unit_layer must be one of lsoa, ltla, utla, sicbl, pcn, "
                                     "place, got 'lad'"),
        (("ltla", " ", ICB1), "a move needs a unit code and a to_icb"),
        (("ltla", "E07000001", ""), "a move needs a unit code and a to_icb"),
    ],
)
def test_bad_moves_are_refused_when_made(args: tuple[str, str, str], message: str) -> None:
    with pytest.raises(BoundaryLabError, match=message):
        Move(*args)


def test_bad_move_dicts_are_refused() -> None:
    with pytest.raises(BoundaryLabError, match="moves\\[2\\] must be an object"):
        Move.from_dict(["ltla"], 2)
    with pytest.raises(BoundaryLabError, match="missing or not text: code, to_icb"):
        Move.from_dict({"unit_layer": "ltla", "code": 7}, 0)
    assert Move.from_dict({"unit_layer": " ltla ", "code": " E07000001", "to_icb": "X "}) == (
        Move("ltla", "E07000001", "X"))  # fmt: skip


def test_every_lsoa_of_the_tiny_vintage_is_covered(tiny: VintageData) -> None:
    assert list(tiny.table["lsoa_code"]) == LSOAS
