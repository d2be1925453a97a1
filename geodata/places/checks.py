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


def _shares(codes: np.ndarray, population: np.ndarray, names: dict[str, str]) -> list[dict]:
    frame = pd.DataFrame({"code": codes, "population": population})
    grouped = frame.groupby("code")["population"].sum().sort_values(ascending=False)
    total = grouped.sum()
    return [
        {
            "code": c,
            "name": names.get(c, c),
            "population": int(p),
            "share": float(p / total) if total else 0.0,
        }
        for c, p in grouped.items()
    ]


def check_places(data: VintageData, membership: Membership) -> PlaceChecks:
    table = data.table
    population = table["population"].to_numpy()
    icb, utla = (table[c].to_numpy().astype(object) for c in ("icb_code", "utla_code"))
    rows = []
    for code in membership.codes:
        members = membership.rows[code]
        icbs = _shares(icb[members], population[members], data.names["icb"])
        utlas = _shares(utla[members], population[members], data.names["utla"])
        rows.append({"code": code, "name": membership.names[code],
                     "population": int(population[members].sum()), "lsoas": len(members),
                     "icbs": icbs, "utlas": utlas, "crosses_icb": len(icbs) > 1,
                     "crosses_utla": len(utlas) > 1})  # fmt: skip
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
    holders = {r: [c for c, m in membership.rows.items() if r in set(m.tolist())]
               for r in np.flatnonzero(over)} if over.any() else {}  # fmt: skip
    overlaps = pd.DataFrame({"lsoa_code": table["lsoa_code"].to_numpy()[over],
                             "population": population[over],
                             "places": [holders[r] for r in np.flatnonzero(over)]})  # fmt: skip
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
    result: list[dict[str, Any]] = []
    for code, group in per.loc[per["pcn_code"].isin(split)].groupby("pcn_code"):
        result.append({"pcn_code": code, "places": [
            {"code": r.place, "name": membership.names[r.place], "share": float(r.share)}
            for r in group.sort_values("share", ascending=False).itertuples()]})  # fmt: skip
    return pd.DataFrame(result, columns=["pcn_code", "places"])
