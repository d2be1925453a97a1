"""Assemble one vintage from its declared files: the LSOA block table, units, geometry.

The block table has one row per English LSOA: its code, name, population and the code
of the unit it falls in for every layer. Everything downstream is a group-by on it.

The boundaries are read, cleaned and dissolved into layer outlines (``boundaries``,
without pandas) beside the tables (``assemble``, which imports pandas), and beside the
writing of them: see ``geodata.parallel``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import VintageConfig
from ..parallel import Exchange
from .boundary_work import boundary_work

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from ..outlines import LayerOutlines
    from .assemble import BlockGeometry

Progress = Callable[[str], None]
STORE_FORMAT = 1


@dataclass
class BuiltVintage:
    """A vintage read and checked. Its geometry and outlines may still be being made
    beside (``BlockGeometry``): asking for them waits."""

    config: VintageConfig
    table: pd.DataFrame
    units: pd.DataFrame
    blocks: BlockGeometry
    #: ``meta`` as known once the tables are read: what cleaning changed comes after.
    early_meta: dict[str, Any]

    @property
    def meta(self) -> dict[str, Any]:
        self.blocks.geometry()
        return self.early_meta

    @property
    def geometry(self) -> gpd.GeoDataFrame:
        return self.blocks.geometry()

    @property
    def outlines(self) -> LayerOutlines:
        return self.blocks.outlines()


def _quiet(_: str) -> None:
    pass


def build_vintage(config: VintageConfig, source: Path, progress: Progress = _quiet) -> BuiltVintage:
    """Read, validate and join every file the vintage declares."""
    started = time.perf_counter()
    blocks_path = source / config.blocks_file
    progress(f"reading boundaries {config.blocks_file}")
    # In a process of its own when the file is big enough for it to pay (pyogrio imports
    # pandas and geopandas if it can; that process needs neither); a table's error still
    # comes first.
    work = Exchange(boundary_work, blocks_path, config.blocks_code, config.blocks_name,
                    separate=_size(blocks_path) > SEPARATE_READ_BYTES,
                    without=("pandas", "geopandas"))  # fmt: skip
    try:
        from .assemble import assemble, read_tables  # pandas, while the boundaries are read

        tables = read_tables(config, source, progress)
        return assemble(config, source, tables, work, started, progress)
    except BaseException:
        work.cancel()
        raise


#: Boundary files from this size up are worked in a process of their own (the LSOA files
#: are 13 MB; starting a process costs what reading about 1 MB does).
SEPARATE_READ_BYTES = 2_000_000


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0
