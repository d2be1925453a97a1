"""Cleaning the LSOA coverage only where it is invalid gives every block the shape that
cleaning the whole layer gives (the 2024 generalised LSOAs, which need it)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geodata.ingest.coverage import clean_coverage

pytestmark = [pytest.mark.real_data]


def test_local_cleaning_matches_cleaning_everything(real_source: Path) -> None:
    frame = gpd.read_file(real_source / "boundaries" / "LSOA_2021_EW_BSC.gpkg",
                          columns=["LSOA21CD"], engine="pyogrio")  # fmt: skip
    frame = frame.loc[frame["LSOA21CD"].str.startswith("E")].to_crs("EPSG:27700")
    polygons = frame.geometry.to_numpy()
    assert not shapely.coverage_is_valid(polygons)  # this file does need cleaning

    local, changed = clean_coverage(polygons)
    whole = np.asarray(shapely.coverage_clean(polygons))

    assert shapely.equals(local, whole).all()
    assert np.abs(shapely.area(local) - shapely.area(whole)).max() < 1e-3
    assert changed == int((np.abs(shapely.area(whole) - shapely.area(polygons)) > 0.01).sum())
    assert changed > 0
    assert shapely.coverage_is_valid(local)
    untouched = shapely.equals_exact(local, polygons, 0)
    assert untouched.sum() > len(polygons) - 1000  # only a neighbourhood was re-noded
