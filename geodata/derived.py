"""Geometry every process would otherwise rebuild on first use, computed once at build
time into the store:

    data/<vintage>/outlines_0m.parquet    every area layer's units dissolved from LSOAs
    data/<vintage>/outlines_20m.parquet   the same simplified as a coverage at 20 m,
    data/<vintage>/outlines_100m.parquet  and at 100 m (SIMPLIFY_TOLERANCES_M); one file
                                          each, so a page reads only the one it draws
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

import numpy as np
import pandas as pd

from .store import VintageData

if TYPE_CHECKING:
    import geopandas as gpd

POINTS_FILE = "points.parquet"
#: Tolerances (m) precomputed: the maps' local (20 m) and national (100 m) outlines.
SIMPLIFY_TOLERANCES_M = (20.0, 100.0)


def outlines_file(tolerance: float) -> str:
    return f"outlines_{tolerance:g}m.parquet"


def write_derived(data: VintageData, folder: Path) -> None:
    """Compute the outlines and points of ``data`` and write them into ``folder`` (the
    outlines as ``geometry.layer_outlines`` has them: a build gives it those its boundary
    process made)."""
    import geopandas as gpd
    import shapely

    from .geometry import dissolve, layer_outlines

    # The points first: the outlines may still be on their way from the build's boundary
    # process. Plain x, y columns: making points from them is several times faster than
    # from WKB.
    points = shapely.point_on_surface(data.geometry().geometry.to_numpy())
    pd.DataFrame({"x": shapely.get_x(points), "y": shapely.get_y(points)}).to_parquet(
        folder / POINTS_FILE, index=False
    )
    outlines = layer_outlines(data)
    outlines.made(SIMPLIFY_TOLERANCES_M)  # those made here first, then those made beside
    frames: dict[float, list[gpd.GeoDataFrame]] = {0.0: []}
    frames |= {tolerance: [] for tolerance in SIMPLIFY_TOLERANCES_M}
    for layer in data.area_layers:
        dissolved = dissolve(data, layer)
        frames[0.0].append(dissolved.assign(layer=layer))
        for tolerance in SIMPLIFY_TOLERANCES_M:
            simplified = dissolved.set_geometry(outlines.simplified(layer, tolerance)[1])
            frames[tolerance].append(simplified.assign(layer=layer))
    for tolerance, parts in frames.items():
        outlines_frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
        outlines_frame.to_parquet(folder / outlines_file(tolerance), index=False)


def _from_store(data: VintageData) -> bool:
    """Only a vintage as loaded from its folder matches the files; a derived view (a
    scenario applied, a status filter, a place layer) computes its own."""
    return bool(data.cache.get("loaded_from_store"))


def stored_outlines(data: VintageData, layer: str, tolerance: float) -> gpd.GeoDataFrame | None:
    """The stored outlines of ``layer`` at ``tolerance`` (0: dissolved, not simplified),
    or None when the store does not hold them."""
    if not _from_store(data):
        return None
    stored = data.cache.setdefault("stored_outlines", {})
    tolerance = float(tolerance)
    if tolerance not in stored:  # one file per tolerance, read on first use
        path = data.path / outlines_file(tolerance)
        stored[tolerance] = {}
        if path.is_file():
            import geopandas as gpd

            frame = gpd.read_parquet(path)
            for key, part in frame.groupby("layer", sort=False):
                stored[tolerance][key] = part.drop(columns="layer").reset_index(drop=True)
    found: gpd.GeoDataFrame | None = stored[tolerance].get(layer)
    return found


def read_ahead(data: VintageData) -> None:
    """Read the stored outlines (every tolerance) and ready pyproj's transformer to
    longitude/latitude now, as a worker starts, rather than on its first map request:
    they are the bulk of what a first request costs beyond a warm one."""
    from .geometry import WEB_CRS
    from .polygons import lsoa_polygons

    for tolerance in (0.0, *SIMPLIFY_TOLERANCES_M):
        outlines = stored_outlines(data, "icb", tolerance)
    if outlines is not None:  # PROJ's first search for this pair of CRSs, as maps make it
        outlines.geometry.iloc[:1].to_crs(WEB_CRS)
    lsoa_polygons(data, np.arange(1))  # the LSOAs' WKB, decoded as pages ask for them


def stored_points(data: VintageData) -> object | None:
    """The stored representative points (an array of shapely points), or None."""
    path = data.path / POINTS_FILE
    if not _from_store(data) or not path.is_file():
        return None
    import shapely

    xy = pd.read_parquet(path)
    return shapely.points(xy["x"].to_numpy(), xy["y"].to_numpy())
