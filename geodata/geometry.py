"""Layer outlines dissolved from LSOA blocks, simplified as a coverage, made ready for maps.

The published ICB outlines are coarse; dissolving the LSOA blocks gives outlines that
agree exactly with the block table (``geodata.outlines`` makes them; here they get their
names and populations, and are read from the store where the build precomputed them).
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import shapely

from .derived import stored_outlines, stored_points
from .layers import code_column
from .outlines import LayerOutlines, simplify_polygons
from .spatial_index import BlockIndex
from .store import VintageData
from .unit_codes import unit_codes

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
        codes, outlines = layer_outlines(data).unions(layer)
        population = data.table.groupby(code_column(layer), observed=True)["population"].sum()
        names = data.names[layer]
        frame = gpd.GeoDataFrame(
            {
                "code": codes.tolist(),
                "name": [names[c] for c in codes],
                "population": population.loc[codes.tolist()].to_numpy(),
            },
            geometry=outlines,
            crs=geometry.crs,
        )
    data.cache[key] = frame
    return frame


def layer_outlines(data: VintageData) -> LayerOutlines:
    """The vintage's layer outlines (``geodata.outlines``), made as they are asked for."""
    if "layer_outlines" not in data.cache:
        layers = {layer: unit_codes(data, code_column(layer)) for layer in data.area_layers}
        data.cache["layer_outlines"] = LayerOutlines(data.geometry().geometry.to_numpy(), layers)
    outlines: LayerOutlines = data.cache["layer_outlines"]
    return outlines


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
    return frame.set_geometry(simplify_polygons(frame.geometry.to_numpy(), tolerance_m))


def to_geojson(frame: gpd.GeoDataFrame, precision: int = WEB_PRECISION) -> dict[str, Any]:
    """A GeoJSON FeatureCollection in EPSG:4326 with rounded coordinates."""
    web = frame.to_crs(WEB_CRS)
    web = web.set_geometry(shapely.set_precision(web.geometry.to_numpy(), 10.0**-precision))
    return json.loads(web.to_json(drop_id=True))
