"""Geometry every process would otherwise rebuild on first use, computed once at build
time into the store:

    data/<vintage>/outlines.parquet  every area layer's units dissolved from LSOAs, as is
                                     and simplified as a coverage at SIMPLIFY_TOLERANCES_M
    data/<vintage>/points.parquet    each LSOA's representative point, x and y (best-fit)

They are exactly what ``geometry.dissolve``, ``geometry.simplified`` and
``BlockIndex.representative_points`` compute (the same functions write them; WKB keeps
every coordinate), so a fresh worker answers its first map request without dissolving
33,000 polygons. A store without them (built before) still works: they are computed on
first use, as before. STRtrees are not stored: they rebuild in milliseconds and cannot be
serialised.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .store import VintageData

if TYPE_CHECKING:
    import geopandas as gpd

OUTLINES_FILE = "outlines.parquet"
POINTS_FILE = "points.parquet"
#: Tolerances (m) precomputed: the maps' local (20 m) and national (100 m) outlines.
SIMPLIFY_TOLERANCES_M = (20.0, 100.0)


def write_derived(data: VintageData, folder: Path) -> None:
    """Compute the outlines and points of ``data`` and write them into ``folder``."""
    import geopandas as gpd
    import shapely

    from .geometry import dissolve, simplify_coverage

    frames = []
    for layer in data.area_layers:
        dissolved = dissolve(data, layer)
        frames.append(dissolved.assign(layer=layer, tolerance=0.0))
        for tolerance in SIMPLIFY_TOLERANCES_M:
            simplified = simplify_coverage(dissolved, tolerance)
            frames.append(simplified.assign(layer=layer, tolerance=tolerance))
    outlines = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    outlines.to_parquet(folder / OUTLINES_FILE, index=False)
    points = shapely.point_on_surface(data.geometry().geometry.to_numpy())
    # Plain x, y columns: making points from them is several times faster than from WKB.
    pd.DataFrame({"x": shapely.get_x(points), "y": shapely.get_y(points)}).to_parquet(
        folder / POINTS_FILE, index=False
    )


def _from_store(data: VintageData) -> bool:
    """Only a vintage as loaded from its folder matches the files; a derived view (a
    scenario applied, a status filter, a place layer) computes its own."""
    return bool(data.cache.get("loaded_from_store"))


def stored_outlines(data: VintageData, layer: str, tolerance: float) -> gpd.GeoDataFrame | None:
    """The stored outlines of ``layer`` at ``tolerance`` (0: dissolved, not simplified),
    or None when the store does not hold them."""
    if not _from_store(data):
        return None
    if "stored_outlines" not in data.cache:
        path = data.path / OUTLINES_FILE
        groups = {}
        if path.is_file():
            import geopandas as gpd

            frame = gpd.read_parquet(path)
            for (key, tol), part in frame.groupby(["layer", "tolerance"], sort=False):
                groups[(key, float(tol))] = part.drop(columns=["layer", "tolerance"]).reset_index(
                    drop=True
                )
        data.cache["stored_outlines"] = groups
    found: gpd.GeoDataFrame | None = data.cache["stored_outlines"].get((layer, float(tolerance)))
    return found


def stored_points(data: VintageData) -> object | None:
    """The stored representative points (an array of shapely points), or None."""
    path = data.path / POINTS_FILE
    if not _from_store(data) or not path.is_file():
        return None
    import shapely

    xy = pd.read_parquet(path)
    return shapely.points(xy["x"].to_numpy(), xy["y"].to_numpy())
