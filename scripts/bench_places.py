"""Benchmark place-set checks on a built store: one ICB's places (target < 200 ms) and the
built-in national sets. Prints a Markdown table; medians of repeated runs."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from geodata.places import PlaceSet, builtin_sets, resolve_places
from geodata.places.checks import check_places
from geodata.store import Store, VintageData

ICB = "E54000026"  # Mid and South Essex


def median_ms(run: Callable[[], object], runs: int) -> float:
    run()  # warm: names, row indexes and the PCN layer load once per process
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def one_icb_set(data: VintageData) -> PlaceSet:

    table = data.table.loc[data.table["icb_code"] == ICB]
    places = [{"name": data.names["sicbl"][c], "blocks": [{"layer": "sicbl", "code": c}]}
              for c in sorted(table["sicbl_code"].astype(str).unique())]  # fmt: skip
    return PlaceSet.from_dict({"name": "Mid and South Essex by SICBL", "vintage": data.name,
                               "icbs": [ICB], "places": places})  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="data", help="built store (default ./data)")
    parser.add_argument("--vintage", default="2022")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    data = Store(args.data).load(args.vintage)
    local = one_icb_set(data)
    rows = [("place-set checks, one ICB (Mid and South Essex, by SICBL)",
             median_ms(lambda: check_places(data, resolve_places(data, local)), args.runs),
             "< 200 ms")]  # fmt: skip
    for key, place_set in builtin_sets(data).items():
        rows.append((f"place-set checks, built-in {key} ({len(place_set.places)} places, all "
                     "England)", median_ms(lambda s=place_set: check_places(
                         data, resolve_places(data, s)), max(3, args.runs // 5)), "—"))  # fmt: skip
    print(f"Place-set checks, vintage {data.name}; median of {args.runs} runs\n")
    print("| measure | median | target | met? |\n|---|---|---|---|")
    for measure, ms, target in rows:
        met = "—" if target == "—" else ("yes" if ms < 200 else "**no**")
        print(f"| {measure} | {ms:.1f} ms | {target} | {met} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
