"""The coverage check of only the blocks that can be invalid finds exactly the blocks
that GEOS's check of the whole layer finds (``shapely.coverage_invalid_edges``), on
hand-made faults, random ones, and the real LSOA files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geodata.ingest.coverage import invalid_blocks


def whole_layer_check(polygons: np.ndarray) -> np.ndarray:
    return np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(polygons)))


def grid(n: int = 5) -> list[Polygon]:
    return [box(i, j, i + 1, j + 1) for i in range(n) for j in range(n)]


def faulty_grids() -> dict[str, list[object]]:
    cells = grid()
    cases: dict[str, list[object]] = {"clean": list(cells)}
    # A vertex on one side of a shared edge only (mis-noded).
    mis_noded = list(cells)
    mis_noded[6] = Polygon([(1, 1), (2, 1), (2, 1.5), (2, 2), (1, 2)])
    cases["mis-noded"] = mis_noded
    # One block bulging into its neighbour (overlap), and one pulled back (gap).
    overlap = list(cells)
    overlap[12] = Polygon([(2, 2), (3.2, 2), (3.2, 3), (2, 3)])
    cases["overlap"] = overlap
    gap = list(cells)
    gap[12] = Polygon([(2, 2), (2.9, 2), (2.9, 3), (2, 3)])
    cases["gap"] = gap
    # The same block twice: every edge found three times.
    cases["duplicate"] = [*cells, cells[7]]
    # A block covering two others exactly: every edge paired, but the same way round.
    cases["covering"] = [*cells, box(0, 0, 2, 1)]
    # Counter-clockwise shells, repeated points, a hole filled by an island, multipolygons.
    ccw = [shapely.orient_polygons(c, exterior_cw=False) for c in cells]
    cases["ccw shells"] = ccw
    repeated = list(cells)
    repeated[3] = Polygon([(0, 3), (1, 3), (1, 3), (1, 4), (0, 4), (0, 4)])
    cases["repeated points"] = repeated
    holed = [c for k, c in enumerate(cells) if k not in (11, 12, 13)]
    shell = [(2, 1), (3, 1), (3, 2), (3, 3), (3, 4), (2, 4), (2, 3), (2, 2)]  # neighbours' vertices
    holed.append(Polygon(shell, [box(2.25, 2.25, 2.75, 2.75).exterior.coords]))
    holed.append(box(2.25, 2.25, 2.75, 2.75))
    cases["hole and island"] = holed
    multi = [c for k, c in enumerate(cells) if k not in (0, 24)]
    multi.append(MultiPolygon([cells[0], cells[24]]))
    cases["multipolygon"] = multi
    island_misfit = list(holed)
    island_misfit[-1] = box(2.25, 2.25, 2.8, 2.75)
    cases["island overlapping its hole"] = island_misfit
    return cases


@pytest.mark.parametrize("case", list(faulty_grids()))
def test_hand_made_faults(case: str) -> None:
    polygons = np.array(faulty_grids()[case], dtype=object)
    found = invalid_blocks(polygons)
    assert found.tolist() == whole_layer_check(polygons).tolist()
    assert (len(found) == 0) == (
        case in {"clean", "ccw shells", "repeated points", "hole and island", "multipolygon"}
    )


@pytest.mark.parametrize("seed", range(20))
def test_random_faults(seed: int) -> None:
    """A 12 x 12 grid of jittered shared vertices, with a few vertices moved in one
    block only, a few edges split on one side only and a few blocks nudged."""
    rng = np.random.default_rng(seed)
    n = 12
    corners = np.stack(np.meshgrid(np.arange(n + 1.0), np.arange(n + 1.0), indexing="ij"), -1)
    corners[1:-1, 1:-1] += rng.uniform(-0.3, 0.3, (n - 1, n - 1, 2))
    blocks = []
    for i in range(n):
        for j in range(n):
            ring = [corners[i, j], corners[i + 1, j], corners[i + 1, j + 1], corners[i, j + 1]]
            ring = [tuple(p) for p in ring]
            fault = rng.integers(0, 12)
            if fault == 0:  # a corner moved in this block only
                k = rng.integers(0, 4)
                ring[k] = (
                    ring[k][0] + rng.uniform(-0.05, 0.05),
                    ring[k][1] + rng.uniform(-0.05, 0.05),
                )
            elif fault == 1:  # an edge split on this side only
                k = rng.integers(0, 4)
                a, b = np.array(ring[k]), np.array(ring[(k + 1) % 4])
                ring.insert(k + 1, tuple((a + b) / 2 + rng.uniform(-0.01, 0.01, 2)))
            blocks.append(Polygon(ring))
    polygons = np.array(blocks, dtype=object)
    if seed % 4 == 0:
        polygons[rng.integers(0, len(polygons))] = shapely.affinity.translate(polygons[5], 0.01, 0)
    polygons = polygons[shapely.is_valid(polygons)]
    assert invalid_blocks(polygons).tolist() == whole_layer_check(polygons).tolist()


@pytest.mark.real_data
@pytest.mark.parametrize("file", ["LSOA_2021_EW_BSC.gpkg", "LSOA_2011_EW_BSC.gpkg"])
def test_real_lsoas(real_source: Path, file: str) -> None:
    frame = gpd.read_file(real_source / "boundaries" / file, engine="pyogrio")
    frame = frame.loc[frame.iloc[:, 0].str.startswith("E")].to_crs("EPSG:27700")
    polygons = frame.geometry.to_numpy()
    expected = whole_layer_check(polygons)
    assert invalid_blocks(polygons).tolist() == expected.tolist()
    assert (len(expected) > 0) == (file == "LSOA_2021_EW_BSC.gpkg")  # the 2021 file needs it
