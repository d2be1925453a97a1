"""The LSOA polygons of some block-table rows, decoded only as asked.

A map page of one area draws a few thousand LSOAs; decoding all 33,000 polygons from
``geometry.parquet`` (what ``VintageData.geometry()`` does) was most of a fresh worker's
first request for such a page. Here the file's WKB column is read once per process (a
plain read, no decoding), each polygon is decoded the first time a page asks for it and
kept, so a later page asking for the same rows takes them as from the loaded layer. The
polygons are those of the whole layer, coordinate for coordinate (WKB keeps every one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .store import VintageData

GEOMETRY_FILE = "geometry.parquet"


@dataclass
class _Lazy:
    """WKB of every LSOA in block-table order (as read, in Arrow), each polygon once
    decoded."""

    wkb: Any  # pyarrow.ChunkedArray of binary
    decoded: NDArray[np.object_]
    done: NDArray[np.bool_]
    crs: Any

    def take(self, rows: NDArray[np.intp]) -> NDArray[np.object_]:
        import shapely

        missing = np.unique(rows[~self.done[rows]])
        if len(missing):
            wkb = self.wkb.take(missing).to_numpy(zero_copy_only=False)
            self.decoded[missing] = shapely.from_wkb(wkb)
            self.done[missing] = True
        out: NDArray[np.object_] = self.decoded[rows]
        return out


def lsoa_polygons(data: VintageData, rows: NDArray[np.intp]) -> tuple[NDArray[np.object_], Any]:
    """The polygons of block-table ``rows`` (EPSG:27700, shapely) and their CRS. Reads the
    whole layer only if something has already loaded it (``data.geometry()``)."""
    rows = np.asarray(rows, dtype=np.intp)
    lazy = _lazy(data)
    if lazy is None:
        frame = data.geometry()
        return frame.geometry.to_numpy()[rows], frame.crs
    return lazy.take(rows), lazy.crs


def _lazy(data: VintageData) -> _Lazy | None:
    if data.geometry_loaded or not (data.path / GEOMETRY_FILE).is_file():
        data.cache.pop("lazy_polygons", None)  # the whole layer serves from now on
        return None
    if "lazy_polygons" not in data.cache:
        data.cache["lazy_polygons"] = _read_wkb(data)
    lazy: _Lazy | None = data.cache["lazy_polygons"]
    return lazy


def _read_wkb(data: VintageData) -> _Lazy | None:
    """The file's WKB, as written with the block table (same rows, same order); None when
    its row count says otherwise (then the whole layer is loaded as before)."""
    import pyarrow.parquet as pq
    from pyproj import CRS

    table = pq.read_table(data.path / GEOMETRY_FILE, columns=["geometry"])
    if table.num_rows != len(data.table):
        return None
    geo = json.loads(table.schema.metadata[b"geo"])
    # GeoParquet: no "crs" key means longitude/latitude (OGC:CRS84), null means unknown.
    crs_json = geo["columns"][geo["primary_column"]].get("crs", "OGC:CRS84")
    n = table.num_rows
    return _Lazy(table.column("geometry"), np.empty(n, dtype=object), np.zeros(n, dtype=bool),
                 CRS.from_user_input(crs_json) if crs_json else None)  # fmt: skip
