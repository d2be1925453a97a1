"""Accuracy of a PCN apportionment against a best-fit LSOA -> PCN lookup.

Exactly as the issue defines it, over the LSOAs of the validation file only:

- truth: each LSOA's population assigned wholly to its validation PCN;
- estimate: the method's shares x the LSOA's population;
- PCN population shares: each PCN's total / the grand total, in each;
- TVD (total variation distance) = 0.5 x sum |p_truth - p_estimate| over the union of PCNs;
- LSOA agreement: the share of LSOAs whose largest-share PCN is the validation PCN (an
  LSOA without an estimate disagrees; a tie for largest goes to the lowest PCN code).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import BoundaryLabError, describe_rows
from ..store import VintageData
from .apportion import ApportionInputs, apportion
from .layer import apportion_inputs
from .sources import PcnSources


@dataclass(frozen=True)
class Score:
    tvd: float
    agreement: float
    lsoas: int
    #: Validation LSOAs the method gave any share to.
    estimated: int


def pcn_population_shares(population: pd.Series, shares: pd.DataFrame) -> pd.Series:
    """PCN -> fraction of the population, from (lsoa_code, pcn_code, share) rows."""
    people = shares["share"].to_numpy() * population.reindex(shares["lsoa_code"]).to_numpy()
    totals = pd.Series(people, index=shares["pcn_code"].to_numpy()).groupby(level=0).sum()
    grand = totals.sum()
    return totals / grand if grand > 0 else totals


def total_variation_distance(p: pd.Series, q: pd.Series) -> float:
    union = p.index.union(q.index)
    return 0.5 * float(
        np.abs(p.reindex(union, fill_value=0) - q.reindex(union, fill_value=0)).sum()
    )


def largest_share(shares: pd.DataFrame) -> pd.Series:
    """lsoa_code -> its largest-share PCN (ties to the lowest PCN code)."""
    ordered = shares.sort_values(["lsoa_code", "share", "pcn_code"], ascending=[True, False, True])
    first = ordered.drop_duplicates("lsoa_code")
    return pd.Series(first["pcn_code"].to_numpy(), index=first["lsoa_code"].to_numpy())


def evaluate(shares: pd.DataFrame, truth: pd.Series, population: pd.Series) -> Score:
    """Score ``shares`` (lsoa_code, pcn_code, share) against ``truth`` (lsoa_code -> PCN),
    weighting by ``population`` (lsoa_code -> people)."""
    unknown = truth.index.difference(population.index)
    if len(unknown):
        raise BoundaryLabError(
            f"{len(unknown)} validation LSOA(s) are not blocks of this vintage: "
            f"{describe_rows(sorted(unknown))}; validate on the vintage of the lookup's LSOAs"
        )
    population = population.reindex(truth.index)
    mine = shares.loc[shares["lsoa_code"].isin(truth.index)]
    true_shares = pcn_population_shares(
        population,
        pd.DataFrame({"lsoa_code": truth.index, "pcn_code": truth.to_numpy(), "share": 1.0}),
    )
    tvd = total_variation_distance(true_shares, pcn_population_shares(population, mine))
    best = largest_share(mine).reindex(truth.index)
    agreement = float((best.to_numpy() == truth.to_numpy()).mean()) if len(truth) else float("nan")
    return Score(tvd, agreement, len(truth), int(mine["lsoa_code"].nunique()))


def evaluate_by_group(
    shares: pd.DataFrame, truth: pd.Series, population: pd.Series, groups: pd.Series
) -> pd.DataFrame:
    """The score within each group of validation LSOAs (``groups``: lsoa_code -> group)."""
    rows = []
    for group, members in truth.groupby(groups.reindex(truth.index).to_numpy()):
        score = evaluate(shares, members, population)
        rows.append(
            {"group": group, "tvd": score.tvd, "agreement": score.agreement, "lsoas": score.lsoas}
        )
    return pd.DataFrame(rows)


def leave_one_group_out(
    candidates: Mapping[Hashable, pd.DataFrame],
    truth: pd.Series,
    population: pd.Series,
    groups: pd.Series,
) -> tuple[pd.DataFrame, dict[Hashable, Hashable]]:
    """Honest figures for a fitted parameter: for each group, pick the candidate (one share
    table per parameter value) with the lowest TVD on the *other* groups and use its shares
    for this group. Returns the assembled shares and the value chosen for each group."""
    group_of = groups.reindex(truth.index)
    assembled, chosen = [], {}
    for group in sorted(group_of.unique()):
        held_out = group_of.index[group_of == group]
        training = truth.drop(held_out)
        scores = {
            value: evaluate(frame, training, population).tvd for value, frame in candidates.items()
        }
        best = min(scores, key=lambda value: scores[value])
        chosen[group] = best
        frame = candidates[best]
        assembled.append(frame.loc[frame["lsoa_code"].isin(held_out)])
    return pd.concat(assembled, ignore_index=True), chosen


# --- running the methods on a validation lookup ---------------------------------------


@dataclass(frozen=True)
class ValidationSet:
    """A validation lookup joined to a vintage: truth, population, district of each LSOA,
    and the methods' inputs for these LSOAs only."""

    truth: pd.Series  # lsoa_code -> PCN
    population: pd.Series  # lsoa_code -> people
    districts: pd.Series  # lsoa_code -> LTLA code
    lsoa_codes: NDArray[np.object_]  # the inputs' LSOAs, in input order
    inputs: ApportionInputs


def validation_set(data: VintageData, sources: PcnSources, lookup: pd.DataFrame) -> ValidationSet:
    """``lookup``: lsoa_code, pcn_code (``readers.read_validation``)."""
    table = data.table
    position = pd.Series(np.arange(len(table)), index=table["lsoa_code"].to_numpy())
    truth = lookup.set_index("lsoa_code")["pcn_code"]
    unknown = truth.index.difference(position.index)
    if len(unknown):
        raise BoundaryLabError(
            f"{len(unknown)} validation LSOA(s) are not blocks of vintage {data.name}: "
            f"{describe_rows(sorted(unknown))}"
        )
    blocks = position.loc[truth.index].to_numpy()
    inputs, _ = apportion_inputs(data, sources, blocks)
    codes = table["lsoa_code"].to_numpy(dtype=object)[blocks]
    return ValidationSet(
        truth=truth,
        population=pd.Series(table["population"].to_numpy(dtype=float)[blocks], index=codes),
        districts=pd.Series(table["ltla_code"].to_numpy(dtype=object)[blocks], index=codes),
        lsoa_codes=codes,
        inputs=inputs,
    )


def shares_by_code(vset: ValidationSet, method: str, scale_m: float | None = None) -> pd.DataFrame:
    """A method's shares on the validation LSOAs, keyed by LSOA code."""
    inputs = vset.inputs if scale_m is None else replace(vset.inputs, scale_m=scale_m)
    shares = apportion(inputs, method)
    return shares.assign(lsoa_code=vset.lsoa_codes[shares["lsoa"].to_numpy()])


def score(vset: ValidationSet, shares: pd.DataFrame) -> Score:
    return evaluate(shares, vset.truth, vset.population)
