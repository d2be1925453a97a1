"""The coterminosity typology of councils and ICSs (see ``domain.md``).

Types, for each upper-tier LA (or LTLA on request), with ``t = Thresholds()``:

1. coterminous: at least ``t.la_in_icb`` of the LA's population is in one ICS, and the LA
   is at least ``t.la_of_icb`` of that ICS's population;
2. shares its ICS with 1-2 other LAs: as 1 on the LA's side, and the ICS serves one or
   two other LAs;
3. shares its ICS with 3+ other LAs;
4. split: less than ``t.la_in_icb`` lies in its main ICS, so 5%+ (by default) lies in one
   or more additional ICSs.

Counting "other LAs" (ambiguous in the research): by default another LA counts as served
by the ICS only when it lies mostly within it, at the same threshold as an LA's own main
ICS (``t.la_in_icb``, 95% of *that LA's own* population). This is the reading that
reproduces the research's own counts. The alternative reading counts an LA with at least
``t.other_la_min_share`` (e.g. 5%) of its own population in the ICS: Essex then counts for
Hertfordshire and West Essex (21% of Essex lives there). An LA that is not type 1 yet
finds no other LA counted is type 2, and its notes say who else lives in its ICS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import BoundaryLabError
from .output import short_name
from .provenance import Provenance
from .splits import split_table
from .store import VintageData

TYPE_LABELS = {
    1: "coterminous",
    2: "shares its ICS with 1-2 other LAs",
    3: "shares its ICS with 3+ other LAs",
    4: "split over several ICSs",
}


@dataclass(frozen=True)
class Thresholds:
    la_in_icb: float = 0.95
    la_of_icb: float = 0.95
    #: None (the default): another LA counts when it lies mostly within the ICS, at
    #: ``la_in_icb``; a fraction: when at least that much of its own population does.
    other_la_min_share: float | None = None
    near_coterminous: float = 0.85
    technicality: float = 0.01
    #: another LA's people in an ICS under this share of the ICS are called "slivers"
    sliver: float = 0.05

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value is not None and not 0.0 <= value <= 1.0:
                raise BoundaryLabError(f"threshold {name} must be a fraction 0..1, got {value}")

    @property
    def other_la_share(self) -> float:
        """The share of another LA's own population that must be in the ICS to count it."""
        return self.la_in_icb if self.other_la_min_share is None else self.other_la_min_share

    def other_la_rule(self) -> str:
        """How other LAs are counted, in words."""
        if self.other_la_min_share is None:
            return (f"an LA counts when it lies mostly within that ICS ({self.la_in_icb:.0%}+ "
                    "of its own population)")  # fmt: skip
        share = self.other_la_min_share
        return f"an LA counts when {share:.0%}+ of its own population is in that ICS"


@dataclass(frozen=True)
class TypologyResult:
    la_layer: str
    frame: pd.DataFrame
    thresholds: Thresholds
    provenance: Provenance


def _method(t: Thresholds, la_layer: str) -> str:
    return (
        f"Coterminosity typology of each {la_layer.upper()} by LSOA population: type 1 when "
        f"{t.la_in_icb:.0%}+ of the LA is in one ICS and the LA is {t.la_of_icb:.0%}+ of it; "
        f"types 2/3 when {t.la_in_icb:.0%}+ is in one ICS that serves 1-2 / 3+ other LAs "
        f"({t.other_la_rule()}); type 4 when under {t.la_in_icb:.0%} is in its main ICS."
    )


def classify(main_share: float, share_of_icb: float, other_las: int, t: Thresholds) -> int:
    if main_share < t.la_in_icb:
        return 4
    if share_of_icb >= t.la_of_icb:
        return 1
    return 2 if other_las <= 2 else 3


def _notes(
    row: dict[str, Any],
    elsewhere: list[dict[str, Any]],
    uncounted: list[tuple[str, float]],
    t: Thresholds,
) -> list[str]:
    """``uncounted``: (name, share of the main ICS's people) of the other LAs living in
    the main ICS that the counting rule leaves out, largest first."""
    notes = []
    if row["type"] != 1 and row["main_share"] >= t.la_in_icb:
        if row["share_of_icb"] >= t.near_coterminous:
            notes.append(f"near-coterminous: the LA is {row['share_of_icb']:.1%} of its ICS")
        if row["other_las"] == 0:
            notes.append(_uncounted_note(uncounted, t))
    if row["type"] == 4 and row["share_of_icb"] >= t.near_coterminous:
        notes.append(f"split, yet the LA is {row['share_of_icb']:.1%} of its main ICS "
                     f"({short_name(row['main_icb_name'])})")  # fmt: skip
    for part in elsewhere:
        if row["type"] == 4:
            continue
        kind = "a technicality" if part["share"] < t.technicality else "below the split threshold"
        notes.append(f"{part['share']:.2%} in {short_name(part['icb_name'])} ({kind})")
    return notes


def _uncounted_note(uncounted: list[tuple[str, float]], t: Thresholds) -> str:
    """Who else lives in the ICS though not counted: named with their share of the ICS's
    people; only those under the technicality threshold are called slivers."""
    larger = [f"{name} ({share:.1%} of the ICS's people)" for name, share in uncounted
              if share >= t.sliver]  # fmt: skip
    slivers = sum(1 for _, share in uncounted if share < t.sliver)
    parts = []
    if larger:
        parts.append("no other LA counted; also in its ICS, but lying mostly elsewhere: "
                     + ", ".join(larger))  # fmt: skip
    if slivers:
        parts.append(f"slivers of {slivers} other LA{'s' if slivers > 1 else ''} "
                     f"(each under {t.sliver:.0%} of the ICS's people)")  # fmt: skip
    return "; ".join(parts) if parts else "no other LA in its ICS"


def typology(
    data: VintageData, thresholds: Thresholds | None = None, la_layer: str = "utla"
) -> TypologyResult:
    """Type 1-4 of every LA with the shares behind it."""
    t = thresholds or Thresholds()
    data.check_layer(la_layer)
    data.check_layer("icb")
    pairs = split_table(data.table, la_layer, "icb")
    la, icb = pairs["by_code"].to_numpy(), pairs["across_code"].to_numpy()
    population, share = pairs["population"].to_numpy(), pairs["share"].to_numpy()
    la_population = pairs["by_population"].to_numpy()
    icb_totals = pairs.groupby("across_code")["population"].sum().to_dict()
    # The LAs each ICS serves: those with enough of their own population in it.
    counted = share >= t.other_la_share
    served: dict[str, list[str]] = {}
    for la_code, icb_code in zip(la[counted], icb[counted], strict=True):
        served.setdefault(icb_code, []).append(la_code)
    # Every LA living in each ICS, with its people there: for the notes.
    present: dict[str, list[tuple[str, float]]] = {}
    for la_code, icb_code, people in zip(la, icb, population, strict=True):
        present.setdefault(icb_code, []).append((la_code, float(people)))
    la_names, icb_names = data.names[la_layer], data.names["icb"]

    # split_table sorts by LA, largest share first: each LA's rows are one run.
    starts = np.flatnonzero(np.r_[True, la[1:] != la[:-1]])
    ends = np.r_[starts[1:], len(la)]
    rows = []
    for first, stop in zip(starts, ends, strict=True):
        la_code, main_icb = la[first], icb[first]
        others = [c for c in served.get(main_icb, []) if c != la_code]
        total = icb_totals[main_icb]
        row: dict[str, Any] = {
            "code": la_code,
            "name": la_names[la_code],
            "population": la_population[first],
            "main_icb_code": main_icb,
            "main_icb_name": icb_names[main_icb],
            "main_share": float(share[first]),
            "share_of_icb": float(population[first] / total) if total else 0.0,
            "other_las": len(others),
            "other_la_names": sorted(la_names[c] for c in others),
            "icb_count": int(stop - first),
        }
        row["type"] = classify(row["main_share"], row["share_of_icb"], len(others), t)
        row["type_label"] = TYPE_LABELS[row["type"]]
        elsewhere = [
            {"icb_code": icb[i], "icb_name": icb_names[icb[i]], "share": float(share[i])}
            for i in range(first + 1, stop)
        ]
        row["elsewhere"] = elsewhere
        uncounted = sorted(
            ((la_names[c], people / total if total else 0.0)
             for c, people in present.get(main_icb, []) if c != la_code and c not in others),
            key=lambda item: -item[1],
        )  # fmt: skip
        row["notes"] = _notes(row, elsewhere, uncounted, t)
        rows.append(row)

    columns = [
        "code", "name", "type", "type_label", "main_icb_code", "main_icb_name", "main_share",
        "share_of_icb", "other_las", "other_la_names", "icb_count", "elsewhere", "population",
        "notes",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        raise BoundaryLabError(f"no {la_layer} units in vintage {data.name}")
    return TypologyResult(la_layer, frame, t, Provenance.of(data.meta, _method(t, la_layer)))
