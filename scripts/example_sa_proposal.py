"""The worked example of docs/proposals.md: the smallest change to the April 2026 ICBs
that leaves no strategic authority cut, beside the 2027 cluster mergers.

    python3 scripts/example_sa_proposal.py --data ./data [--clusters PATH]

Prints Markdown: the proposal (people moved, ICBs, the moves by from -> to), the cluster
mergers as a scenario (each cluster's sub-ICB locations moved into its most populous
member), how many strategic authorities each leaves cut, how far the proposal agrees with
the clusters, and the smallest change to the cluster footprint that leaves none cut.
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
from geodata.scenarios import Move, Scenario, resolve
from geodata.store import Store, VintageData, default_source_dir


def clusters(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return [row["MEMBERS_ICB26CD"].split(";") for row in csv.DictReader(handle)]


def cluster_scenario(data: VintageData, groups: list[list[str]]) -> Scenario:
    table = data.table
    people = table.groupby("icb_code", observed=True)["population"].sum()
    moves = []
    for members in groups:
        if len(members) < 2:
            continue
        keep = max(members, key=lambda c: (people[c], c))
        for icb in sorted(set(members) - {keep}):
            sicbls = sorted(table.loc[table["icb_code"] == icb, "sicbl_code"].astype(str).unique())
            moves += [Move("sicbl", code, keep) for code in sicbls]
    return Scenario(data.name, "2027 cluster mergers", tuple(moves))


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

    groups = clusters(path)
    cluster_of = {icb: i for i, members in enumerate(groups) for icb in members}
    merged = cluster_scenario(data, groups)
    merged_icb = resolve(data, merged).icb
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

    saved = merged  # the base for the next proposal: the merged footprint
    again = propose(data, rules, settings, base=saved)
    final = resolve(data, again.scenario).icb
    print(
        f"## No strategic authority cut, from the cluster footprint\n\n"
        f"{'proven optimal' if again.proven_optimal else 'gap ' + str(again.gap)}: "
        f"{again.people_moved:,} people moved from the merged footprint, "
        f"{again.icbs_used} ICBs; strategic authorities cut after: "
        f"{len(sas_cut(data, final))}.\n"
    )
    flows = pd.DataFrame({"from": merged_icb, "to": final, "people": population})
    flows = flows.loc[flows["from"] != flows["to"]].groupby(["from", "to"])["people"].sum()
    print("| from (merged) | to | people |\n|---|---|---|")
    for (a, b), people in flows.sort_values(ascending=False).items():
        print(f"| {names[a]} | {names[b]} | {people:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
