"""Which LSOAs each place holds; and a non-overlapping set as an ordinary ``place`` layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import BoundaryLabError, describe_rows
from ..layers import code_column
from ..store import VintageData
from .model import PlaceSet


@dataclass(frozen=True)
class Membership:
    place_set: PlaceSet
    codes: list[str]  # place codes, in set order
    names: dict[str, str]
    rows: dict[str, np.ndarray]  # place code -> LSOA rows (block-table order)
    count: np.ndarray  # how many places hold each LSOA

    def place_of_lsoa(self) -> np.ndarray:
        """The place of each LSOA ('' where none); only for sets without overlaps."""
        place = np.full(len(self.count), "", dtype=object)
        for code, rows in self.rows.items():
            place[rows] = code
        return place


def rows_by_code(data: VintageData, layer: str) -> dict[str, np.ndarray]:
    """The LSOA rows of every unit of ``layer``, made once per vintage."""
    key = f"rows_by_code:{layer}"
    if key not in data.cache:
        if layer == "pcn":
            from ..pcn.blocks import pcn_footprints

            codes = pcn_footprints(data)
            if codes is None:
                raise BoundaryLabError(f"the PCN layer is not built for vintage {data.name}")
        elif layer == "lsoa":
            codes = data.table["lsoa_code"].to_numpy()
        else:
            codes = data.table[code_column(layer)].to_numpy()
        data.cache[key] = pd.Series(np.arange(len(codes))).groupby(np.asarray(codes)).indices
    return data.cache[key]


def _block_rows(data: VintageData, layer: str, code: str, where: str) -> np.ndarray:
    try:
        rows = rows_by_code(data, layer).get(code, np.empty(0, dtype=np.int64))
    except BoundaryLabError as exc:
        raise BoundaryLabError(f"{where}: {exc}") from None
    if not len(rows):
        raise BoundaryLabError(f"{where}: unknown {layer} code {code!r} in vintage {data.name}")
    return rows


def resolve_places(data: VintageData, place_set: PlaceSet) -> Membership:
    """Every place's LSOAs; unknown codes, empty places and forbidden overlaps refused."""
    if place_set.vintage != data.name:
        raise BoundaryLabError(f"place set {place_set.name!r} is on vintage "
                               f"{place_set.vintage or '(none)'}, not {data.name}")  # fmt: skip
    unknown_icbs = [c for c in place_set.icbs if c not in data.names["icb"]]
    if unknown_icbs:
        raise BoundaryLabError(f"unknown ICB code(s) {', '.join(unknown_icbs)} in vintage "
                               f"{data.name}")  # fmt: skip
    rows: dict[str, np.ndarray] = {}
    count = np.zeros(len(data.table), dtype=np.int64)
    for place in place_set.places:
        parts = [_block_rows(data, layer, code, f"place {place.name!r}")
                 for layer, code in place.blocks]  # fmt: skip
        members = np.unique(np.concatenate(parts))
        rows[place.key()] = members
        count[members] += 1
    if not place_set.allow_overlaps and (count > 1).any():
        lsoas = data.table["lsoa_code"].to_numpy()[count > 1]
        holders = [code for code, members in rows.items() if (count[members] > 1).any()]
        raise BoundaryLabError(
            f"{len(lsoas)} LSOA(s) are in more than one place ({describe_rows(lsoas)}), in "
            f"places {', '.join(holders[:6])}; this set forbids overlaps"
        )
    names = {p.key(): p.name for p in place_set.places}
    return Membership(place_set, list(rows), names, rows, count)


def with_places(data: VintageData, membership: Membership) -> VintageData:
    """The vintage with a ``place`` layer, usable wherever a layer is (splits, maps...).

    LSOAs in no place get the code "" ("no place"), so totals still reconcile.
    """
    if (membership.count > 1).any():
        raise BoundaryLabError("a place set with overlaps cannot be used as a layer")
    table = data.table.copy(deep=False)
    table["place_code"] = pd.Categorical(membership.place_of_lsoa())
    units = pd.DataFrame({"layer": "place", "code": [*membership.codes, ""],
                          "name": [*(membership.names[c] for c in membership.codes),
                                   "(in no place)"], "nhs_code": None})  # fmt: skip
    return VintageData(data.name, data.path, table, pd.concat([data.units, units],
                       ignore_index=True), data.meta, data._geometry)  # fmt: skip
