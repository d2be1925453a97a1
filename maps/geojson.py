"""Frames as compact GeoJSON text for the page, in EPSG:4326 with rounded coordinates.

Like ``geodata.geometry.to_geojson`` (reproject, then round), but about ten times
faster, which keeps a page build within its half-second budget:

- GEOS writes the geometry JSON in one vectorised call, where geopandas loops over
  every coordinate in Python;
- coordinates are rounded one by one ("pointwise"), not re-noded into valid polygons:
  a shared vertex rounds to the same point in both neighbours, so shared borders stay
  shared, and Leaflet draws a polygon that touches itself at a point just as well.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import geopandas as gpd
import shapely

from geodata.geometry import WEB_CRS, WEB_PRECISION


def feature_collection(
    frame: gpd.GeoDataFrame, columns: Sequence[str], precision: int = WEB_PRECISION
) -> str:
    """A FeatureCollection of ``frame``'s rows with ``columns`` as properties."""
    if frame.crs is None:
        raise ValueError("the frame has no CRS; geometry for maps must say what it is in")
    web = frame.geometry.to_crs(WEB_CRS).to_numpy()
    web = shapely.set_precision(web, 10.0**-precision, mode="pointwise")
    geometries = shapely.to_geojson(shapely.remove_repeated_points(web))
    records = frame[list(columns)].to_dict("records")
    features = ",".join(
        f'{{"type":"Feature","properties":{_dumps(props)},"geometry":{geometry or "null"}}}'
        for props, geometry in zip(records, geometries, strict=True)
    )
    # "</" could end the <script> the text is embedded in; "<\/" is the same JSON string.
    return f'{{"type":"FeatureCollection","features":[{features}]}}'.replace("</", "<\\/")


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
