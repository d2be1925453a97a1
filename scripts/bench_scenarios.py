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
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.geometry import block_index, dissolve, to_geojson
from geodata.scenarios import Move, Scenario, baseline, resolve
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.shapes import icb_shapes
from geodata.scenarios.upload import Candidates, best_fit
from geodata.store import Store, VintageData

ESSEX = "E10000012"
MAX_MOVES = 5_000  # a scenario's moves (more LSOAs go as blocks)
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


def random_moves(data: VintageData, lsoas: int, seed: int = 0) -> list[tuple[str, str]]:
    """``lsoas`` random LSOAs, each to a random ICB (the editor's traffic: LSOA moves)."""
    rng = np.random.default_rng(seed)
    codes = data.table["lsoa_code"].to_numpy()
    icbs = sorted(data.names["icb"])
    picked = rng.choice(len(codes), lsoas, replace=False)
    return [(codes[i], icbs[rng.integers(len(icbs))]) for i in picked]


def as_scenario(data: VintageData, moves: list[tuple[str, str]]) -> Scenario:
    """LSOA moves, or the same as blocks when there are more than a scenario's moves."""
    if len(moves) > MAX_MOVES:
        return Scenario(data.name, f"{len(moves)} random", blocks=tuple(moves))
    return Scenario(data.name, f"{len(moves)} random").with_moves(
        *(Move("lsoa", code, icb) for code, icb in moves)
    )


class PandasEvaluation:
    """The same core metrics written plainly in pandas (the baseline): ICB populations and
    LSOA counts before/after, moves by from -> to, per UTLA and LTLA the ICBs it works with
    and its main share before/after, and each UTLA's type after. The baseline side is
    computed once, as the project caches it."""

    def __init__(self, data: VintageData) -> None:
        table = data.table
        self.frame = pd.DataFrame({
            "lsoa": table["lsoa_code"].to_numpy(), "population": table["population"].to_numpy(),
            "utla": table["utla_code"].astype(str).to_numpy(),
            "ltla": table["ltla_code"].astype(str).to_numpy(),
            "before": table["icb_code"].astype(str).to_numpy()})  # fmt: skip
        self.lsoa_index = pd.Index(self.frame["lsoa"])
        self.icb_before = self.frame.groupby("before")["population"].agg(["sum", "size"])
        self.links_before = {la: self.links(self.frame, la, "before") for la in ("utla", "ltla")}

    @staticmethod
    def links(frame: pd.DataFrame, la: str, icb: str) -> pd.DataFrame:
        pairs = frame.groupby([la, icb])["population"].sum()
        share = pairs / pairs.groupby(level=0).transform("sum")
        return share.groupby(level=0).agg(["size", "max"])

    @staticmethod
    def types(frame: pd.DataFrame) -> pd.DataFrame:
        pairs = frame.groupby(["utla", "after"])["population"].sum().rename("pop").reset_index()
        pairs["share"] = pairs["pop"] / pairs.groupby("utla")["pop"].transform("sum")
        icb_total = pairs.groupby("after")["pop"].transform("sum")
        pairs["of_icb"] = pairs["pop"] / icb_total
        main = pairs.loc[pairs.groupby("utla")["share"].idxmax()].set_index("utla")
        served = pairs.loc[pairs["share"] >= 0.05].groupby("after").size()
        others = served.reindex(main["after"]).to_numpy() - (main["share"] >= 0.05).to_numpy()
        kind = np.where(main["share"] < 0.95, 4, np.where(main["of_icb"] >= 0.95, 1,
                        np.where(others <= 2, 2, 3)))  # fmt: skip
        return main.assign(type=kind, other_las=others)

    def evaluate(self, moves: list[tuple[str, str]]) -> dict[str, object]:
        frame = self.frame.copy(deep=False)
        target = pd.Series(dict(moves))
        after = frame["before"].to_numpy().copy()
        after[self.lsoa_index.get_indexer(target.index)] = target.to_numpy()
        frame["after"] = after
        changed = frame.loc[frame["before"] != frame["after"]]
        return {
            "icb_after": frame.groupby("after")["population"].agg(["sum", "size"]),
            "moved": changed.groupby(["before", "after"])["population"].agg(["sum", "size"]),
            "links_after": {la: self.links(frame, la, "after") for la in ("utla", "ltla")},
            "types_after": self.types(frame),
        }


def paired(project: Callable[[], object], baseline: Callable[[], object], runs: int,
           setup: Callable[[], object] | None = None) -> tuple[float, float, float]:  # fmt: skip
    """Medians of project and baseline timed alternately, and the median of the per-pair
    ratios project / baseline (robust to a machine others are using)."""
    times: dict[str, list[float]] = {"p": [], "b": []}
    for i in range(runs):
        for key, func in ((("p", project), ("b", baseline)) if i % 2 == 0
                          else (("b", baseline), ("p", project))):  # fmt: skip
            if setup is not None:
                setup()
            start = time.perf_counter()
            func()
            times[key].append(time.perf_counter() - start)
    ratios = [p / b for p, b in zip(times["p"], times["b"], strict=True)]
    return (statistics.median(times["p"]), statistics.median(times["b"]),
            statistics.median(ratios))  # fmt: skip


def fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.1f} ms" if seconds >= 1e-3 else f"{seconds * 1e3:.3f} ms"


def row(measure: str, project: float, baseline: float | None, ratio: float | None,
        target: str = "—", met: bool | None = None) -> str:  # fmt: skip
    mark = "—" if met is None else ("yes" if met else "**no**")
    base = fmt_seconds(baseline) if baseline is not None else "—"
    times = f"{ratio:.2f}×" if ratio is not None else "—"
    return f"| {measure} | {fmt_seconds(project)} | {base} | {times} | {target} | {mark} |"


def bench_evaluation(data: VintageData, runs: int) -> list[str]:
    rows = []
    plain = PandasEvaluation(data)
    evaluate(data, essex_scenario(data), with_shapes=True)  # baseline outlines and caches
    for size in (1, 10, 100, 1000, 10000):
        moves = random_moves(data, size, seed=size)
        scenario = as_scenario(data, moves)

        def project(scenario: Scenario = scenario) -> None:
            data.cache.pop("evaluations", None)  # a new scenario each time
            evaluate(data, scenario, with_shapes=False)

        progress(f"evaluate vs pandas, {size} LSOAs moved ({runs} pairs)…")
        p, b, r = paired(project, lambda moves=moves: plain.evaluate(moves), runs)
        given = "as moves" if size <= MAX_MOVES else "as blocks, over the moves limit"
        rows.append(row(f"evaluate a new scenario, no outlines, {size:,} LSOAs moved {given} "
                        "(baseline: hand-written pandas of the same metrics)", p, b, r,
                        "≤ 1.5×", r <= 1.5))  # fmt: skip
    for size in (10, 1000):
        moves = random_moves(data, size, seed=size)
        scenario = Scenario(data.name, f"{size} random").with_moves(
            *(Move("lsoa", code, icb) for code, icb in moves)
        )
        after = resolve(data, scenario)
        polygons = data.geometry().geometry.to_numpy()
        changed = sorted(set(after.icb[after.icb != baseline(data).icb]) |
                         set(baseline(data).icb[after.icb != baseline(data).icb]))  # fmt: skip

        timings: list[float] = []

        def with_outlines(scenario: Scenario = scenario, timings: list[float] = timings) -> None:
            data.cache.pop("evaluations", None)
            data.cache.pop("icb_shapes", None)
            icb_shapes(data, baseline(data).icb)  # what a warm service holds
            start = time.perf_counter()
            evaluate(data, scenario, with_shapes=True)
            timings.append(time.perf_counter() - start)

        def union_changed(after: np.ndarray = after.icb, changed: list[str] = changed,
                          polygons: np.ndarray = polygons) -> None:  # fmt: skip
            for code in changed:
                shapely.coverage_union_all(polygons[after == code])

        progress(f"evaluate with outlines, {size} LSOAs moved ({runs} runs)…")
        for _ in range(runs):
            with_outlines()
        union = median_time(union_changed, runs)
        p = statistics.median(timings)
        rows.append(row(f"evaluate a new scenario with outlines, {size:,} LSOAs moved, "
                        f"{len(changed)} ICBs changed (baseline: coverage_union_all of "
                        "only those ICBs)", p, union, p / union))  # fmt: skip
    scenario = essex_scenario(data)
    evaluate(data, scenario)
    cached = median_time(lambda: evaluate(data, scenario), runs)
    rows.append(row("evaluate a saved scenario again (cached evaluation)", cached, None, None))
    return rows


def fresh(geometries: np.ndarray) -> np.ndarray:
    """Copies with no prepared state (preparing is part of the work measured)."""
    return shapely.from_wkb(shapely.to_wkb(geometries))


def bench_best_fit(data: VintageData, runs: int) -> list[str]:
    """best_fit (cached tree of LSOA points, prepared candidates) against geopandas.sjoin
    of the same cached points (their frame and spatial index built once), on fresh copies
    of the candidates each run, paired."""
    index = block_index(data)
    points = gpd.GeoDataFrame(
        {"lsoa_code": data.table["lsoa_code"].to_numpy()},
        geometry=index.representative_points, crs="EPSG:27700",
    )  # fmt: skip
    points.sindex  # noqa: B018  (built once: the baseline's points are cached too)
    icbs = dissolve(data, "icb")
    utlas = dissolve(data, "utla")
    sets = {
        "Essex outline": utlas.loc[utlas["code"] == ESSEX, "geometry"].to_numpy(),
        "all 42 ICB outlines (national)": icbs.geometry.to_numpy(),
        "all ICB outlines densified to 50 m": shapely.segmentize(icbs.geometry.to_numpy(), 50.0),
    }
    labels = {"Essex outline": ["Essex ICB"]}
    rows = []
    for name, polygons in sets.items():
        vertices = int(shapely.get_num_coordinates(polygons).sum())
        label = labels.get(name, list(icbs["code"]))
        frame = gpd.GeoDataFrame({"label": label}, geometry=polygons, crs="EPSG:27700")
        candidates = Candidates(frame, "label")
        copies: dict[str, gpd.GeoDataFrame] = {}

        def project(frame: gpd.GeoDataFrame = frame, copies: dict = copies) -> None:
            best_fit(data, Candidates(copies["p"], "label"), "bench")

        def sjoin(copies: dict = copies) -> None:
            gpd.sjoin(points, copies["b"], predicate="within")

        def setup(frame: gpd.GeoDataFrame = frame, copies: dict = copies) -> None:
            for key in ("p", "b"):
                copies[key] = frame.set_geometry(fresh(frame.geometry.to_numpy()))

        best_fit(data, candidates, "warm-up")
        progress(f"best-fit vs sjoin, {name} ({vertices:,} vertices, {runs} pairs)…")
        p, b, r = paired(project, sjoin, runs, setup)
        rows.append(row(f"best-fit of uploaded polygons: {name}, {vertices:,} vertices "
                        "(baseline: geopandas.sjoin on cached points)", p, b, r, "≤ 1×",
                        r <= 1.0))  # fmt: skip
    return rows


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
    rows = bench_evaluation(data, args.runs) + bench_best_fit(data, args.runs)
    print(f"# Boundary Lab scenario benchmark, vintage {data.name}\n")
    print(
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, geopandas {gpd.__version__}, "
        f"shapely {shapely.__version__}; load average {os.getloadavg()[0]:.1f} at the end; "
        f"{len(data.table):,} LSOAs; median of {args.runs} runs. Scenario: Essex in one ICB "
        "(moves of the 5 Essex districts outside Mid and South Essex).\n"
    )
    print("| measure | project | baseline | project / baseline | target | met? |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
