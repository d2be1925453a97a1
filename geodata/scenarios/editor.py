"""What the boundary editor needs to redraw ICBs in the browser.

The page keeps one ICB per LSOA and sums populations itself (as Districtr does), so it
gets the block table in columns: each LSOA's population and the index of its unit in
every layer it can pick by. A district moved in part is then still exact. Outlines come
separately: districts, sub-ICB locations and PCN footprints nationally, LSOAs by district
(a whole-country LSOA layer is 11 MB of GeoJSON; one county's is about 0.3 MB).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import BoundaryLabError
from ..geometry import WEB_CRS, dissolve, simplify_coverage, to_geojson
from ..layers import code_column
from ..pcn.layer import has_pcn_layer, load_pcn_layer
from ..store import VintageData
from .resolve import Assignment

#: Layers the editor picks units by (``lsoa`` aside), and those it only tallies.
PICK_LAYERS = ("ltla", "sicbl", "pcn")
TALLY_LAYERS = ("icb", "ltla", "utla", "sicbl", "sa", "pcn")
#: Outline tolerance for the national views, in metres (shared borders stay shared).
NATIONAL_SIMPLIFY_M = 100.0
#: Decimal places of degrees for national outlines: 4 is about 10 m, finer than 100 m.
NATIONAL_PRECISION = 4
#: Most districts whose LSOAs one request may ask for (a county has at most 12).
MAX_LSOA_DISTRICTS = 40
LSOA_PREFIX = "E01"


def _unit_codes(data: VintageData, layer: str) -> np.ndarray | None:
    """Each LSOA's code in ``layer`` ("" where it has none), or None if not built."""
    if layer == "pcn":
        from ..pcn.blocks import pcn_footprints

        return pcn_footprints(data)
    column = code_column(layer)
    if column not in data.table:
        return None
    return data.table[column].astype(object).fillna("").to_numpy()


def _names(data: VintageData, layer: str, codes: list[str]) -> list[str]:
    if layer == "pcn":
        names = load_pcn_layer(data).pcns.set_index("pcn_code")["pcn_name"].to_dict()
    else:
        names = data.names[layer] if layer in data.layers else {}
    return [str(names.get(code, code)) for code in codes]


def _lsoa_codes(codes: np.ndarray) -> dict[str, Any]:
    """LSOA codes, compactly: ``E01`` serials as differences when they all fit."""
    serials = [c[len(LSOA_PREFIX) :] for c in codes]
    if all(c.startswith(LSOA_PREFIX) and len(c) == 9 for c in codes) and all(
        s.isdigit() for s in serials
    ):
        numbers = np.array(serials, dtype=np.int64)
        deltas = np.diff(numbers, prepend=0)
        return {"prefix": LSOA_PREFIX, "width": 6, "deltas": deltas.tolist()}
    return {"codes": [str(c) for c in codes]}


def editor_units(data: VintageData, start: Assignment | None = None) -> dict[str, Any]:
    """The block table in columns for the page, with each layer's codes and names.

    ``start``: the assignment the page opens on (a saved scenario), if not the baseline.
    Indexes are -1 where an LSOA has no unit in a layer (no PCN footprint, say).
    """
    table = data.table
    lsoas: dict[str, Any] = {
        "count": len(table),
        **_lsoa_codes(table["lsoa_code"].to_numpy()),
        "population": table["population"].astype(np.int64).tolist(),
    }
    layers: dict[str, Any] = {}
    for layer in TALLY_LAYERS:
        if layer == "pcn" and not has_pcn_layer(data):
            continue
        values = _unit_codes(data, layer)
        if values is None:
            continue
        index, uniques = pd.factorize(pd.Series(values, dtype=object), sort=True)
        codes = [str(u) for u in uniques]
        if "" in codes:  # no unit: drop it and renumber
            empty = codes.index("")
            index = np.where(index == empty, -1, np.where(index > empty, index - 1, index))
            codes.remove("")
        lsoas[layer] = index.astype(np.int64).tolist()
        layers[layer] = {"codes": codes, "names": _names(data, layer, codes)}
    result: dict[str, Any] = {"vintage": data.name, "lsoas": lsoas, "layers": layers}
    if start is not None:
        result["start"] = start_assignment(start, layers["icb"]["codes"])
    return result


def start_assignment(start: Assignment, icb_codes: list[str]) -> dict[str, Any]:
    """A saved scenario's ICB per LSOA as indexes into the vintage's ICBs and then its new
    ICBs (by name, as the page names them)."""
    new_codes = list(start.new_icbs)
    position = {code: i for i, code in enumerate([*icb_codes, *new_codes])}
    return {
        "icb": [position[c] for c in start.icb],
        "new_icbs": [start.new_icbs[c] for c in new_codes],
    }


def _points(frame: gpd.GeoDataFrame) -> list[list[float]]:
    """A point inside each polygon (lat, lon, 4 places), for labels and box selection."""
    points = gpd.GeoSeries(shapely.point_on_surface(frame.geometry.to_numpy()), crs=frame.crs)
    web = points.to_crs(WEB_CRS)
    return [[round(p.y, 4), round(p.x, 4)] for p in web]


def footprint_frame(data: VintageData, layer: str) -> gpd.GeoDataFrame:
    """Outlines of a pick layer: the layer's own dissolve, or for PCNs the union of the
    LSOAs each PCN is the best fit for."""
    if layer != "pcn":
        return dissolve(data, layer)
    key = "dissolved:pcn_footprint"
    if key not in data.cache:
        codes = _unit_codes(data, "pcn")
        if codes is None:
            raise BoundaryLabError(f"vintage {data.name} has no PCN layer")
        polygons = data.geometry().geometry.to_numpy()
        groups = pd.Series(np.arange(len(codes))).groupby(codes, sort=True)
        outlines = {c: shapely.coverage_union_all(polygons[rows]) for c, rows in groups if c}
        names = _names(data, "pcn", list(outlines))
        data.cache[key] = gpd.GeoDataFrame(
            {"code": list(outlines), "name": names},
            geometry=list(outlines.values()), crs=data.geometry().crs,
        )  # fmt: skip
    return data.cache[key]


def outlines(data: VintageData, layer: str, tolerance: float) -> dict[str, Any]:
    """A pick (or ICB) layer nationally: code, name and an inside point per feature."""
    frame = simplify_coverage(footprint_frame(data, layer)[["code", "name", "geometry"]],
                              tolerance)  # fmt: skip
    frame = frame.assign(pt=_points(frame))
    return {"type": "FeatureCollection", "layer": layer, "vintage": data.name,
            "simplify_m": tolerance,
            "features": to_geojson(frame, NATIONAL_PRECISION)["features"]}  # fmt: skip


def check_districts(data: VintageData, districts: list[str]) -> None:
    """Refuse an empty, too long or unknown list of district (LTLA) codes."""
    if not districts:
        raise BoundaryLabError("give at least one district (LTLA) code")
    if len(districts) > MAX_LSOA_DISTRICTS:
        raise BoundaryLabError(
            f"{len(districts)} districts asked for; at most {MAX_LSOA_DISTRICTS} at a time"
        )
    known = data.names["ltla"]
    unknown = [d for d in districts if d not in known]
    if unknown:
        raise BoundaryLabError(
            f"unknown district (LTLA) code(s) in vintage {data.name}: {', '.join(unknown[:5])}"
        )


def lsoa_outlines(data: VintageData, districts: list[str]) -> dict[str, Any]:
    """The LSOAs of some districts (LTLAs), with code, name and an inside point."""
    check_districts(data, districts)
    rows = np.flatnonzero(data.table["ltla_code"].isin(districts).to_numpy())
    frame = dissolve(data, "lsoa").iloc[rows][["code", "name", "geometry"]]
    frame = frame.assign(pt=_points(frame))
    return {"type": "FeatureCollection", "layer": "lsoa", "vintage": data.name,
            "districts": districts, "features": to_geojson(frame)["features"]}  # fmt: skip
