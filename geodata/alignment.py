"""ICBs against strategic authorities: who overlaps whom, by how many people, and how
each ICB aligns (the 2025-26 design principle that ICBs become coterminous with them).

Both are unions of LSOAs, so every number is exact bookkeeping on the block table.
Classes of an ICB, in order of precedence:

- ``cuts an authority``: some authority it holds people of lies partly in another ICB
  (beyond ``tolerance`` of that authority's population);
- ``coterminous with one authority``: one authority, all of it, and nothing else;
- ``union of whole authorities``: several authorities, each wholly inside;
- ``whole authorities plus areas with none``: whole authorities and districts in no
  strategic authority;
- ``no strategic authority``: every district in it is in none.

``tolerance`` (a share of an authority) lets boundary slivers through: a part of an
authority under it does not make a cut, and is listed in the notes. The default is 0:
every LSOA counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import BoundaryLabError
from .layers import NONE_LABEL
from .provenance import Provenance
from .splits import split_table
from .store import VintageData
from .unit_codes import UnitCodes, population, unit_codes
from .unit_status import status_line, with_status

CUTS = "cuts an authority"
COTERMINOUS = "coterminous with one authority"
UNION = "union of whole authorities"
WITH_NONE = "whole authorities plus areas with none"
NO_AUTHORITY = "no strategic authority"
CLASSES = (COTERMINOUS, UNION, WITH_NONE, CUTS, NO_AUTHORITY)

METHOD = (
    "ICB and strategic authority alignment on LSOA building blocks: each English LSOA's "
    "population counts whole in its ICB and in its district's strategic authority (or in "
    "none). An ICB cuts an authority when that authority has people in another ICB; "
    "coterminous when it holds one whole authority and nothing else; a union when it "
    "holds several whole authorities and nothing else."
)


@dataclass(frozen=True)
class Alignment:
    icbs: pd.DataFrame  # per ICB: class and the numbers behind it
    authorities: pd.DataFrame  # per strategic authority: its ICBs
    pairs: pd.DataFrame  # per ICB x authority (or none): people and shares both ways
    status: str
    tolerance: float
    provenance: Provenance
    status_line: str

    def counts(self) -> dict[str, int]:
        """ICBs per class, every class listed."""
        found = self.icbs["class"].value_counts()
        return {c: int(found.get(c, 0)) for c in CLASSES}


RENAMES = {"by_code": "icb_code", "by_name": "icb_name", "across_code": "sa_code",
           "across_name": "sa_name", "share": "share_of_icb",
           "by_population": "icb_population"}  # fmt: skip


def _pairs(
    data: VintageData, icb: pd.Series | None = None, icb_names: dict[str, str] | None = None
) -> pd.DataFrame:
    table = data.table if icb is None else data.table.assign(icb_code=icb)
    pairs = split_table(table, "icb", "sa", (icb_names or data.names["icb"], data.names["sa"]))
    pairs = pairs.rename(columns=RENAMES)
    sa_totals = pairs.groupby("sa_code", dropna=False)["population"].transform("sum")
    pairs["sa_population"] = sa_totals
    share = pairs["population"] / sa_totals.where(sa_totals > 0)
    pairs["share_of_sa"] = share.where(pairs["sa_code"].notna())
    return pairs


def _classify(rows: pd.DataFrame, tolerance: float) -> tuple[str, list[str]]:
    """The class of one ICB from its rows of the pairs table, and notes on slivers."""
    authorities = rows.loc[rows["sa_code"].notna()]
    none_share = float(rows.loc[rows["sa_code"].isna(), "share_of_icb"].sum())
    slivers = authorities.loc[authorities["share_of_sa"] < tolerance]
    held = authorities.loc[authorities["share_of_sa"] >= tolerance]
    notes = [f"{r.share_of_sa:.2%} of {r.sa_name} (a sliver, under the tolerance)"
             for r in slivers.itertuples()]  # fmt: skip
    if (held["share_of_sa"] < 1 - tolerance - 1e-12).any():
        return CUTS, notes
    if held.empty:
        return NO_AUTHORITY, notes
    if none_share > tolerance:
        return WITH_NONE, notes
    return (COTERMINOUS if len(held) == 1 else UNION), notes


def _parts(rows: pd.DataFrame, other: str, share: str) -> list[dict[str, Any]]:
    columns = [rows[f"{other}_code"], rows[f"{other}_name"], rows["population"], rows[share]]
    return [{"code": code, "name": name, "population": int(pop), "share": float(s)}
            for code, name, pop, s in zip(*columns, strict=True)]  # fmt: skip


def icb_classes(pairs: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Per ICB: its class, the authorities it holds (with shares both ways), the people
    in none, and the authorities it cuts."""
    rows = []
    for code, group in pairs.groupby("icb_code", sort=True):
        group = group.sort_values("population", ascending=False)
        klass, notes = _classify(group, tolerance)
        held = group.loc[group["sa_code"].notna()]
        none = group.loc[group["sa_code"].isna()]
        cut = held.loc[(held["share_of_sa"] >= tolerance)
                       & (held["share_of_sa"] < 1 - tolerance - 1e-12)]  # fmt: skip
        rows.append({
            "code": code,
            "name": group["icb_name"].iloc[0],
            "class": klass,
            "population": int(group["icb_population"].iloc[0]),
            "authorities": len(held),
            "authority_parts": [{**p, "share_of_sa": float(s)} for p, s in zip(
                _parts(held, "sa", "share_of_icb"), held["share_of_sa"], strict=True)],
            "none_population": int(none["population"].sum()),
            "none_share": float(none["share_of_icb"].sum()),
            "cut_authorities": [f"{r.sa_name} ({r.share_of_sa:.1%} in this ICB)"
                                for r in cut.itertuples()],
            "notes": notes,
        })  # fmt: skip
    return pd.DataFrame(rows)


def authority_table(data: VintageData, pairs: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Per strategic authority: type, status, its ICBs with shares, whether it is split."""
    units = data.units.loc[data.units["layer"] == "sa"].set_index("code")
    held = pairs.loc[pairs["sa_code"].notna()]
    rows = []
    for code, group in held.groupby("sa_code", sort=True):
        group = group.sort_values("population", ascending=False)
        counted = group.loc[group["share_of_sa"] >= tolerance]
        unit = units.loc[code] if code in units.index else None
        rows.append({
            "code": code,
            "name": group["sa_name"].iloc[0],
            "type": _attribute(unit, "type"),
            "status": _attribute(unit, "status_kind"),
            "established": _attribute(unit, "established"),
            "population": int(group["population"].sum()),
            "icbs": len(counted),
            "split": len(counted) > 1,
            "main_icb_code": group["icb_code"].iloc[0],
            "main_icb_name": group["icb_name"].iloc[0],
            "main_share": float(group["share_of_sa"].iloc[0]),
            "icb_parts": [{**p, "share_of_icb": float(s)} for p, s in zip(
                _parts(group, "icb", "share_of_sa"), group["share_of_icb"], strict=True)],
        })  # fmt: skip
    return pd.DataFrame(rows)


def _attribute(unit: pd.Series | None, name: str) -> Any:
    if unit is None or name not in unit.index:
        return None
    value = unit[name]
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def alignment(
    data: VintageData,
    status: str = "all",
    tolerance: float = 0.0,
    icb: Any = None,
    icb_names: dict[str, str] | None = None,
) -> Alignment:
    """Every ICB against the strategic authorities (``status``: all, or established only).
    ``icb``: an ICB code per LSOA (a scenario's, with ``icb_names`` for its new ICBs),
    else the vintage's own."""
    if "sa" not in data.layers:
        raise BoundaryLabError(
            f"vintage {data.name} has no strategic authority layer (sa); use a vintage that "
            "declares one, e.g. 2024 or 2026"
        )
    if not 0.0 <= tolerance < 0.5:
        raise BoundaryLabError(f"tolerance must be a share from 0 up to 0.5, got {tolerance}")
    filtered = with_status(data, "sa", status)
    series = None if icb is None else pd.Series(icb, index=data.table.index)
    pairs = _pairs(filtered, series, icb_names)
    pairs["sa_name"] = pairs["sa_name"].where(pairs["sa_code"].notna(), NONE_LABEL)
    method = METHOD + (f" Parts of an authority under {tolerance:.1%} of it are slivers, "
                       "not cuts." if tolerance else "")  # fmt: skip
    return Alignment(
        icbs=icb_classes(pairs, tolerance),
        authorities=authority_table(filtered, pairs, tolerance),
        pairs=pairs[["icb_code", "icb_name", "sa_code", "sa_name", "population",
                     "share_of_icb", "share_of_sa", "icb_population", "sa_population"]],
        status=status,
        tolerance=tolerance,
        provenance=Provenance.of(filtered.meta, method),
        status_line=status_line(data, "sa", status),
    )  # fmt: skip


def _icb_codes(data: VintageData, icb: Any) -> UnitCodes:
    """An ICB per LSOA as integer codes: the vintage's own (``None``), already coded, or
    codes made from one value per LSOA."""
    if icb is None:
        return unit_codes(data, "icb_code")
    return icb if isinstance(icb, UnitCodes) else UnitCodes.of(icb)


def _authority_rows(
    data: VintageData, icb: UnitCodes, status: str, names: dict[str, str] | None
) -> list[dict[str, Any]]:
    """Per strategic authority (code order): its ICBs, largest first (lowest ICB code on a
    tie), as one two-way ``np.bincount`` of the LSOAs in an authority; no pandas."""
    filtered = with_status(data, "sa", status)
    sa = unit_codes(filtered, "sa_code")  # per vintage and status: independent of the ICBs
    inside = sa.codes >= 0
    n_icbs = len(icb)
    cell = sa.codes[inside] * n_icbs + icb.codes[inside]
    size = len(sa) * n_icbs
    blocks = np.bincount(cell, minlength=size).reshape(len(sa), n_icbs)
    people = np.bincount(cell, weights=population(data)[inside], minlength=size)
    people = people.reshape(len(sa), n_icbs).round().astype(np.int64)
    icb_names, sa_names = names or data.names["icb"], filtered.names["sa"]
    rows = []
    for k in np.flatnonzero(blocks.sum(axis=1)).tolist():
        held = np.flatnonzero(blocks[k])
        held = held[np.lexsort((held, -people[k, held]))]
        total = int(people[k].sum())
        parts = []
        for j in held.tolist():
            code, count = icb.categories[j], int(people[k, j])
            parts.append({"code": code, "name": icb_names.get(code, ""), "population": count,
                          "share": count / total if total > 0 else float("nan")})  # fmt: skip
        code = sa.categories[k]
        rows.append({"code": code, "name": sa_names.get(code, ""), "population": total,
                     "icbs": len(parts), "main_share": parts[0]["share"],
                     "parts": parts})  # fmt: skip
    return rows


LINK_COLUMNS = ["code", "name", "population", "icbs", "main_share", "parts"]


def authority_links(
    data: VintageData, icb: Any = None, status: str = "all", names: dict[str, str] | None = None
) -> pd.DataFrame:
    """Per strategic authority under an ICB assignment (``icb`` per LSOA, as values or
    ``UnitCodes``, else the vintage's; ``names`` of its ICBs): how many ICBs it has people
    in, its largest share, and its parts."""
    rows = _authority_rows(data, _icb_codes(data, icb), status, names)
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


CHANGE_COLUMNS = ["code", "name", "population", "icbs_before", "icbs_after",
                  "main_share_before", "main_share_after", "parts_after"]  # fmt: skip


def authority_changes(
    data: VintageData,
    before: Any,
    after: Any,
    status: str = "all",
    names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Per strategic authority: its ICBs before and after a change of assignment (each an
    ICB per LSOA, as values or ``UnitCodes``). The scenario evaluation asks this on every
    edit, so it works on integer codes."""
    old = _authority_rows(data, _icb_codes(data, before), status, names)
    new = _authority_rows(data, _icb_codes(data, after), status, names)
    # The same authorities on both sides: who is in one does not depend on the ICBs.
    rows = [{"code": o["code"], "name": o["name"], "population": o["population"],
             "icbs_before": o["icbs"], "icbs_after": n["icbs"],
             "main_share_before": o["main_share"], "main_share_after": n["main_share"],
             "parts_after": n["parts"]} for o, n in zip(old, new, strict=True)]  # fmt: skip
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
