"""Splits on the tiny source, and population conservation as a property."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.errors import BoundaryLabError, UnknownNameError
from geodata.ingest import build_vintage
from geodata.splits import split_table, splits
from geodata.store import Store, VintageData


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> VintageData:
    root = tmp_path_factory.mktemp("tiny")
    source = TinySource(root / "source")
    source.write()
    store = Store(root / "data")
    store.write(build_vintage(parse_vintage(source.config_path), source.root))
    return store.load("tiny")


def test_county_split_across_icbs(tiny_data: VintageData) -> None:
    result = splits(tiny_data, "utla", "icb", area="County 1")
    rows = result.frame.to_dict("records")
    assert [(r["across_code"], r["population"]) for r in rows] == [
        ("E54000001", 300), ("E54000002", 300)]
    assert [r["share"] for r in rows] == [0.5, 0.5]
    assert rows[0]["across_name"] == "ICB 1" and rows[0]["by_name"] == "County 1"
    assert result.provenance.vintage == "tiny"
    assert "Office for National Statistics" in result.provenance.attribution


def test_icb_by_utla_orders_largest_first(tiny_data: VintageData) -> None:
    frame = splits(tiny_data, "icb", "utla", area="E54000002").frame
    assert list(frame["across_code"]) == ["E06000002", "E06000001", "E10000001"]
    assert list(frame["population"]) == [500, 400, 300]
    assert frame["share"].sum() == pytest.approx(1.0)


def test_area_by_code_name_or_unique_part(tiny_data: VintageData) -> None:
    assert tiny_data.find_area("utla", "E06000001") == "E06000001"
    assert tiny_data.find_area("utla", "county 1") == "E10000001"
    assert tiny_data.find_area("utla", "Count") == "E10000001"
    ambiguous = r"ambiguous utla area 'Unitary': it matches 2: Unitary 1 \(E06000001\), Unitary 2"
    with pytest.raises(UnknownNameError, match=ambiguous):
        tiny_data.find_area("utla", "Unitary")
    with pytest.raises(UnknownNameError, match="valid: County 1, Unitary 1, Unitary 2"):
        tiny_data.find_area("utla", "Atlantis")


def test_bad_layers_are_refused(tiny_data: VintageData) -> None:
    valid = "valid: icb, lsoa, ltla, sicbl, utla"
    with pytest.raises(UnknownNameError, match=f"unknown layer 'region'; {valid}"):
        splits(tiny_data, "region", "icb")
    with pytest.raises(BoundaryLabError, match="two different layers"):
        splits(tiny_data, "icb", "icb")


codes = st.sampled_from(["A", "B", "C", "D"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(codes, codes, st.integers(0, 5000)), min_size=1, max_size=60))
def test_every_split_conserves_population(rows: list[tuple[str, str, int]]) -> None:
    table = pd.DataFrame(rows, columns=["utla_code", "icb_code", "population"])
    table = table.astype({"utla_code": "category", "icb_code": "category"})
    frame = split_table(table, "utla", "icb")
    assert frame["population"].sum() == table["population"].sum()
    for code, group in frame.groupby("by_code"):
        total = table.loc[table["utla_code"] == code, "population"].sum()
        assert (group["by_population"] == total).all()
        if total:
            assert group["share"].sum() == pytest.approx(1.0)
        assert group["population"].is_monotonic_decreasing
