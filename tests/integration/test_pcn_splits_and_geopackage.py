"""PCNs as a split layer and the GeoPackage downloads, on the real bundle. Expected
values are recomputed from the PCN layer's LSOA shares and the block table with pandas,
and from the GeoPackage as GDAL reads it back."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geodata.geopackage import vintage_geopackage
from geodata.pcn.layer import load_pcn_layer
from geodata.splits import splits
from geodata.store import Store


def test_pcn_by_icb_is_the_apportioned_people(real_store: Store) -> None:
    data = real_store.load("2024")
    result = splits(data, "pcn", "icb")
    assert "apportioned" in result.provenance.method and "estimates" in result.provenance.method
    # Independently: LSOA share x LSOA population, summed by PCN and ICB.
    layer = load_pcn_layer(data)
    table = data.table[["lsoa_code", "population", "icb_code"]].astype({"icb_code": str})
    people = layer.shares.merge(table, on="lsoa_code")
    people["people"] = people["share"] * people["population"]
    pairs = people.groupby(["pcn_code", "icb_code"])["people"].sum()
    pairs = pairs[pairs >= 0.5]
    got = result.frame.set_index(["by_code", "across_code"])["population"]
    assert set(got.index) == set(pairs.index)
    assert (got - pairs.round().astype("int64").reindex(got.index)).abs().max() == 0
    # the reverse split holds the same people
    back = splits(data, "icb", "pcn").frame.set_index(["across_code", "by_code"])["population"]
    assert back.reindex(got.index).equals(got)
    one = splits(data, "icb", "pcn", area="E54000026").frame
    assert set(one["by_code"]) == {"E54000026"} and one["share"].sum() == pytest.approx(1, 1e-3)


def test_vintage_geopackage_layers_and_populations(real_store: Store) -> None:
    data = real_store.load("2024")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.gpkg"
        path.write_bytes(vintage_geopackage(data))
        layers = {name for name, _ in pyogrio.list_layers(path)}
        assert layers == {*data.area_layers, "lsoa", "about"}
        icbs = pyogrio.read_dataframe(path, layer="icb")
        expected = data.table.groupby("icb_code", observed=True)["population"].sum()
        got = icbs.set_index("code")["population"]
        assert len(icbs) == len(expected) and (got - expected.reindex(got.index)).abs().max() == 0
        lsoas = pyogrio.read_dataframe(path, layer="lsoa", read_geometry=False)
        assert len(lsoas) == len(data.table)
        assert int(lsoas["population"].sum()) == int(data.table["population"].sum())
        about = pd.DataFrame(pyogrio.read_dataframe(path, layer="about"))
        rows = dict(zip(about["item"], about["value"], strict=True))
        assert rows["Vintage"].startswith("2024") and "Open Government Licence" in rows[
            "Attribution"]
        assert icbs.crs is not None and icbs.crs.to_epsg() == 27700
