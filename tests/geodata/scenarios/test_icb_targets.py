"""Silent wrong data: a mistyped ICB code (``E5400026``) or the name the maps show ("Mid and
South Essex ICB") used to create a new ICB silently. New ICBs are now named explicitly
(``new_icb:NAME``); codes, published names and short names resolve; anything else is
refused with the closest ICBs."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import need
from scenario_fixtures import ICB1, ICB2

from geodata.errors import BoundaryLabError
from geodata.scenarios import Move, Scenario, resolve
from geodata.scenarios.compare import import_blocks, read_blocks_csv
from geodata.scenarios.resolve import MAX_NEW_ICBS
from geodata.store import Store, VintageData

MSE = "E54000026"


def test_the_issues_examples_on_the_real_2022_vintage(real_store: Store,
                                                      real_source: object) -> None:
    data = real_store.load("2022")
    # The expected names come from the ONS lookup itself, not from the code under test.
    lookup = pd.read_csv(f"{real_source}/lookups/LSOA11_SICBL22_ICB22_LAD22_EN_LU.csv",
                         usecols=["ICB22CD", "ICB22NM"]).drop_duplicates()  # fmt: skip
    published = dict(zip(lookup["ICB22CD"], lookup["ICB22NM"], strict=True))[MSE]
    assert published == "NHS Mid and South Essex Integrated Care Board"
    for target in (MSE, MSE.lower(), published, "Mid and South Essex ICB",
                   "mid and south essex", " NHS Mid and South Essex ICB "):  # fmt: skip
        assignment = resolve(data, Scenario("2022", "s").with_moves(
            Move("ltla", "E07000071", target)))  # Colchester
        assert assignment.new_icbs == {}, target
        rows = (data.table["ltla_code"] == "E07000071").to_numpy()
        assert set(assignment.icb[rows]) == {MSE}, target
    for typo in ("E5400026", "E54000O26", "Mid and South Esex ICB"):
        with pytest.raises(BoundaryLabError) as raised:
            resolve(data, Scenario("2022", "s").with_moves(Move("ltla", "E07000071", typo)))
        message = str(raised.value)
        assert f"unknown ICB {typo!r} in vintage 2022; did you mean" in message, message
        assert "E54000026 (Mid and South Essex ICB)" in message
        assert "new_icb:NAME" in message


def test_new_icbs_need_new_icb_and_may_not_reuse_an_existing_name(tiny: VintageData) -> None:
    made = resolve(tiny, Scenario("tiny", "s").with_moves(
        Move("ltla", "E06000002", "new_icb:Coastal ICB")))  # fmt: skip
    assert made.new_icbs == {"NEW-1": "Coastal ICB"}
    with pytest.raises(BoundaryLabError, match="unknown ICB 'Coastal ICB' in vintage tiny"):
        resolve(tiny, Scenario("tiny", "s").with_moves(Move("ltla", "E06000002", "Coastal ICB")))
    with pytest.raises(BoundaryLabError, match="'ICB 2' is already ICB E54000002"):
        resolve(tiny, Scenario("tiny", "s").with_moves(Move("ltla", "E06000002", "new_icb:ICB 2")))
    with pytest.raises(BoundaryLabError, match="the new ICB's name is empty"):
        resolve(tiny, Scenario("tiny", "s").with_moves(Move("ltla", "E06000002", "new_icb: ")))


def test_json_new_icb_field_is_the_same_as_the_prefix(tiny: VintageData) -> None:
    a = Scenario.from_dict({"vintage": "tiny", "moves": [
        {"unit_layer": "ltla", "code": "E06000002", "new_icb": "Coastal ICB"}]})  # fmt: skip
    b = Scenario.from_dict({"vintage": "tiny", "moves": [
        {"unit_layer": "ltla", "code": "E06000002", "to_icb": "new_icb:Coastal ICB"}]})  # fmt: skip
    assert a.moves == b.moves
    assert resolve(tiny, a).new_icbs == {"NEW-1": "Coastal ICB"}
    with pytest.raises(BoundaryLabError, match="not both"):
        Scenario.from_dict({"vintage": "tiny", "moves": [
            {"unit_layer": "ltla", "code": "E06000002", "new_icb": "X", "to_icb": ICB1}]})


def test_scenarios_saved_before_keep_their_meaning(tiny: VintageData) -> None:
    old_spec = {"vintage": "tiny", "name": "old", "moves": [
        {"unit_layer": "ltla", "code": "E06000002", "to_icb": "Coastal ICB"}]}  # fmt: skip
    assert resolve(tiny, Scenario.from_stored(old_spec)).new_icbs == {"NEW-1": "Coastal ICB"}
    with pytest.raises(BoundaryLabError, match="unknown ICB"):
        resolve(tiny, Scenario.from_dict(old_spec))  # new input gets the new rule
    new_spec = Scenario.from_dict({**old_spec, "moves": [
        {"unit_layer": "ltla", "code": "E06000002", "to_icb": ICB2}]}).as_dict()  # fmt: skip
    assert new_spec["format"] == 2
    assert Scenario.from_stored(new_spec).implicit_new_icbs is False


def test_every_lsoa_its_own_new_icb_is_refused(tiny: VintageData) -> None:
    """The attack: a CSV giving every LSOA its own new ICB made a map page that timed out
    on every visit. A scenario may create at most MAX_NEW_ICBS."""
    need(MAX_NEW_ICBS < 100, "the cap is what this test is about")
    rows = "".join(f"E0100000{i},new_icb:Own {i}\n" for i in range(1, 6))
    assert len(resolve(tiny, import_blocks(tiny, "five", rows)).new_icbs) == 5
    many = {f"E01{i:06d}": f"new_icb:Own {i}" for i in range(1, MAX_NEW_ICBS + 2)}
    scenario = Scenario("tiny", "many").with_blocks(many)
    with pytest.raises(BoundaryLabError, match=f"at most {MAX_NEW_ICBS} new ICBs"):
        from geodata.scenarios.resolve import _Destinations

        destinations = _Destinations(tiny)
        for lsoa, target in scenario.blocks:
            destinations.code(target, f"LSOA {lsoa}")
    assert read_blocks_csv("E01000001,new_icb:=cmd\n") == {"E01000001": "new_icb:=cmd"}


def test_a_new_icb_s_name_has_the_whole_name_limit(tiny: VintageData) -> None:
    """The ``new_icb:`` marker does not count against the name: 150 characters, as the API
    documents for ``new_icb``; 151 refused, saying so."""
    name = "N" * 150
    moved = Scenario.from_dict({"vintage": "tiny", "moves": [
        {"unit_layer": "ltla", "code": "E06000002", "new_icb": name}]})  # fmt: skip
    assert moved.moves[0].to_icb == "new_icb:" + name
    assert name in set(resolve(tiny, moved).names.values())
    too_long = "a new ICB's name is 151 characters long; at most 150"
    with pytest.raises(BoundaryLabError, match=too_long):
        Move("ltla", "E06000002", "new_icb:" + "N" * 151)
