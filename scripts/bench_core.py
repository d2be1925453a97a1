"""Benchmark the core paths of Boundary Lab and print a Markdown table.

For each vintage: store build and load, the warm national UTLA x ICB split, the warm
typology, a cold ``boundary-lab splits`` process, and a naive ``geopandas.overlay``
area-weighted UTLA x ICB intersection as the baseline the split is compared with.
Everything is built into a temporary data folder, so ./data is never touched.

    python3 scripts/bench_core.py --vintage all
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.config import available_vintages, get_vintage
from geodata.geometry import dissolve
from geodata.ingest import build_vintage
from geodata.splits import splits
from geodata.store import Store, VintageData, default_source_dir
from geodata.typology import typology

ESSEX = "E10000012"
BNG = "EPSG:27700"
# Published UTLA and ICB polygons per vintage: (file, code column, name column).
PUBLISHED = {
    "2022": (
        ("boundaries/UTLA_2021_UK_BUC.gpkg", "UTLA21CD", "UTLA21NM"),
        ("boundaries/ICB_2022_EN_BUC.gpkg", "ICB22CD", "ICB22NM"),
    ),
}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_time(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_build(vintage: str, source: Path, root: Path, runs: int) -> float:
    times = []
    for run in range(1, runs + 1):
        progress(f"building {vintage} (run {run}/{runs})…")
        start = time.perf_counter()
        Store(root).write(build_vintage(get_vintage(vintage), source))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_load(vintage: str, root: Path, runs: int) -> float:
    progress(f"loading {vintage} ({runs} fresh stores)…")
    return median_time(lambda: Store(root).load(vintage), runs)


def bench_split(data: VintageData, runs: int) -> float:
    progress(f"national utla x icb split, warm ({runs} runs)…")
    splits(data, "utla", "icb")  # warm-up: names cache, imports
    return median_time(lambda: splits(data, "utla", "icb"), runs)


def bench_typology(data: VintageData, runs: int) -> float:
    progress(f"typology, warm ({runs} runs)…")
    typology(data)
    return median_time(lambda: typology(data), runs)


def _read_layer(path: Path, code: str, name: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path, columns=[code, name])
    frame = frame.loc[frame[code].str.startswith("E")]
    return frame.rename(columns={code: "code", name: "name"}).to_crs(BNG)


def _dissolved(data: VintageData, layer: str) -> gpd.GeoDataFrame:
    return dissolve(data, layer)[["code", "name", "geometry"]].copy()


def baseline_inputs(
    data: VintageData, source: Path
) -> list[tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame]]:
    """(label, UTLA polygons with population, ICB polygons) in EPSG:27700, not timed.

    First the same data the split uses (outlines dissolved from the store's LSOAs); then,
    where the bundle has them, the published ultra-generalised outlines, which are coarse
    enough to make the overlay cheap (and inaccurate).
    """
    progress(f"dissolving {data.name} UTLA and ICB outlines from the store's LSOAs…")
    inputs = [("same data: UTLA/ICB dissolved from the store's LSOAs",
               _dissolved(data, "utla"), _dissolved(data, "icb"))]  # fmt: skip
    if data.name in PUBLISHED:
        (u_file, u_code, u_name), (i_file, i_code, i_name) = PUBLISHED[data.name]
        utla = _read_layer(source / u_file, u_code, u_name)
        icb = _read_layer(source / i_file, i_code, i_name)
        inputs.append(("published ultra-generalised UTLA/ICB polygons", utla, icb))
    population = data.table.groupby("utla_code", observed=True)["population"].sum()
    population.index = population.index.astype(str)
    for _, utla, _ in inputs:
        utla["population"] = utla["code"].map(population)
        missing = utla["population"].isna().sum()
        if missing:
            progress(f"warning: {missing} UTLA polygon(s) have no population in the store")
    return [(label, utla, icb[["code", "geometry"]]) for label, utla, icb in inputs]


def naive_overlay(utla: gpd.GeoDataFrame, icb: gpd.GeoDataFrame) -> pd.Series:
    """Area-weighted population of every (UTLA, ICB) pair."""
    utla = utla.assign(utla_area=utla.area)
    pieces = gpd.overlay(
        utla.rename(columns={"code": "utla_code"}),
        icb.rename(columns={"code": "icb_code"}),
        how="intersection",
        keep_geom_type=True,
    )
    pieces["apportioned"] = pieces["population"] * pieces.area / pieces["utla_area"]
    return pieces.groupby(["utla_code", "icb_code"])["apportioned"].sum()


def bench_baseline(
    utla: gpd.GeoDataFrame, icb: gpd.GeoDataFrame, runs: int
) -> tuple[float, pd.Series]:
    progress(f"baseline: naive geopandas.overlay ({runs} runs)…")
    result = naive_overlay(utla, icb)
    return median_time(lambda: naive_overlay(utla, icb), runs), result


def essex_rows(data: VintageData, naive: pd.Series, utla: gpd.GeoDataFrame) -> list[str]:
    """Essex shares: exact LSOA population shares next to the naive overlay's."""
    exact = splits(data, "utla", "icb", ESSEX).frame.set_index("across_code")
    essex_pop = float(utla.loc[utla["code"] == ESSEX, "population"].iloc[0])
    naive_share = naive.xs(ESSEX, level="utla_code") / essex_pop
    names = data.names["icb"]
    rows = []
    order = pd.concat([exact["share"], naive_share], axis=1).fillna(0)
    for icb in order.sort_values(list(order.columns), ascending=False).index:
        ours = f"{exact['share'][icb]:.1%}" if icb in exact.index else "—"
        theirs = f"{naive_share[icb]:.1%}" if icb in naive_share.index else "—"
        rows.append(f"| {data.name} | {names.get(icb, icb)} ({icb}) | {ours} | {theirs} |")
    return rows


def cli_command(vintage: str, root: Path) -> list[str]:
    return [
        *("-m", "geodata.cli", "splits", "--by", "utla", "--across", "icb"),
        *("--vintage", vintage, "--area", ESSEX, "--data", str(root)),
    ]


#: The baseline for a cold split: a plain pandas script on the published CSVs, driven by
#: the vintage declaration (population file, then each lookup chained on its key).
NAIVE_SCRIPT = """
import sys, tomllib
import pandas as pd
config, source, area = tomllib.load(open(sys.argv[1], "rb")), sys.argv[2], sys.argv[3]
pop = config["population"]
blocks = pd.read_csv(f"{source}/{pop['file']}", usecols=[pop["code"], pop["value"]])
blocks = blocks.rename(columns={pop["code"]: "lsoa", pop["value"]: "population"})
keys = {"lsoa": "lsoa"}
for lookup in config["lookups"]:
    columns = {lookup["key"]: keys[lookup["on"]]}
    for layer, spec in lookup["layers"].items():
        columns |= {spec["code"]: layer, spec["name"]: layer + "_name"}
        keys[layer] = layer
    table = pd.read_csv(f"{source}/{lookup['file']}", usecols=list(columns)).rename(columns=columns)
    blocks = blocks.merge(table.drop_duplicates(keys[lookup["on"]]), on=keys[lookup["on"]])
essex = blocks.loc[(blocks["utla"] == area) | (blocks["utla_name"] == area)]
split = essex.groupby(["utla", "utla_name", "icb", "icb_name"])["population"].sum()
split = split.reset_index().sort_values("population", ascending=False)
split["share"] = split["population"] / split["population"].sum()
print(split.to_string(index=False))
"""


def paired_processes(a: list[str], b: list[str], runs: int) -> tuple[float, float, float]:
    """Whole processes A and B run in turn (A B B A ...): medians and median A/B ratio."""
    times: dict[str, list[float]] = {"a": [], "b": []}
    for i in range(runs + 1):  # the first pair warms the file cache and is not counted
        for key, command in (("a", a), ("b", b)) if i % 2 else (("b", b), ("a", a)):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True)  # fmt: skip
            if i:
                times[key].append(time.perf_counter() - start)
    ratios = [x / y for x, y in zip(times["a"], times["b"], strict=True)]
    return (statistics.median(times["a"]), statistics.median(times["b"]),
            statistics.median(ratios))  # fmt: skip


def bench_cli(vintage: str, root: Path, source: Path, runs: int) -> tuple[float, float, float]:
    progress(f"cold CLI split process vs a naive pandas script on the CSVs ({runs} pairs)…")
    config = get_vintage(vintage).path
    naive = [sys.executable, "-c", NAIVE_SCRIPT, str(config), str(source), ESSEX]
    return paired_processes([sys.executable, *cli_command(vintage, root)], naive, runs)


def bench_clean(vintage: str, source: Path, runs: int) -> tuple[float, float] | None:
    """Coverage cleaning where needed against cleaning the whole layer (what the build did
    before), on the vintage's reprojected LSOAs; None when they need no cleaning."""
    import numpy as np

    from geodata.ingest.coverage import clean_coverage

    config = get_vintage(vintage)
    frame = gpd.read_file(source / config.blocks_file, columns=[config.blocks_code],
                          engine="pyogrio")  # fmt: skip
    frame = frame.loc[frame[config.blocks_code].str.startswith("E")].to_crs(BNG)
    polygons = frame.geometry.to_numpy()

    def whole() -> None:
        if not shapely.coverage_is_valid(polygons):
            np.asarray(shapely.coverage_clean(polygons))

    if not clean_coverage(polygons)[1]:
        return None
    progress(f"coverage cleaning, local vs whole layer ({runs} runs each)…")
    return median_time(lambda: clean_coverage(polygons), runs), median_time(whole, runs)


def geometry_imported(vintage: str, root: Path) -> bool:
    """Whether the cold split process imports geopandas or shapely (-X importtime)."""
    command = [sys.executable, "-X", "importtime", *cli_command(vintage, root)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return any(m.split(".")[0] in ("geopandas", "shapely") for m in modules)


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.2f} ms"


def row(vintage: str, measure: str, median: str, target: str = "—", met: bool | None = None) -> str:
    mark = "—" if met is None else ("yes" if met else "**no**")
    return f"| {vintage} | {measure} | {median} | {target} | {mark} |"


def bench_vintage(vintage: str, source: Path, root: Path, args: argparse.Namespace):  # noqa: ANN201
    """The table rows and Essex rows of one vintage, and whether geometry was imported."""
    build = bench_build(vintage, source, root, args.build_runs)
    load = bench_load(vintage, root, args.load_runs)
    data = Store(root).load(vintage)
    split = bench_split(data, args.split_runs)
    typ = bench_typology(data, args.typology_runs)
    baselines = [
        (label, utla, *bench_baseline(utla, icb, args.baseline_runs))
        for label, utla, icb in baseline_inputs(data, source)
    ]
    cli, naive, cli_ratio = bench_cli(vintage, root, source, args.cli_runs)
    imported = geometry_imported(vintage, root)
    clean = bench_clean(vintage, source, args.build_runs)
    rows = [
        row(vintage, "store build (build_vintage + Store.write, with the precomputed outlines "
            "and points)", fmt_seconds(build)),
        row(vintage, "store load (fresh Store)", fmt_seconds(load), "< 2 s", load < 2),
        row(vintage, "national UTLA×ICB split, warm", fmt_seconds(split), "< 20 ms", split < 0.02),
        row(vintage, "typology, warm", fmt_seconds(typ)),
    ]  # fmt: skip
    for label, _, base, _ in baselines:
        ratio = base / split
        rows += [
            row(vintage, f"baseline: naive overlay + apportion ({label})", fmt_seconds(base)),
            row(vintage, "  split speed-up vs that baseline", f"{ratio:,.0f}×", "≥ 50×",
                ratio >= 50),
        ]  # fmt: skip
    if clean is not None:
        rows += [
            row(vintage, "coverage cleaning, only where needed", fmt_seconds(clean[0])),
            row(vintage, "baseline: coverage_is_valid + coverage_clean of the whole layer",
                fmt_seconds(clean[1])),
            row(vintage, "  local / whole", f"{clean[0] / clean[1]:.2f}×"),
        ]  # fmt: skip
    rows += [
        row(vintage, "cold CLI split process (Essex)", fmt_seconds(cli), "< 1 s", cli < 1),
        row(vintage, "baseline: naive pandas script on the CSVs (Essex), paired processes",
            fmt_seconds(naive)),
        row(vintage, "  CLI / naive script (median of pairs)", f"{cli_ratio:.2f}×", "≤ 0.5×",
            cli_ratio <= 0.5),
        row(vintage, "geopandas/shapely imported on split path", "yes" if imported else "no",
            "no", not imported),
    ]  # fmt: skip
    _, utla, _, naive = baselines[-1]
    return rows, essex_rows(data, naive, utla), imported


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vintage", default="2022", help="vintage name or 'all' (default 2022)")
    parser.add_argument(
        "--source",
        type=Path,
        default=default_source_dir(),
        help="source folder of the published files (default: %(default)s)",
    )
    parser.add_argument("--build-runs", type=int, default=3, help="store builds (default 3)")
    parser.add_argument("--load-runs", type=int, default=20, help="store loads (default 20)")
    parser.add_argument("--split-runs", type=int, default=200, help="warm splits (default 200)")
    parser.add_argument("--typology-runs", type=int, default=50, help="typologies (default 50)")
    parser.add_argument("--baseline-runs", type=int, default=5, help="overlays (default 5)")
    parser.add_argument("--cli-runs", type=int, default=7, help="CLI processes (default 7)")
    return parser.parse_args(argv)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.source is None or not Path(args.source).is_dir():
        sys.exit(f"source folder {args.source} not found; give it with --source")
    vintages = list(available_vintages()) if args.vintage == "all" else [args.vintage]
    table = ["| vintage | measure | median | target | met? |", "|---|---|---|---|---|"]
    essex = ["| vintage | ICB | exact (LSOA population) | naive overlay (area-weighted) |",
             "|---|---|---|---|"]  # fmt: skip
    imported = False
    with tempfile.TemporaryDirectory(prefix="bench_core.") as tmp:
        for vintage in vintages:
            rows, essex_part, geo = bench_vintage(vintage, Path(args.source), Path(tmp), args)
            table += rows
            essex += essex_part
            imported |= geo
    print("# Boundary Lab core benchmark\n")
    print(
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, geopandas {gpd.__version__}, "
        f"shapely {shapely.__version__}\n"
    )
    print(
        f"Runs (medians): build {args.build_runs}, load {args.load_runs}, split "
        f"{args.split_runs}, typology {args.typology_runs}, baseline {args.baseline_runs}, "
        f"CLI {args.cli_runs}; source {args.source}; temporary data folder\n"
    )
    print("\n".join(table))
    print(f"\ngeometry stack imported on the split path: {'yes' if imported else 'no'}\n")
    print(
        "Baseline: geopandas.overlay(utla, icb, how='intersection', keep_geom_type=True) in "
        "EPSG:27700, each UTLA's population apportioned by piece area / UTLA area and grouped "
        "by (UTLA, ICB); file reads, reprojection and any dissolve are not timed.\n"
    )
    print("Accuracy note, Essex (E10000012) shares of its population by ICB:\n")
    print("\n".join(essex))
    return 0


if __name__ == "__main__":
    sys.exit(main())
