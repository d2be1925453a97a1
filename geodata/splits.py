"""Population splits of one layer by another: group-bys on the LSOA block table."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .errors import BoundaryLabError
from .layers import NONE_LABEL, code_column
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


def _slots(cat: pd.Categorical) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Category number of each block and the code of each number. Blocks in no unit (a
    nullable layer, like strategic authorities) get one more number, whose code is None."""
    numbers = cat.codes.astype(np.int64)
    codes = np.asarray(cat.categories, dtype=object)
    if (numbers < 0).any():
        numbers = np.where(numbers < 0, len(codes), numbers)
        codes = np.concatenate([codes, np.array([None], dtype=object)])
    return numbers, codes


def _lookup(codes: NDArray[np.object_], names: dict[str, str] | None) -> NDArray[np.object_]:
    if names is None:
        return codes
    return np.array([NONE_LABEL if c is None else names.get(c, "") for c in codes], dtype=object)


def split_table(
    table: pd.DataFrame,
    by: str,
    across: str,
    names: tuple[dict[str, str], dict[str, str]] | None = None,
) -> pd.DataFrame:
    """Population of every (by, across) pair, its share of the ``by`` unit, largest first;
    with ``names`` (by, across: code -> name), the ``by_name`` and ``across_name`` too.
    Blocks in no unit of a nullable layer count under code None, named "none", so every
    total still reconciles.

    A split is a two-way histogram of the blocks, so it is counted with ``np.bincount`` on
    the categorical codes rather than a general group-by: several times faster.
    """
    by_numbers, by_codes = _slots(_categorical(table[code_column(by)]))
    across_numbers, across_codes = _slots(_categorical(table[code_column(across)]))
    n_across = len(across_codes)
    cell = by_numbers * n_across + across_numbers
    cells = len(by_codes) * n_across
    population = table["population"].to_numpy()
    pair_population = np.bincount(cell, weights=population, minlength=cells)
    pairs = np.flatnonzero(np.bincount(cell, minlength=cells))  # pairs with any block
    by_idx, across_idx = np.divmod(pairs, n_across)
    pop = pair_population[pairs]
    if population.dtype.kind in "iu":
        pop = pop.round().astype(population.dtype)
    totals = np.bincount(by_numbers, weights=population, minlength=len(by_codes))
    by_total = totals[by_idx]
    share = np.divide(pop, by_total, out=np.zeros(len(pop)), where=by_total > 0)
    # Categories are sorted codes, so index order is code order (with "none" last): by
    # unit, then largest first.
    order = np.lexsort((across_idx, -pop, by_idx))
    by_idx, across_idx = by_idx[order], across_idx[order]
    columns: dict[str, NDArray[Any]] = {"by_code": by_codes[by_idx]}
    if names is not None:
        columns["by_name"] = _lookup(by_codes, names[0])[by_idx]
    columns["across_code"] = across_codes[across_idx]
    if names is not None:
        columns["across_name"] = _lookup(across_codes, names[1])[across_idx]
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


def suppress_small(result: SplitResult, below: int) -> SplitResult:
    """The split without the parts of fewer than ``below`` people, as OHID's published
    ICB-to-local-authority tables leave out the slivers where ICB and council boundaries
    disagree by a handful of residents. A unit's own population (``by_population``) and
    its shares are unchanged, and a unit's largest part is always kept; the method says
    what was withheld."""
    if below < 0:
        raise BoundaryLabError(f"suppress must be 0 or more people, got {below}")
    if below == 0:
        return result
    frame = result.frame
    largest = ~frame.duplicated("by_code")  # each unit's first row is its largest part
    keep = largest | (frame["population"] >= below)
    withheld = int((~keep).sum())
    people = int(frame.loc[~keep, "population"].sum())
    note = (f" Small counts suppressed: {withheld:,} part(s) of fewer than {below:,} people "
            f"({people:,} people in all) are not listed, as OHID does where ICB and council "
            "boundaries disagree; totals and shares are of the whole unit.")  # fmt: skip
    provenance = replace(result.provenance, method=result.provenance.method + note)
    return SplitResult(result.by, result.across, frame.loc[keep].reset_index(drop=True),
                       provenance)  # fmt: skip
