"""Building units for a proposal: whole groups of LSOAs that move together.

A unit is a district (the default), an upper-tier council, a sub-ICB location, or a
strategic authority (with the districts outside any authority as units of their own).
Each unit carries its population in every ICB of the base assignment, so the people a
move displaces are ``population - population already in the new ICB``: linear in the
assignment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import BoundaryLabError
from ..layers import code_column
from ..store import VintageData
from ..unit_status import with_status
from .unit_kinds import UNIT_KINDS, UNIT_LABELS

SA_COLUMN = "sa_code"


def strategic_authority_codes(data: VintageData, status: str = "all") -> np.ndarray | None:
    """Each LSOA's strategic authority code (None outside any authority, or outside the
    authorities of ``status``: all, or established only), or None when the vintage
    carries no strategic-authority layer. The one place that knows where membership comes
    from: the block table's ``sa_code`` column."""
    if SA_COLUMN not in data.table:
        return None
    column = with_status(data, "sa", status).table[SA_COLUMN]
    codes = column.astype(object).where(column.notna(), None).to_numpy()
    return np.asarray(codes, dtype=object)


def require_strategic_authorities(data: VintageData, status: str = "all") -> np.ndarray:
    codes = strategic_authority_codes(data, status)
    if codes is None:
        raise BoundaryLabError(
            f"vintage {data.name} has no strategic-authority layer (the block table's "
            f"{SA_COLUMN} column); use a vintage that has one (2026) or drop the "
            "strategic-authority rule and units"
        )
    return codes


def _sa_names(data: VintageData) -> dict[str, str]:
    units = data.units
    if "sa" in set(units["layer"]):
        rows = units.loc[units["layer"] == "sa"]
        return dict(zip(rows["code"], rows["name"], strict=True))
    return {}


@dataclass(frozen=True)
class UnitSet:
    """Units, the base ICBs, and who lives where: the data a proposal model needs."""

    kind: str
    codes: list[str]
    names: list[str]
    #: The move layer of each unit: its own kind, or ``ltla`` for a district outside any
    #: strategic authority when the units are strategic authorities.
    layers: list[str]
    icbs: list[str]  # the base assignment's ICBs, in column order of ``by_icb``
    icb_names: dict[str, str]
    population: np.ndarray  # per unit
    by_icb: np.ndarray = field(repr=False)  # unit x ICB: people of the unit in each base ICB
    block_unit: np.ndarray = field(repr=False)  # per LSOA: the index of its unit
    base_icb: np.ndarray = field(repr=False)  # per LSOA: the index of its base ICB

    def __len__(self) -> int:
        return len(self.codes)

    def index(self, code: str) -> int:
        return self.codes.index(code)

    def label(self, unit: int) -> str:
        return f"{self.names[unit]} ({self.codes[unit]})"

    def stays(self) -> np.ndarray:
        """Per unit x ICB: people who stay if the unit is assigned to that ICB."""
        return self.by_icb

    def groups(self, per_lsoa: np.ndarray) -> dict[str, list[int]]:
        """For a code per LSOA (a council, an authority; None for none): the units that
        hold people of each code, which a 'within one ICB' rule must assign together."""
        frame = pd.DataFrame({"code": per_lsoa, "unit": self.block_unit})
        frame = frame.loc[frame["code"].notna()]
        return {
            str(code): sorted(int(u) for u in set(units))
            for code, units in frame.groupby("code", sort=True)["unit"]
        }


def _unit_codes(
    data: VintageData, kind: str, sa_status: str
) -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    """Per LSOA: the unit code and the move layer; and unit code -> name."""
    if kind not in UNIT_KINDS:
        raise BoundaryLabError(
            f"unknown unit kind {kind!r}; valid: {', '.join(UNIT_KINDS)} "
            f"({'; '.join(f'{k}: {v}' for k, v in UNIT_LABELS.items())})"
        )
    if kind != "sa":
        data.check_layer(kind)
        codes = data.table[code_column(kind)].astype(str).to_numpy()
        return codes, np.full(len(codes), kind, dtype=object), dict(data.names[kind])
    sa = require_strategic_authorities(data, sa_status)
    ltla = data.table["ltla_code"].astype(str).to_numpy()
    inside = np.array([c is not None for c in sa])
    codes = np.where(inside, sa, ltla).astype(object)
    layers = np.where(inside, "sa", "ltla").astype(object)
    names = {**dict(data.names["ltla"]), **_sa_names(data)}
    return codes, layers, names


def build_units(
    data: VintageData,
    kind: str,
    base_icb: np.ndarray,
    icb_names: dict[str, str] | None = None,
    sa_status: str = "all",
) -> UnitSet:
    """The units of ``kind`` with their population in each ICB of ``base_icb`` (one ICB
    code per LSOA in block-table order: the vintage's own ICBs or a scenario's)."""
    known = {**data.names["icb"], **(icb_names or {})}
    codes, layers, names = _unit_codes(data, kind, sa_status)
    unit_codes, block_unit = np.unique(codes, return_inverse=True)
    icb_codes, block_icb = np.unique(np.asarray(base_icb, dtype=str), return_inverse=True)
    population = data.table["population"].to_numpy(dtype=np.int64)
    by_icb = np.zeros((len(unit_codes), len(icb_codes)), dtype=np.int64)
    np.add.at(by_icb, (block_unit, block_icb), population)
    first = np.zeros(len(unit_codes), dtype=np.int64)
    first[block_unit[::-1]] = np.arange(len(block_unit))[::-1]  # first LSOA of each unit
    return UnitSet(
        kind=kind,
        codes=[str(c) for c in unit_codes],
        names=[str(names.get(c, c)) for c in unit_codes],
        layers=[str(layers[i]) for i in first],
        icbs=[str(c) for c in icb_codes],
        icb_names={str(c): str(known.get(c, c)) for c in icb_codes},
        population=by_icb.sum(axis=1),
        by_icb=by_icb,
        block_unit=block_unit.astype(np.int64),
        base_icb=block_icb.astype(np.int64),
    )
