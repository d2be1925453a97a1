"""Assemble one vintage from its declared files: the LSOA block table, units, geometry.

The block table has one row per English LSOA: its code, name, population and the code
of the unit it falls in for every layer. Everything downstream is a group-by on it.

The boundaries (``boundaries``, without pandas) are read beside the tables
(``assemble``, which imports pandas): see ``geodata.parallel``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import VintageConfig
from ..parallel import Beside
from .boundaries import cleaned, read_polygons

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

Progress = Callable[[str], None]
STORE_FORMAT = 1


@dataclass
class BuiltVintage:
    config: VintageConfig
    table: pd.DataFrame
    units: pd.DataFrame
    geometry: gpd.GeoDataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def _quiet(_: str) -> None:
    pass


def build_vintage(config: VintageConfig, source: Path, progress: Progress = _quiet) -> BuiltVintage:
    """Read, validate and join every file the vintage declares."""
    started = time.perf_counter()
    blocks_path = source / config.blocks_file
    progress(f"reading boundaries {config.blocks_file}")
    # Beside the tables, in a process of its own when the file is big enough for it to
    # pay (pyogrio imports pandas and geopandas if it can; that process needs neither);
    # a table's error still comes first.
    reading = Beside(read_polygons, blocks_path, config.blocks_code, config.blocks_name,
                     separate=_size(blocks_path) > SEPARATE_READ_BYTES,
                     without=("pandas", "geopandas"))  # fmt: skip
    try:
        from .assemble import assemble, read_tables  # pandas, while the boundaries are read

        tables = read_tables(config, source, progress)
    except BaseException:
        reading.cancel()
        raise
    # Cleaned here, not there: that process's share of the work is then about the tables'.
    return assemble(config, source, tables, cleaned(reading.result()), started, progress)


#: Boundary files from this size up are read in a process of their own (the LSOA files
#: are 13 MB; starting a process costs what reading about 1 MB does).
SEPARATE_READ_BYTES = 2_000_000


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0
