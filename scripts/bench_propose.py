"""Benchmark proposals: national problems at district level for several rule sets, the
exact model (HiGHS) against the majority-then-repair heuristic in the same run.

For each rule set: the full model's variables and constraints, its status (proven
optimal, or best found with the gap to the proven bound), wall-clock solve time (the
warm-start stage included), people moved; then the heuristic's people moved and time,
and the ratio heuristic / exact (how many times more people the baseline moves). Times
are wall clock on a shared machine: compare within a row, not across runs.

    python3 scripts/bench_propose.py --data ./data --vintage 2026 --time-limit 60
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from geodata.errors import BoundaryLabError
from geodata.propose.heuristic import heuristic
from geodata.propose.problem import make_problem
from geodata.propose.proposal import InfeasibleProposal, propose
from geodata.propose.rules import ProposalRules, SolverSettings
from geodata.scenarios.evaluate import evaluate
from geodata.store import Store

M = 1_000_000
RULE_SETS: list[tuple[str, bool, ProposalRules]] = [
    # (label, headline?, rules)
    ("every council within one ICB", True, ProposalRules()),
    ("no strategic authority cut", True,
     ProposalRules(council_within_one_icb=False, sa_within_one_icb=True)),
    ("councils whole + no strategic authority cut", True,
     ProposalRules(sa_within_one_icb=True)),
    ("councils whole, ICBs 1m-3.5m", False,
     ProposalRules(min_icb_population=1 * M, max_icb_population=3.5 * M)),
    ("councils whole, ICBs 1m-3.5m, at most 26 ICBs", False,
     ProposalRules(min_icb_population=1 * M, max_icb_population=3.5 * M, max_icbs=26)),
    ("councils whole + no SA cut, ICBs at least 1m", False,
     ProposalRules(sa_within_one_icb=True, min_icb_population=1 * M)),
]  # fmt: skip


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("BOUNDARY_LAB_DATA", "data"))
    parser.add_argument("--vintage", default="2026")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    data = Store(args.data).load(args.vintage)
    settings = SolverSettings(time_limit_s=args.time_limit, threads=args.threads)
    rows = []
    for label, headline, rules in RULE_SETS:
        progress(f"== {label}")
        problem = make_problem(data, rules)
        began = time.perf_counter()
        base = heuristic(problem)
        heuristic_s = time.perf_counter() - began
        try:
            proposal = propose(data, rules, settings, progress=progress)
        except InfeasibleProposal as exc:
            rows.append(f"| {label} | — | — | infeasible: {exc} | | | | | | |")
            continue
        except BoundaryLabError as exc:
            rows.append(f"| {label} | — | — | {exc} | | | | | | |")
            continue
        evaluation = evaluate(data, proposal.scenario, rules.evaluation_rules())
        failed = [r.rule for r in evaluation.rules if not r.passed]
        status = ("**optimal**" if proposal.proven_optimal
                  else f"gap {proposal.gap or 0:.1%}")  # fmt: skip
        heur = f"{base.people_moved:,}" if base.feasible else f"{base.people_moved:,} (infeasible)"
        ratio = (f"{base.people_moved / proposal.people_moved:.2f}×"
                 if base.feasible and proposal.people_moved else "—")  # fmt: skip
        rows.append(
            f"| {label}{' (headline)' if headline else ''} | {proposal.variables:,} | "
            f"{proposal.constraints:,} | {status} | {proposal.seconds:.1f} s | "
            f"{proposal.people_moved:,} | {proposal.icbs_used} | {heur} | "
            f"{heuristic_s * 1000:.0f} ms | {ratio} | "
            f"{'pass' if not failed else 'FAIL: ' + ', '.join(failed)} |"
        )
    print(f"Vintage {data.name}; districts; HiGHS, time limit {args.time_limit:g} s, "
          f"threads {args.threads}, seed 0; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores (shared)\n")  # fmt: skip
    print(
        "| rule set | variables | constraints | status | solve time | people moved | ICBs "
        "| heuristic: people moved | heuristic time | heuristic / exact | own evaluation |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
