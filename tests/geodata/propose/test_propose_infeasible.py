"""Rule sets with no answer: each must be refused with the rule and the place named,
and (where the solver is needed) with the nearest relaxation that has an answer."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from propose_fixtures import DISTRICT_CODE, ICB_CODE
from test_propose_bruteforce import brute_force

from geodata.propose.explain import prechecks
from geodata.propose.problem import make_problem
from geodata.propose.proposal import InfeasibleProposal, propose
from geodata.propose.rules import ProposalRules, SolverSettings

FAST = SolverSettings(time_limit_s=20)


def _refusal(data, rules, **kwargs) -> InfeasibleProposal:
    with pytest.raises(InfeasibleProposal) as caught:
        propose(data, rules, FAST, **kwargs)
    return caught.value


def test_council_bigger_than_the_largest_icb_is_named(grid):
    # County 2 = D4 (300 + 60) + D6 (140 + 130) = 630 people, by hand
    error = _refusal(grid, ProposalRules(max_icb_population=600))
    conflict = next(c for c in error.conflicts if "County 2" in c.where)
    assert conflict.rule == "council_within_one_icb"
    assert "630" in conflict.message and "600" in conflict.message


def test_strategic_authority_bigger_than_the_largest_icb_is_named(grid_sa):
    # The authority = D3 (120 + 110) + D7 (170) = 400 people
    error = _refusal(
        grid_sa,
        ProposalRules(
            council_within_one_icb=False,
            sa_within_one_icb=True,
            max_icb_population=390,
            contiguous=False,
        ),
    )
    rules = {c.rule for c in error.conflicts}
    assert "sa_within_one_icb" in rules
    assert any(
        "Grid Combined Authority" in c.message and "400" in c.message for c in error.conflicts
    )


def test_locked_icb_straddled_by_a_unit_is_named(grid):
    error = _refusal(
        grid, ProposalRules(council_within_one_icb=False, locked_icbs=(ICB_CODE["A"],))
    )
    (conflict,) = [c for c in error.conflicts if c.rule == "locked"]
    assert conflict.where == ICB_CODE["A"]
    assert DISTRICT_CODE["D5"] in conflict.message  # 80 people in A, 90 outside


def test_more_locked_icbs_than_allowed(grid):
    rules = ProposalRules(
        council_within_one_icb=False,
        contiguous=False,
        max_icbs=1,
        locked_icbs=(ICB_CODE["B"], ICB_CODE["C"]),
    )
    conflicts = prechecks(make_problem(grid, rules))
    assert any(c.rule == "icb_count" and "2 ICBs are locked" in c.message for c in conflicts)


def test_unlinked_island_too_small_for_an_icb(grid):
    rules = ProposalRules(min_icb_population=100, link_islands=False)
    (conflict,) = prechecks(make_problem(grid, rules))
    assert conflict.rule == "icb_contiguous"
    assert DISTRICT_CODE["D8"] in conflict.where  # the island: 50 people
    error = _refusal(grid, rules)
    assert error.conflicts[0].rule == "icb_contiguous"


def test_solver_proven_infeasible_gets_a_relaxation(grid):
    rules = ProposalRules(contiguous=True, min_icb_population=500, max_icb_population=800)
    assert brute_force(rules) is None  # no assignment of the districts meets these
    error = _refusal(grid, rules)
    assert error.conflicts == []  # nothing a pre-check can see
    assert error.relaxation and all(
        "ICB population" in r or "span more than one ICB" in r for r in error.relaxation
    )
    # the relaxation it names really has an answer (checked by brute force)
    (lower,) = [r for r in error.relaxation if r.startswith("lower the minimum")]
    relaxed = int(re.search(r"to ([\d,]+)", lower).group(1).replace(",", ""))
    assert relaxed < 500
    assert brute_force(replace(rules, min_icb_population=relaxed)) is not None
    assert error.details()["nearest_feasible_relaxation"] == error.relaxation


def test_too_few_icbs_for_the_population(grid):
    error = _refusal(grid, ProposalRules(max_icbs=2, max_icb_population=800, contiguous=False))
    assert any(c.rule == "icb_count" and "at least 3 ICBs" in c.message for c in error.conflicts)
