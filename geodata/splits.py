"""Population splits of one layer by another: group-bys on the LSOA block table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

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


def _categorical(column: pd.Series) -> pd.Categorical:
    values = column.array
    return values if isinstance(values, pd.Categorical) else pd.Categorical(column.to_numpy())


def _lookup(categories: pd.Index, names: dict[str, str] | None) -> NDArray[np.object_]:
    codes = np.asarray(categories, dtype=object)
    return codes if names is None else np.array([names.get(c, "") for c in codes], dtype=object)


def split_table(
    table: pd.DataFrame,
    by: str,
    across: str,
    names: tuple[dict[str, str], dict[str, str]] | None = None,
) -> pd.DataFrame:
    """Population of every (by, across) pair, its share of the ``by`` unit, largest first;
    with ``names`` (by, across: code -> name), the ``by_name`` and ``across_name`` too.

    A split is a two-way histogram of the blocks, so it is counted with ``np.bincount`` on
    the categorical codes rather than a general group-by: several times faster.
    """
    by_cat = _categorical(table[code_column(by)])
    across_cat = _categorical(table[code_column(across)])
    n_across = len(across_cat.categories)
    cell = by_cat.codes.astype(np.int64) * n_across + across_cat.codes
    cells = len(by_cat.categories) * n_across
    population = table["population"].to_numpy()
    pair_population = np.bincount(cell, weights=population, minlength=cells)
    pairs = np.flatnonzero(np.bincount(cell, minlength=cells))  # pairs with any block
    by_idx, across_idx = np.divmod(pairs, n_across)
    pop = pair_population[pairs]
    if population.dtype.kind in "iu":
        pop = pop.round().astype(population.dtype)
    totals = np.bincount(by_cat.codes, weights=population, minlength=len(by_cat.categories))
    by_total = totals[by_idx]
    share = np.divide(pop, by_total, out=np.zeros(len(pop)), where=by_total > 0)
    # Categories are sorted codes, so index order is code order: by unit, then largest first.
    order = np.lexsort((across_idx, -pop, by_idx))
    by_idx, across_idx = by_idx[order], across_idx[order]
    columns: dict[str, NDArray[Any]] = {"by_code": _lookup(by_cat.categories, None)[by_idx]}
    if names is not None:
        columns["by_name"] = _lookup(by_cat.categories, names[0])[by_idx]
    columns["across_code"] = _lookup(across_cat.categories, None)[across_idx]
    if names is not None:
        columns["across_name"] = _lookup(across_cat.categories, names[1])[across_idx]
    columns |= {
        "population": pop[order],
        "share": share[order],
        "by_population": by_total[order].astype(pop.dtype),
    }
    return pd.DataFrame(columns)


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
    frame = split_table(table, by, across, (data.names[by], data.names[across]))
    return SplitResult(by, across, frame, Provenance.of(data.meta))
