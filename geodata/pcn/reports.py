"""PCN reports as data: populations, PCNs split across other layers, an area's PCNs, and
the PCNs the sources disagree about. Each result carries its provenance (vintage,
population source, the apportionment method), like every other report.

A PCN's population here is *estimated*: the sum over LSOAs of population x the LSOA's
share for that PCN (see ``geodata.pcn.apportion``), unless registrations were supplied.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..layers import code_column
from ..provenance import Provenance
from ..store import VintageData
from .layer import PcnLayer
from .validate import largest_share

#: A unit holding less of a PCN than this is a technicality, not a split (domain primer).
SPLIT_MIN_SHARE = 0.01


@dataclass(frozen=True)
class PcnReport:
    frame: pd.DataFrame
    provenance: Provenance


def method_text(layer: PcnLayer) -> str:
    meta = layer.meta
    text = (
        f"PCN apportionment by {meta['method']}: {meta['method_summary']} "
        f"(scale {meta['scale_m']:.0f} m); PCN membership on {meta['membership_date']} from "
        f"the ODS ePCN and NHS Digital practice map; {meta['catchments_vintage']} catchments"
    )
    if meta.get("registrations"):
        extract = meta["registration_counts"].get("extract_date", "")
        lsoas = meta["lsoas_by_basis"].get("registrations", 0)
        text = (
            f"registered patients by practice and LSOA ({extract}) for {lsoas:,} LSOAs; "
            "elsewhere " + text
        )
    return text + ". PCNs have no official footprint: populations are estimates."


def _provenance(data: VintageData, layer: PcnLayer) -> Provenance:
    return Provenance.of(data.meta, method=method_text(layer))


def _people(data: VintageData, layer: PcnLayer) -> pd.DataFrame:
    """One row per (LSOA, PCN) with the people apportioned and every layer's code."""
    table = data.table.set_index("lsoa_code")
    frame = layer.shares.join(table, on="lsoa_code")
    frame["people"] = frame["share"] * frame["population"]
    return frame


def _names(layer: PcnLayer) -> pd.Series:
    return layer.pcns.set_index("pcn_code")["pcn_name"]


def pcn_populations(data: VintageData, layer: PcnLayer) -> PcnReport:
    """Every PCN with its estimated population, the LSOAs it is the best fit for, the
    people living in its 2020 catchment (by area share, for comparison), and any note."""
    people = _people(data, layer)
    population = people.groupby("pcn_code")["people"].sum()
    best = largest_share(layer.shares).value_counts()
    cover = layer.cover.join(data.table.set_index("lsoa_code")["population"], on="lsoa_code")
    in_catchment = (cover["cover"] * cover["population"]).groupby(cover["pcn_code"]).sum()
    frame = layer.pcns[["pcn_code", "pcn_name", "note"]].copy()
    codes = frame["pcn_code"]
    frame.insert(2, "population", codes.map(population).fillna(0.0).round().astype("int64"))
    frame.insert(3, "best_fit_lsoas", codes.map(best).fillna(0).astype("int64"))
    frame.insert(4, "catchment_population", codes.map(in_catchment).round().astype("Int64"))
    return PcnReport(frame.reset_index(drop=True), _provenance(data, layer))


def pcn_splits(
    data: VintageData,
    layer: PcnLayer,
    across: str = "utla",
    min_share: float = SPLIT_MIN_SHARE,
    split_only: bool = True,
) -> PcnReport:
    """Each PCN's population in each unit of ``across`` (utla, ltla, icb, sicbl, region)
    holding at least ``min_share`` of it; with ``split_only``, only PCNs in two or more."""
    data.check_layer(across)
    people = _people(data, layer)
    column = code_column(across)
    pairs = people.groupby(["pcn_code", column], observed=True, as_index=False)["people"].sum()
    totals = pairs.groupby("pcn_code")["people"].transform("sum")
    pairs["share"] = pairs["people"] / totals
    pairs["pcn_population"] = totals
    pairs = pairs.loc[pairs["share"] >= min_share]
    pairs["units"] = pairs.groupby("pcn_code")["pcn_code"].transform("size")
    if split_only:
        pairs = pairs.loc[pairs["units"] > 1]
    across_names = data.names[across]
    frame = pd.DataFrame(
        {
            "pcn_code": pairs["pcn_code"],
            "pcn_name": pairs["pcn_code"].map(_names(layer)),
            "across_code": pairs[column].astype(str),
            "across_name": pairs[column].astype(str).map(across_names),
            "population": pairs["people"].round().astype("int64"),
            "share": pairs["share"],
            "pcn_population": pairs["pcn_population"].round().astype("int64"),
            "units": pairs["units"],
        }
    ).sort_values(["pcn_code", "population"], ascending=[True, False], ignore_index=True)
    return PcnReport(frame, _provenance(data, layer))


def area_pcns(
    data: VintageData, layer: PcnLayer, by: str, area: str, min_share: float = 0.001
) -> PcnReport:
    """The PCNs of one unit of ``by`` (an LA by default use): the people of the area each
    PCN serves, as a share of the area and of the PCN; PCNs with under ``min_share`` of
    the area are left out (distance decay gives far PCNs a few people each)."""
    code = data.find_area(by, area)
    people = _people(data, layer)
    pcn_total = people.groupby("pcn_code")["people"].sum()
    inside = people.loc[people[code_column(by)] == code]
    area_total = inside["population"].groupby(inside["lsoa_code"]).first().sum()
    served = inside.groupby("pcn_code")["people"].sum()
    frame = pd.DataFrame(
        {
            "area_code": code,
            "area_name": data.names[by].get(code, ""),
            "pcn_code": served.index,
            "pcn_name": served.index.map(_names(layer)),
            "population": served.round().astype("int64").to_numpy(),
            "share_of_area": (served / area_total).to_numpy(),
            "share_of_pcn": (served / pcn_total.reindex(served.index)).to_numpy(),
        }
    )
    frame = frame.loc[frame["share_of_area"] >= min_share]
    frame = frame.sort_values("population", ascending=False, ignore_index=True)
    return PcnReport(frame, _provenance(data, layer))


def source_mismatches(layer: PcnLayer) -> pd.DataFrame:
    """PCNs present in one source and not another (or closed, or without a located
    practice), with the reason: never dropped silently."""
    flagged = layer.pcns.loc[layer.pcns["note"] != ""]
    return flagged.reset_index(drop=True)


def best_fit(layer: PcnLayer) -> pd.Series:
    """LSOA code -> the PCN with its largest share: PCN footprints as unions of blocks."""
    return largest_share(layer.shares)


def pcn_split_frame(data: VintageData, layer: PcnLayer, by: str, across: str) -> pd.DataFrame:
    """A split with PCNs on one side (``by`` or ``across`` is "pcn"), in the columns of
    every split (``geodata.splits.SPLIT_COLUMNS``): each pair's apportioned people, and
    the share of the ``by`` unit. Pairs of under half a person are left out (distance
    decay gives far PCNs a fraction of a person in many LSOAs)."""
    people = _people(data, layer)
    names = {"pcn": _names(layer).to_dict()}

    def key(side: str) -> str:
        return "pcn_code" if side == "pcn" else code_column(side)

    pairs = people.groupby([key(by), key(across)], observed=True, as_index=False)["people"].sum()
    pairs.columns = ["by_code", "across_code", "people"]
    pairs["by_code"] = pairs["by_code"].astype(str)
    pairs["across_code"] = pairs["across_code"].astype(str)
    totals = pairs.groupby("by_code")["people"].transform("sum")
    pairs = pairs.assign(share=pairs["people"] / totals, by_population=totals)
    pairs = pairs.loc[pairs["people"] >= 0.5]
    frame = pd.DataFrame({
        "by_code": pairs["by_code"],
        "by_name": pairs["by_code"].map(names.get(by) or data.names[by]),
        "across_code": pairs["across_code"],
        "across_name": pairs["across_code"].map(names.get(across) or data.names[across]),
        "population": pairs["people"].round().astype("int64"),
        "share": pairs["share"],
        "by_population": pairs["by_population"].round().astype("int64"),
    })  # fmt: skip
    return frame.sort_values(["by_code", "population"], ascending=[True, False],
                             ignore_index=True)  # fmt: skip


def pcn_split_provenance(data: VintageData, layer: PcnLayer) -> Provenance:
    return Provenance.of(data.meta, method="Splits with PCNs use apportioned PCN "
                         "populations. " + method_text(layer))  # fmt: skip
