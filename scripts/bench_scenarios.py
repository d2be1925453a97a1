"""Benchmark the scenario engine on a built store and print a Markdown table.

Measures (medians of several runs, time.perf_counter), on the national table of one vintage:
evaluating a scenario warm (with the ICB shapes cached, and without shapes); best-fit of a
county-sized candidate upload (the Essex county outline as GeoJSON); dissolving every ICB
outline of a scenario with the shapes cache cleared; and the same best-fit done by a plain
``geopandas.sjoin`` of LSOA representative points with the candidate polygons, built fresh
each run with no prepared index, as a ratio.

    python3 scripts/bench_scenarios.py --data ./data --vintage 2022
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.geometry import block_index, dissolve, to_geojson
from geodata.scenarios import Move, Scenario, resolve
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.shapes import icb_shapes
from geodata.scenarios.upload import best_fit, read_candidates
from geodata.store import Store, VintageData

ESSEX = "E10000012"
MID_AND_SOUTH_ESSEX = "E54000026"
# The Essex districts outside Mid and South Essex ICB at vintage 2022 (docs/scenarios.md).
ESSEX_OUTSIDE_MSE = ("E07000071", "E07000076", "E07000072", "E07000073", "E07000077")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_time(
    func: Callable[[], object], runs: int, setup: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def essex_scenario(data: VintageData) -> Scenario:
    """Essex in one ICB: its districts outside Mid and South Essex moved into it."""
    table = data.table
    outside = table.loc[
        (table["utla_code"] == ESSEX) & (table["icb_code"] != MID_AND_SOUTH_ESSEX), "ltla_code"
    ]
    codes = sorted(set(outside.astype(str))) or list(ESSEX_OUTSIDE_MSE)
    moves = [Move("ltla", code, MID_AND_SOUTH_ESSEX) for code in codes]
    return Scenario(data.name, "Essex in one ICB").with_moves(*moves)


def essex_upload(data: VintageData) -> bytes:
    """The Essex county outline, dissolved from its LSOAs, as GeoJSON (EPSG:4326)."""
    utlas = dissolve(data, "utla")
    essex = utlas.loc[utlas["code"] == ESSEX, ["code", "name", "geometry"]]
    essex = essex.assign(icb_code="Essex ICB")[["icb_code", "geometry"]]
    return json.dumps(to_geojson(essex)).encode()


def plain_sjoin(data: VintageData, candidates: gpd.GeoDataFrame) -> pd.DataFrame:
    """Best-fit the naive way: fresh points and candidate frame, no prepared index."""
    blocks = data.geometry()
    points = gpd.GeoDataFrame(
        {"lsoa_code": data.table["lsoa_code"].to_numpy()},
        geometry=shapely.point_on_surface(blocks.geometry.to_numpy()),
        crs=blocks.crs,
    )
    polygons = gpd.GeoDataFrame(
        {"label": candidates["label"].to_numpy()},
        geometry=shapely.from_wkb(shapely.to_wkb(candidates.geometry.to_numpy())),
        crs=candidates.crs,
    )
    return gpd.sjoin(points, polygons, predicate="within")


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.1f} ms"


def row(measure: str, median: str, target: str = "—", met: bool | None = None) -> str:
    mark = "—" if met is None else ("yes" if met else "**no**")
    return f"| {measure} | {median} | {target} | {mark} |"


def bench(data: VintageData, runs: int) -> list[str]:
    scenario = essex_scenario(data)
    assignment = resolve(data, scenario)

    progress("evaluate, warm-up (dissolves every ICB once)…")
    evaluate(data, scenario)
    progress(f"evaluate with shapes cached ({runs} runs)…")
    with_shapes = median_time(lambda: evaluate(data, scenario), runs)
    progress(f"evaluate without shapes ({runs} runs)…")
    evaluate(data, scenario, with_shapes=False)
    without_shapes = median_time(lambda: evaluate(data, scenario, with_shapes=False), runs)

    content = essex_upload(data)
    progress("best-fit, cold (builds the LSOA index and representative points)…")
    data.cache.pop("block_index", None)
    start = time.perf_counter()
    candidates = read_candidates(content, "essex.geojson")
    fit = best_fit(data, candidates, "Essex ICB")
    cold = time.perf_counter() - start
    assigned = fit.assigned
    progress(f"read + best-fit of the Essex outline, warm ({runs} runs)…")
    upload = median_time(
        lambda: best_fit(data, read_candidates(content, "essex.geojson"), "Essex ICB"), runs
    )
    fit_only = median_time(lambda: best_fit(data, candidates, "Essex ICB"), runs)

    progress(f"dissolving every ICB of the scenario, cache cleared ({runs} runs)…")
    dissolve_all = median_time(
        lambda: icb_shapes(data, assignment.icb),
        runs,
        setup=lambda: data.cache.pop("icb_shapes", None),
    )

    progress(f"plain geopandas.sjoin ({runs} runs)…")
    joined = plain_sjoin(data, candidates.frame)
    if len(joined) != assigned:
        progress(f"warning: sjoin assigned {len(joined)} LSOAs, best_fit {assigned}")
    sjoin = median_time(lambda: plain_sjoin(data, candidates.frame), runs)
    block_index(data)  # leave the cache as a service would have it

    icbs = len(set(assignment.icb))
    return [
        row("evaluate a scenario on the national table, warm, shapes cached",
            fmt_seconds(with_shapes), "< 100 ms", with_shapes < 0.1),
        row("evaluate a scenario on the national table, warm, without shapes",
            fmt_seconds(without_shapes), "< 100 ms", without_shapes < 0.1),
        row(f"read + best-fit of a county-sized upload (Essex outline, {assigned:,} LSOAs "
            "inside), warm", fmt_seconds(upload), "< 1 s", upload < 1),
        row("  of which best_fit alone", fmt_seconds(fit_only)),
        row("  the same, cold (first use builds the LSOA index)", fmt_seconds(cold), "< 1 s",
            cold < 1),
        row(f"dissolve all {icbs} ICB outlines of the scenario (shapes cache cleared)",
            fmt_seconds(dissolve_all), "< 2 s", dissolve_all < 2),
        row("plain geopandas.sjoin best-fit (fresh points and frame, no prepared index)",
            fmt_seconds(sjoin)),
        row("  ratio sjoin / best_fit", f"{sjoin / fit_only:,.1f}×"),
    ]  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path("data"), help="the built store (default ./data)"
    )
    parser.add_argument("--vintage", default="2022", help="built vintage (default 2022)")
    parser.add_argument("--runs", type=int, default=9, help="runs per measure (default 9)")
    return parser.parse_args(argv)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    store = Store(args.data)
    if args.vintage not in store.built():
        sys.exit(f"vintage {args.vintage} is not built in {args.data}; run: boundary-lab build")
    data = store.load(args.vintage)
    with warnings.catch_warnings():
        # pandas 3 deprecates DataFrame.join(lsuffix=, rsuffix=), used by the evaluation's
        # typology step; the warning says nothing about speed.
        warnings.filterwarnings("ignore", message="The 'lsuffix' and 'rsuffix' keywords")
        rows = bench(data, args.runs)
    print(f"# Boundary Lab scenario benchmark, vintage {data.name}\n")
    print(
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, geopandas {gpd.__version__}, "
        f"shapely {shapely.__version__}; load average {os.getloadavg()[0]:.1f} at the end; "
        f"{len(data.table):,} LSOAs; median of {args.runs} runs. Scenario: Essex in one ICB "
        "(moves of the 5 Essex districts outside Mid and South Essex).\n"
    )
    print("| measure | median | target | met? |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
