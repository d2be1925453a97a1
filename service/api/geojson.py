"""Layer outlines as GeoJSON for the API and the maps, cached per vintage and tolerance."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyproj import Transformer

from geodata.geometry import block_index, dissolve, simplified, simplify_coverage, to_geojson
from geodata.layers import code_column
from geodata.provenance import ATTRIBUTION
from geodata.store import VintageData

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def _features(data: VintageData, layer: str, tolerance: float) -> list[dict[str, Any]]:
    key = f"geojson:{layer}:{tolerance:g}"
    if key not in data.cache:
        data.cache[key] = to_geojson(simplified(data, layer, tolerance))["features"]
    return data.cache[key]


def bbox_blocks(data: VintageData, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """Positions of the blocks meeting a lon/lat box, through the block index."""
    xs, ys = _TO_BNG.transform(
        [bbox[0], bbox[2], bbox[0], bbox[2]], [bbox[1], bbox[1], bbox[3], bbox[3]]
    )
    return block_index(data).within_bbox((min(xs), min(ys), max(xs), max(ys)))


def layer_geojson(
    data: VintageData,
    layer: str,
    tolerance: float,
    bbox: tuple[float, float, float, float] | None,
) -> dict[str, Any]:
    if layer == "lsoa" and bbox is not None:
        # Whole-country LSOA outlines are never built: take the blocks in the box only.
        frame = dissolve(data, "lsoa").iloc[bbox_blocks(data, bbox)]
        features = to_geojson(simplify_coverage(frame, tolerance))["features"]
    else:
        features = _features(data, layer, tolerance)
        if bbox is not None:
            rows = bbox_blocks(data, bbox)
            wanted = set(data.table[code_column(layer)].to_numpy()[rows])
            features = [f for f in features if f["properties"]["code"] in wanted]
    return {
        "type": "FeatureCollection",
        "name": f"{layer} {data.name}",
        "vintage": data.name,
        "simplify_m": tolerance,
        "crs_note": "EPSG:4326 (WGS84 longitude, latitude)",
        "attribution": ATTRIBUTION,
        "features": features,
    }
