"""Place sets on the tiny synthetic vintage (tests/synthetic.py), and on the real bundle.

The tiny vintage, with the sub-ICB locations; x in km, y = 200-201 km:

    x=500      501        502        503        504        505
      +----------+----------+----------+----------+----------+
      | E01000001| E01000002| E01000003| E01000004| E01000005|   LSOA
      | E07000001| E07000001| E07000002| E06000001| E06000002|   LTLA
      | E10000001| E10000001| E10000001| E06000001| E06000002|   UTLA
      | E38000001| E38000001| E38000002| E38000003| E38000003|   SICBL
      | E54000001| E54000001| E54000002| E54000002| E54000002|   ICB
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   population
      +----------+----------+----------+----------+----------+

Expected numbers are worked out by hand from the picture (or, on the real bundle, by plain
pandas sums over the block table), never taken from the code under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.errors import BoundaryLabError
from geodata.ingest import build_vintage
from geodata.places import Place, PlaceSet, builtin_sets, resolve_places, with_places
from geodata.places.checks import check_places
from geodata.places.resolve import rows_by_code
from geodata.splits import splits
from geodata.store import Store, VintageData

LSOAS = ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005"]
POPULATION = dict(zip(LSOAS, [100, 200, 300, 400, 500], strict=True))
ICB_OF = dict(zip(LSOAS, ["E54000001"] * 2 + ["E54000002"] * 3, strict=True))
ICB1, ICB2 = "E54000001", "E54000002"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> VintageData:
    root: Path = tmp_path_factory.mktemp("places_tiny")
    source = TinySource(root / "source")
    source.write()
    store = Store(root / "data")
    store.write(build_vintage(parse_vintage(source.config_path), source.root))
    return store.load("tiny")


def make_set(
    places: dict[str, list[tuple[str, str]]],
    icbs: tuple[str, ...] = (),
    allow_overlaps: bool = False,
    vintage: str = "tiny",
) -> PlaceSet:
    """A place set from {place name: [(layer, code), ...]} through the JSON form."""
    return PlaceSet.from_dict({
        "name": "test set", "vintage": vintage, "icbs": list(icbs),
        "allow_overlaps": allow_overlaps,
        "places": [{"name": name, "blocks": [{"layer": la, "code": c} for la, c in blocks]}
                   for name, blocks in places.items()],
    })  # fmt: skip


def lsoas_of(data: VintageData, rows: np.ndarray) -> list[str]:
    return sorted(data.table["lsoa_code"].to_numpy()[rows])


# --- resolution --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "code", "expected"),
    [
        ("utla", "E10000001", LSOAS[:3]),
        ("ltla", "E07000001", LSOAS[:2]),
        ("ltla", "E06000002", LSOAS[4:]),
        ("sicbl", "E38000003", LSOAS[3:]),
        ("sicbl", "E38000002", LSOAS[2:3]),
        ("lsoa", "E01000004", LSOAS[3:4]),
        ("lsoa", "e01000004", LSOAS[3:4]),  # codes are upper-cased on the way in
    ],
)
def test_a_place_holds_every_lsoa_of_its_block(
    tiny: VintageData, layer: str, code: str, expected: list[str]
) -> None:
    membership = resolve_places(tiny, make_set({"Here": [(layer, code)]}))
    assert membership.codes == ["here"]
    assert lsoas_of(tiny, membership.rows["here"]) == expected
    assert membership.count.tolist() == [int(c in expected) for c in LSOAS]


def test_a_place_is_the_union_of_its_blocks(tiny: VintageData) -> None:
    # District 2 and Unitary 1 side by side, and a block inside another block of the place.
    place_set = make_set({
        "Middle": [("ltla", "E07000002"), ("utla", "E06000001"), ("lsoa", "E01000004")],
        "West": [("ltla", "E07000001")],
    })  # fmt: skip
    membership = resolve_places(tiny, place_set)
    assert membership.codes == ["middle", "west"]
    assert membership.names == {"middle": "Middle", "west": "West"}
    assert lsoas_of(tiny, membership.rows["middle"]) == ["E01000003", "E01000004"]
    assert membership.count.tolist() == [1, 1, 1, 1, 0]  # the union counts E01000004 once
    assert membership.place_of_lsoa().tolist() == ["west", "west", "middle", "middle", ""]


def test_place_codes_come_from_names_unless_given() -> None:
    assert Place("Mid & South Essex (north)", (("utla", "E10000012"),)).key() == (
        "mid-south-essex-north")
    assert Place("Anything", (("utla", "E10000012"),), "custom-1").key() == "custom-1"
    round_trip = PlaceSet.from_dict(make_set({"A b": [("utla", "E06000001")]}).as_dict())
    assert round_trip.places[0].key() == "a-b" and round_trip.places[0].code == "a-b"


def test_the_json_form_round_trips(tiny: VintageData) -> None:
    place_set = make_set({"County": [("utla", "E10000001")], "South": [("sicbl", "E38000003")]},
                         icbs=(ICB2,), allow_overlaps=True)  # fmt: skip
    again = PlaceSet.from_dict(place_set.as_dict())
    # Saving fixes each place's code (made from its name) so it stays put if renamed.
    assert again.as_dict() == place_set.as_dict()
    assert [p.code for p in again.places] == ["county", "south"]
    assert (again.icbs, again.allow_overlaps) == ((ICB2,), True)
    assert again.as_dict()["places"][1] == {
        "name": "South", "code": "south", "blocks": [{"layer": "sicbl", "code": "E38000003"}]}


def test_rows_by_code_is_made_once_per_vintage(tiny: VintageData) -> None:
    first = rows_by_code(tiny, "ltla")
    assert rows_by_code(tiny, "ltla") is first
    assert {code: rows.tolist() for code, rows in first.items()} == {
        "E06000001": [3], "E06000002": [4], "E07000001": [0, 1], "E07000002": [2]}


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "must be an object with name, vintage, places"),
        ({"name": "x", "vintage": "tiny"}, "needs a non-empty list of places"),
        ({"vintage": "tiny", "places": []}, "needs a non-empty list of places"),
        ({"vintage": "tiny", "places": [{"blocks": [{"layer": "utla", "code": "E06000001"}]}]},
         r"places\[0\]\.name is empty"),
        ({"vintage": "tiny", "places": [{"name": "Empty", "blocks": []}]},
         "place 'Empty' has no blocks; a place is a union of utla, ltla, sicbl, lsoa, pcn"),
        ({"vintage": "tiny", "places": [{"name": "Empty"}]}, "place 'Empty' has no blocks"),
        ({"vintage": "tiny", "places": [{"name": "A", "blocks": [{"layer": "icb",
                                                                  "code": ICB1}]}]},
         r"places\[0\].blocks\[0\] must be \{layer, code\} with layer one of utla, ltla"),
        ({"vintage": "tiny", "places": [{"name": "A", "blocks": [{"layer": "utla"}]}]},
         r"places\[0\].blocks\[0\] must be \{layer, code\}"),
        ({"vintage": "tiny", "places": [{"name": "A", "blocks": ["E06000001"]}]},
         r"places\[0\].blocks\[0\] must be \{layer, code\}"),
        ({"vintage": "tiny", "places": [
            {"name": "Twin", "blocks": [{"layer": "utla", "code": "E06000001"}]},
            {"name": "twin", "blocks": [{"layer": "utla", "code": "E06000002"}]}]},
         "place codes must be unique in a set: twin"),
        ({"vintage": "tiny", "icbs": ICB1, "places": [
            {"name": "A", "blocks": [{"layer": "utla", "code": "E06000001"}]}]},
         "icbs must be a list of ICB codes"),
    ],
)  # fmt: skip
def test_malformed_sets_are_refused_with_what_was_expected(raw: Any, message: str) -> None:
    with pytest.raises(BoundaryLabError, match=message):
        PlaceSet.from_dict(raw)


@pytest.mark.parametrize(
    ("place_set", "message"),
    [
        (make_set({"Nowhere": [("utla", "E10000099")]}),
         "place 'Nowhere': unknown utla code 'E10000099' in vintage tiny"),
        (make_set({"A": [("utla", "E06000001")], "B": [("lsoa", "E01009999")]}),
         "place 'B': unknown lsoa code 'E01009999' in vintage tiny"),
        (make_set({"A": [("ltla", "E10000001")]}),  # a county is not a district
         "place 'A': unknown ltla code 'E10000001'"),
        (make_set({"A": [("sicbl", "E38000009")]}), "place 'A': unknown sicbl code"),
        (make_set({"A": [("pcn", "U12345")]}),
         "place 'A': the PCN layer is not built for vintage tiny"),
        (make_set({"A": [("utla", "E06000001")]}, icbs=(ICB1, "E54000009")),
         "unknown ICB code.s. E54000009 in vintage tiny"),
        (make_set({"A": [("utla", "E06000001")]}, vintage="2022"),
         "place set 'test set' is on vintage 2022, not tiny"),
        (make_set({"County": [("utla", "E10000001")], "District 2": [("ltla", "E07000002")]}),
         r"1 LSOA\(s\) are in more than one place \(E01000003\), in places county, "
         r"district-2; this set forbids overlaps"),
    ],
)  # fmt: skip
def test_bad_sets_are_refused_with_clear_messages(
    tiny: VintageData, place_set: PlaceSet, message: str
) -> None:
    with pytest.raises(BoundaryLabError, match=message):
        resolve_places(tiny, place_set)


def test_overlaps_are_allowed_when_the_set_says_so_and_reported(tiny: VintageData) -> None:
    place_set = make_set(
        {"County": [("utla", "E10000001")], "North Sub-ICB": [("sicbl", "E38000002")],
         "South": [("sicbl", "E38000003")]}, allow_overlaps=True)  # fmt: skip
    membership = resolve_places(tiny, place_set)
    assert membership.count.tolist() == [1, 1, 2, 1, 1]
    checks = check_places(tiny, membership)
    assert checks.overlaps.to_dict("records") == [
        {"lsoa_code": "E01000003", "population": 300, "places": ["county", "north-sub-icb"]}]
    assert checks.gaps.empty
    # Populations count an LSOA in every place that holds it.
    assert dict(zip(checks.places["code"], checks.places["population"], strict=True)) == {
        "county": 600, "north-sub-icb": 300, "south": 900}
    # PCN straddling needs a one-place-per-LSOA set, and no PCN layer is built anyway.
    assert checks.pcns_straddling is None
    with pytest.raises(BoundaryLabError, match="overlaps cannot be used as a layer"):
        with_places(tiny, membership)


# --- checks, worked by hand from the picture -------------------------------------------


def test_populations_spread_and_lsoa_counts(tiny: VintageData) -> None:
    place_set = make_set({"County": [("utla", "E10000001")], "Unitary 1": [("ltla", "E06000001")],
                          "Unitary 2": [("lsoa", "E01000005")]})  # fmt: skip
    checks = check_places(tiny, resolve_places(tiny, place_set))
    places = checks.places.set_index("code")
    assert places["population"].to_dict() == {"county": 600, "unitary-1": 400, "unitary-2": 500}
    assert places["lsoas"].to_dict() == {"county": 3, "unitary-1": 1, "unitary-2": 1}
    assert places["name"].to_dict() == {"county": "County", "unitary-1": "Unitary 1",
                                        "unitary-2": "Unitary 2"}  # fmt: skip
    assert checks.spread == {"min": 400.0, "max": 600.0, "median": 500.0, "places": 3.0}
    assert checks.gaps.empty and checks.overlaps.empty


def shares(entries: list[dict[str, Any]]) -> dict[str, tuple[int, float]]:
    return {e["code"]: (e["population"], pytest.approx(e["share"])) for e in entries}


def test_places_crossing_icb_and_utla_boundaries_with_shares(tiny: VintageData) -> None:
    place_set = make_set({"County": [("utla", "E10000001")], "South": [("sicbl", "E38000003")]})
    checks = check_places(tiny, resolve_places(tiny, place_set))
    county, south = (row for row in checks.places.to_dict("records"))
    # County 1 (600) lies half in each ICB, within one UTLA.
    assert county["crosses_icb"] and not county["crosses_utla"]
    assert shares(county["icbs"]) == {ICB1: (300, 0.5), ICB2: (300, 0.5)}
    assert {e["name"] for e in county["icbs"]} == {"ICB 1", "ICB 2"}
    assert shares(county["utlas"]) == {"E10000001": (600, 1.0)}
    # Sub-ICB 3 (900) is within ICB 2 but spans Unitary 1 (400) and Unitary 2 (500).
    assert south["crosses_utla"] and not south["crosses_icb"]
    assert shares(south["utlas"]) == {"E06000002": (500, 5 / 9), "E06000001": (400, 4 / 9)}
    assert [e["code"] for e in south["utlas"]] == ["E06000002", "E06000001"]  # largest first
    assert checks.spread == {"min": 600.0, "max": 900.0, "median": 750.0, "places": 2.0}


@pytest.mark.parametrize(
    ("icbs", "gaps"),
    [
        ((), ["E01000003", "E01000005"]),  # scope: the ICBs the places touch (ICB 2)
        ((ICB2,), ["E01000003", "E01000005"]),
        ((ICB1, ICB2), ["E01000001", "E01000002", "E01000003", "E01000005"]),
        ((ICB1,), ["E01000001", "E01000002"]),
    ],
)
def test_gaps_are_counted_within_the_sets_icbs(
    tiny: VintageData, icbs: tuple[str, ...], gaps: list[str]
) -> None:
    place_set = make_set({"Unitary 1": [("ltla", "E06000001")]}, icbs=icbs)
    checks = check_places(tiny, resolve_places(tiny, place_set))
    assert checks.gaps["lsoa_code"].tolist() == gaps
    assert checks.gaps["population"].tolist() == [POPULATION[c] for c in gaps]
    assert checks.gaps["icb_code"].tolist() == [ICB_OF[c] for c in gaps]
    ltla = dict(zip(LSOAS, ["E07000001", "E07000001", "E07000002", "E06000001", "E06000002"],
                    strict=True))  # fmt: skip
    assert checks.gaps["ltla_code"].tolist() == [ltla[c] for c in gaps]


def test_pcn_straddling_is_not_checked_without_a_pcn_layer(tiny: VintageData) -> None:
    checks = check_places(tiny, resolve_places(tiny, make_set({"A": [("utla", "E06000001")]})))
    assert checks.pcns_straddling is None
    assert checks.notes == [
        "PCN layer not built for this vintage: PCNs straddling places not checked"]


def with_pcns(data: VintageData) -> VintageData:
    """The tiny vintage with a PCN layer, as geodata.pcn.blocks caches it once built.

    PCN U00001 holds LSOAs 1 and 2 and half of LSOA 3; U00002 the other half of LSOA 3 and
    LSOA 4; U00003 LSOA 5. The best-fit footprint of LSOA 3 is U00001.
    """
    fresh = VintageData(data.name, data.path, data.table, data.units, data.meta)
    fresh.cache["pcn_best_fit"] = np.array(["U00001", "U00001", "U00001", "U00002", "U00003"],
                                           dtype=object)  # fmt: skip
    fresh.cache["pcn_shares"] = pd.DataFrame({
        "lsoa_row": [0, 1, 2, 2, 3, 4],
        "pcn_code": ["U00001", "U00001", "U00001", "U00002", "U00002", "U00003"],
        "share": [1.0, 1.0, 0.5, 0.5, 1.0, 1.0],
    })  # fmt: skip
    return fresh


def test_pcn_footprints_as_blocks_and_pcns_straddling_places(tiny: VintageData) -> None:
    data = with_pcns(tiny)
    place_set = make_set({"West": [("pcn", "U00001")], "East": [("lsoa", "E01000004")]})
    membership = resolve_places(data, place_set)
    assert lsoas_of(data, membership.rows["west"]) == ["E01000001", "E01000002", "E01000003"]
    with pytest.raises(BoundaryLabError, match="place 'X': unknown pcn code 'U09999'"):
        resolve_places(data, make_set({"X": [("pcn", "U09999")]}))

    checks = check_places(data, membership)
    assert checks.notes == []
    # U00001: 100 + 200 + 150 (half of LSOA 3) people, all in West. U00002: 150 in West
    # (the other half of LSOA 3) and 400 in East, so it straddles. U00003 is in no place.
    (row,) = checks.pcns_straddling.to_dict("records")
    assert row["pcn_code"] == "U00002"
    assert [(p["code"], p["name"], pytest.approx(p["share"])) for p in row["places"]] == [
        ("east", "East", 400 / 550), ("west", "West", 150 / 550)]


# --- a place set as a layer --------------------------------------------------------------


def test_a_place_layer_in_splits_reconciles_with_the_totals(tiny: VintageData) -> None:
    place_set = make_set({"County": [("utla", "E10000001")], "Unitary 1": [("ltla", "E06000001")]})
    layered = with_places(tiny, resolve_places(tiny, place_set))
    assert "place_code" not in tiny.table  # the vintage itself is untouched
    assert "place" in layered.layers
    assert layered.names["place"] == {"county": "County", "unitary-1": "Unitary 1",
                                      "": "(in no place)"}  # fmt: skip

    by_utla = splits(layered, "utla", "place").frame
    rows = [(r.by_code, r.across_code, r.across_name, r.population, r.share)
            for r in by_utla.itertuples()]  # fmt: skip
    assert rows == [
        ("E06000001", "unitary-1", "Unitary 1", 400, 1.0),
        ("E06000002", "", "(in no place)", 500, 1.0),  # LSOAs in no place, under code ""
        ("E10000001", "county", "County", 600, 1.0),
    ]
    assert by_utla["population"].sum() == tiny.table["population"].sum() == 1500

    by_place = splits(layered, "place", "icb").frame
    cells = {(r.by_code, r.across_code): r.population for r in by_place.itertuples()}
    assert cells == {("", ICB2): 500, ("county", ICB1): 300, ("county", ICB2): 300,
                     ("unitary-1", ICB2): 400}  # fmt: skip
    assert by_place["population"].sum() == 1500

    one = splits(layered, "place", "utla", area="County").frame
    assert one[["by_code", "across_code", "population"]].values.tolist() == [
        ["county", "E10000001", 600]]


# --- built-in sets -----------------------------------------------------------------------


def test_builtin_one_place_per_sicbl(tiny: VintageData) -> None:
    sicbl = builtin_sets(tiny)["sicbl"]
    assert sicbl.vintage == "tiny" and sicbl.icbs == (ICB1, ICB2)
    assert [(p.key(), p.name, p.blocks) for p in sicbl.places] == [
        ("E38000001", "Sub-ICB 1", (("sicbl", "E38000001"),)),
        ("E38000002", "Sub-ICB 2", (("sicbl", "E38000002"),)),
        ("E38000003", "Sub-ICB 3", (("sicbl", "E38000003"),)),
    ]
    checks = check_places(tiny, resolve_places(tiny, sicbl))
    assert checks.places["population"].tolist() == [300, 300, 900]
    assert not checks.places["crosses_icb"].any()  # SICBLs nest in ICBs


def test_builtin_one_place_per_utla_within_each_icb(tiny: VintageData) -> None:
    utla_in_icb = builtin_sets(tiny)["utla-in-icb"]
    assert [(p.key(), p.name, p.blocks) for p in utla_in_icb.places] == [
        # County 1 is split, so each part is listed by its LSOAs.
        ("E10000001-E54000001", "County 1 in ICB 1",
         (("lsoa", "E01000001"), ("lsoa", "E01000002"))),
        # The unitaries lie wholly within ICB 2: the whole UTLA is the block.
        ("E06000001-E54000002", "Unitary 1 in ICB 2", (("utla", "E06000001"),)),
        ("E06000002-E54000002", "Unitary 2 in ICB 2", (("utla", "E06000002"),)),
        ("E10000001-E54000002", "County 1 in ICB 2", (("lsoa", "E01000003"),)),
    ]  # fmt: skip
    checks = check_places(tiny, resolve_places(tiny, utla_in_icb))
    assert checks.places["population"].tolist() == [300, 400, 500, 300]
    assert not checks.places["crosses_icb"].any() and not checks.places["crosses_utla"].any()


@pytest.mark.parametrize("key", ["sicbl", "utla-in-icb"])
def test_every_lsoa_is_in_exactly_one_place_of_each_builtin_set(
    tiny: VintageData, key: str
) -> None:
    place_set = builtin_sets(tiny)[key]
    membership = resolve_places(tiny, place_set)
    assert membership.count.tolist() == [1] * 5
    checks = check_places(tiny, membership)
    assert checks.gaps.empty and checks.overlaps.empty
    assert checks.places["population"].sum() == 1500
    assert PlaceSet.from_dict(place_set.as_dict()) == place_set  # saveable as it is


# --- properties ----------------------------------------------------------------------------

SCOPES = [(), (ICB1,), (ICB2,), (ICB1, ICB2)]


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=5, max_size=5).filter(
        lambda labels: any(label is not None for label in labels)
    ),
    icbs=st.sampled_from(SCOPES),
)
def test_random_partitions_conserve_population_and_cover_the_scope(
    tiny: VintageData, labels: list[int | None], icbs: tuple[str, ...]
) -> None:
    groups: dict[int, list[str]] = {}
    for lsoa, label in zip(LSOAS, labels, strict=True):
        if label is not None:
            groups.setdefault(label, []).append(lsoa)
    place_set = make_set({f"P{label}": [("lsoa", c) for c in members]
                          for label, members in sorted(groups.items())}, icbs=icbs)  # fmt: skip
    membership = resolve_places(tiny, place_set)
    checks = check_places(tiny, membership)
    placed = [c for c, label in zip(LSOAS, labels, strict=True) if label is not None]
    unplaced_population = sum(POPULATION[c] for c in LSOAS if c not in placed)

    assert checks.places["population"].sum() == sum(POPULATION[c] for c in placed)
    assert checks.places["population"].sum() + unplaced_population == 1500
    assert checks.places["lsoas"].sum() == len(placed)
    assert checks.spread["min"] <= checks.spread["median"] <= checks.spread["max"]
    assert checks.spread["places"] == len(groups)
    assert checks.overlaps.empty

    scope = set(icbs) or {ICB_OF[c] for c in placed}
    in_scope = {c for c in LSOAS if ICB_OF[c] in scope}
    gaps = set(checks.gaps["lsoa_code"])
    assert gaps.isdisjoint(placed)
    assert gaps | (set(placed) & in_scope) == in_scope

    layered = with_places(tiny, membership)
    by_place = splits(layered, "place", "icb").frame.groupby("by_code")["population"].sum()
    assert by_place.sum() == 1500
    assert by_place.get("", 0) == unplaced_population


# --- the real bundle -----------------------------------------------------------------------

MSE = "E54000026"  # NHS Mid and South Essex ICB, July 2022


@pytest.fixture(scope="module")
def data2022(real_store: Store) -> VintageData:
    return real_store.load("2022")


@pytest.mark.real_data
@pytest.mark.parametrize("key", ["sicbl", "utla-in-icb"])
def test_builtin_sets_of_2022_cover_every_english_lsoa_once(
    data2022: VintageData, key: str
) -> None:
    table = data2022.table
    assert len(table) == 32_844 and table["lsoa_code"].is_unique
    place_set = builtin_sets(data2022)[key]
    membership = resolve_places(data2022, place_set)
    assert (membership.count == 1).all()
    pairs = table[["icb_code", "utla_code"]].drop_duplicates()
    expected_places = {"sicbl": table["sicbl_code"].nunique(), "utla-in-icb": len(pairs)}[key]
    assert len(place_set.places) == expected_places
    if key == "sicbl":
        assert expected_places == 106
    assert sum(len(rows) for rows in membership.rows.values()) == 32_844


@pytest.mark.real_data
def test_mid_and_south_essex_places_from_its_sicbls(data2022: VintageData) -> None:
    table = data2022.table
    mse = table.loc[table["icb_code"] == MSE]
    expected = mse.groupby("sicbl_code", observed=True)["population"].sum()
    utlas_per_sicbl = mse.groupby("sicbl_code", observed=True)["utla_code"].nunique()
    assert len(expected) == 5

    place_set = PlaceSet.from_dict({
        "name": "Mid and South Essex places", "vintage": "2022", "icbs": [MSE],
        "places": [{"name": f"Place {code}", "code": code,
                    "blocks": [{"layer": "sicbl", "code": code}]} for code in expected.index],
    })  # fmt: skip
    checks = check_places(data2022, resolve_places(data2022, place_set))
    got = checks.places.set_index("code")["population"]
    assert got.to_dict() == {code: int(pop) for code, pop in expected.items()}
    assert got.sum() == int(mse["population"].sum())
    assert checks.gaps.empty and checks.overlaps.empty
    assert not checks.places["crosses_icb"].any()
    crosses = checks.places.set_index("code")["crosses_utla"]
    assert crosses.to_dict() == (utlas_per_sicbl > 1).to_dict()
    assert checks.spread["min"] == expected.min() and checks.spread["max"] == expected.max()
    assert checks.spread["median"] == pytest.approx(float(pd.Series(expected).median()))
