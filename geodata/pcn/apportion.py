"""Apportioning each LSOA's population among PCNs: the methods, measured, and the default.

PCNs have no official footprint: they are groups of GP practices, and their practices'
catchments overlap. Each method here turns the inputs (LSOA points and areas, member
practice points, catchment cover) into a share table, LSOA x PCN -> share, with the
shares of every covered LSOA summing to 1.

Measured on the West Sussex lookup (507 LSOAs, 20 PCNs; best fit from GP registrations,
Feb 2022), weighting by mid-2020 population (``scripts/validate_pcn.py``; TVD is the
total variation distance between PCN population shares, agreement the share of LSOAs whose
largest PCN is the registered one):

==============================  =====  =========  ==========================
method                          TVD    agreement  LODO-fitted scale: TVD, agr.
==============================  =====  =========  ==========================
equal_share (catchments)        0.191  51.5%
area_share (catchments)         0.181  68.6%
cover_inverse_distance          0.153  82.6%      0.145, 83.2%
nearest_covering_practice       0.126  82.8%
gravity                         0.089  85.2%      0.089, 85.4%
nearest_practice                0.080  85.4%
nearest_practice_within_sicbl   0.067  87.6%
gravity_within_sicbl (default)  0.057  88.2%      0.061, 88.6%
==============================  =====  =========  ==========================

**The default, ``gravity_within_sicbl``**: an LSOA's residents are shared among the member
practices of its own sub-ICB location (the former CCG) with weights that decay with
distance, ``exp(-d / scale)``, and each PCN takes the sum of its practices' weights.

- *Distance* carries nearly all the signal: the nearest member practice alone agrees on
  85% of LSOAs. Summing a smooth kernel over practices lets a PCN with several surgeries
  near an LSOA outweigh a single slightly nearer one, which is how registrations spread
  in towns with many practices.
- *Own sub-ICB location*: practices are commissioned by a sub-ICB location (the ePCN
  shows 98% of practices in a PCN of their own CCG), and letting an LSOA use practices
  over its edge (``gravity``) sends border LSOAs to neighbouring areas' PCNs, which the
  registrations do not. The rule has no parameter; an LSOA whose sub-ICB location has no
  located practice uses every practice. (Its risk: where registrations do cross a
  sub-ICB edge, the border LSOAs are wrong; see the worst-district column of the script.)
- *Scale*: not fitted to any validation data. It is the median distance from an LSOA to
  its nearest practice over the whole vintage (809 m on the 2011 LSOAs of England): a
  practice one typical access distance farther than the nearest weighs 1/e as much. The
  validation figures move little between a quarter and once the scale (TVD 0.057-0.062)
  and fitting the scale by leave-one-district-out does no better (0.061), so there is
  nothing to gain by tuning it to West Sussex.
- *Catchments are not used*: every way of adding the 2020 catchment cover made the
  figures worse (catchments are self-declared, unioned over members, and two years older
  than the membership; PCNs formed since have none). They stay in the layer for maps and
  for the catchment report.
- *List sizes*: where a registrations file is supplied, each practice's list size
  multiplies its kernel for the LSOAs the file does not cover; the shipped bundle has
  none, so every practice weighs the same.

This misses the issue's target (TVD <= 0.05, 90% agreement): what remains is mostly
branch surgeries (a practice's patients registered at sites other than its postcode) and
list sizes, which no input here carries. When the registrations by LSOA are supplied,
they replace every estimate (``registration_shares``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from ..errors import BoundaryLabError, UnknownNameError
from .practices import PracticeIndex, nearest_in_group

#: Practices farther than the nearest eligible one by more than this many scales weigh
#: under e^-6 (0.25%) of it and are left out of the gravity sum.
GRAVITY_REACH = 6.0
#: Practices at one postcode share a point exactly; this absorbs float noise only.
TIE_M = 0.01
SHARE_COLUMNS = ["lsoa", "pcn_code", "share", "basis"]


@dataclass(frozen=True)
class ApportionInputs:
    """What every method may use, for N LSOAs (positions 0..N-1)."""

    #: LSOA points (EPSG:27700), where residents are taken to live.
    lsoa_points: NDArray[np.object_]
    #: The LSOA's sub-ICB location code (the area whose practices its residents use).
    lsoa_areas: NDArray[np.object_]
    #: Located member practices: practice_code, pcn_code, x, y, area (sub-ICB location of
    #: the practice's point), weight (list size if known, else 1).
    practices: pd.DataFrame
    #: Catchment cover of these LSOAs: lsoa, pcn_code, cover, holds_point.
    cover: pd.DataFrame
    #: Distance-decay scale in metres.
    scale_m: float

    def __len__(self) -> int:
        return len(self.lsoa_points)

    @cached_property
    def index(self) -> PracticeIndex:
        return PracticeIndex(self.practices["x"].to_numpy(), self.practices["y"].to_numpy())

    @cached_property
    def current_cover(self) -> pd.DataFrame:
        """Cover by the catchments of PCNs that have located practices (a closed PCN's
        catchment would hand population to a PCN that no longer exists)."""
        return self.cover.loc[self.cover["pcn_code"].isin(self.practices["pcn_code"])]


def _frame(
    lsoa: NDArray[np.int64], pcn: NDArray[np.object_], weight: NDArray[np.float64], basis: str
) -> pd.DataFrame:
    """Shares from weights: summed per (LSOA, PCN) and normalised per LSOA."""
    frame = (
        pd.DataFrame({"lsoa": lsoa, "pcn_code": pcn, "weight": weight})
        .groupby(["lsoa", "pcn_code"], as_index=False, sort=True)["weight"]
        .sum()
    )
    frame = frame.loc[frame["weight"] > 0]
    total = frame.groupby("lsoa")["weight"].transform("sum")
    frame["share"] = frame["weight"] / total
    frame["basis"] = basis
    return frame[SHARE_COLUMNS].reset_index(drop=True)


def _eligible_nearest(
    inputs: ApportionInputs, within_area: bool
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Distance to the nearest eligible practice, and which LSOAs are held to their area."""
    if not within_area:
        return inputs.index.nearest_distance(inputs.lsoa_points), np.zeros(len(inputs), bool)
    nearest = nearest_in_group(
        inputs.index,
        inputs.lsoa_points,
        inputs.lsoa_areas,
        inputs.practices["area"].to_numpy(dtype=object),
    )
    held = np.isfinite(nearest)
    if not held.all():
        nearest[~held] = inputs.index.nearest_distance(inputs.lsoa_points[~held])
    return nearest, held


def _distance_shares(
    inputs: ApportionInputs, within_area: bool, scale: float | None, basis: str
) -> pd.DataFrame:
    """Shares from distances to member practices: with ``scale`` None, the nearest eligible
    practice(s) only (ties share); else the kernel exp(-(d - d_nearest) / scale)."""
    nearest, held = _eligible_nearest(inputs, within_area)
    reach = TIE_M if scale is None else GRAVITY_REACH * scale
    lsoa, practice, distance = inputs.index.within(inputs.lsoa_points, nearest + reach)
    if within_area:
        areas = inputs.practices["area"].to_numpy(dtype=object)
        same = areas[practice] == inputs.lsoa_areas[lsoa]
        keep = same | ~held[lsoa]
        lsoa, practice, distance = lsoa[keep], practice[keep], distance[keep]
    excess = np.maximum(distance - nearest[lsoa], 0.0)
    kernel = np.ones(len(excess)) if scale is None else np.exp(-excess / scale)
    weight = kernel * inputs.practices["weight"].to_numpy(dtype=float)[practice]
    pcn = inputs.practices["pcn_code"].to_numpy(dtype=object)[practice]
    return _frame(lsoa, pcn, weight, basis)


def nearest_practice(inputs: ApportionInputs) -> pd.DataFrame:
    """Whole LSOA to the PCN of its nearest member practice (practices at one point share)."""
    return _distance_shares(inputs, within_area=False, scale=None, basis="nearest_practice")


def nearest_practice_within_sicbl(inputs: ApportionInputs) -> pd.DataFrame:
    """Whole LSOA to the PCN of the nearest member practice in its own sub-ICB location."""
    return _distance_shares(inputs, True, None, "nearest_practice_within_sicbl")


def gravity(inputs: ApportionInputs) -> pd.DataFrame:
    """Shares by exp(-distance / scale) summed over every member practice."""
    return _distance_shares(inputs, False, inputs.scale_m, "gravity")


def gravity_within_sicbl(inputs: ApportionInputs) -> pd.DataFrame:
    """Shares by exp(-distance / scale) over the practices of the LSOA's sub-ICB location."""
    return _distance_shares(inputs, True, inputs.scale_m, "gravity_within_sicbl")


def _with_fallback(inputs: ApportionInputs, shares: pd.DataFrame) -> pd.DataFrame:
    """LSOAs that no catchment covers go to their nearest practice (and say so)."""
    missing = np.setdiff1d(np.arange(len(inputs)), shares["lsoa"].to_numpy())
    if not len(missing):
        return shares
    fallback = nearest_practice(inputs)
    fallback = fallback.loc[fallback["lsoa"].isin(missing)].assign(
        basis="nearest_practice (no catchment covers it)"
    )
    return pd.concat([shares, fallback], ignore_index=True).sort_values(
        ["lsoa", "pcn_code"], ignore_index=True
    )


def equal_share(inputs: ApportionInputs) -> pd.DataFrame:
    """Equal shares among the PCNs whose catchment overlaps the LSOA."""
    cover = inputs.current_cover
    shares = _frame(
        cover["lsoa"].to_numpy(), cover["pcn_code"].to_numpy(), np.ones(len(cover)), "equal_share"
    )
    return _with_fallback(inputs, shares)


def area_share(inputs: ApportionInputs) -> pd.DataFrame:
    """Shares by the area of the LSOA inside each overlapping catchment."""
    cover = inputs.current_cover
    shares = _frame(
        cover["lsoa"].to_numpy(),
        cover["pcn_code"].to_numpy(),
        cover["cover"].to_numpy(),
        "area_share",
    )
    return _with_fallback(inputs, shares)


def _pcn_distances(inputs: ApportionInputs, pairs: pd.DataFrame) -> NDArray[np.float64]:
    """Distance from each (lsoa, pcn_code) pair's LSOA to the PCN's nearest member."""
    members = inputs.practices[["pcn_code", "x", "y"]]
    joined = pairs[["lsoa", "pcn_code"]].reset_index(names="pair").merge(members, on="pcn_code")
    xy = shapely.get_coordinates(inputs.lsoa_points[joined["lsoa"].to_numpy()])
    joined["distance"] = np.hypot(xy[:, 0] - joined["x"], xy[:, 1] - joined["y"])
    nearest = joined.groupby("pair")["distance"].min()
    return nearest.reindex(range(len(pairs))).to_numpy()


def nearest_covering_practice(inputs: ApportionInputs) -> pd.DataFrame:
    """Whole LSOA to the nearest PCN among those whose catchment holds the LSOA's point."""
    pairs = inputs.current_cover.loc[inputs.current_cover["holds_point"]].reset_index(drop=True)
    pairs = pairs.assign(distance=_pcn_distances(inputs, pairs))
    best = pairs.groupby("lsoa")["distance"].transform("min")
    chosen = pairs.loc[pairs["distance"] <= best + TIE_M]
    shares = _frame(
        chosen["lsoa"].to_numpy(),
        chosen["pcn_code"].to_numpy(),
        np.ones(len(chosen)),
        "nearest_covering_practice",
    )
    return _with_fallback(inputs, shares)


def cover_inverse_distance(inputs: ApportionInputs) -> pd.DataFrame:
    """Catchment cover weighted by 1 / (distance to the PCN's nearest member + scale);
    the scale keeps a practice on the LSOA's doorstep from taking everything."""
    pairs = inputs.current_cover.reset_index(drop=True)
    distance = _pcn_distances(inputs, pairs)
    weight = pairs["cover"].to_numpy() / (distance + inputs.scale_m)
    shares = _frame(
        pairs["lsoa"].to_numpy(), pairs["pcn_code"].to_numpy(), weight, "cover_inverse_distance"
    )
    return _with_fallback(inputs, shares)


@dataclass(frozen=True)
class Method:
    name: str
    summary: str
    apportion: Callable[[ApportionInputs], pd.DataFrame]


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("equal_share", "equal shares among overlapping 2020 catchments", equal_share),
        Method("area_share", "area share of overlapping 2020 catchments", area_share),
        Method(
            "nearest_covering_practice",
            "nearest member practice among PCNs whose catchment holds the LSOA's point",
            nearest_covering_practice,
        ),
        Method(
            "cover_inverse_distance",
            "catchment area share x 1 / (distance to the PCN's nearest practice + scale)",
            cover_inverse_distance,
        ),
        Method(
            "nearest_practice", "whole LSOA to its nearest member practice's PCN", nearest_practice
        ),
        Method("gravity", "exp(-distance / scale) summed over member practices", gravity),
        Method(
            "nearest_practice_within_sicbl",
            "whole LSOA to the nearest member practice in its own sub-ICB location",
            nearest_practice_within_sicbl,
        ),
        Method(
            "gravity_within_sicbl",
            "exp(-distance / scale) summed over the member practices of the LSOA's own "
            "sub-ICB location; scale = median LSOA-to-nearest-practice distance",
            gravity_within_sicbl,
        ),
    )
}
DEFAULT_METHOD = "gravity_within_sicbl"
REGISTRATIONS = "registrations"


def check_method(name: str) -> Method:
    if name not in METHODS:
        raise UnknownNameError("PCN apportionment method", name, METHODS)
    return METHODS[name]


def apportion(inputs: ApportionInputs, method: str = DEFAULT_METHOD) -> pd.DataFrame:
    """The share table of ``method``: lsoa (position), pcn_code, share, basis."""
    shares = check_method(method).apportion(inputs)
    check_shares(shares)
    return shares


def check_shares(shares: pd.DataFrame) -> None:
    """Every LSOA in the table has shares in (0, 1] that sum to 1."""
    totals = shares.groupby("lsoa")["share"].sum()
    off = totals[(totals - 1.0).abs() > 1e-9]
    if len(off) or (shares["share"] <= 0).any():
        raise BoundaryLabError(
            f"PCN shares do not sum to 1 for {len(off)} LSOA(s) (first: {off.index[:3].tolist()})"
        )


def registration_shares(
    registrations: pd.DataFrame,
    practice_pcn: pd.Series,
    lsoa_codes: NDArray[np.object_],
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Shares from registered patients: patients by LSOA and PCN (via each practice's PCN)
    over the LSOA's patients in any PCN. Returns the shares of the LSOAs with registrations
    and counts of what could not be used."""
    position = pd.Series(np.arange(len(lsoa_codes)), index=pd.Index(lsoa_codes))
    frame = registrations.assign(
        pcn_code=registrations["practice_code"].map(practice_pcn),
        lsoa=registrations["lsoa_code"].map(position),
    )
    no_pcn = frame["pcn_code"].isna()
    no_block = frame["lsoa"].isna()
    counts = {
        "patients": int(frame["patients"].sum()),
        "patients_in_no_pcn": int(frame.loc[no_pcn, "patients"].sum()),
        "patients_outside_blocks": int(frame.loc[no_block & ~no_pcn, "patients"].sum()),
        "practices_in_no_pcn": int(frame.loc[no_pcn, "practice_code"].nunique()),
    }
    used = frame.loc[~no_pcn & ~no_block]
    shares = _frame(
        used["lsoa"].to_numpy(dtype=np.int64),
        used["pcn_code"].to_numpy(dtype=object),
        used["patients"].to_numpy(dtype=float),
        REGISTRATIONS,
    )
    return shares, counts
