"""Reader for block boundaries (LSOA polygons): CRS checked, repaired, reprojected once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from numpy.typing import NDArray

from ..errors import InputError, describe_rows
from ..layers import LSOA_EW_PATTERN
from ..spatial_index import BlockIndex

#: British National Grid: every area and distance is computed in it.
WORKING_CRS = "EPSG:27700"


@dataclass(frozen=True)
class BlockRepairs:
    invalid_repaired: int
    coverage_cleaned: int


def clean_coverage(polygons: NDArray[np.object_]) -> tuple[NDArray[np.object_], int]:
    """Make neighbouring blocks share identical edges (no overlaps, no mis-noding).

    Generalised LSOA files are not always a clean coverage; the dissolve and simplify that
    the maps and scenarios use need one. Returns the polygons and how many changed area
    (by more than 0.01 m²).

    Only where needed: the blocks with invalid edges and their neighbours are cleaned
    together (a handful of the 33,000 in the 2024 LSOAs), which gives every block the same
    shape as cleaning the whole layer (tested: ``shapely.equals`` for every block) in a
    fraction of the time. Should the seam with the untouched blocks not come out valid,
    the whole layer is cleaned instead.
    """
    invalid = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(polygons)))
    if not len(invalid):
        return polygons, 0
    index = BlockIndex(polygons)
    area = np.union1d(invalid, index.intersecting(polygons[invalid])[0])
    cleaned = np.array(polygons, dtype=object)
    cleaned[area] = shapely.coverage_clean(polygons[area])
    seam = np.union1d(area, index.intersecting(polygons[area])[0])
    if not shapely.coverage_is_valid(cleaned[seam]):
        cleaned = np.asarray(shapely.coverage_clean(polygons))
    changed = int((np.abs(shapely.area(cleaned) - shapely.area(polygons)) > 0.01).sum())
    return cleaned, changed


def read_blocks(path: Path, code: str, name: str) -> tuple[gpd.GeoDataFrame, BlockRepairs]:
    """English LSOA polygons in EPSG:27700, and what was repaired."""
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        info = pyogrio.read_info(path)
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(path, f"not a readable boundary file ({exc})") from None
    fields = list(info["fields"])
    missing = [c for c in (code, name) if c not in fields]
    if missing:
        raise InputError(
            path, f"missing field(s) {', '.join(map(repr, missing))}; the layer has {fields}"
        )
    frame = gpd.read_file(path, columns=[code, name], engine="pyogrio")
    if frame.crs is None:
        raise InputError(path, "no coordinate reference system is declared; declare one")

    bad_code = ~frame[code].astype(str).str.fullmatch(LSOA_EW_PATTERN.pattern)
    if bad_code.any():
        raise InputError(
            path,
            f"{code} {frame.loc[bad_code, code].iloc[0]!r} is not an LSOA code "
            "(expected like 'E01000001')",
            where="feature " + describe_rows(frame.index[bad_code] + 1),
        )
    duplicated = frame[code].duplicated(keep=False)
    if duplicated.any():
        raise InputError(
            path,
            f"{code} {frame.loc[duplicated, code].iloc[0]!r} appears more than once",
            where="features " + describe_rows(frame.index[duplicated] + 1),
        )
    frame = frame.loc[frame[code].str.startswith("E")].reset_index(drop=True)

    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        raise InputError(
            path,
            f"{int(empty.sum())} feature(s) have no geometry",
            where="features " + describe_rows(frame.loc[empty, code]),
        )
    invalid = ~frame.geometry.is_valid
    repaired = int(invalid.sum())
    if repaired:
        # Repair before reprojection: an invalid ring can make the transform fail.
        fixed = shapely.make_valid(frame.geometry.values[invalid.to_numpy()])
        polygonal = shapely.get_type_id(fixed) != 7  # GeometryCollection
        fixed[~polygonal] = [
            shapely.union_all([g for g in shapely.get_parts(c) if shapely.get_type_id(g) in (3, 6)])
            for c in fixed[~polygonal]
        ]
        frame.loc[invalid, "geometry"] = fixed
    frame = frame.to_crs(WORKING_CRS)
    cleaned, changed = clean_coverage(frame.geometry.to_numpy())
    frame = frame.set_geometry(cleaned, crs=WORKING_CRS)
    frame = frame.rename(columns={code: "lsoa_code", name: "lsoa_name"})
    frame["lsoa_name"] = frame["lsoa_name"].astype(str).str.strip()
    return frame[["lsoa_code", "lsoa_name", "geometry"]], BlockRepairs(repaired, changed)
