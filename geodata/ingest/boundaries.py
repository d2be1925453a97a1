"""Reader for block boundaries (LSOA polygons): CRS checked, repaired, reprojected once,
the coverage cleaned where it needs it.

Without pandas or geopandas (GDAL, GEOS and PROJ through pyogrio, shapely and pyproj), so
that a build can read and work on the boundaries in a process of its own while it imports
pandas and reads the tables (``boundary_work``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray

from ..errors import InputError, describe_rows
from ..layers import LSOA_EW_PATTERN
from .coverage import clean_coverage

#: British National Grid: every area and distance is computed in it.
WORKING_CRS = "EPSG:27700"


@dataclass(frozen=True)
class BlockRepairs:
    invalid_repaired: int
    coverage_cleaned: int


@dataclass(frozen=True)
class Blocks:
    """English LSOAs as read from a boundary file, in file order."""

    codes: NDArray[np.object_]
    names: NDArray[np.object_]
    polygons: NDArray[np.object_]  # EPSG:27700
    repairs: BlockRepairs

    def __reduce__(self) -> tuple[object, ...]:
        # Polygons cross a process boundary as one array of WKB, not one pickle each.
        return _blocks_from_wkb, (self.codes, self.names, shapely.to_wkb(self.polygons),
                                  self.repairs)  # fmt: skip


def _blocks_from_wkb(codes: NDArray[np.object_], names: NDArray[np.object_],
                     wkb: NDArray[np.object_], repairs: BlockRepairs) -> Blocks:  # fmt: skip
    return Blocks(codes, names, shapely.from_wkb(wkb), repairs)


def read_blocks(path: Path, code: str, name: str) -> Blocks:
    """English LSOA polygons in EPSG:27700, cleaned where the coverage needs it, and what
    was repaired."""
    return cleaned(read_polygons(path, code, name))


def cleaned(blocks: Blocks) -> Blocks:
    """``blocks`` with the coverage cleaned where it needs it (``clean_coverage``)."""
    polygons, changed = clean_coverage(blocks.polygons)
    repairs = BlockRepairs(blocks.repairs.invalid_repaired, changed)
    return Blocks(blocks.codes, blocks.names, polygons, repairs)


def read_polygons(path: Path, code: str, name: str) -> Blocks:
    """English LSOA polygons in EPSG:27700 as the file has them (invalid ones repaired),
    the coverage not yet cleaned: a build cleans it beside its tables."""
    import pyogrio  # here: it imports pandas where it can, and a build's caller need not

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
    meta, _, wkb, (codes, names) = pyogrio.raw.read(path, columns=[code, name])
    if meta["crs"] is None:
        raise InputError(path, "no coordinate reference system is declared; declare one")
    codes = np.array([str(c) for c in codes], dtype=object)
    features = np.arange(1, len(codes) + 1)

    bad_code = np.array([LSOA_EW_PATTERN.fullmatch(c) is None for c in codes], dtype=bool)
    if bad_code.any():
        raise InputError(
            path,
            f"{code} {codes[bad_code][0]!r} is not an LSOA code (expected like 'E01000001')",
            where="feature " + describe_rows(features[bad_code]),
        )
    _, first_seen, seen = np.unique(codes, return_index=True, return_counts=True)
    if (seen > 1).any():
        repeated = np.isin(codes, codes[first_seen[seen > 1]])
        raise InputError(
            path,
            f"{code} {codes[repeated][0]!r} appears more than once",
            where="features " + describe_rows(features[repeated]),
        )
    english = np.array([c.startswith("E") for c in codes], dtype=bool)
    codes, names = codes[english], np.asarray(names, dtype=object)[english]
    polygons = shapely.from_wkb(wkb[english])

    empty = shapely.is_missing(polygons) | shapely.is_empty(polygons)
    if empty.any():
        raise InputError(
            path,
            f"{int(empty.sum())} feature(s) have no geometry",
            where="features " + describe_rows(codes[empty]),
        )
    invalid = ~shapely.is_valid(polygons)
    repaired = int(invalid.sum())
    if repaired:
        # Repair before reprojection: an invalid ring can make the transform fail.
        fixed = shapely.make_valid(polygons[invalid])
        polygonal = shapely.get_type_id(fixed) != 7  # GeometryCollection
        fixed[~polygonal] = [
            shapely.union_all([g for g in shapely.get_parts(c) if shapely.get_type_id(g) in (3, 6)])
            for c in fixed[~polygonal]
        ]
        polygons[invalid] = fixed
    polygons = reproject(polygons, meta["crs"], WORKING_CRS)
    names = np.array([str(n).strip() for n in names], dtype=object)
    return Blocks(codes, names, polygons, BlockRepairs(repaired, 0))


def reproject(polygons: NDArray[np.object_], source: str, target: str) -> NDArray[np.object_]:
    """``polygons`` from CRS ``source`` to ``target`` exactly as ``GeoSeries.to_crs`` does
    it (pyproj, x then y, every coordinate alone; tested equal)."""
    from pyproj import Transformer

    transformer = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(polygons, transformer.transform, interleaved=False)
