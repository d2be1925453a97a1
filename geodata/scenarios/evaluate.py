"""Evaluate a scenario against its baseline: named, pure metric functions of two
assignments over the same block table."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..alignment import authority_changes
from ..provenance import Provenance
from ..splits import split_table
from ..store import VintageData
from ..typology import typology
from .model import Scenario
from .outcomes import RuleOutcome, classify
from .resolve import Assignment, baseline, resolve
from .rules import RuleResult, RuleSet
from .shapes import icb_shapes

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


def icb_table(
    data: VintageData, before: Assignment, after: Assignment, with_shapes: bool = True
) -> pd.DataFrame:
    """Per ICB: population and LSOAs before/after, and shape measures after."""
    population = data.table["population"].to_numpy()
    frame = pd.DataFrame({"before": before.icb, "after": after.icb, "population": population})
    pop_before = frame.groupby("before")["population"].agg(["sum", "size"])
    pop_after = frame.groupby("after")["population"].agg(["sum", "size"])
    codes = sorted(set(pop_before.index) | set(pop_after.index))
    icbs = pd.DataFrame({"code": codes, "name": [after.names.get(c, before.names.get(c, c))
                                                 for c in codes]})  # fmt: skip
    icbs["new"] = icbs["code"].isin(list(after.new_icbs))
    icbs["population_before"] = pop_before["sum"].reindex(codes, fill_value=0).to_numpy()
    icbs["population_after"] = pop_after["sum"].reindex(codes, fill_value=0).to_numpy()
    icbs["change"] = icbs["population_after"] - icbs["population_before"]
    icbs["lsoas_before"] = pop_before["size"].reindex(codes, fill_value=0).to_numpy()
    icbs["lsoas_after"] = pop_after["size"].reindex(codes, fill_value=0).to_numpy()
    if with_shapes:
        shapes = icb_shapes(data, after.icb)
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
        live = icbs.loc[icbs[f"population_{when}"] > 0, f"population_{when}"]
        out[when] = {
            "icbs": len(live),
            "min": int(live.min()),
            "max": int(live.max()),
            "ratio_max_min": float(live.max() / live.min()) if live.min() else None,
        }
    return out  # fmt: skip


def moved(data: VintageData, before: Assignment, after: Assignment) -> pd.DataFrame:
    """People and LSOAs moved, by from -> to."""
    changed = before.icb != after.icb
    frame = pd.DataFrame({"from_code": before.icb[changed], "to_code": after.icb[changed],
                          "population": data.table["population"].to_numpy()[changed]})  # fmt: skip
    grouped = frame.groupby(["from_code", "to_code"])["population"].agg(["sum", "size"])
    result = grouped.reset_index().rename(columns={"sum": "population", "size": "lsoas"})
    result.insert(1, "from_name", result["from_code"].map(before.names))
    result.insert(3, "to_name", result["to_code"].map(after.names))
    return result.sort_values("population", ascending=False, ignore_index=True)


def _icb_links(data: VintageData, layer: str) -> tuple[pd.Series, pd.Series]:
    """Per LA: how many ICBs it has people in, and its largest share."""
    pairs = split_table(data.table, layer, "icb")
    grouped = pairs.groupby("by_code")
    return grouped["across_code"].count(), grouped["share"].max()


def _baseline_cached(data: VintageData, key: str, compute: Any) -> Any:
    """The baseline side never changes for a loaded vintage: compute it once."""
    cache = data.cache.setdefault("scenario_baseline", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def la_changes(
    before: VintageData, after: VintageData, layer: str, baseline: bool = False
) -> pd.DataFrame:
    """Per LA of ``layer``: ICBs it must work with before/after, and whether it split.
    ``baseline``: ``before`` is the vintage's own ICBs (cached)."""
    counts = {}
    main = {}
    if baseline:
        counts["before"], main["before"] = _baseline_cached(
            before, f"links:{layer}", lambda: _icb_links(before, layer)
        )
    else:
        counts["before"], main["before"] = _icb_links(before, layer)
    counts["after"], main["after"] = _icb_links(after, layer)
    codes = sorted(counts["before"].index)
    frame = pd.DataFrame({"code": codes, "name": [before.names[layer][c] for c in codes]})
    for when in ("before", "after"):
        frame[f"icbs_{when}"] = counts[when].reindex(codes).to_numpy()
        frame[f"main_share_{when}"] = main[when].reindex(codes).to_numpy()
    frame["change"] = np.select(
        [(frame["icbs_before"] > 1) & (frame["icbs_after"] == 1),
         (frame["icbs_before"] == 1) & (frame["icbs_after"] > 1),
         frame["icbs_before"] != frame["icbs_after"]],
        ["became unsplit", "became split", "ICB count changed"], default="",
    )  # fmt: skip
    return frame


def typology_changes(
    before: VintageData, after: VintageData, baseline: bool = False
) -> pd.DataFrame:
    """UTLAs whose type or main ICB changes, with the numbers behind both."""
    columns = ["code", "name", "type", "main_icb_code", "main_icb_name", "main_share",
               "share_of_icb", "other_las"]  # fmt: skip
    old = (_baseline_cached(before, "typology", lambda: typology(before).frame) if baseline
           else typology(before).frame)[columns].set_index("code")  # fmt: skip
    new = typology(after).frame[columns].set_index("code")
    changed = (old["type"] != new["type"]) | (old["main_icb_code"] != new["main_icb_code"])
    changed |= (old["main_share"] - new["main_share"]).abs() > 1e-9
    joined = old.loc[changed].merge(new.loc[changed].drop(columns="name"), left_index=True,
                                    right_index=True, suffixes=("_before", "_after"))  # fmt: skip
    return joined.reset_index()


def evaluate(
    data: VintageData,
    scenario: Scenario,
    rules: RuleSet | None = None,
    with_shapes: bool = True,
    against: Scenario | None = None,
) -> Evaluation:
    """Every metric of ``scenario`` next to the baseline (or next to ``against``)."""
    before = resolve(data, against) if against is not None else baseline(data)
    after = resolve(data, scenario)
    before_data, after_data = before.apply(data), after.apply(data)
    icbs = icb_table(data, before, after, with_shapes)
    on_baseline = against is None
    utlas = la_changes(before_data if against else data, after_data, "utla", on_baseline)
    ltlas = la_changes(before_data if against else data, after_data, "ltla", on_baseline)
    summary_ = summary(icbs)
    summary_["utla_icb_links_before"] = int(utlas["icbs_before"].sum())
    summary_["utla_icb_links_after"] = int(utlas["icbs_after"].sum())
    summary_["lsoas_moved"] = int((before.icb != after.icb).sum())
    summary_["people_moved"] = int(
        data.table["population"].to_numpy()[before.icb != after.icb].sum()
    )
    rule_set = rules or RuleSet()
    if not with_shapes:  # only contiguity needs the outlines; every other rule still runs
        rule_set = replace(rule_set, contiguous=False)
    names = {**before.names, **after.names}
    sas = (authority_changes(data, before.icb, after.icb, rule_set.sa_status, names)
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
        typology_changes=typology_changes(
            before_data if against else data, after_data, on_baseline
        ),
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
        base_data = base.apply(data)
        icbs = icb_table(data, base, base, with_shapes=rule_set.contiguous)
        utlas = la_changes(base_data, base_data, "utla")
        sas = (authority_changes(data, base.icb, base.icb, rule_set.sa_status, base.names)
               if "sa" in data.layers else None)  # fmt: skip
        return rule_set.check(icbs, utlas, sas)

    if against is not None:
        return compute()
    result: list[RuleResult] = _baseline_cached(data, f"rules:{rule_set!r}", compute)
    return result
