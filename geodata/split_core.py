"""The split arithmetic on plain arrays (no pandas): a two-way histogram of the blocks with
``np.bincount`` on integer unit codes. ``splits.split_table`` wraps it in a DataFrame; the
CLI's quick path (``quick_split``) prints it straight from arrays kept in the store."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .layers import NONE_LABEL

#: A layer as (category number per block, -1 for none; the code of each category).
Coded = tuple[NDArray[Any], NDArray[np.object_]]


def _slots(coded: Coded) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Category number of each block and the code of each number. Blocks in no unit (a
    nullable layer, like strategic authorities) get one more number, whose code is None."""
    numbers = np.asarray(coded[0]).astype(np.int64)
    codes = coded[1]
    if (numbers < 0).any():
        numbers = np.where(numbers < 0, len(codes), numbers)
        codes = np.concatenate([codes, np.array([None], dtype=object)])
    return numbers, codes


def _lookup(codes: NDArray[np.object_], names: dict[str, str] | None) -> NDArray[np.object_]:
    if names is None:
        return codes
    return np.array([NONE_LABEL if c is None else names.get(c, "") for c in codes], dtype=object)


def split_columns(
    by: Coded,
    across: Coded,
    population: NDArray[Any],
    names: tuple[dict[str, str], dict[str, str]] | None = None,
) -> dict[str, NDArray[Any]]:
    """The columns of a split: by_code, [by_name,] across_code, [across_name,] population,
    share, by_population; by unit in category order, then largest first."""
    by_numbers, by_codes = _slots(by)
    across_numbers, across_codes = _slots(across)
    n_across = len(across_codes)
    cell = by_numbers * n_across + across_numbers
    cells = len(by_codes) * n_across
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
    return columns
