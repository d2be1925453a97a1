"""Boundaries as a GeoPackage, for QGIS and ArcGIS users: every layer of a vintage (or a
scenario's ICBs) with names and populations, the LSOA lookup, and an ``about`` table
stating vintage, sources, method and attribution, as the spreadsheets do."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .geometry import dissolve
from .layers import code_column
from .provenance import Provenance
from .store import VintageData


def geopackage_bytes(
    layers: Mapping[str, gpd.GeoDataFrame], about: Sequence[tuple[str, str]]
) -> bytes:
    """One GeoPackage holding ``layers`` (name -> frame) and an ``about`` table."""
    import pyogrio

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "boundaries.gpkg"
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
        table = pd.DataFrame(list(about), columns=["item", "value"])
        pyogrio.write_dataframe(table, path, layer="about", driver="GPKG", append=True)
        return path.read_bytes()


def about_rows(provenance: Provenance, what: str) -> list[tuple[str, str]]:
    rows = [("Contents", what), *[tuple(line.split(": ", 1)) for line in provenance.lines()]]
    return [(str(a), str(b)) for a, b in rows] + [("Attribution", provenance.attribution)]


def lsoa_lookup(data: VintageData, icb: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """Every LSOA with its population and the code of its unit in every area layer;
    ``icb``: a scenario's ICB per LSOA, beside the vintage's own."""
    table = data.table
    columns = {column: table[column].to_numpy()
               for column in ("lsoa_code", "lsoa_name", "population")}  # fmt: skip
    for layer in data.area_layers:
        columns[code_column(layer)] = table[code_column(layer)].astype(str).to_numpy()
    if icb is not None:
        columns["scenario_icb_code"] = np.asarray(icb, dtype=object)
        columns["moved"] = columns["scenario_icb_code"] != columns["icb_code"]
    return gpd.GeoDataFrame(columns, geometry=data.geometry().geometry.to_numpy(),
                            crs=data.geometry().crs)  # fmt: skip


def vintage_geopackage(data: VintageData) -> bytes:
    """Every area layer of the vintage dissolved from its LSOAs, and the LSOAs; cached for
    the loaded vintage."""
    key = "geopackage"
    if key not in data.cache:
        layers = {layer: dissolve(data, layer) for layer in data.area_layers}
        layers["lsoa"] = lsoa_lookup(data)
        what = (f"Boundaries of vintage {data.name}: {', '.join(layers)} (EPSG:27700); each "
                "unit is the union of its LSOAs, population the sum of theirs")  # fmt: skip
        data.cache[key] = geopackage_bytes(layers, about_rows(Provenance.of(data.meta), what))
    body: bytes = data.cache[key]
    return body
