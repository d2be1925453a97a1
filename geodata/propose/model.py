"""The proposal as a mixed-integer programme, solved by HiGHS (highspy).

Variables: ``x[g, i]`` = 1 when group ``g`` (units a rule ties together; a lone unit
otherwise) joins ICB ``i``; ``y[i]`` = 1 when ICB ``i`` is used; ``z[e]`` = 1 when the
units of edge ``e`` lie in different ICBs (only with a compactness weight).

Objective: people moved, ``sum (population_g - people of g already in i) * x[g, i]``,
plus ``weight_icbs * sum y`` and ``weight_compactness * sum km_e * z[e]``.

Rules: each group in one ICB; ``min * y[i] <= population_i <= max * y[i]``; at most /
exactly K ICBs used; locked ICBs keep exactly their units. Contiguity is added lazily:
solve, find ICBs whose units are not connected in the unit graph, add for each detached
component C the separator cut ``x[a, i] + x[b, i] - 1 <= sum of x[c, i] over the
neighbours c of C`` (a in C, b in the ICB's main component: any path from a to b leaves
C through a neighbour), and solve again. Every round's model is a relaxation of the
true one, so its dual bound is a valid lower bound; a round whose optimum is connected
is optimal for the full problem.

``relax=True`` builds the nearest-feasible-relaxation model: each rule family gets slack
(people outside the population bounds, ties broken, ICBs over the count, locks broken)
whose weighted sum is minimised first; infeasibility explanations read which slacks the
answer needs.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import highspy
import numpy as np

from .heuristic import heuristic
from .problem import Problem
from .rules import SolverSettings

INF = highspy.kHighsInf
MAX_ROUNDS = 500
#: Relaxation penalties, in 'people' so they read alongside people moved. Breaking a
#: rule always costs more than moving everyone: moves only break ties between relaxations.
RELAX_WEIGHT = 1_000.0

Progress = Callable[[str], None]


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """HiGHS prints its banner on C stdout; keep stdout clean for --format json."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@dataclass
class _Rows:
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def add(self, cols: list[int], vals: list[float], lower: float, upper: float) -> None:
        self.index.extend(cols)
        self.value.extend(vals)
        self.starts.append(len(self.index))
        self.lower.append(lower)
        self.upper.append(upper)

    def __len__(self) -> int:
        return len(self.lower)


@dataclass
class SolveResult:
    status: str  # optimal | feasible | infeasible | no_solution
    assignment: np.ndarray | None  # per unit: the index of its ICB
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    rounds: int
    cuts: int
    variables: int
    constraints: int
    slacks: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"


class Milp:
    """One proposal model in HiGHS; ``solve`` runs the contiguity cut loop."""

    def __init__(self, problem: Problem, settings: SolverSettings, relax: bool = False) -> None:
        self.problem, self.settings, self.relax = problem, settings, relax
        units, rules = problem.units, problem.rules
        n, m = len(units), len(units.icbs)
        # Contract each group to one variable unless relaxing (then ties may break).
        self.var_groups = [[u] for u in range(n)] if relax else problem.groups
        self.var_of = np.zeros(n, dtype=np.int64)
        for g, members in enumerate(self.var_groups):
            self.var_of[members] = g
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.x: dict[tuple[int, int], int] = {}
        self.candidates = self._candidates()
        moved_weight = 1.0 / RELAX_WEIGHT if relax else 1.0
        for g, members in enumerate(self.var_groups):
            population = units.population[members].sum()
            for i in self.candidates[g]:
                stays = units.by_icb[members, i].sum()
                self.x[g, i] = self._col(float(population - stays) * moved_weight)
        counting = rules.max_icbs is not None or rules.exact_icbs is not None
        self.y = [self._col(rules.weight_icbs * moved_weight) for _ in range(m)]
        self.rows = _Rows()
        self.slack: dict[str, list[tuple[str, int]]] = {}
        for g in range(len(self.var_groups)):
            cols = [self.x[g, i] for i in self.candidates[g]]
            self.rows.add(cols, [1.0] * len(cols), 1.0, 1.0)
        self._population_rows()
        if counting or rules.weight_icbs:
            for (_, i), col in self.x.items():
                self.rows.add([col, self.y[i]], [1.0, -1.0], -INF, 0.0)
        if counting:
            self._count_rows()
        if relax:
            self._tie_rows()
            self._lock_rows()
        if rules.contiguous and rules.min_icb_population is not None:
            self._neighbour_rows(rules.min_icb_population)
        self.edges_cut = self._compactness_rows() if rules.weight_compactness else []
        self.highs = self._pass_model()
        self.cuts = 0

    # -- columns and candidates -------------------------------------------------------
    def _col(self, cost: float, upper: float = 1.0, integer: bool = True) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def _candidates(self) -> list[list[int]]:
        """The ICBs each variable group may join: all (or within ``reach`` steps), less
        locked ICBs it is not part of; a group in a locked ICB stays there."""
        units, m = self.problem.units, len(self.problem.units.icbs)
        locked = set(self.problem.locked)
        reach = self.settings.reach
        neighbours = self.problem.graph.neighbours() if reach is not None else []
        out = []
        for members in self.var_groups:
            present = {int(i) for i in np.flatnonzero(units.by_icb[members].sum(axis=0))}
            if not self.relax and present & locked:
                out.append(sorted(present & locked)[:1])
                continue
            if reach is None:
                allowed = set(range(m))
            else:
                near, frontier = set(members), set(members)
                for _ in range(reach):
                    frontier = {v for u in frontier for v in neighbours[u]} - near
                    near |= frontier
                allowed = {int(i) for i in np.flatnonzero(units.by_icb[sorted(near)].sum(axis=0))}
            if not self.relax:
                allowed -= locked
            out.append(sorted(allowed | present))
        return out

    # -- rule rows --------------------------------------------------------------------
    def _population_rows(self) -> None:
        units, rules = self.problem.units, self.problem.rules
        low = rules.min_icb_population
        high = rules.max_icb_population
        big = float(self.problem.total_population)
        by_icb: dict[int, list[tuple[int, float]]] = {}
        for (g, i), col in self.x.items():
            by_icb.setdefault(i, []).append(
                (col, float(units.population[self.var_groups[g]].sum()))
            )
        self.slack["population_below_min"] = []
        self.slack["population_above_max"] = []
        for i, terms in sorted(by_icb.items()):
            cols = [c for c, _ in terms]
            pops = [p for _, p in terms]
            label = units.icbs[i]
            if low is not None:
                extra_c, extra_v = [], []
                if self.relax:
                    s = self._col(1.0, upper=INF, integer=False)
                    self.slack["population_below_min"].append((label, s))
                    extra_c, extra_v = [s], [1.0]
                self.rows.add(cols + [self.y[i]] + extra_c, pops + [-low] + extra_v, 0.0, INF)
            cap = high if high is not None else big
            extra_c, extra_v = [], []
            if self.relax and high is not None:
                s = self._col(1.0, upper=INF, integer=False)
                self.slack["population_above_max"].append((label, s))
                extra_c, extra_v = [s], [-1.0]
            self.rows.add(cols + [self.y[i]] + extra_c, pops + [-cap] + extra_v, -INF, 0.0)

    def _neighbour_rows(self, low: float) -> None:
        """A group too small to be an ICB alone needs a neighbour in its ICB:
        ``x[g, i] <= sum of x[h, i]`` over neighbouring groups h. Valid for every contiguous
        answer, and it removes at once the isolated 'teleports' cuts would meet one by one."""
        units = self.problem.units
        neighbours = self.problem.graph.neighbours()
        for g, members in enumerate(self.var_groups):
            if units.population[members].sum() >= low:
                continue
            near = {int(self.var_of[v]) for u in members for v in neighbours[u]} - {g}
            for i in self.candidates[g]:
                cols = [self.x[h, i] for h in sorted(near) if (h, i) in self.x]
                self.rows.add([self.x[g, i], *cols], [1.0] + [-1.0] * len(cols), -INF, 0.0)

    def _count_rows(self) -> None:
        rules = self.problem.rules
        target = rules.exact_icbs if rules.exact_icbs is not None else rules.max_icbs
        assert target is not None
        cols, vals = list(self.y), [1.0] * len(self.y)
        low = float(target) if rules.exact_icbs is not None else -INF
        if self.relax:
            over = self._col(1_000_000.0, upper=INF)
            self.slack["icbs_over_count"] = [("ICBs", over)]
            cols, vals = cols + [over], vals + [-1.0]
            if rules.exact_icbs is not None:
                under = self._col(1_000_000.0, upper=INF)
                self.slack["icbs_under_count"] = [("ICBs", under)]
                cols, vals = cols + [under], vals + [1.0]
        self.rows.add(cols, vals, low, float(target))

    def _tie_rows(self) -> None:
        """Relaxation only: a tie may break, at the cost of the people it covers."""
        units = self.problem.units
        self.slack["ties_broken"] = []
        for tie in self.problem.ties:
            if len(tie.units) < 2:
                continue
            broken = self._col(float(units.population[tie.units].sum()))
            self.slack["ties_broken"].append((f"{tie.rule}:{tie.code}", broken))
            first = tie.units[0]
            for u in tie.units[1:]:
                for i in set(self.candidates[first]) | set(self.candidates[u]):
                    a, b = self.x.get((first, i)), self.x.get((u, i))
                    cols = [c for c in (a, b) if c is not None]
                    vals = [v for c, v in ((a, 1.0), (b, -1.0)) if c is not None]
                    self.rows.add(cols + [broken], vals + [-1.0], -INF, 0.0)
                    self.rows.add(cols + [broken], [-v for v in vals] + [-1.0], -INF, 0.0)

    def _lock_rows(self) -> None:
        units = self.problem.units
        self.slack["locks_broken"] = []
        n = len(units)
        for i in self.problem.locked:
            broken = self._col(float(units.by_icb[:, i].sum()))
            self.slack["locks_broken"].append((units.icbs[i], broken))
            outside = []
            for u in range(n):
                col = self.x.get((u, i))
                if units.by_icb[u, i] > 0 and col is not None:
                    self.rows.add([col, broken], [1.0, 1.0], 1.0, INF)
                elif col is not None:
                    outside.append(col)
            if outside:
                self.rows.add(outside + [broken], [1.0] * len(outside) + [-float(n)], -INF, 0.0)

    def _compactness_rows(self) -> list[tuple[int, int, int]]:
        graph, weight = self.problem.graph, self.problem.rules.weight_compactness
        cut_edges = []
        for (u, v), metres in zip(graph.edges, graph.shared_m, strict=True):
            gu, gv = self.var_of[u], self.var_of[v]
            if gu == gv or metres <= 0:
                continue
            z = self._col(
                weight * metres / 1000.0 / (RELAX_WEIGHT if self.relax else 1.0), integer=False
            )
            cut_edges.append((int(u), int(v), z))
            for i in self.candidates[gu]:
                cols, vals = [z, self.x[gu, i]], [1.0, -1.0]
                if (gv, i) in self.x:
                    cols, vals = cols + [self.x[gv, i]], vals + [1.0]
                self.rows.add(cols, vals, 0.0, INF)
        return cut_edges

    def _pass_model(self) -> highspy.Highs:
        with _stdout_to_stderr():
            highs = highspy.Highs()
        for option, value in self.solver_options().items():
            highs.setOptionValue(option, value)
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.rows)
        lp.col_cost_ = np.asarray(self.cost, dtype=float)
        lp.col_lower_ = np.zeros(len(self.cost))
        lp.col_upper_ = np.asarray(self.upper, dtype=float)
        lp.row_lower_ = np.asarray(self.rows.lower, dtype=float)
        lp.row_upper_ = np.asarray(self.rows.upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.asarray(self.rows.starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.asarray(self.rows.index, dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray(self.rows.value, dtype=float)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in self.integer
        ]
        highs.passModel(lp)
        return highs

    def solver_options(self) -> dict[str, bool | float | int | str]:
        return {
            "output_flag": False,
            "random_seed": self.settings.seed,
            "threads": self.settings.threads,
            "mip_rel_gap": self.settings.mip_rel_gap,
            "mip_abs_gap": 1e-6,
        }

    @property
    def size(self) -> tuple[int, int]:
        return self.highs.getNumCol(), self.highs.getNumRow()

    # -- solving ----------------------------------------------------------------------
    def _values_for(self, assignment: np.ndarray) -> np.ndarray:
        """A full column vector for a unit assignment (for warm starts)."""
        values = np.zeros(len(self.cost))
        for g, members in enumerate(self.var_groups):
            i = int(assignment[members[0]])
            values[self.x[g, i]] = 1.0
        for i in set(int(a) for a in assignment):
            values[self.y[i]] = 1.0
        for u, v, z in self.edges_cut:
            values[z] = float(assignment[u] != assignment[v])
        return values

    def _assignment(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.problem.units), dtype=np.int64)
        for g, members in enumerate(self.var_groups):
            best = max(self.candidates[g], key=lambda i: values[self.x[g, i]])
            out[members] = best
        return out

    def _separator(self, part: list[int], target: int, neighbours: list[list[int]]) -> list[int]:
        """A minimal set of units separating ``part`` from unit ``target``: the
        neighbours of ``part`` that touch the piece of the graph holding ``target`` once
        those neighbours are removed (smaller separators make stronger cuts)."""
        inside = set(part)
        around = {v for u in part for v in neighbours[u]} - inside
        seen, stack = {target}, [target]
        while stack:
            for v in neighbours[stack.pop()]:
                if v not in seen and v not in around and v not in inside:
                    seen.add(v)
                    stack.append(v)
        return sorted(c for c in around if any(v in seen for v in neighbours[c]))

    def _connectivity_cuts(self, assignment: np.ndarray) -> int:
        """For every ICB in pieces, and every ordered pair of its pieces (P, Q): for each
        unit a of P and the largest unit b of Q, ``x[a,i] + x[b,i] - 1 <= sum of x[c,i]``
        over a minimal separator c of P from b. Returns how many cuts were added."""
        graph, units = self.problem.graph, self.problem.units
        neighbours = graph.neighbours()
        added = 0
        for i in sorted(set(int(a) for a in assignment)):
            members = [int(u) for u in np.flatnonzero(assignment == i)]
            parts = graph.components(members)
            if len(parts) <= 1:
                continue
            anchors = [max(p, key=lambda u: (units.population[u], -u)) for p in parts]
            for j, part in enumerate(parts):
                for k, anchor in enumerate(anchors):
                    if j == k:
                        continue
                    boundary = self._separator(part, anchor, neighbours)
                    separator = {self.x[self.var_of[c], i] for c in boundary
                                 if (self.var_of[c], i) in self.x}  # fmt: skip
                    for a in part:
                        coefs: dict[int, float] = {}
                        for c in (self.x[self.var_of[a], i], self.x[self.var_of[anchor], i]):
                            coefs[c] = coefs.get(c, 0.0) + 1.0
                        for c in separator:
                            coefs[c] = coefs.get(c, 0.0) - 1.0
                        idx = np.asarray(sorted(coefs), dtype=np.int32)
                        values = np.asarray([coefs[c] for c in idx], dtype=float)
                        self.highs.addRow(-INF, 1.0, len(idx), idx, values)
                        added += 1
        self.cuts += added
        return added

    def solve(
        self, start: np.ndarray | None = None, progress: Progress | None = None
    ) -> SolveResult:
        rules = self.problem.rules
        say = progress or (lambda _message: None)
        began = time.perf_counter()
        incumbent = start if start is not None and self.allows(start) else None
        incumbent_value = self.objective_of(incumbent) if incumbent is not None else None
        bound: float | None = None
        rounds = 0
        status = "no_solution"
        while rounds < MAX_ROUNDS:
            rounds += 1
            remaining = self.settings.time_limit_s - (time.perf_counter() - began)
            if remaining <= 0:
                break
            self.highs.setOptionValue("time_limit", float(remaining))
            if incumbent is not None:
                solution = highspy.HighsSolution()
                solution.col_value = list(self._values_for(incumbent))
                solution.value_valid = True
                self.highs.setSolution(solution)
            self.highs.run()
            model_status = self.highs.getModelStatus()
            info = self.highs.getInfo()
            if model_status == highspy.HighsModelStatus.kInfeasible:
                status = "infeasible"
                break
            has_solution = info.primal_solution_status == 2
            round_bound = float(info.mip_dual_bound)
            bound = round_bound if bound is None else max(bound, round_bound)
            if not has_solution:
                break
            assignment = self._assignment(np.asarray(self.highs.getSolution().col_value))
            value = float(info.objective_function_value)
            added = self._connectivity_cuts(assignment) if rules.contiguous else 0
            optimal = model_status == highspy.HighsModelStatus.kOptimal
            say(
                f"round {rounds}: objective {value:,.0f}, bound {bound:,.0f}, "
                f"{added} contiguity cut(s) added, {time.perf_counter() - began:.1f} s"
            )
            if added == 0:
                if incumbent_value is None or value <= incumbent_value + 1e-6:
                    incumbent, incumbent_value = assignment, value
                status = "optimal" if optimal else "feasible"
                break
            repaired = heuristic(self.problem, assignment)
            if repaired.feasible and self.allows(repaired.assignment):
                value = self.objective_of(repaired.assignment)
                if incumbent_value is None or value < incumbent_value - 1e-6:
                    incumbent, incumbent_value = repaired.assignment, value
                    say(f"  repaired into a feasible answer: objective {value:,.0f}")
            if not optimal:
                break  # out of time with a disconnected answer: keep the incumbent
        if status != "infeasible" and status != "optimal":
            status = "feasible" if incumbent is not None else "no_solution"
        seconds = time.perf_counter() - began
        gap = None
        if incumbent_value is not None and bound is not None:
            bound = min(bound, incumbent_value)
            gap = (
                0.0
                if status == "optimal"
                else ((incumbent_value - bound) / abs(incumbent_value) if incumbent_value else 0.0)
            )
        if status == "optimal":
            bound = incumbent_value
        variables, constraints = self.size
        result = SolveResult(
            status,
            incumbent if status != "infeasible" else None,
            incumbent_value if status != "infeasible" else None,
            bound,
            gap,
            seconds,
            rounds,
            self.cuts,
            variables,
            constraints,
        )
        if self.relax and status in ("optimal", "feasible"):
            values = np.asarray(self.highs.getSolution().col_value)
            result.slacks = {
                family: [(label, float(values[col])) for label, col in cols if values[col] > 1e-6]
                for family, cols in self.slack.items()
            }
        return result

    def allows(self, assignment: np.ndarray) -> bool:
        """Whether every group's ICB in ``assignment`` is one of its candidates."""
        return all(
            (g, int(assignment[members[0]])) in self.x for g, members in enumerate(self.var_groups)
        )

    def objective_of(self, assignment: np.ndarray) -> float:
        return float(np.dot(self.cost, self._values_for(assignment)))
