"""Geometry for the screen, from a loaded vintage: outlines simplified as a coverage (so
neighbours keep one shared border), kept in EPSG:27700 until ``maps.geojson`` reprojects
and rounds them. Whole-country layers are units; LSOAs are only ever taken for one LA.

Whole-country outlines and each unit's main ICB are cached on the vintage for the life
of the process; the rest is per page, and the service caches pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.errors import UnknownNameError
from geodata.geometry import simplified
from geodata.layers import LAYERS, code_column
from geodata.polygons import lsoa_polygons
from geodata.splits import split_table
from geodata.store import VintageData

#: Whole-country outlines: 100 m is below what shows at national zooms and below the
#: ONS super-generalised source's own 200 m generalisation.
NATIONAL_TOLERANCE_M = 100.0
#: Decimal places of degrees for national layers: 4 is about 10 m, finer than 100 m.
NATIONAL_PRECISION = 4
#: Outlines seen around one area (area pages) and LSOAs of one LA.
LOCAL_TOLERANCE_M = 20.0


def outlines(
    data: VintageData, layer: str, tolerance: float = NATIONAL_TOLERANCE_M
) -> gpd.GeoDataFrame:
    """code, name, population and simplified polygon of every unit of ``layer``."""
    return simplified(data, layer, tolerance)


def main_unit(data: VintageData, layer: str, across: str) -> pd.DataFrame:
    """For each unit of ``layer`` (the index), the ``across`` unit holding most of its
    people: across_code, across_name and share."""
    key = f"maps:main:{layer}:{across}"
    if key not in data.cache:
        pairs = split_table(data.table, layer, across, (data.names[layer], data.names[across]))
        # split_table lists each unit's parts largest first.
        first = pairs.groupby("by_code", sort=False).head(1).set_index("by_code")
        data.cache[key] = first[["across_code", "across_name", "share"]]
    frame: pd.DataFrame = data.cache[key]
    return frame


def unit_layer(data: VintageData, code: str) -> str:
    """The layer a unit code belongs to; a unitary council (both tiers) reads as a UTLA."""
    found = [layer for layer in data.area_layers if code in data.names[layer]]
    if not found:
        examples = ", ".join(f"{LAYERS[k].example} ({k})" for k in data.area_layers)
        raise UnknownNameError("code", code, [], hint=f"codes look like {examples}")
    return "utla" if "utla" in found else found[0]


@dataclass(frozen=True)
class LocalBlocks:
    """The LSOAs of one unit and the outlines around them, simplified together."""

    blocks: gpd.GeoDataFrame  # code, name, population, <across>_code, of the unit's LSOAs
    outline: gpd.GeoDataFrame  # the unit itself: code, name, population
    context: gpd.GeoDataFrame  # the ICBs it touches: code, name, population


def local_blocks(data: VintageData, layer: str, code: str) -> LocalBlocks:
    """LSOAs of one unit with its outline and the outlines of the ICBs it overlaps.

    The LSOAs of those whole ICBs are simplified as one coverage and the outlines are
    unions of them, so outlines run exactly along the LSOA edges drawn beneath them.
    """
    table = data.table
    in_unit = (table[code_column(layer)] == code).to_numpy()
    icbs = table.loc[in_unit, "icb_code"].unique()
    in_context = table["icb_code"].isin(icbs).to_numpy()
    rows = np.flatnonzero(in_context)
    found, crs = lsoa_polygons(data, rows)
    polygons = shapely.coverage_simplify(found, LOCAL_TOLERANCE_M)
    unit_rows = in_unit[rows]
    columns = ["lsoa_code", "lsoa_name", "population", *_area_columns(data)]
    attributes = table.iloc[rows[unit_rows]][columns].reset_index(drop=True)
    blocks = gpd.GeoDataFrame(
        attributes.rename(columns={"lsoa_code": "code", "lsoa_name": "name"}),
        geometry=polygons[unit_rows],
        crs=crs,
    )
    outline = _unions(data, layer, np.full(unit_rows.sum(), code), polygons[unit_rows], crs)
    context = _unions(data, "icb", table["icb_code"].to_numpy()[rows], polygons, crs)
    return LocalBlocks(blocks, outline, context)


def _area_columns(data: VintageData) -> list[str]:
    return [code_column(layer) for layer in data.area_layers]


def _unions(
    data: VintageData, layer: str, codes: np.ndarray, polygons: np.ndarray, crs: object
) -> gpd.GeoDataFrame:
    """One polygon per distinct code: the union of the ``polygons`` carrying that code."""
    groups = pd.Series(np.arange(len(codes))).groupby(codes, sort=True).indices
    population = data.table.groupby(code_column(layer), observed=True)["population"].sum()
    names = data.names[layer]
    return gpd.GeoDataFrame(
        {
            "code": list(groups),
            "name": [names[c] for c in groups],
            "population": [population[c] for c in groups],
        },
        geometry=[shapely.coverage_union_all(polygons[rows]) for rows in groups.values()],
        crs=crs,
    )


def breakdown_layer(layer: str) -> str:
    """The layer an area page lists and fills: the councils of an ICB, the ICBs of
    anything else."""
    return "utla" if layer == "icb" else "icb"


@dataclass(frozen=True)
class AreaOverlaps:
    """One unit and, per other layer, the units it overlaps."""

    layer: str
    outline: gpd.GeoDataFrame  # one row: code, name, population
    #: layer -> code, name, population (of the overlap), share_of_area, share_of_unit
    overlaps: dict[str, gpd.GeoDataFrame]
    #: The part of each unit of the breakdown layer that lies in this area (its LSOAs
    #: there), in the order of ``overlaps[breakdown_layer(layer)]``: what the map fills,
    #: so a council only partly in an ICB is not painted whole.
    pieces: gpd.GeoDataFrame | None = None


def area_pieces(data: VintageData, layer: str, code: str, other: str) -> gpd.GeoDataFrame:
    """code, geometry: the union of the LSOAs of unit ``code`` in each unit of ``other``."""
    table = data.table
    rows = np.flatnonzero((table[code_column(layer)] == code).to_numpy())
    found, crs = lsoa_polygons(data, rows)
    polygons = shapely.coverage_simplify(found, LOCAL_TOLERANCE_M)
    codes = table[code_column(other)].to_numpy()[rows]
    groups = pd.Series(np.arange(len(rows))).groupby(codes, sort=True).indices
    return gpd.GeoDataFrame(
        {"code": list(groups)},
        geometry=[shapely.coverage_union_all(polygons[g]) for g in groups.values()],
        crs=crs,
    )


def area_overlaps(data: VintageData, code: str) -> AreaOverlaps:
    layer = unit_layer(data, code)
    table = data.table.loc[data.table[code_column(layer)] == code]
    outline = outlines(data, layer, LOCAL_TOLERANCE_M)
    outline = outline.loc[outline["code"] == code].reset_index(drop=True)
    overlaps = {}
    for other in data.area_layers:
        if other == layer:
            continue
        part = split_table(table, layer, other)
        # A unitary overlaps itself; blocks in no unit of a nullable layer have no outline.
        part = part.loc[(part["across_code"] != code) & part["across_code"].notna()]
        if part.empty:
            continue
        units = outlines(data, other, LOCAL_TOLERANCE_M).set_index("code")
        units = units.loc[part["across_code"].to_numpy()]
        frame = gpd.GeoDataFrame(
            {
                "code": units.index.to_numpy(),
                "name": units["name"].to_numpy(),
                "population": part["population"].to_numpy(),
                "share_of_area": part["share"].to_numpy(),
                "share_of_unit": part["population"].to_numpy() / units["population"].to_numpy(),
            },
            geometry=units.geometry.to_numpy(),
            crs=units.crs,
        )
        overlaps[other] = frame
    pieces = None
    breakdown = breakdown_layer(layer)
    if breakdown in overlaps:
        found = area_pieces(data, layer, code, breakdown).set_index("code")
        pieces = gpd.GeoDataFrame(
            {"code": overlaps[breakdown]["code"].to_numpy()},
            geometry=found.geometry.loc[overlaps[breakdown]["code"]].to_numpy(),
            crs=found.crs,
        )
    return AreaOverlaps(layer, outline, overlaps, pieces)
