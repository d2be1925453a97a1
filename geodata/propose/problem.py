"""A proposal problem: units, their graph, the rules, and what the rules tie together.

Whatever must lie within one ICB (a council, a strategic authority) makes the units
that hold its people one *group*: a group is assigned whole. Groups chain: two councils
that share a unit (a sub-ICB location across a county line) form one group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import BoundaryLabError
from ..store import VintageData
from .adjacency import UnitGraph, unit_graph
from .rules import ProposalRules
from .units import UnitSet, build_units, require_strategic_authorities


@dataclass(frozen=True)
class Tie:
    """One 'within one ICB' requirement: the rule, the area and the units it ties."""

    rule: str  # council_within_one_icb | sa_within_one_icb
    code: str
    name: str
    units: list[int]


@dataclass(frozen=True)
class Problem:
    units: UnitSet
    graph: UnitGraph
    rules: ProposalRules
    ties: list[Tie]
    groups: list[list[int]]  # every unit in exactly one group
    group_of: np.ndarray = field(repr=False)
    locked: list[int]  # ICB indices

    @property
    def total_population(self) -> int:
        return int(self.units.population.sum())

    def group_population(self, group: int) -> int:
        return int(self.units.population[self.groups[group]].sum())


def _union_groups(n: int, ties: list[Tie]) -> list[list[int]]:
    parent = list(range(n))

    def find(u: int) -> int:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for tie in ties:
        for u in tie.units[1:]:
            a, b = find(tie.units[0]), find(u)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for u in range(n):
        members.setdefault(find(u), []).append(u)
    return sorted(members.values(), key=lambda g: g[0])


def ties_for(data: VintageData, units: UnitSet, rules: ProposalRules) -> list[Tie]:
    ties = []
    if rules.council_within_one_icb:
        names = data.names["utla"]
        for code, members in units.groups(
            data.table["utla_code"].astype(object).to_numpy()
        ).items():
            ties.append(Tie("council_within_one_icb", code, names.get(code, code), members))
    if rules.sa_within_one_icb:
        sa = require_strategic_authorities(data, rules.sa_status)
        names = dict(zip(units.codes, units.names, strict=True))
        sa_names = data.names["sa"] if "sa" in set(data.units["layer"]) else {}
        for code, members in units.groups(sa).items():
            ties.append(
                Tie("sa_within_one_icb", code, sa_names.get(code, names.get(code, code)), members)
            )
    return ties


def make_problem(
    data: VintageData,
    rules: ProposalRules,
    base_icb: np.ndarray | None = None,
    icb_names: dict[str, str] | None = None,
    link_islands: bool | None = None,
) -> Problem:
    """The problem of ``rules`` on ``data`` from ``base_icb`` (one ICB per LSOA; the
    vintage's own by default)."""
    base = data.table["icb_code"].astype(str).to_numpy() if base_icb is None else base_icb
    units = build_units(data, rules.units, base, icb_names, rules.sa_status)
    graph = unit_graph(data, units, rules.link_islands if link_islands is None else link_islands)
    ties = ties_for(data, units, rules)
    groups = _union_groups(len(units), ties)
    group_of = np.zeros(len(units), dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[members] = g
    unknown = [c for c in rules.locked_icbs if c not in units.icbs]
    if unknown:
        raise BoundaryLabError(
            f"locked ICB(s) {', '.join(unknown)} are not ICBs of the base; valid: "
            f"{', '.join(units.icbs)}"
        )
    locked = sorted(units.icbs.index(c) for c in rules.locked_icbs)
    return Problem(units, graph, rules, ties, groups, group_of, locked)


def violations(problem: Problem, assignment: np.ndarray) -> list[str]:
    """What a unit assignment (ICB index per unit) breaks, in words; [] when it meets
    every rule. Used to vet heuristic answers and warm starts, and by the tests."""
    from .adjacency import components

    units, rules = problem.units, problem.rules
    found = []
    for tie in problem.ties:
        icbs = {int(assignment[u]) for u in tie.units}
        if len(icbs) > 1:
            found.append(f"{tie.rule}: {tie.name} ({tie.code}) is in {len(icbs)} ICBs")
    people = np.bincount(assignment, weights=units.population, minlength=len(units.icbs))
    used = [i for i in range(len(units.icbs)) if (assignment == i).any()]
    for i in used:
        label = units.icbs[i]
        if rules.min_icb_population is not None and people[i] < rules.min_icb_population:
            found.append(f"icb_population: {label} has {people[i]:,.0f} people")
        if rules.max_icb_population is not None and people[i] > rules.max_icb_population:
            found.append(f"icb_population: {label} has {people[i]:,.0f} people")
    if rules.max_icbs is not None and len(used) > rules.max_icbs:
        found.append(f"icb_count: {len(used)} ICBs used, at most {rules.max_icbs}")
    if rules.exact_icbs is not None and len(used) != rules.exact_icbs:
        found.append(f"icb_count: {len(used)} ICBs used, exactly {rules.exact_icbs} asked")
    for i in problem.locked:
        base = set(np.flatnonzero(units.by_icb[:, i] > 0).tolist())
        now = set(np.flatnonzero(assignment == i).tolist())
        partial = [u for u in base if units.by_icb[u, i] < units.population[u]]
        if base != now or partial:
            found.append(f"locked: {units.icbs[i]} changes")
    if rules.contiguous:
        neighbours = problem.graph.neighbours()
        for i in used:
            parts = components(neighbours, [int(u) for u in np.flatnonzero(assignment == i)])
            if len(parts) > 1:
                found.append(f"icb_contiguous: {units.icbs[i]} is in {len(parts)} pieces")
    return found


def people_moved(problem: Problem, assignment: np.ndarray) -> int:
    units = problem.units
    stays = units.by_icb[np.arange(len(units)), assignment]
    return int((units.population - stays).sum())
