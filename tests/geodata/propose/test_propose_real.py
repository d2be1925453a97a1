"""Proposals on the real April 2026 vintage. Each answer is checked against its own
scenario evaluation and, independently, with pandas from the block table: every area the
rule names lies in one ICB, and the people moved equal the least any whole-area
assignment must move (each area's people outside the ICB holding most of them), so the
answer is also verified optimal without trusting the solver."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.propose.proposal import InfeasibleProposal, propose
from geodata.propose.rules import ProposalRules, SolverSettings
from geodata.scenarios import resolve
from geodata.scenarios.evaluate import evaluate

pytestmark = pytest.mark.real_data
QUICK = SolverSettings(time_limit_s=30)


@pytest.fixture(scope="module")
def data2026(real_store):
    return real_store.load("2026")


def _least_moved(table: pd.DataFrame, key: pd.Series) -> int:
    """Sum over areas of the people outside the area's largest ICB share."""
    frame = pd.DataFrame({"key": key.to_numpy(), "icb": table["icb_code"].astype(str),
                          "population": table["population"]})  # fmt: skip
    per = frame.groupby(["key", "icb"])["population"].sum()
    totals = per.groupby(level="key").sum()
    return int((totals - per.groupby(level="key").max()).sum())


def _icbs_per(table: pd.DataFrame, icb: np.ndarray, column: str) -> pd.Series:
    frame = pd.DataFrame({"area": table[column].astype(object), "icb": icb})
    return frame.dropna().groupby("area")["icb"].nunique()


def test_every_council_within_one_icb(data2026) -> None:
    proposal = propose(data2026, ProposalRules(), QUICK)
    evaluation = evaluate(data2026, proposal.scenario, proposal.rules.evaluation_rules())
    assert evaluation.passed, [r for r in evaluation.rules if not r.passed]
    icb = resolve(data2026, proposal.scenario).icb
    table = data2026.table
    assert (_icbs_per(table, icb, "utla_code") == 1).all()
    # districts are the units, and each lies in one county: the county is the area
    assert proposal.people_moved == _least_moved(table, table["utla_code"].astype(str))
    assert evaluation.summary["people_moved"] == proposal.people_moved
    assert proposal.proven_optimal


def test_no_strategic_authority_cut(data2026) -> None:
    rules = ProposalRules(council_within_one_icb=False, sa_within_one_icb=True)
    proposal = propose(data2026, rules, QUICK)
    evaluation = evaluate(data2026, proposal.scenario, rules.evaluation_rules())
    assert [r.rule for r in evaluation.rules] == ["icb_contiguous", "sa_within_one_icb"]
    assert evaluation.passed, [r for r in evaluation.rules if not r.passed]
    icb = resolve(data2026, proposal.scenario).icb
    table = data2026.table
    assert (_icbs_per(table, icb, "sa_code") == 1).all()
    # areas: each authority whole, and each district outside one whole (districts move whole)
    area = table["sa_code"].astype(object).fillna(table["ltla_code"].astype(str))
    assert proposal.people_moved == _least_moved(table, area.astype(str))
    assert proposal.proven_optimal


def test_greater_london_cannot_fit_a_35m_icb(data2026) -> None:
    rules = ProposalRules(sa_within_one_icb=True, max_icb_population=3_500_000)
    with pytest.raises(InfeasibleProposal) as caught:
        propose(data2026, rules, QUICK)
    london = data2026.table.loc[
        data2026.table["sa_code"].astype(object) == data2026.find_area("sa", "Greater London"),
        "population",
    ].sum()
    conflict = next(c for c in caught.value.conflicts if "Greater London" in c.where)
    assert conflict.rule == "sa_within_one_icb"
    assert f"{int(london):,}" in conflict.message


def test_from_the_2027_mergers_no_authority_is_cut(data2026) -> None:
    """From the built-in merged footprint: the answer's own evaluation passes, and its
    people moved are counted from the mergers (recomputed here from both assignments)."""
    from geodata.propose.proposal import builtin_base

    rules = ProposalRules(council_within_one_icb=False, sa_within_one_icb=True)
    base = builtin_base(data2026, "builtin-2027-mergers")
    proposal = propose(data2026, rules, QUICK, base=base)
    evaluation = evaluate(data2026, proposal.scenario, rules.evaluation_rules())
    assert evaluation.passed, [r for r in evaluation.rules if not r.passed]
    before, after = resolve(data2026, base), resolve(data2026, proposal.scenario)
    by_name_before = np.array([before.names[c] for c in before.icb])
    by_name_after = np.array([after.names[c] for c in after.icb])
    moved = data2026.table["population"].to_numpy()[by_name_before != by_name_after].sum()
    assert proposal.people_moved == int(moved)
