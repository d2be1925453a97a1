"""Why a rule set has no answer, and the nearest one that has.

Pre-checks find the conflicts that need no solver and name the rule and the place: an
area that must stay whole but is bigger than the largest ICB allowed; a locked ICB that
a building unit straddles; more locked ICBs than ICBs allowed; too few or too many ICBs
for the population bounds; a piece of land with no link to the rest (an island) too
small to be an ICB of its own. When the solver finds a rule set infeasible beyond those,
the relaxation model (slack on each rule family) says which rules must give, and by how
much."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from .model import Milp
from .problem import Problem
from .rules import SolverSettings


@dataclass(frozen=True)
class Conflict:
    rule: str
    where: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _tie_names(problem: Problem, group: list[int]) -> str:
    """The areas that tie a group together: strategic authorities if any (they are the
    wider areas), else councils."""
    members = set(group)
    touching = [t for t in problem.ties if members & set(t.units)]
    wide = [t for t in touching if t.rule == "sa_within_one_icb"] or touching
    names = sorted({f"{t.name} ({t.code})" for t in wide})
    return ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def prechecks(problem: Problem) -> list[Conflict]:
    units, rules = problem.units, problem.rules
    found: list[Conflict] = []
    high, low = rules.max_icb_population, rules.min_icb_population
    total = problem.total_population
    for g, members in enumerate(problem.groups):
        size = problem.group_population(g)
        if high is not None and len(members) > 1 and size > high:
            found.append(
                Conflict(
                    "sa_within_one_icb"
                    if any(
                        t.rule == "sa_within_one_icb" and set(t.units) & set(members)
                        for t in problem.ties
                    )
                    else "council_within_one_icb",
                    _tie_names(problem, members),
                    f"{_tie_names(problem, members)} must lie within one ICB but hold(s) "
                    f"{size:,} people, above the maximum ICB population {high:,.0f}",
                )
            )
        elif high is not None and size > high:
            found.append(
                Conflict(
                    "icb_population",
                    units.label(members[0]),
                    f"the building unit {units.label(members[0])} alone has "
                    f"{size:,} people, above the maximum {high:,.0f}; use "
                    "finer units",
                )
            )
    for i in problem.locked:
        code = units.icbs[i]
        inside = units.by_icb[:, i]
        for g, members in enumerate(problem.groups):
            here = int(inside[members].sum())
            outside = problem.group_population(g) - here
            if here and outside:
                what = (
                    units.label(members[0]) if len(members) == 1 else _tie_names(problem, members)
                )
                found.append(
                    Conflict(
                        "locked",
                        code,
                        f"locked ICB {units.icb_names.get(code, code)} ({code}) "
                        f"cannot keep its boundary: {what} has {here:,} people "
                        f"in it and {outside:,} outside, and moves whole",
                    )
                )
        people = int(inside.sum())
        for bound, bad, word in (
            (low, low is not None and people < (low or 0), "below the minimum"),
            (high, high is not None and people > (high or 0), "above the maximum"),
        ):
            if bad:
                found.append(
                    Conflict(
                        "locked",
                        code,
                        f"locked ICB {code} has {people:,} people, {word} {bound:,.0f}",
                    )
                )
    limit = rules.exact_icbs if rules.exact_icbs is not None else rules.max_icbs
    if limit is not None and len(problem.locked) > limit:
        found.append(
            Conflict(
                "icb_count",
                f"{len(problem.locked)} locked ICBs",
                f"{len(problem.locked)} ICBs are locked but at most {limit} ICBs are allowed",
            )
        )
    if limit is not None and high is not None and limit * high < total:
        found.append(
            Conflict(
                "icb_count",
                "England",
                f"{limit} ICBs of at most {high:,.0f} people hold at most "
                f"{limit * high:,.0f}, fewer than the {total:,} people to "
                f"cover; at least {math.ceil(total / high)} ICBs are needed",
            )
        )
    if rules.exact_icbs is not None and low is not None and rules.exact_icbs * low > total:
        found.append(
            Conflict(
                "icb_count",
                "England",
                f"{rules.exact_icbs} ICBs of at least {low:,.0f} people need "
                f"{rules.exact_icbs * low:,.0f}, more than the {total:,} people",
            )
        )
    if rules.exact_icbs is not None and rules.exact_icbs > len(units.icbs):
        found.append(
            Conflict(
                "icb_count",
                "England",
                f"exactly {rules.exact_icbs} ICBs asked but the base has "
                f"{len(units.icbs)} and proposals do not create new ones",
            )
        )
    if rules.contiguous:
        parts = problem.graph.components()
        for part in parts[1:]:
            people = int(units.population[part].sum())
            names = ", ".join(units.label(u) for u in part[:4])
            if low is not None and people < low:
                found.append(
                    Conflict(
                        "icb_contiguous",
                        names,
                        f"{names} is land with no link to the rest ({people:,} "
                        f"people): a contiguous ICB holding it cannot reach the "
                        f"minimum {low:,.0f}",
                    )
                )
        if limit is not None and len(parts) > limit:
            found.append(
                Conflict(
                    "icb_contiguous",
                    "England",
                    f"the units form {len(parts)} unlinked pieces, so contiguous "
                    f"ICBs need at least {len(parts)}, above {limit}",
                )
            )
    return found


def nearest_relaxation(problem: Problem, settings: SolverSettings) -> list[str]:
    """The smallest set of rule changes (weighted by people) that admits an answer."""
    model = Milp(
        problem, replace(settings, time_limit_s=min(settings.time_limit_s, 30.0)), relax=True
    )
    result = model.solve()
    if result.status == "infeasible":
        return [
            "no answer even with population bounds, ties, ICB count and locks relaxed: "
            "the contiguity rule cannot be met with these units (drop it, or use units "
            "whose graph is connected)"
        ]
    if result.assignment is None:
        return [
            "the nearest relaxation was not found within the time limit; see the conflicts listed"
        ]
    units = problem.units
    people = np.bincount(result.assignment, weights=units.population, minlength=len(units.icbs))
    out = []
    for label, _ in result.slacks.get("population_above_max", []):
        i = units.icbs.index(label)
        out.append(
            f"raise the maximum ICB population to {people[i]:,.0f} "
            f"({units.icb_names.get(label, label)} would have that many)"
        )
    for label, _ in result.slacks.get("population_below_min", []):
        i = units.icbs.index(label)
        out.append(
            f"lower the minimum ICB population to {people[i]:,.0f} "
            f"({units.icb_names.get(label, label)} would have that many)"
        )
    for _label, value in result.slacks.get("icbs_over_count", []):
        out.append(f"allow {round(value)} more ICB(s)")
    for _label, value in result.slacks.get("icbs_under_count", []):
        out.append(f"allow {round(value)} fewer ICB(s)")
    names = {f"{t.rule}:{t.code}": t for t in problem.ties}
    for label, _ in result.slacks.get("ties_broken", []):
        tie = names[label]
        what = "council" if tie.rule == "council_within_one_icb" else "strategic authority"
        out.append(f"let the {what} {tie.name} ({tie.code}) span more than one ICB")
    for label, _ in result.slacks.get("locks_broken", []):
        out.append(f"unlock ICB {units.icb_names.get(label, label)} ({label})")
    return out or [
        "the rules admit an answer once contiguity is solved to the end: allow more time"
    ]
