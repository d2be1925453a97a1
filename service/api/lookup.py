"""Which LSOA, and which unit of every layer, holds a point (or a batch of points)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from flask import Response, current_app, g, jsonify
from pyproj import Transformer

from geodata.geometry import block_index
from geodata.layers import LAYERS, NONE_LABEL, code_column
from geodata.store import VintageData

from .. import params
from ..context import services
from ..errors import bad_request, not_found
from . import api, bodies, responses, schemas
from .spec import operation

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
EASTING, NORTHING = bodies.EASTING, bodies.NORTHING


def _code_arrays(data: VintageData) -> dict[str, np.ndarray]:
    """Each layer's code per LSOA as a plain array, made once per vintage."""
    if "code_arrays" not in data.cache:
        arrays = {"lsoa": data.table["lsoa_code"].to_numpy(dtype=object)}
        for layer in data.area_layers:
            values = data.table[code_column(layer)].to_numpy(dtype=object)
            values[pd.isna(values)] = None  # in no unit of a nullable layer (sa)
            arrays[layer] = values
        data.cache["code_arrays"] = arrays
    return data.cache["code_arrays"]


def _units(data: VintageData, row: int) -> dict[str, dict[str, str | None]]:
    """Each layer's unit of one LSOA; code None and name "none" where it is in no unit."""
    return {
        layer: {"code": None, "name": NONE_LABEL}
        if codes[row] is None
        else {"code": str(codes[row]), "name": data.names[layer][codes[row]]}
        for layer, codes in _code_arrays(data).items()
    }


def _locate(data: VintageData, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return block_index(data).locate(x, y)


@api.get("/lookup")
@operation(
    "The LSOA and every layer's unit at a point, or of an LSOA code",
    ok=responses.Lookup,
    query=schemas.LookupQuery,
)
def lookup_one() -> Response:
    data = services().vintage(params.text("vintage"))
    lsoa = params.text("lsoa")
    if lsoa is not None:
        rows = np.flatnonzero(data.table["lsoa_code"].to_numpy() == lsoa.upper())
        if not len(rows):
            raise not_found(
                f"no English LSOA {lsoa!r} in vintage {data.name} "
                f"(codes look like {LAYERS['lsoa'].example})",
                lsoa=lsoa,
            )
        return jsonify(
            {"vintage": data.name, "query": {"lsoa": lsoa}, "units": _units(data, int(rows[0]))}
        )
    lat, lon = params.number("lat", -90, 90), params.number("lon", -180, 180)
    easting, northing = params.number("easting", *EASTING), params.number("northing", *NORTHING)
    if lat is not None and lon is not None:
        x, y = _TO_BNG.transform(lon, lat)
        query: dict[str, Any] = {"lat": lat, "lon": lon}
    elif easting is not None and northing is not None:
        x, y = easting, northing
        query = {"easting": easting, "northing": northing}
    else:
        raise bad_request(
            "give lat and lon (degrees), easting and northing (EPSG:27700 metres), or lsoa (a code)"
        )
    row = int(_locate(data, np.array([x]), np.array([y]))[0])
    if row < 0:
        raise not_found(
            "the point is not in any English LSOA (England only; Wales and "
            "the sea are out of scope)",
            query=query,
        )
    return jsonify({"vintage": data.name, "query": query, "units": _units(data, row)})


def _point_arrays(
    points: list[bodies.LatLon | bodies.EastingNorthing],
) -> tuple[np.ndarray, np.ndarray]:
    """Points as BNG x, y (the body's model checked each is {lat, lon} or {easting,
    northing} within its bounds)."""
    x = np.empty(len(points))
    y = np.empty(len(points))
    degrees = np.zeros(len(points), dtype=bool)
    for i, point in enumerate(points):
        if isinstance(point, bodies.LatLon):
            x[i], y[i], degrees[i] = point.lon, point.lat, True
        else:
            x[i], y[i] = point.easting, point.northing
    if degrees.any():
        x[degrees], y[degrees] = _TO_BNG.transform(x[degrees], y[degrees])
    return x, y


@api.post("/lookup")
@operation(
    "Batch lookup of up to 10,000 points (null where no English LSOA)",
    ok=responses.BatchLookup,
    body=bodies.LookupBody,
)
def lookup_batch() -> Response:
    body: bodies.LookupBody = g.body
    limit = current_app.config["MAX_LOOKUP_POINTS"]  # a deployment's own, lower limit
    points = body.points
    if len(points) > limit:
        raise bad_request(
            f"too many points: {len(points):,}; at most {limit:,} a request",
            limit=limit,
            got=len(points),
        )
    data = services().vintage(body.vintage or None)
    rows = _locate(data, *_point_arrays(points))
    found = rows >= 0
    picked = {layer: values[rows[found]] for layer, values in _code_arrays(data).items()}
    results: list[dict[str, str | None] | None] = [None] * len(points)
    for j, i in enumerate(np.flatnonzero(found)):
        results[i] = {layer: None if values[j] is None else str(values[j])
                      for layer, values in picked.items()}  # fmt: skip
    names = {
        layer: {str(c): data.names[layer][str(c)] for c in set(values) if c is not None}
        for layer, values in picked.items()
        if layer != "lsoa"
    }
    return jsonify(
        {
            "vintage": data.name,
            "count": len(points),
            "found": int(found.sum()),
            "results": results,
            "names": names,
        }
    )
