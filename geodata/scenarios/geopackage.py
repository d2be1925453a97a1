"""A scenario as a GeoPackage: its ICBs, every LSOA's ICB before and after, and the
boundaries that were uploaded, if any."""

from __future__ import annotations

import json

import geopandas as gpd

from ..geopackage import about_rows, geopackage_bytes, lsoa_lookup
from ..provenance import Provenance
from ..store import VintageData
from .evaluate import METHOD
from .model import Scenario
from .resolve import resolve
from .shapes import icb_shapes


def scenario_geopackage_bytes(
    data: VintageData, scenario: Scenario, uploaded_geojson: str | None = None
) -> bytes:
    assignment = resolve(data, scenario)
    shapes = icb_shapes(data, assignment.icb)
    population = data.table.groupby(assignment.icb)["population"].sum()
    icbs = gpd.GeoDataFrame(
        {"code": list(shapes), "name": [assignment.names[c] for c in shapes],
         "population": [int(population[c]) for c in shapes],
         "parts": [s.parts for s in shapes.values()]},
        geometry=[s.outline for s in shapes.values()], crs=data.geometry().crs,
    )  # fmt: skip
    layers = {"scenario_icb": icbs, "lsoa": lsoa_lookup(data, assignment.icb)}
    if uploaded_geojson:
        features = json.loads(uploaded_geojson).get("features", [])
        if features:
            uploaded = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
            layers["uploaded"] = uploaded.to_crs(data.geometry().crs)
    what = (f"Scenario {scenario.name!r} on vintage {data.name}: scenario_icb (its ICBs, "
            "dissolved from LSOAs), lsoa (each LSOA's ICB in the vintage and in the "
            "scenario)" + (", uploaded (the boundaries as uploaded)" if "uploaded" in layers
                           else "") + "; EPSG:27700")  # fmt: skip
    return geopackage_bytes(layers, about_rows(Provenance.of(data.meta, METHOD), what))
