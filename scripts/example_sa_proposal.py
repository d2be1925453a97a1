"""The worked example of docs/proposals.md: the smallest change to the April 2026 ICBs
that leaves no strategic authority cut, beside the 2027 cluster mergers.

    python3 scripts/example_sa_proposal.py --data ./data [--clusters PATH]

Prints Markdown: the proposal (people moved, ICBs, the moves by from -> to); the 2027
mergers (the built-in scenario builtin-2027-mergers: each cluster one new ICB); how many
strategic authorities each leaves cut; how far the proposal agrees with the clusters;
and the smallest change to the merged footprint that leaves none cut.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.propose.proposal import propose
from geodata.propose.rules import ProposalRules, SolverSettings
from geodata.scenarios import resolve
from geodata.scenarios.builtin import get_builtin
from geodata.store import Store, VintageData, default_source_dir


def cluster_ids(path: Path) -> dict[str, str]:
    """ICB code -> its 2025/26 cluster id, from the clusters file."""
    with path.open(encoding="utf-8-sig") as handle:
        return {icb: row["CLUSTER_ID"] for row in csv.DictReader(handle)
                for icb in row["MEMBERS_ICB26CD"].split(";")}  # fmt: skip


def sas_cut(data: VintageData, icb: np.ndarray) -> list[str]:
    frame = pd.DataFrame({"sa": data.table["sa_code"].astype(object), "icb": icb}).dropna()
    counts = frame.groupby("sa")["icb"].nunique()
    return sorted(data.names["sa"][c] for c in counts[counts > 1].index)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("BOUNDARY_LAB_DATA", "data"))
    parser.add_argument("--clusters", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    source = default_source_dir()
    path = args.clusters or (source / "nhs" / "ICB_clusters_2025_26.csv" if source else None)
    if path is None or not path.is_file():
        print("the clusters file is not found; give --clusters", file=sys.stderr)
        return 2
    data = Store(args.data).load("2026")
    table, names = data.table, data.names["icb"]
    population = table["population"].to_numpy()
    base = table["icb_code"].astype(str).to_numpy()
    settings = SolverSettings(time_limit_s=args.time_limit)
    rules = ProposalRules(council_within_one_icb=False, sa_within_one_icb=True)

    proposal = propose(data, rules, settings)
    after = resolve(data, proposal.scenario).icb
    print(
        f"## No strategic authority cut, from the April 2026 ICBs\n\n{proposal.scenario.name}: "
        f"{'proven optimal' if proposal.proven_optimal else 'gap ' + str(proposal.gap)}, "
        f"{proposal.people_moved:,} people moved, {proposal.icbs_used} ICBs (from 36), "
        f"{len(proposal.scenario.moves)} district moves, {proposal.seconds:.1f} s.\n"
    )
    print(
        f"Strategic authorities cut: {len(sas_cut(data, base))} before "
        f"({', '.join(sas_cut(data, base))}), {len(sas_cut(data, after))} after.\n"
    )
    flows = pd.DataFrame({"from": base, "to": after, "people": population})
    flows = flows.loc[flows["from"] != flows["to"]].groupby(["from", "to"])["people"].sum()
    print("| from | to | people |\n|---|---|---|")
    for (a, b), people in flows.sort_values(ascending=False).items():
        print(f"| {names[a]} | {names[b]} | {people:,} |")

    cluster_of = cluster_ids(path)
    merged = get_builtin(data, "builtin-2027-mergers").scenario
    merged_assignment = resolve(data, merged)
    merged_icb = merged_assignment.icb
    names = {**names, **merged_assignment.names}
    relabelled = int(population[merged_icb != base].sum())
    print(
        f"\n## The 2027 cluster mergers\n\n{len(set(merged_icb))} ICBs; "
        f"{relabelled:,} people change ICB by merger; strategic authorities cut: "
        f"{len(sas_cut(data, merged_icb))} ({', '.join(sas_cut(data, merged_icb)) or 'none'}).\n"
    )
    moved = after != base
    within = moved & np.array(
        [cluster_of.get(a) == cluster_of.get(b) for a, b in zip(base, after, strict=True)]
    )
    print(
        f"Of the {population[moved].sum():,} people the proposal moves, "
        f"{population[within].sum():,} move between ICBs of one cluster (a move the "
        f"mergers make anyway) and {population[moved & ~within].sum():,} across clusters.\n"
    )

    again = propose(data, rules, settings, base=merged)
    resolved = resolve(data, again.scenario)
    final = resolved.icb
    # new ICBs are numbered per scenario (NEW-1, ...): compare by name
    merged_by_name = np.array([merged_assignment.names[c] for c in merged_icb])
    final_by_name = np.array([resolved.names[c] for c in final])
    print(
        f"## No strategic authority cut, from the cluster footprint\n\n"
        f"{'proven optimal' if again.proven_optimal else 'gap ' + str(again.gap)}: "
        f"{again.people_moved:,} people moved from the merged footprint, "
        f"{again.icbs_used} ICBs; strategic authorities cut after: "
        f"{len(sas_cut(data, final))}.\n"
    )
    flows = pd.DataFrame({"from": merged_by_name, "to": final_by_name, "people": population})
    flows = flows.loc[flows["from"] != flows["to"]].groupby(["from", "to"])["people"].sum()
    print("| from (merged) | to | people |\n|---|---|---|")
    for (a, b), people in flows.sort_values(ascending=False).items():
        print(f"| {a} | {b} | {people:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
