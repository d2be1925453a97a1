"""Integer unit codes of a loaded vintage: each layer's codes as sorted categories and one
small integer per LSOA, with the LSOAs of every unit grouped (made once per vintage).

Sums over units are then ``np.bincount`` on integers and a unit's LSOAs one slice, with
no string comparisons on the 33,000-row table: the scenario engine counts on this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # the codes themselves need no store (a build's boundary process uses them)
    from .store import VintageData


@dataclass(frozen=True)
class UnitCodes:
    """``categories[codes[row]]`` is the unit of LSOA ``row`` (-1: none, as for a null).
    Categories may include units with no LSOAs (an ICB a scenario empties)."""

    categories: NDArray[np.object_]  # sorted unit codes
    codes: NDArray[np.intp]
    order: NDArray[np.intp]  # LSOA rows grouped by unit, table order within a unit
    starts: NDArray[np.intp]  # unit k's rows are order[starts[k]:starts[k + 1]]

    @classmethod
    def of(cls, values: Any) -> UnitCodes:
        import pandas as pd  # here: a build's boundary process uses these codes without it

        values = getattr(values, "array", values)
        if isinstance(values, pd.Categorical):  # its categories need not be in code order
            raw, found = values.codes, np.asarray(values.categories, dtype=object)
        else:
            raw, uniques = pd.factorize(np.asarray(values, dtype=object))
            found = np.asarray(uniques, dtype=object)
        order = np.argsort(found)
        rank = np.empty(len(found), dtype=np.intp)
        rank[order] = np.arange(len(found))
        codes = np.where(raw >= 0, rank[np.maximum(raw, 0)], -1)
        return cls.from_codes(codes, found[order])

    @classmethod
    def from_codes(cls, codes: NDArray[Any], categories: NDArray[np.object_]) -> UnitCodes:
        codes = np.asarray(codes, dtype=np.intp)
        order = np.argsort(codes, kind="stable")
        order = order[codes[order] >= 0]
        starts = np.searchsorted(codes[order], np.arange(len(categories) + 1))
        return cls(categories, codes, order.astype(np.intp), starts.astype(np.intp))

    def __len__(self) -> int:
        return len(self.categories)

    def find(self, wanted: NDArray[np.object_]) -> NDArray[np.intp]:
        """The category of each wanted code, -1 where no LSOA is in such a unit."""
        if not len(self.categories):
            return np.full(len(wanted), -1, dtype=np.intp)
        at = np.searchsorted(self.categories, wanted).astype(np.intp)
        at[at >= len(self.categories)] = len(self.categories) - 1
        hit = (self.categories[at] == wanted) & (self.starts[at + 1] > self.starts[at])
        return np.where(hit, at, -1)

    def rows(self, unit: int) -> NDArray[np.intp]:
        return self.order[self.starts[unit] : self.starts[unit + 1]]

    def rows_of_units(self, units: NDArray[np.intp]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """The LSOA rows of each unit in ``units`` concatenated, and which entry of
        ``units`` each row came from."""
        counts = self.starts[units + 1] - self.starts[units]
        owner = np.repeat(np.arange(len(units)), counts)
        first = np.repeat(self.starts[units] - np.cumsum(counts) + counts, counts)
        return self.order[first + np.arange(len(owner))], owner


def unit_codes(data: VintageData, key: str, values: Any = None) -> UnitCodes:
    """The integer codes of table column ``key`` (or of ``values``, per LSOA), cached."""
    cache = data.cache.setdefault("unit_codes", {})
    if key not in cache:
        cache[key] = UnitCodes.of(data.table[key] if values is None else values)
    return cache[key]


def population(data: VintageData) -> NDArray[Any]:
    cache = data.cache.setdefault("unit_codes", {})
    if "population" not in cache:
        cache["population"] = data.table["population"].to_numpy()
    return cache["population"]
