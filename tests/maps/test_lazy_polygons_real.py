"""Map pages of one area decode only the LSOA polygons they draw (``geodata.polygons``):
the same polygons, bit for bit, as the whole layer loaded by ``VintageData.geometry()``,
and the same LSOAs, outlines and pieces on the split and area pages. Real bundle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.polygons import lsoa_polygons
from geodata.store import Store, VintageData
from maps.screen import area_overlaps, local_blocks

pytestmark = [pytest.mark.real_data]

ESSEX, MID_AND_SOUTH_ESSEX = "E10000012", "E54000026"


def loaded(store: Store, vintage: str, whole_layer: bool) -> VintageData:
    data = Store(store.root).load(vintage)  # a fresh process's copy: nothing decoded yet
    if whole_layer:
        data.geometry()
    return data


def same_frames(lazy: pd.DataFrame, whole: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(lazy.drop(columns="geometry"), whole.drop(columns="geometry"))
    assert lazy.crs == whole.crs
    assert shapely.to_wkb(lazy.geometry.to_numpy()).tolist() == shapely.to_wkb(
        whole.geometry.to_numpy()).tolist()  # fmt: skip


@pytest.mark.parametrize("vintage", ["2022", "2024"])
def test_polygons_of_some_rows_equal_the_whole_layers(real_store: Store, vintage: str) -> None:
    lazy, whole = loaded(real_store, vintage, False), loaded(real_store, vintage, True)
    layer = whole.geometry()
    rng = np.random.default_rng(1)
    for size in (1, 500, 3000):  # overlapping draws: later ones reuse decoded polygons
        rows = np.sort(rng.choice(len(lazy.table), size, replace=False))
        polygons, crs = lsoa_polygons(lazy, rows)
        assert crs == layer.crs
        assert shapely.to_wkb(polygons).tolist() == shapely.to_wkb(
            layer.geometry.to_numpy()[rows]).tolist()  # fmt: skip
    assert not lazy.geometry_loaded  # the whole layer was never decoded
    polygons, _ = lsoa_polygons(whole, np.array([5, 2, 5]))  # any order, repeats
    assert shapely.to_wkb(polygons).tolist() == shapely.to_wkb(
        layer.geometry.to_numpy()[[5, 2, 5]]).tolist()  # fmt: skip


@pytest.mark.parametrize("vintage", ["2022", "2024"])
def test_split_and_area_pages_draw_the_same_shapes(real_store: Store, vintage: str) -> None:
    lazy, whole = loaded(real_store, vintage, False), loaded(real_store, vintage, True)
    a, b = local_blocks(lazy, "utla", ESSEX), local_blocks(whole, "utla", ESSEX)
    for name in ("blocks", "outline", "context"):
        same_frames(getattr(a, name), getattr(b, name))
    a_area, b_area = (
        area_overlaps(lazy, MID_AND_SOUTH_ESSEX),
        area_overlaps(whole, MID_AND_SOUTH_ESSEX),
    )
    assert a_area.pieces is not None and b_area.pieces is not None
    same_frames(a_area.pieces, b_area.pieces)
    assert not lazy.geometry_loaded
