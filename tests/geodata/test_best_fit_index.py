"""Best-fit through the cached tree of LSOA points against geopandas.sjoin of the same
points with the same candidates (predicate ``within``), on the real bundle: a county, all
ICBs, densified outlines, and overlapping candidates."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geodata.geometry import block_index, dissolve
from geodata.store import Store, VintageData

pytestmark = [pytest.mark.real_data]


@pytest.fixture(scope="module")
def data(real_store: Store) -> VintageData:
    return real_store.load("2024")


def sjoin_assignment(data: VintageData, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidate per block or -1 when none or several, count per block), by sjoin."""
    points = shapely.point_on_surface(data.geometry().geometry.to_numpy())
    left = gpd.GeoDataFrame(geometry=points, crs=27700)
    joined = gpd.sjoin(left, gpd.GeoDataFrame(geometry=candidates, crs=27700), predicate="within")
    counts = np.bincount(joined.index.to_numpy(), minlength=len(points))
    assigned = np.full(len(points), -1)
    single = joined.loc[counts[joined.index.to_numpy()] == 1]
    assigned[single.index.to_numpy()] = single["index_right"].to_numpy()
    return assigned, counts


def candidate_sets(data: VintageData) -> dict[str, np.ndarray]:
    icbs = dissolve(data, "icb").geometry.to_numpy()
    utlas = dissolve(data, "utla")
    essex = utlas.loc[utlas["code"] == "E10000012"].geometry.to_numpy()
    # Overlapping candidates: every ICB, and circles of 20 km around some ICB centroids.
    circles = shapely.buffer(shapely.centroid(icbs[::7]), 20_000)
    return {
        "essex": essex,
        "icbs": icbs,
        "icbs densified to 50 m": shapely.segmentize(icbs, 50.0),
        "overlapping": np.concatenate([icbs, circles]),
    }


@pytest.mark.parametrize("name", ["essex", "icbs", "icbs densified to 50 m", "overlapping"])
def test_best_fit_assignment_matches_sjoin(data: VintageData, name: str) -> None:
    candidates = candidate_sets(data)[name]
    assigned, counts = block_index(data).assign(candidates)
    expected_assigned, expected_counts = sjoin_assignment(data, candidates)
    assert counts.tolist() == expected_counts.tolist()
    assert assigned.tolist() == expected_assigned.tolist()
    assert (counts > 0).sum() > 800  # the candidates hold LSOAs: a real test
    if name == "overlapping":
        assert (counts > 1).sum() > 100
