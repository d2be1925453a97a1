"""The typology on hand-made block tables, one per type, and its thresholds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geodata.errors import BoundaryLabError
from geodata.store import VintageData
from geodata.typology import Thresholds, classify, typology


def vintage(rows: list[tuple[str, str, int]]) -> VintageData:
    """A vintage from (utla, icb, population) blocks; names are the codes lower-cased."""
    table = pd.DataFrame(rows, columns=["utla_code", "icb_code", "population"])
    table.insert(0, "lsoa_code", [f"E01{i:06d}" for i in range(len(table))])
    table.insert(1, "lsoa_name", table["lsoa_code"])
    table = table.astype({"utla_code": "category", "icb_code": "category"})
    units = pd.concat(
        pd.DataFrame({"layer": layer, "code": sorted(set(table[f"{layer}_code"]))})
        for layer in ("utla", "icb")
    )
    units["name"] = units["code"].str.lower()
    meta = {"vintage": "test", "population_source": "hand-made"}
    return VintageData("test", Path("."), table, units, meta)


#   ICB I1 = LA A alone              -> A type 1
#   ICB I2 = LA B + LA C             -> B, C type 2 (one other LA each)
#   ICB I3 = LAs D, E, F, G          -> type 3 (three others each)
#   LA H: 60% in I4, 40% in I5       -> type 4 (Essex-like)
BLOCKS = [
    ("A", "I1", 1000),
    ("B", "I2", 500), ("C", "I2", 500),
    ("D", "I3", 100), ("E", "I3", 100), ("F", "I3", 100), ("G", "I3", 100),
    ("H", "I4", 600), ("H", "I5", 400), ("X", "I5", 2000),
]  # fmt: skip


def by_code(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["code"]: row for row in frame.to_dict("records")}


def test_each_type() -> None:
    rows = by_code(typology(vintage(BLOCKS)).frame)
    assert {code: row["type"] for code, row in rows.items()} == {
        "A": 1, "B": 2, "C": 2, "D": 3, "E": 3, "F": 3, "G": 3, "H": 4, "X": 2}
    assert rows["A"]["share_of_icb"] == 1.0 and rows["A"]["other_las"] == 0
    assert rows["B"]["other_la_names"] == ["c"]
    assert rows["D"]["other_las"] == 3
    h = rows["H"]
    assert (h["main_icb_code"], h["main_share"], h["icb_count"]) == ("I4", 0.6, 2)
    assert h["elsewhere"] == [{"icb_code": "I5", "icb_name": "i5", "share": 0.4}]
    # X is 2,000 of I5's 2,400 people; H has 40% of its own people there: it lies mostly
    # elsewhere, so by default it does not count, and the note names it with its share of
    # I5 (400 / 2,400), not as a sliver.
    assert rows["X"]["share_of_icb"] == pytest.approx(2000 / 2400)
    assert rows["X"]["other_la_names"] == []
    assert rows["X"]["notes"] == [
        "no other LA counted; also in its ICS, but lying mostly elsewhere: "
        "h (16.7% of the ICS's people)"]
    # H is split, yet its 600 are all of I4's people
    assert rows["H"]["notes"] == ["split, yet the LA is 100.0% of its main ICS (i4)"]


def test_the_five_percent_reading_is_an_option() -> None:
    five = by_code(typology(vintage(BLOCKS), Thresholds(other_la_min_share=0.05)).frame)
    assert five["X"]["other_la_names"] == ["h"] and five["X"]["type"] == 2
    result = typology(vintage(BLOCKS), Thresholds(other_la_min_share=0.05))
    assert "an LA counts when 5%+ of its own population is in that ICS" in result.provenance.method
    assert "lies mostly within that ICS (95%+" in typology(vintage(BLOCKS)).provenance.method


def test_mostly_within_counts_an_la_at_the_main_threshold() -> None:
    # I1: A (1,000) and B, 96% of whose people live there (960 of 1,000): B counts.
    # C has 94% of its people in I1: it lies mostly elsewhere by the 95% rule.
    blocks = [("A", "I1", 1000), ("B", "I1", 960), ("B", "I2", 40),
              ("C", "I1", 940), ("C", "I3", 60)]  # fmt: skip
    a = by_code(typology(vintage(blocks)).frame)["A"]
    assert a["other_la_names"] == ["b"]
    assert a["type"] == 2


def test_a_split_la_that_is_nearly_all_of_its_main_ics_says_so() -> None:
    # S: 900 in I1 (90% of S, under 95%: split); I1 also holds 100 of U: S is 90% of I1.
    blocks = [("S", "I1", 900), ("S", "I2", 100), ("U", "I1", 100), ("T", "I2", 5000)]
    s = by_code(typology(vintage(blocks)).frame)["S"]
    assert s["type"] == 4
    assert s["notes"] == ["split, yet the LA is 90.0% of its main ICS (i1)"]
    # under the near-coterminous threshold (85%), nothing to say
    blocks = [("S", "I1", 900), ("S", "I2", 100), ("U", "I1", 900), ("T", "I2", 5000)]
    assert by_code(typology(vintage(blocks)).frame)["S"]["notes"] == []


def test_small_shares_elsewhere_are_noted_not_split() -> None:
    blocks = [("A", "I1", 9960), ("A", "I2", 40), ("B", "I2", 5000)]
    rows = by_code(typology(vintage(blocks)).frame)
    assert rows["A"]["type"] == 1
    assert rows["A"]["notes"] == ["0.40% in i2 (a technicality)"]
    blocks = [("A", "I1", 9700), ("A", "I2", 300), ("B", "I2", 5000)]
    assert by_code(typology(vintage(blocks)).frame)["A"]["notes"] == [
        "3.00% in i2 (below the split threshold)"]


def test_slivers_of_neighbours_do_not_count_as_other_las() -> None:
    # I1 is 90% A; the rest is 1% slivers of ten big neighbours, none counted.
    blocks = [("A", "I1", 9000)] + [(f"N{i}", "I1", 100) for i in range(10)]
    blocks += [(f"N{i}", "I9", 9900) for i in range(10)]
    a = by_code(typology(vintage(blocks)).frame)["A"]
    assert (a["type"], a["other_las"]) == (2, 0)
    assert "near-coterminous: the LA is 90.0% of its ICS" in a["notes"]
    assert "slivers of 10 other LAs (each under 5% of the ICS's people)" in a["notes"]
    counted = typology(vintage(blocks), Thresholds(other_la_min_share=0.01)).frame
    assert by_code(counted)["A"]["type"] == 3


def test_thresholds_are_parameters() -> None:
    blocks = [("A", "I1", 96), ("A", "I2", 4), ("B", "I2", 1000)]
    assert by_code(typology(vintage(blocks)).frame)["A"]["type"] == 1
    strict = Thresholds(la_in_icb=0.97)
    assert by_code(typology(vintage(blocks), strict).frame)["A"]["type"] == 4
    result = typology(vintage(blocks), strict)
    assert "97%+" in result.provenance.method


@pytest.mark.parametrize("main, of_icb, others, expected", [
    (0.95, 0.95, 0, 1), (0.9499, 1.0, 0, 4), (1.0, 0.9499, 2, 2), (1.0, 0.5, 3, 3)])
def test_classify_boundaries(main: float, of_icb: float, others: int, expected: int) -> None:
    assert classify(main, of_icb, others, Thresholds()) == expected


def test_threshold_outside_zero_one_is_refused() -> None:
    with pytest.raises(BoundaryLabError, match="la_in_icb must be a fraction 0..1, got 95"):
        Thresholds(la_in_icb=95)
