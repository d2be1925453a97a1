"""Evaluate a scenario against its baseline: named, pure metric functions of two
assignments over the same block table."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..alignment import authority_changes
from ..layers import code_column
from ..provenance import Provenance
from ..splits import split_table
from ..store import VintageData
from ..typology import Thresholds
from ..unit_codes import population as unit_population
from ..unit_codes import unit_codes
from .model import Scenario
from .outcomes import RuleOutcome, classify
from .resolve import Assignment, baseline, resolve
from .rules import RuleResult, RuleSet
from .shapes import assignment_shapes

METHOD = (
    "Scenario evaluation on LSOA building blocks: every LSOA is assigned whole to one ICB "
    "(moves of whole units, uploaded block assignments, or best-fit of uploaded polygons "
    "by each LSOA's representative point); populations are sums of LSOA populations."
)


@dataclass(frozen=True)
class Evaluation:
    scenario: Scenario
    icbs: pd.DataFrame
    summary: dict[str, Any]
    moved: pd.DataFrame
    utlas: pd.DataFrame
    ltlas: pd.DataFrame
    typology_changes: pd.DataFrame
    rules: list[RuleResult]
    provenance: Provenance
    assignment: Assignment = field(repr=False)
    #: each rule read against the base: newly failing, fixed, already failing, passes
    outcomes: list[RuleOutcome] = field(default_factory=list)
    #: Per strategic authority: its ICBs before and after (None: the vintage has none).
    sas: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rules)


def _aligned(
    before: Assignment, after: Assignment
) -> tuple[NDArray[np.object_], NDArray[np.intp], NDArray[np.intp]]:
    """Both assignments as integer codes into one sorted list of ICB codes."""
    b, a = before.codes, after.codes
    if b.categories is a.categories or np.array_equal(b.categories, a.categories):
        return b.categories, b.codes, a.codes
    categories = np.array(sorted({*b.categories.tolist(), *a.categories.tolist()}), dtype=object)
    return (categories, np.searchsorted(categories, b.categories)[b.codes],
            np.searchsorted(categories, a.categories)[a.codes])  # fmt: skip


def icb_table(
    data: VintageData, before: Assignment, after: Assignment, with_shapes: bool = True
) -> pd.DataFrame:
    """Per ICB: population and LSOAs before/after, and shape measures after."""
    categories, b, a = _aligned(before, after)
    population = unit_population(data)
    n = len(categories)
    lsoas_before, lsoas_after = np.bincount(b, minlength=n), np.bincount(a, minlength=n)
    live = np.flatnonzero((lsoas_before > 0) | (lsoas_after > 0))
    codes = categories[live].tolist()
    pop_before = np.bincount(b, weights=population, minlength=n)[live].astype(population.dtype)
    pop_after = np.bincount(a, weights=population, minlength=n)[live].astype(population.dtype)
    icbs = pd.DataFrame({
        "code": codes,
        "name": [after.names.get(c, before.names.get(c, c)) for c in codes],
        "new": [c in after.new_icbs for c in codes],
        "population_before": pop_before,
        "population_after": pop_after,
        "change": pop_after - pop_before,
        "lsoas_before": lsoas_before[live],
        "lsoas_after": lsoas_after[live],
    })  # fmt: skip
    if with_shapes:
        shapes = assignment_shapes(data, after)
        for column in ("parts", "islands", "exclaves", "fragments", "polsby_popper"):
            icbs[f"{column}_after"] = [getattr(shapes[c], column) if c in shapes else 0
                                       for c in codes]  # fmt: skip
    else:
        for column in ("parts", "islands", "exclaves", "fragments", "polsby_popper"):
            icbs[f"{column}_after"] = np.nan
    return icbs


def summary(icbs: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for when in ("before", "after"):
        population = icbs[f"population_{when}"].to_numpy()
        live = population[population > 0]
        out[when] = {
            "icbs": len(live),
            "min": int(live.min()),
            "max": int(live.max()),
            "ratio_max_min": float(live.max() / live.min()) if live.min() else None,
        }
    return out  # fmt: skip


def moved(data: VintageData, before: Assignment, after: Assignment) -> pd.DataFrame:
    """People and LSOAs moved, by from -> to."""
    categories, b, a = _aligned(before, after)
    n = len(categories)
    changed = np.flatnonzero(b != a)
    population = unit_population(data)
    pair = b[changed] * n + a[changed]
    lsoas = np.bincount(pair, minlength=n * n)
    pairs = np.flatnonzero(lsoas)
    people = np.bincount(pair, weights=population[changed], minlength=n * n)[pairs]
    from_idx, to_idx = np.divmod(pairs, n)
    from_codes, to_codes = categories[from_idx].tolist(), categories[to_idx].tolist()
    result = pd.DataFrame({
        "from_code": from_codes,
        "from_name": [before.names.get(c) for c in from_codes],
        "to_code": to_codes,
        "to_name": [after.names.get(c) for c in to_codes],
        "population": people.astype(population.dtype),
        "lsoas": lsoas[pairs],
    })  # fmt: skip
    return result.sort_values("population", ascending=False, ignore_index=True)


@dataclass(frozen=True)
class _Links:
    """An LA layer against an ICB assignment: population and LSOAs of every (LA, ICB)."""

    las: NDArray[np.intp]  # the LAs with any LSOA (categories of the layer)
    population: NDArray[Any]  # LA x ICB (float sums of whole numbers)
    blocks: NDArray[Any]  # LA x ICB

    @classmethod
    def of(cls, data: VintageData, layer: str, icb: NDArray[np.intp], n_icbs: int) -> _Links:
        la = unit_codes(data, code_column(layer))
        valid = la.codes >= 0
        cell = la.codes[valid] * n_icbs + icb[valid]
        size = len(la) * n_icbs
        weights = unit_population(data)[valid]
        population = np.bincount(cell, weights=weights, minlength=size).reshape(len(la), -1)
        blocks = np.bincount(cell, minlength=size).reshape(len(la), -1)
        las = np.flatnonzero(blocks.sum(axis=1))
        return cls(las, population[las], blocks[las])

    def shares(self) -> NDArray[np.float64]:
        """Each pair's share of its LA; -1 where the pair has no LSOA."""
        total = self.population.sum(axis=1, keepdims=True)
        share = np.divide(self.population, total, out=np.zeros_like(self.population),
                          where=total > 0)  # fmt: skip
        return np.where(self.blocks > 0, share, -1.0)


def _icb_links(
    data: VintageData, layer: str, categories: NDArray[np.object_], icb: NDArray[np.intp]
) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.float64]]:
    """Per LA with any LSOA (its category): how many ICBs it has people in, and its
    largest share."""
    links = _Links.of(data, layer, icb, len(categories))
    return links.las, (links.blocks > 0).sum(axis=1), links.shares().max(axis=1)


def _baseline_cached(data: VintageData, key: str, compute: Any) -> Any:
    """The baseline side never changes for a loaded vintage: compute it once."""
    cache = data.cache.setdefault("evaluation_baseline", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def link_changes(
    data: VintageData, before: Assignment, after: Assignment, layer: str, baseline: bool = False
) -> pd.DataFrame:
    """Per LA of ``layer``: ICBs it must work with before/after, and whether it split.
    ``baseline``: ``before`` is the vintage's own ICBs (cached)."""
    categories, b, a = _aligned(before, after)
    if baseline:  # new ICBs hold nobody in the baseline: its links do not depend on them
        las, icbs_before, main_before = _baseline_cached(
            data, f"links:{layer}", lambda: _icb_links(data, layer, categories, b)
        )
    else:
        las, icbs_before, main_before = _icb_links(data, layer, categories, b)
    same_las, icbs_after, main_after = _icb_links(data, layer, categories, a)
    assert np.array_equal(las, same_las)  # one block table: the same LAs on both sides
    codes = unit_codes(data, code_column(layer)).categories[las].tolist()
    names = data.names[layer]
    change = _link_change(icbs_before, icbs_after)
    return pd.DataFrame({
        "code": codes,
        "name": [names[c] for c in codes],
        "icbs_before": icbs_before,
        "main_share_before": main_before,
        "icbs_after": icbs_after,
        "main_share_after": main_after,
        "change": change,
    })  # fmt: skip


def la_changes(before: VintageData, after: VintageData, layer: str) -> pd.DataFrame:
    """Per LA of ``layer``: ICBs it works with in ``before`` and in ``after``, two vintages
    on the same blocks, each with its own LA and ICB columns (``vintage_compare``)."""
    counts, main = {}, {}
    for when, data in (("before", before), ("after", after)):
        grouped = split_table(data.table, layer, "icb").groupby("by_code")
        counts[when], main[when] = grouped["across_code"].count(), grouped["share"].max()
    codes = sorted(counts["before"].index)
    frame = pd.DataFrame({"code": codes, "name": [before.names[layer][c] for c in codes]})
    for when in ("before", "after"):
        frame[f"icbs_{when}"] = counts[when].reindex(codes).to_numpy()
        frame[f"main_share_{when}"] = main[when].reindex(codes).to_numpy()
    frame["change"] = _link_change(frame["icbs_before"].to_numpy(), frame["icbs_after"].to_numpy())
    return frame


def _link_change(before: NDArray[Any], after: NDArray[Any]) -> NDArray[Any]:
    return np.select(
        [(before > 1) & (after == 1), (before == 1) & (after > 1), before != after],
        ["became unsplit", "became split", "ICB count changed"], default="",
    )  # fmt: skip


#: The typology columns compared by ``typology_changes``, from ``_types``.
_TYPE_COLUMNS = ("type", "main_icb_code", "main_icb_name", "main_share", "share_of_icb",
                 "other_las")  # fmt: skip


def _types(
    data: VintageData, names: dict[str, str], categories: NDArray[np.object_],
    icb: NDArray[np.intp],
) -> dict[str, NDArray[Any]]:  # fmt: skip
    """Per UTLA, the typology's columns compared by ``typology_changes``, on integer codes
    (the rules and tie-breaks of ``geodata.typology``: the main ICB has the largest share,
    the lowest code on a tie)."""
    t = Thresholds()
    links = _Links.of(data, "utla", icb, len(categories))
    share = links.shares()
    main = share.argmax(axis=1)
    rows = np.arange(len(main))
    main_share = share[rows, main]
    icb_totals = links.population.sum(axis=0)[main]
    share_of_icb = np.divide(links.population[rows, main], icb_totals,
                             out=np.zeros(len(main)), where=icb_totals > 0)  # fmt: skip
    served = share >= t.other_la_share
    other_las = served.sum(axis=0)[main] - served[rows, main]
    types = np.where(main_share < t.la_in_icb, 4, np.where(
        share_of_icb >= t.la_of_icb, 1, np.where(other_las <= 2, 2, 3)))  # fmt: skip
    main_codes = categories[main]
    return {
        "las": links.las,
        "type": types.astype(np.int64),
        "main_icb_code": main_codes,
        "main_icb_name": np.array([names[c] for c in main_codes.tolist()], dtype=object),
        "main_share": main_share,
        "share_of_icb": share_of_icb,
        "other_las": other_las.astype(np.int64),
    }


def typology_changes(
    data: VintageData, before: Assignment, after: Assignment, baseline: bool = False
) -> pd.DataFrame:
    """UTLAs whose type or main ICB changes, with the numbers behind both."""
    categories, b, a = _aligned(before, after)
    if baseline:  # new ICBs hold nobody in the baseline, so its types never change
        old = _baseline_cached(data, "types",
                               lambda: _types(data, before.names, categories, b))  # fmt: skip
    else:
        old = _types(data, before.names, categories, b)
    new = _types(data, after.names, categories, a)
    changed = (old["type"] != new["type"]) | (old["main_icb_code"] != new["main_icb_code"])
    changed |= np.abs(old["main_share"] - new["main_share"]) > 1e-9
    codes = unit_codes(data, "utla_code").categories[old["las"][changed]].tolist()
    la_names = data.names["utla"]
    columns: dict[str, Any] = {"code": codes, "name": [la_names[c] for c in codes]}
    for when, side in (("before", old), ("after", new)):
        columns |= {f"{c}_{when}": side[c][changed] for c in _TYPE_COLUMNS}
    frame = pd.DataFrame(columns)
    for when in ("before", "after"):  # text columns as pandas makes them from text
        for column in ("main_icb_code", "main_icb_name"):
            frame[f"{column}_{when}"] = frame[f"{column}_{when}"].tolist()
    return frame


MAX_CACHED = 64  # evaluations kept per loaded vintage (scenarios are immutable)


def evaluate(
    data: VintageData,
    scenario: Scenario,
    rules: RuleSet | None = None,
    with_shapes: bool = True,
    against: Scenario | None = None,
) -> Evaluation:
    """Every metric of ``scenario`` next to the baseline (or next to ``against``).

    Scenarios are immutable, so an evaluation is cached per loaded vintage by the
    scenario, the rules and the options; treat the result as read-only."""
    rule_set = rules or RuleSet()
    key = (scenario, against, rule_set, with_shapes)
    cache: OrderedDict[Any, Evaluation] = data.cache.setdefault("evaluations", OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return replace(cache[key], scenario=scenario)
    result = _evaluate(data, scenario, rule_set, with_shapes, against)
    cache[key] = result
    if len(cache) > MAX_CACHED:
        cache.popitem(last=False)
    return result


def _evaluate(
    data: VintageData,
    scenario: Scenario,
    rule_set: RuleSet,
    with_shapes: bool,
    against: Scenario | None,
) -> Evaluation:
    before = resolve(data, against) if against is not None else baseline(data)
    after = resolve(data, scenario)
    icbs = icb_table(data, before, after, with_shapes)
    on_baseline = against is None
    utlas = link_changes(data, before, after, "utla", on_baseline)
    ltlas = link_changes(data, before, after, "ltla", on_baseline)
    summary_ = summary(icbs)
    summary_["utla_icb_links_before"] = int(utlas["icbs_before"].sum())
    summary_["utla_icb_links_after"] = int(utlas["icbs_after"].sum())
    changed = np.not_equal(*_aligned(before, after)[1:])
    summary_["lsoas_moved"] = int(changed.sum())
    summary_["people_moved"] = int(unit_population(data)[changed].sum())
    if not with_shapes:  # only contiguity needs the outlines; every other rule still runs
        rule_set = replace(rule_set, contiguous=False)
    names = {**before.names, **after.names}
    sas = (authority_changes(data, before.codes, after.codes, rule_set.sa_status, names)
           if "sa" in data.layers else None)  # fmt: skip
    checks = rule_set.check(icbs, utlas, sas)
    outcomes = classify(base_rule_results(data, rule_set, against), checks)
    return Evaluation(
        scenario=scenario,
        icbs=icbs,
        summary=summary_,
        moved=moved(data, before, after),
        utlas=utlas,
        ltlas=ltlas,
        typology_changes=typology_changes(data, before, after, on_baseline),
        rules=checks,
        provenance=Provenance.of(data.meta, METHOD),
        assignment=after,
        outcomes=outcomes,
        sas=sas,
    )


def base_rule_results(
    data: VintageData, rule_set: RuleSet, against: Scenario | None = None
) -> list[RuleResult]:
    """The same rules on the base itself (the vintage's ICBs, or ``against``): what a
    scenario's failures are read against, so a council split before the redraw is not
    blamed on it (see ``outcomes.classify``). Cached for the vintage's own ICBs."""

    def compute() -> list[RuleResult]:
        base = resolve(data, against) if against is not None else baseline(data)
        icbs = icb_table(data, base, base, with_shapes=rule_set.contiguous)
        utlas = link_changes(data, base, base, "utla")
        sas = (authority_changes(data, base.codes, base.codes, rule_set.sa_status, base.names)
               if "sa" in data.layers else None)  # fmt: skip
        return rule_set.check(icbs, utlas, sas)

    if against is not None:
        return compute()
    result: list[RuleResult] = _baseline_cached(data, f"rules:{rule_set!r}", compute)
    return result
