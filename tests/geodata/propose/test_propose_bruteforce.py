"""The solver against brute force: every assignment of the eight districts to the three
ICBs (3^8 = 6,561) is enumerated here, scored and checked from the LSOA grid by hand, and
the solver must reach exactly the best score."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from propose_fixtures import (
    CELLS,
    COUNTY_OF,
    DISTRICT_CODE,
    DISTRICT_OF,
    ICB_CODE,
    ICB_OF,
    LSOA_POPULATION,
    grid_neighbours,
)

from geodata.propose.heuristic import heuristic
from geodata.propose.model import Milp
from geodata.propose.problem import make_problem, violations
from geodata.propose.rules import ProposalRules, SolverSettings

DISTRICTS = sorted(DISTRICT_CODE)  # D1..D8
ICBS = sorted(ICB_CODE)  # A, B, C


def _connected(cells: list[int], neighbours: dict[int, set[int]]) -> bool:
    if not cells:
        return True
    seen, stack = {cells[0]}, [cells[0]]
    while stack:
        for v in neighbours[stack.pop()]:
            if v in cells and v not in seen:
                seen.add(v)
                stack.append(v)
    return len(seen) == len(cells)


def brute_force(rules: ProposalRules) -> float | None:
    """The best objective over every district assignment meeting ``rules``, or None."""
    neighbours = grid_neighbours()
    best = None
    for choice in itertools.product(ICBS, repeat=len(DISTRICTS)):
        icb_of_district = dict(zip(DISTRICTS, choice, strict=True))
        new = [icb_of_district[d] for d in DISTRICT_OF]
        if rules.council_within_one_icb:
            counties: dict[str, set[str]] = {}
            for d, icb in icb_of_district.items():
                counties.setdefault(COUNTY_OF.get(d, d), set()).add(icb)
            if any(len(v) > 1 for v in counties.values()):
                continue
        people = {
            i: sum(p for p, n in zip(LSOA_POPULATION, new, strict=True) if n == i) for i in ICBS
        }
        used = [i for i in ICBS if people[i] > 0]
        low, high = rules.min_icb_population, rules.max_icb_population
        if low is not None and any(people[i] < low for i in used):
            continue
        if high is not None and any(people[i] > high for i in used):
            continue
        if rules.max_icbs is not None and len(used) > rules.max_icbs:
            continue
        if rules.exact_icbs is not None and len(used) != rules.exact_icbs:
            continue
        locked = [k for k, v in ICB_CODE.items() if v in rules.locked_icbs]
        if any([n == i for n in new] != [b == i for b in ICB_OF] for i in locked):
            continue
        if rules.contiguous and not all(
            _connected([k for k, n in enumerate(new) if n == i], neighbours) for i in used
        ):
            continue
        moved = sum(p for p, n, b in zip(LSOA_POPULATION, new, ICB_OF, strict=True) if n != b)
        cut_km = sum(
            1
            for a in range(len(CELLS))
            for b in grid_neighbours()[a]
            if a < b and new[a] != new[b] and (a, b) != (3, 12) and DISTRICT_OF[a] != DISTRICT_OF[b]
        )
        score = moved + rules.weight_icbs * len(used) + rules.weight_compactness * cut_km
        best = score if best is None else min(best, score)
    return best


RULE_SETS = [
    ProposalRules(council_within_one_icb=True, contiguous=False),
    ProposalRules(council_within_one_icb=True, contiguous=True),
    ProposalRules(council_within_one_icb=False, contiguous=True, max_icb_population=650),
    ProposalRules(contiguous=True, min_icb_population=400, max_icb_population=800),
    ProposalRules(contiguous=True, max_icbs=2),
    ProposalRules(contiguous=True, exact_icbs=2, min_icb_population=600),
    ProposalRules(
        council_within_one_icb=False,
        contiguous=True,
        locked_icbs=("E54000003",),
        max_icb_population=900,
    ),
    ProposalRules(contiguous=True, weight_icbs=250.0),
    ProposalRules(council_within_one_icb=False, contiguous=True, weight_compactness=40.0),
    ProposalRules(council_within_one_icb=False, contiguous=False, max_icbs=1),
]


@pytest.mark.parametrize("rules", RULE_SETS, ids=lambda r: r.name())
def test_solver_matches_brute_force(grid, rules):
    expected = brute_force(rules)
    assert expected is not None, "each rule set here has an answer"
    problem = make_problem(grid, rules)
    result = Milp(problem, SolverSettings(time_limit_s=30)).solve()
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, abs=1e-6)
    assert violations(problem, result.assignment) == []
    baseline = heuristic(problem)
    if baseline.feasible and not (rules.weight_icbs or rules.weight_compactness):
        assert baseline.people_moved >= expected


def test_people_moved_counts_only_people_not_already_there(grid):
    """District D5 has 80 people in A and 90 in B: moving it to B moves 80, not 170."""
    problem = make_problem(grid, ProposalRules(council_within_one_icb=False, contiguous=False))
    units = problem.units
    d5 = units.index(DISTRICT_CODE["D5"])
    b = units.icbs.index(ICB_CODE["B"])
    assert units.population[d5] - units.by_icb[d5, b] == 80


def test_island_is_linked_to_the_nearest_unit_of_its_icb(grid):
    problem = make_problem(grid, ProposalRules())
    (link,) = problem.graph.links
    units = problem.units
    assert [units.codes[u] for u in link.island] == [DISTRICT_CODE["D8"]]
    assert units.codes[link.to_unit] == DISTRICT_CODE["D3"]
    assert link.distance_m == pytest.approx(1000.0)
    assert link.via_icb == ICB_CODE["B"]


def test_same_inputs_same_answer(grid):
    rules = ProposalRules(contiguous=True, min_icb_population=400, max_icb_population=800)
    answers = [
        Milp(make_problem(grid, rules), SolverSettings(time_limit_s=30)).solve() for _ in range(2)
    ]
    assert np.array_equal(answers[0].assignment, answers[1].assignment)
    assert answers[0].objective == answers[1].objective
