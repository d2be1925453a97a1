"""Outlines joined from a finer layer's outlines (districts into counties, sub-ICB
locations into ICBs; ``geometry.dissolve``) are the unions of their LSOAs, vertex for
vertex: each unit's LSOAs joined here with a pandas group-by, in normal form. Every area
layer of the real bundle, every vintage, and a scenario's ICBs (which nest in nothing)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.geometry import dissolve, layer_outlines
from geodata.scenarios import Move, Scenario, resolve
from geodata.store import Store, VintageData

pytestmark = [pytest.mark.real_data]


def live(data: VintageData) -> VintageData:
    """The vintage without its stored outlines: everything computed."""
    return VintageData(data.name, data.path, data.table, data.units, data.meta)


def lsoa_unions(data: VintageData, layer: str) -> dict[str, bytes]:
    polygons = data.geometry().geometry.to_numpy()
    codes = data.table[f"{layer}_code"].astype(object)
    rows = pd.Series(np.arange(len(codes))).groupby(codes.to_numpy(), sort=True).indices
    return {code: shapely.to_wkb(shapely.normalize(shapely.coverage_union_all(polygons[r])))
            for code, r in rows.items()}  # fmt: skip


def as_wkb(frame: pd.DataFrame) -> dict[str, bytes]:
    return dict(zip(frame["code"], shapely.to_wkb(frame.geometry.to_numpy()), strict=True))


@pytest.mark.parametrize("vintage", ["2022", "2024", "2026"])
def test_every_layer_is_the_union_of_its_lsoas(real_store: Store, vintage: str) -> None:
    data = live(real_store.load(vintage))
    for layer in data.area_layers:
        assert as_wkb(dissolve(data, layer)) == lsoa_unions(data, layer), layer
    # Some layers were joined from a finer one (the case under test).
    nested = {layer: layer_outlines(data).finer_layer(layer) for layer in data.area_layers}
    assert nested["utla"] == "ltla" and nested["icb"] == "sicbl", nested


def test_a_scenarios_icbs_are_the_unions_of_their_lsoas(real_store: Store) -> None:
    data = real_store.load("2024")
    scenario = Scenario("2024", "split a SICBL").with_moves(
        Move("lsoa", str(data.table["lsoa_code"].iloc[0]), "E54000026")
    )
    applied = resolve(data, scenario).apply(data)
    assert as_wkb(dissolve(applied, "icb")) == lsoa_unions(applied, "icb")
