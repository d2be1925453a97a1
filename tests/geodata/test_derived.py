"""Outlines and points precomputed at build time are exactly what a process would compute
on first use (real bundle, every area layer, both tolerances), and a store without them
still answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geodata.derived import POINTS_FILE, SIMPLIFY_TOLERANCES_M, outlines_file
from geodata.geometry import block_index, dissolve, simplified
from geodata.store import Store, VintageData

pytestmark = [pytest.mark.real_data]


def live(data: VintageData) -> VintageData:
    """The same vintage, not marked as loaded from its folder: computes everything."""
    return VintageData(data.name, data.path, data.table, data.units, data.meta)


def assert_same_outlines(stored: pd.DataFrame, computed: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(stored.drop(columns="geometry"),
                                  computed.drop(columns="geometry"))  # fmt: skip
    assert stored.crs == computed.crs
    same = shapely.equals_exact(stored.geometry.to_numpy(), computed.geometry.to_numpy(), 0)
    assert same.all()


@pytest.mark.parametrize("vintage", ["2022", "2024"])
def test_stored_outlines_are_the_computed_ones(real_store: Store, vintage: str) -> None:
    data = Store(real_store.root).load(vintage)
    files = [outlines_file(t) for t in (0.0, *SIMPLIFY_TOLERANCES_M)] + [POINTS_FILE]
    assert all((data.path / name).is_file() for name in files)
    fresh = live(data)
    for layer in data.area_layers:
        assert_same_outlines(dissolve(data, layer), dissolve(fresh, layer))
        for tolerance in SIMPLIFY_TOLERANCES_M:
            assert_same_outlines(simplified(data, layer, tolerance),
                                 simplified(fresh, layer, tolerance))  # fmt: skip
    assert "stored_outlines" in data.cache and "stored_outlines" not in fresh.cache
    points = block_index(data).representative_points
    expected = shapely.point_on_surface(data.geometry().geometry.to_numpy())
    assert shapely.equals_exact(points, expected, 0).all()


def test_a_store_without_derived_files_still_answers(real_store: Store, tmp_path: Path) -> None:
    shutil.copytree(real_store.root / "2022", tmp_path / "2022")
    for name in [outlines_file(t) for t in (0.0, *SIMPLIFY_TOLERANCES_M)] + [POINTS_FILE]:
        (tmp_path / "2022" / name).unlink()
    old = Store(tmp_path).load("2022")
    new = Store(real_store.root).load("2022")
    assert_same_outlines(simplified(old, "icb", 100.0), simplified(new, "icb", 100.0))
    assert old.cache["stored_outlines"] and not any(old.cache["stored_outlines"].values())
    assert shapely.equals_exact(block_index(old).representative_points,
                                block_index(new).representative_points, 0).all()  # fmt: skip
