"""The baseline to beat: each group of units to the ICB holding most of its people, then
greedy repair (detached pieces join a neighbour, oversized ICBs shed border groups,
undersized or surplus ICBs merge into their smallest neighbour). Fast and often
feasible, never proven best: the benchmark measures what the exact model gains."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .adjacency import components
from .problem import Problem, people_moved, violations

MAX_PASSES = 50


@dataclass(frozen=True)
class HeuristicResult:
    assignment: np.ndarray
    people_moved: int
    violations: list[str]
    seconds: float

    @property
    def feasible(self) -> bool:
        return not self.violations


class _Repair:
    def __init__(self, problem: Problem, start: np.ndarray | None = None) -> None:
        self.problem = problem
        self.units = problem.units
        self.neighbours = problem.graph.neighbours()
        self.locked = set(problem.locked)
        self.assignment = self._majority() if start is None else start.copy()

    def _majority(self) -> np.ndarray:
        units = self.units
        out = np.zeros(len(units), dtype=np.int64)
        for members in self.problem.groups:
            people = units.by_icb[members].sum(axis=0).astype(float)
            in_locked = [i for i in self.locked if people[i] > 0]
            if in_locked:
                out[members] = in_locked[0]
                continue
            people[list(self.locked)] = -1
            out[members] = int(np.argmax(people))
        return out

    def population(self) -> np.ndarray:
        return np.bincount(
            self.assignment, weights=self.units.population, minlength=len(self.units.icbs)
        )

    def _neighbour_icbs(self, members: list[int]) -> list[int]:
        inside = set(members)
        found = {
            int(self.assignment[v]) for u in members for v in self.neighbours[u] if v not in inside
        }
        return sorted(found - self.locked)

    def _move(self, members: list[int], icb: int) -> None:
        groups = {int(self.problem.group_of[u]) for u in members}
        for g in groups:
            self.assignment[self.problem.groups[g]] = icb

    def contiguity(self) -> bool:
        changed = False
        for i in sorted(set(int(a) for a in self.assignment) - self.locked):
            members = [int(u) for u in np.flatnonzero(self.assignment == i)]
            parts = components(self.neighbours, members)
            parts.sort(key=lambda p: -int(self.units.population[p].sum()))
            for part in parts[1:]:
                options = [j for j in self._neighbour_icbs(part) if j != i]
                if not options:
                    continue
                people = self.units.by_icb[part].sum(axis=0)
                target = max(options, key=lambda j: (people[j], -self.population()[j]))
                self._move(part, target)
                changed = True
        return changed

    def too_big(self) -> bool:
        high = self.problem.rules.max_icb_population
        if high is None:
            return False
        population = self.population()
        for i in np.argsort(-population):
            if population[i] <= high or int(i) in self.locked:
                continue
            # shed the border group that moves fewest people into a neighbour with room
            best = None
            for g, members in enumerate(self.problem.groups):
                if self.assignment[members[0]] != i:
                    continue
                size = self.units.population[members].sum()
                for j in self._neighbour_icbs(members):
                    if j == i or population[j] + size > high:
                        continue
                    cost = size - self.units.by_icb[members, j].sum()
                    if best is None or cost < best[0]:
                        best = (cost, g, j)
            if best is not None:
                self._move(self.problem.groups[best[1]], best[2])
                return True
        return False

    def merge(self) -> bool:
        rules = self.problem.rules
        population = self.population()
        used = [i for i in range(len(self.units.icbs)) if population[i] > 0]
        limit = rules.exact_icbs if rules.exact_icbs is not None else rules.max_icbs
        small = [
            i
            for i in used
            if rules.min_icb_population is not None
            and population[i] < rules.min_icb_population
            and i not in self.locked
        ]
        if not small and limit is not None and len(used) > limit:
            small = sorted((i for i in used if i not in self.locked), key=lambda i: population[i])[
                :1
            ]
        for i in sorted(small, key=lambda i: population[i]):
            members = [int(u) for u in np.flatnonzero(self.assignment == i)]
            high = rules.max_icb_population
            options = [
                j
                for j in self._neighbour_icbs(members)
                if j != i and (high is None or population[j] + population[i] <= high)
            ]
            if options:
                self._move(members, min(options, key=lambda j: population[j]))
                return True
        return False


def heuristic(problem: Problem, start: np.ndarray | None = None) -> HeuristicResult:
    """The baseline from the majority assignment, or greedy repair of ``start`` (the
    model uses it to turn a disconnected round into a feasible incumbent)."""
    began = time.perf_counter()
    repair = _Repair(problem, start)
    for _ in range(MAX_PASSES):
        changed = repair.contiguity() if problem.rules.contiguous else False
        changed = repair.too_big() or changed
        changed = repair.merge() or changed
        if not changed:
            break
    assignment = repair.assignment
    return HeuristicResult(
        assignment,
        people_moved(problem, assignment),
        violations(problem, assignment),
        time.perf_counter() - began,
    )
