"""Propose a redraw: build the problem, check it, solve it, and return the answer as an
ordinary scenario of moves (evaluated like any other) with the rules, the solver
settings and the result recorded in its notes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np

from ..errors import BoundaryLabError
from ..scenarios.model import NEW_ICB_TARGET, Move, Scenario
from ..scenarios.resolve import Assignment, baseline, resolve
from ..store import VintageData
from .explain import Conflict, nearest_relaxation, prechecks
from .heuristic import heuristic
from .model import Milp, Progress
from .problem import Problem, make_problem, people_moved
from .rules import ProposalRules, SolverSettings

METHOD = (
    "Proposal: a mixed-integer programme over whole building units (HiGHS via highspy): "
    "fewest people moved from the base ICBs (a unit partly in its new ICB moves only the "
    "people not already there), subject to the chosen rules; contiguity on the unit "
    "adjacency graph from shared LSOA boundaries (islands linked to the nearest unit of "
    "the ICB that serves them) by lazily added separator cuts."
)


class InfeasibleProposal(BoundaryLabError):
    """The rules admit no answer: carries the conflicts and the nearest relaxation."""

    def __init__(self, rules: ProposalRules, conflicts: list[Conflict], relaxation: list[str]):
        self.rules, self.conflicts, self.relaxation = rules, conflicts, relaxation
        first = conflicts[0].message if conflicts else "the solver proved the rules infeasible"
        more = f" (and {len(conflicts) - 1} more conflict(s))" if len(conflicts) > 1 else ""
        nearest = f"; nearest feasible: {'; '.join(relaxation)}" if relaxation else ""
        super().__init__(f"no redraw meets these rules: {first}{more}{nearest}")

    def details(self) -> dict[str, Any]:
        return {
            "conflicts": [c.as_dict() for c in self.conflicts],
            "nearest_feasible_relaxation": self.relaxation,
        }


@dataclass(frozen=True)
class Proposal:
    scenario: Scenario
    rules: ProposalRules
    settings: SolverSettings
    status: str  # optimal | feasible (time limit: see gap)
    objective: float
    people_moved: int
    bound: float | None
    gap: float | None
    seconds: float
    rounds: int
    cuts: int
    variables: int
    constraints: int
    icbs_used: int
    heuristic: dict[str, Any]
    island_links: list[dict[str, Any]] = field(default_factory=list)
    base: str = "vintage"

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "proven_optimal": self.proven_optimal,
            "objective": self.objective,
            "people_moved": self.people_moved,
            "bound": self.bound,
            "gap": self.gap,
            "solve_seconds": round(self.seconds, 3),
            "rounds": self.rounds,
            "contiguity_cuts": self.cuts,
            "variables": self.variables,
            "constraints": self.constraints,
            "icbs_used": self.icbs_used,
            "base": self.base,
            "rules": self.rules.as_dict(),
            "solver": solver_record(self.settings),
            "heuristic": self.heuristic,
            "island_links": self.island_links,
            "moves": len(self.scenario.moves),
            "method": METHOD,
        }


def solver_record(settings: SolverSettings) -> dict[str, Any]:
    return {"name": "HiGHS", "version": _highs_version(), **settings.as_dict()}


def _highs_version() -> str:
    try:
        from importlib.metadata import version

        return version("highspy")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return getattr(highspy, "__version__", "unknown")


def _moves(
    data: VintageData, problem: Problem, assignment: np.ndarray, names: dict[str, str]
) -> list[Move]:
    """Moves that give every LSOA its unit's ICB, from the vintage's own ICBs: units
    already wholly in their ICB need none; a strategic authority moves as its districts."""
    units = problem.units
    vintage_icb = data.table["icb_code"].astype(str).to_numpy()
    existing = set(data.names["icb"])
    ltla = data.table["ltla_code"].astype(str).to_numpy()
    lsoa = data.table["lsoa_code"].astype(str).to_numpy()
    moves = []
    for u in range(len(units)):
        code = units.icbs[int(assignment[u])]
        rows = np.flatnonzero(units.block_unit == u)
        if (vintage_icb[rows] == code).all():
            continue
        to_icb = code if code in existing else f"{NEW_ICB_TARGET}{names.get(code, code)}"
        if units.layers[u] != "sa":
            moves.append(Move(units.layers[u], units.codes[u], to_icb))
            continue
        for district in sorted(set(ltla[rows])):
            whole = ltla == district
            if (units.block_unit[whole] == u).all():
                if not (vintage_icb[whole] == code).all():
                    moves.append(Move("ltla", district, to_icb))
            else:
                moves.extend(Move("lsoa", c, to_icb) for c in lsoa[rows][ltla[rows] == district])
    return moves


def builtin_base(data: VintageData, ref: str) -> Scenario:
    """A built-in scenario of ``data`` (``builtin-2027-mergers``) to start a proposal from."""
    from ..scenarios.builtin import get_builtin

    return get_builtin(data, ref).scenario


#: The warm-start stage: units may join ICBs within this many steps of them.
WARM_REACH = 2
WARM_SHARE = 0.25  # of the time limit, at most


def _warm_start(
    problem: Problem, settings: SolverSettings, start: np.ndarray | None, say: Progress
) -> np.ndarray | None:
    """Solve the same rules with each unit limited to nearby ICBs first: a far smaller
    model whose answer is feasible for the full one, so the full solve starts from it and
    spends its time on the proof. Deterministic like the rest (same seed, fixed budget)."""
    stage = replace(
        settings, reach=WARM_REACH, time_limit_s=max(1.0, settings.time_limit_s * WARM_SHARE)
    )
    model = Milp(problem, stage)
    result = model.solve(start if start is not None and model.allows(start) else None)
    if result.assignment is None:
        return start
    better = start is None or people_moved(problem, result.assignment) <= people_moved(
        problem, start
    )
    say(
        f"warm start (ICBs within {WARM_REACH} steps): objective {result.objective:,.0f}, "
        f"{result.status}"
    )
    return result.assignment if better else start


def propose(
    data: VintageData,
    rules: ProposalRules,
    settings: SolverSettings | None = None,
    base: Scenario | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> Proposal:
    """The fewest-people-moved redraw of ``base`` (the vintage's ICBs by default) meeting
    ``rules``; raises ``InfeasibleProposal`` with the conflicts and nearest relaxation."""
    settings = settings or SolverSettings()
    say = progress or (lambda _message: None)
    began = time.perf_counter()
    start: Assignment = resolve(data, base) if base is not None else baseline(data)
    problem = make_problem(data, rules, np.asarray(start.icb, dtype=str), start.names)
    say(
        f"{len(problem.units)} units ({rules.units}), {len(problem.groups)} groups, "
        f"{len(problem.graph.edges)} adjacencies, {len(problem.units.icbs)} base ICBs"
    )
    conflicts = prechecks(problem)
    if conflicts:
        raise InfeasibleProposal(rules, conflicts, nearest_relaxation(problem, settings))
    baseline_answer = heuristic(problem)
    say(
        f"heuristic: {baseline_answer.people_moved:,} people moved, "
        + (
            "feasible"
            if baseline_answer.feasible
            else f"infeasible ({len(baseline_answer.violations)} rule breach(es))"
        )
    )
    warm = baseline_answer.assignment if baseline_answer.feasible else None
    full = settings
    if settings.reach is None:
        staged = time.perf_counter()
        warm = _warm_start(problem, settings, warm, say)
        spent = time.perf_counter() - staged
        full = replace(settings, time_limit_s=max(1.0, settings.time_limit_s - spent))
    model = Milp(problem, full)
    say(f"model: {model.size[0]:,} variables, {model.size[1]:,} constraints")
    result = model.solve(warm, say)
    if result.status == "infeasible":
        raise InfeasibleProposal(rules, [], nearest_relaxation(problem, settings))
    if result.assignment is None:
        raise BoundaryLabError(
            f"no answer found within the time limit of {settings.time_limit_s:g} s (the "
            "rules may still be feasible): allow more time or set solver reach"
        )
    assignment = result.assignment
    moved = people_moved(problem, assignment)
    record = {
        "rules": rules.as_dict(),
        "solver": solver_record(settings),
        "status": result.status,
        "objective": result.objective,
        "gap": result.gap,
        "people_moved_from_base": moved,
    }
    verdict = (
        "proven optimal"
        if result.status == "optimal"
        else f"best found in the time limit, gap {result.gap or 0:.2%}"
    )
    base_label = "vintage" if base is None else f"scenario {base.name!r}"
    scenario = Scenario(
        vintage=data.name,
        name=name or rules.name(),
        moves=tuple(_moves(data, problem, assignment, start.names)),
        description=(
            f"Proposed by boundary-lab propose from the {base_label} ICBs: "
            f"{verdict}; "
            f"{moved:,} people moved."
        ),
        notes=(f"proposal: {json.dumps(record, sort_keys=True)}", METHOD),
    )
    links = [
        {
            "island": [problem.units.label(u) for u in link.island],
            "linked_to": problem.units.label(link.to_unit),
            "distance_m": round(link.distance_m),
            "via_icb": link.via_icb,
        }
        for link in problem.graph.links
    ]
    return Proposal(
        scenario=scenario,
        rules=rules,
        settings=settings,
        status=result.status,
        objective=float(result.objective or 0.0),
        people_moved=moved,
        bound=result.bound,
        gap=result.gap,
        seconds=time.perf_counter() - began,
        rounds=result.rounds,
        cuts=result.cuts,
        variables=result.variables,
        constraints=result.constraints,
        icbs_used=len(set(int(a) for a in assignment)),
        heuristic={
            "people_moved": baseline_answer.people_moved,
            "feasible": baseline_answer.feasible,
            "violations": baseline_answer.violations[:10],
            "seconds": round(baseline_answer.seconds, 3),
        },
        island_links=links,
        base=base_label,
    )
