"""Population splits of one layer by another: group-bys on the LSOA block table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .errors import BoundaryLabError
from .layers import code_column
from .provenance import Provenance
from .store import VintageData

SPLIT_COLUMNS = [
    "by_code",
    "by_name",
    "across_code",
    "across_name",
    "population",
    "share",
    "by_population",
]


@dataclass(frozen=True)
class SplitResult:
    """For each unit of ``by``: its population in each unit of ``across``, and the share."""

    by: str
    across: str
    frame: pd.DataFrame
    provenance: Provenance


def split_table(table: pd.DataFrame, by: str, across: str) -> pd.DataFrame:
    """Population of every (by, across) pair, its share of the ``by`` unit, largest first."""
    by_col, across_col = code_column(by), code_column(across)
    pairs = (
        table.groupby([by_col, across_col], observed=True, sort=False)["population"]
        .sum()
        .reset_index()
    )
    pairs.columns = ["by_code", "across_code", "population"]
    totals = pairs.groupby("by_code", observed=True, sort=False)["population"].transform("sum")
    pairs["by_population"] = totals
    pairs["share"] = (pairs["population"] / totals.where(totals > 0)).fillna(0.0)
    pairs["by_code"] = pairs["by_code"].astype(str)
    pairs["across_code"] = pairs["across_code"].astype(str)
    return pairs.sort_values(
        ["by_code", "population", "across_code"], ascending=[True, False, True], ignore_index=True
    )


def splits(data: VintageData, by: str, across: str, area: str | None = None) -> SplitResult:
    """Split ``by`` units across ``across`` units; ``area`` (a code or name) keeps one unit."""
    data.check_layer(by)
    data.check_layer(across)
    if by == across:
        raise BoundaryLabError(f"--by and --across are both {by!r}; choose two different layers")
    if "lsoa" in (by, across):
        raise BoundaryLabError(
            f"splits are by and across area layers ({', '.join(data.area_layers)}), not LSOAs"
        )
    table = data.table
    if area is not None:
        code = data.find_area(by, area)
        table = table.loc[table[code_column(by)] == code]
    frame = split_table(table, by, across)
    frame["by_name"] = frame["by_code"].map(data.names[by])
    frame["across_name"] = frame["across_code"].map(data.names[across])
    return SplitResult(by, across, frame[SPLIT_COLUMNS], Provenance.of(data.meta))
