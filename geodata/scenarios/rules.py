"""Design rules for a redraw, each pass/fail with the offending units listed.

Rules compose like GerryChain's ``Validator``: each is a small callable over the
evaluated scenario; a ``RuleSet`` runs the ones an evaluation asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import BoundaryLabError


@dataclass(frozen=True)
class RuleResult:
    rule: str
    description: str
    passed: bool
    offenders: list[dict[str, Any]] = field(default_factory=list)


Rule = Callable[[pd.DataFrame, pd.DataFrame], RuleResult]


def utla_within_one_icb() -> Rule:
    """The presumption of coterminosity with upper-tier councils (2021 ICS decisions)."""

    def rule(icbs: pd.DataFrame, utlas: pd.DataFrame) -> RuleResult:
        split = utlas.loc[utlas["icbs_after"] > 1]
        offenders = [{"code": r.code, "name": r.name, "icbs": int(r.icbs_after)}
                     for r in split.itertuples()]  # fmt: skip
        return RuleResult("utla_within_one_icb", "every upper-tier LA lies within one ICB",
                          not offenders, offenders)  # fmt: skip

    return rule


def icb_population_between(minimum: float | None, maximum: float | None) -> Rule:
    def rule(icbs: pd.DataFrame, utlas: pd.DataFrame) -> RuleResult:
        population = icbs["population_after"]
        bad = icbs.loc[(population > 0) & (
            ((population < minimum) if minimum is not None else False)
            | ((population > maximum) if maximum is not None else False))]  # fmt: skip
        bounds = " and ".join(
            text for text in (f"at least {minimum:,.0f}" if minimum is not None else "",
                              f"at most {maximum:,.0f}" if maximum is not None else "") if text
        )  # fmt: skip
        offenders = [{"code": r.code, "name": r.name, "population": int(r.population_after)}
                     for r in bad.itertuples()]  # fmt: skip
        return RuleResult("icb_population", f"every ICB has {bounds} people", not offenders,
                          offenders)  # fmt: skip

    return rule


def icbs_contiguous() -> Rule:
    """No exclaves; islands (sea between) are reported in the ICB table, not failures."""

    def rule(icbs: pd.DataFrame, utlas: pd.DataFrame) -> RuleResult:
        bad = icbs.loc[(icbs["population_after"] > 0) & (icbs["exclaves_after"] > 0)]
        offenders = [{"code": r.code, "name": r.name, "exclaves": int(r.exclaves_after)}
                     for r in bad.itertuples()]  # fmt: skip
        return RuleResult("icb_contiguous", "every ICB is contiguous (islands allowed)",
                          not offenders, offenders)  # fmt: skip

    return rule


def sa_within_one_icb() -> Callable[[pd.DataFrame], RuleResult]:
    """The 2025-26 design principle: no strategic authority is split between ICBs. Takes
    the per-authority table (``geodata.alignment.authority_changes``); each offender
    comes with its ICBs and the share of its people in each."""

    def rule(sas: pd.DataFrame) -> RuleResult:
        split = sas.loc[sas["icbs_after"] > 1]
        offenders = [{"code": r.code, "name": r.name, "icbs": int(r.icbs_after),
                      "shares": [{"icb_code": p["code"], "icb_name": p["name"],
                                  "share": p["share"]} for p in r.parts_after]}
                     for r in split.itertuples()]  # fmt: skip
        return RuleResult("sa_within_one_icb",
                          "no strategic authority is split between ICBs", not offenders,
                          offenders)  # fmt: skip

    return rule


@dataclass(frozen=True)
class RuleSet:
    """Which rules to apply; the defaults are the review's presumptions."""

    utla_within_one_icb: bool = True
    min_icb_population: float | None = 1_000_000
    max_icb_population: float | None = None
    contiguous: bool = True
    #: Applied where the vintage has strategic authorities (sa); ``sa_status`` says which.
    sa_within_one_icb: bool = True
    sa_status: str = "all"

    def __post_init__(self) -> None:
        low, high = self.min_icb_population, self.max_icb_population
        if (low is not None and low < 0) or (high is not None and high < 0):
            raise BoundaryLabError("ICB population bounds must be 0 or more")
        if low is not None and high is not None and low > high:
            raise BoundaryLabError(f"min ICB population {low:,.0f} is above the max {high:,.0f}")
        if self.sa_status not in ("all", "established"):
            raise BoundaryLabError(f"sa_status must be all or established, got {self.sa_status!r}")

    def rules(self) -> list[Rule]:
        chosen = []
        if self.utla_within_one_icb:
            chosen.append(utla_within_one_icb())
        if self.min_icb_population is not None or self.max_icb_population is not None:
            chosen.append(icb_population_between(self.min_icb_population,
                                                 self.max_icb_population))  # fmt: skip
        if self.contiguous:
            chosen.append(icbs_contiguous())
        return chosen

    def check(
        self, icbs: pd.DataFrame, utlas: pd.DataFrame, sas: pd.DataFrame | None = None
    ) -> list[RuleResult]:
        """``sas``: per strategic authority, its ICBs after (None: the vintage has none)."""
        results = [rule(icbs, utlas) for rule in self.rules()]
        if self.sa_within_one_icb and sas is not None:
            results.append(sa_within_one_icb()(sas))
        return results
