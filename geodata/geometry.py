"""Layer outlines dissolved from LSOA blocks, simplified as a coverage, made ready for maps.

The published ICB outlines are coarse; dissolving the LSOA blocks gives outlines that
agree exactly with the block table. The LSOA polygons form a valid coverage, so
``coverage_union_all`` dissolves them (far faster than ``unary_union``) and
``coverage_simplify`` simplifies neighbours together: shared borders stay shared, with
no slivers or gaps between them.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .derived import stored_outlines, stored_points
from .layers import code_column
from .spatial_index import BlockIndex
from .store import VintageData
from .unit_codes import UnitCodes, unit_codes

WEB_CRS = "EPSG:4326"
#: Decimal places of degrees kept for the web: 5 places is about 1 m, finer than the data.
WEB_PRECISION = 5


def block_index(data: VintageData) -> BlockIndex:
    """The vintage's LSOA index, built once per loaded vintage."""
    cached = data.cache.get("block_index")
    if cached is None:
        cached = BlockIndex(data.geometry().geometry.values)
        points = stored_points(data)
        if points is not None:
            cached.use_representative_points(points)  # type: ignore[arg-type]
        data.cache["block_index"] = cached
    return cached


def dissolve(data: VintageData, layer: str) -> gpd.GeoDataFrame:
    """One polygon per unit of ``layer`` with code, name and population (EPSG:27700)."""
    data.check_layer(layer)
    key = f"dissolved:{layer}"
    if key in data.cache:
        return data.cache[key]
    stored = stored_outlines(data, layer, 0.0) if layer != "lsoa" else None
    if stored is not None:
        data.cache[key] = stored
        return stored
    geometry = data.geometry()
    if layer == "lsoa":
        frame = gpd.GeoDataFrame(
            {
                "code": data.table["lsoa_code"].to_numpy(),
                "name": data.table["lsoa_name"].to_numpy(),
                "population": data.table["population"].to_numpy(),
            },
            geometry=geometry.geometry.to_numpy(),
            crs=geometry.crs,
        )
    else:
        outlines = _unions(data, layer)
        population = data.table.groupby(code_column(layer), observed=True)["population"].sum()
        names = data.names[layer]
        frame = gpd.GeoDataFrame(
            {
                "code": list(outlines),
                "name": [names[c] for c in outlines],
                "population": population.loc[list(outlines)].to_numpy(),
            },
            geometry=list(outlines.values()),
            crs=geometry.crs,
        )
    data.cache[key] = frame
    return frame


def _unions(data: VintageData, layer: str) -> dict[str, Any]:
    """Each unit of ``layer`` (code order) as one polygon, in normal form (``normalize``).

    Where the units of a finer layer lie each whole in one unit of ``layer`` (districts in
    counties, regions and strategic authorities; sub-ICB locations in ICBs), the union of
    their outlines is the union of the LSOAs, the same edges joined, and several times
    cheaper to make. Normal form makes the two the same polygon vertex for vertex (the
    start of each ring and its direction no longer depend on the order of the pieces)."""
    parent = unit_codes(data, code_column(layer))
    finer = _finer_layer(data, layer, parent)
    if finer is None:
        codes, polygons = parent.codes, data.geometry().geometry.to_numpy()
    else:
        child = unit_codes(data, code_column(finer))
        pieces = dissolve(data, finer)
        first_row = child.order[child.starts[child.find(pieces["code"].to_numpy())]]
        codes, polygons = parent.codes[first_row], pieces.geometry.to_numpy()
    pieces_of = UnitCodes.from_codes(codes, parent.categories)
    found = np.flatnonzero(pieces_of.starts[1:] > pieces_of.starts[:-1])
    return {parent.categories[k]: shapely.normalize(
                shapely.coverage_union_all(polygons[pieces_of.rows(k)]))
            for k in found.tolist()}  # fmt: skip


def _finer_layer(data: VintageData, layer: str, parent: UnitCodes) -> str | None:
    """The area layer with the fewest units (more than ``layer`` has) whose every unit lies
    whole in one unit of ``layer`` or in none, covering every LSOA; None if there is none."""
    best: tuple[int, str] | None = None
    for other in data.area_layers:
        child = unit_codes(data, code_column(other))
        if other == layer or len(child) <= len(parent) or (child.codes < 0).any():
            continue
        if best is not None and len(child) >= best[0]:
            continue
        with_rows = np.flatnonzero(child.starts[1:] > child.starts[:-1])
        first_parent = np.full(len(child), -2, dtype=np.intp)
        first_parent[with_rows] = parent.codes[child.order[child.starts[with_rows]]]
        if np.array_equal(first_parent[child.codes], parent.codes):
            best = (len(child), other)
    return None if best is None else best[1]


def simplified(data: VintageData, layer: str, tolerance_m: float) -> gpd.GeoDataFrame:
    """``dissolve(data, layer)`` simplified as a coverage, cached per process (read from
    the store when it was precomputed at build time)."""
    key = f"simplified:{layer}:{tolerance_m:g}"
    if key not in data.cache:
        stored = stored_outlines(data, layer, tolerance_m) if tolerance_m > 0 else None
        data.cache[key] = (stored if stored is not None
                           else simplify_coverage(dissolve(data, layer), tolerance_m))  # fmt: skip
    frame: gpd.GeoDataFrame = data.cache[key]
    return frame


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify polygons that tile an area together, so neighbours keep one shared border."""
    if tolerance_m <= 0:
        return frame
    simplified = shapely.coverage_simplify(frame.geometry.to_numpy(), tolerance_m)
    return frame.set_geometry(simplified)


def to_geojson(frame: gpd.GeoDataFrame, precision: int = WEB_PRECISION) -> dict[str, Any]:
    """A GeoJSON FeatureCollection in EPSG:4326 with rounded coordinates."""
    web = frame.to_crs(WEB_CRS)
    web = web.set_geometry(shapely.set_precision(web.geometry.to_numpy(), 10.0**-precision))
    return json.loads(web.to_json(drop_id=True))
