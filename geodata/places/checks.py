"""Checks on a place set, as data: populations and their spread, places crossing ICB or
UTLA boundaries, gaps and overlaps within the set's ICBs, and PCNs straddling places."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..store import VintageData
from .resolve import Membership


@dataclass(frozen=True)
class PlaceChecks:
    places: pd.DataFrame  # code, name, population, lsoas, icbs, utlas, crosses_icb, crosses_utla
    spread: dict[str, float]
    gaps: pd.DataFrame  # LSOAs of the set's ICBs in no place
    overlaps: pd.DataFrame  # LSOAs in several places
    pcns_straddling: pd.DataFrame | None  # None when the PCN layer is not built
    notes: list[str] = field(default_factory=list)


def _shares_by_place(
    place: np.ndarray, codes: np.ndarray, population: np.ndarray, names: dict[str, str], count: int
) -> list[list[dict[str, Any]]]:
    """Per place, the units it draws population from, largest first, with shares: one
    group-by for the whole set (a set may hold thousands of places)."""
    frame = pd.DataFrame({"place": place, "code": codes, "population": population})
    grouped = frame.groupby(["place", "code"])["population"].sum().reset_index()
    grouped["total"] = grouped.groupby("place")["population"].transform("sum")
    grouped = grouped.sort_values(["place", "population"], ascending=[True, False],
                                  kind="stable")  # fmt: skip
    result: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    columns = (grouped[c].to_numpy(dtype=object) for c in ("place", "code", "population", "total"))
    for p, c, pop, total in zip(*columns, strict=True):
        result[p].append({"code": c, "name": names.get(c, c), "population": int(pop),
                          "share": float(pop / total) if total else 0.0})  # fmt: skip
    return result


def check_places(data: VintageData, membership: Membership) -> PlaceChecks:
    table = data.table
    population = table["population"].to_numpy()
    icb, utla = data.column_objects("icb_code"), data.column_objects("utla_code")
    members = [membership.rows[code] for code in membership.codes]
    lsoa_rows = np.concatenate(members) if members else np.empty(0, dtype=np.int64)
    place = np.repeat(np.arange(len(members)), [len(m) for m in members])
    icbs = _shares_by_place(place, icb[lsoa_rows], population[lsoa_rows], data.names["icb"],
                            len(members))  # fmt: skip
    utlas = _shares_by_place(place, utla[lsoa_rows], population[lsoa_rows],
                             data.names["utla"], len(members))  # fmt: skip
    rows = [{"code": code, "name": membership.names[code],
             "population": int(population[m].sum()), "lsoas": len(m),
             "icbs": icbs[i], "utlas": utlas[i], "crosses_icb": len(icbs[i]) > 1,
             "crosses_utla": len(utlas[i]) > 1}
            for i, (code, m) in enumerate(zip(membership.codes, members, strict=True))]  # fmt: skip
    places = pd.DataFrame(rows, columns=["code", "name", "population", "lsoas", "icbs",
                                         "utlas", "crosses_icb", "crosses_utla"])  # fmt: skip
    pops = places["population"]
    spread = ({"min": float(pops.min()), "max": float(pops.max()),
               "median": float(pops.median()), "places": float(len(places))} if len(places)
              else {"min": 0.0, "max": 0.0, "median": 0.0, "places": 0.0})  # fmt: skip

    scope = list(membership.place_set.icbs) or sorted(set(icb[membership.count > 0]))
    in_scope = np.isin(icb, scope)
    gap = in_scope & (membership.count == 0)
    gaps = pd.DataFrame({"lsoa_code": table["lsoa_code"].to_numpy()[gap],
                         "ltla_code": table["ltla_code"].to_numpy()[gap],
                         "icb_code": icb[gap], "population": population[gap]})  # fmt: skip
    over = membership.count > 1
    holders: dict[int, list[str]] = {int(r): [] for r in np.flatnonzero(over)}
    for code, lsoa_rows in membership.rows.items():  # linear in the set's size
        for r in lsoa_rows[over[lsoa_rows]].tolist():
            holders[r].append(code)
    overlaps = pd.DataFrame({"lsoa_code": table["lsoa_code"].to_numpy()[over],
                             "population": population[over],
                             "places": [holders[r]
                                        for r in np.flatnonzero(over).tolist()]})  # fmt: skip
    notes = []
    straddling = _pcns_straddling(data, membership)
    if straddling is None:
        notes.append("PCN layer not built for this vintage: PCNs straddling places not checked")
    return PlaceChecks(places, spread, gaps, overlaps, straddling, notes)


def _pcns_straddling(data: VintageData, membership: Membership) -> pd.DataFrame | None:
    from ..pcn.blocks import pcn_share_rows

    shares = pcn_share_rows(data)
    if shares is None or (membership.count > 1).any():
        return None
    place = membership.place_of_lsoa()
    population = data.table["population"].to_numpy()
    frame = pd.DataFrame({
        "pcn_code": shares["pcn_code"].to_numpy(),
        "place": place[shares["lsoa_row"].to_numpy()],
        "population": population[shares["lsoa_row"].to_numpy()] * shares["share"].to_numpy(),
    })  # fmt: skip
    frame = frame.loc[frame["place"] != ""]
    per = frame.groupby(["pcn_code", "place"])["population"].sum().reset_index()
    per["share"] = per["population"] / per.groupby("pcn_code")["population"].transform("sum")
    counts = per.groupby("pcn_code")["place"].count()
    split = counts[counts > 1].index
    split_rows = per.loc[per["pcn_code"].isin(split)].sort_values(
        ["pcn_code", "share"], ascending=[True, False], kind="stable"
    )
    places: dict[str, list[dict[str, Any]]] = {}
    columns = (split_rows[c].to_numpy(dtype=object) for c in ("pcn_code", "place", "share"))
    for code, place, share in zip(*columns, strict=True):  # one pass over thousands
        places.setdefault(code, []).append(
            {"code": place, "name": membership.names[place], "share": float(share)}
        )
    result = [{"pcn_code": code, "places": parts} for code, parts in places.items()]
    return pd.DataFrame(result, columns=["pcn_code", "places"])
