"""Benchmark the PCN apportionment for all of England and print a Markdown table.

For each vintage: the LSOA x catchment cover through the block index (one bulk query,
then only the LSOAs on a catchment's edge clipped) against a plain ``geopandas.overlay``
of the same two layers computing the same area shares, as a ratio; the number of
LSOA x catchment intersections each finds (they must agree, and so must the shares);
then the default apportionment and the whole layer build.

    python3 scripts/bench_pcn.py [--vintage 2022|2024|all] [--runs 3] [--source DIR] [--data DIR]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.config import get_vintage
from geodata.geometry import block_index
from geodata.ingest import build_vintage
from geodata.pcn.apportion import DEFAULT_METHOD, apportion
from geodata.pcn.cover import catchment_cover
from geodata.pcn.layer import apportion_inputs, build_pcn_layer, vintage_points
from geodata.pcn.sources import load_sources
from geodata.store import Store, VintageData, default_data_dir, default_source_dir

T = TypeVar("T")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(func: Callable[[], T], runs: int) -> tuple[float, T]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def load_vintage(name: str, source: Path, data_dir: Path, scratch: Path) -> VintageData:
    store = Store(data_dir)
    if name in store.built():
        return store.load(name)
    progress(f"building vintage {name} into a temporary store")
    Store(scratch).write(build_vintage(get_vintage(name), source))
    return Store(scratch).load(name)


def overlay_cover(data: VintageData, catchments: gpd.GeoDataFrame) -> pd.DataFrame:
    """The baseline: geopandas.overlay of LSOAs and catchments, then area shares."""
    blocks = data.geometry()
    lsoas = gpd.GeoDataFrame(
        {"block": np.arange(len(blocks)), "block_area": blocks.geometry.area.to_numpy()},
        geometry=blocks.geometry.to_numpy(),
        crs=blocks.crs,
    )
    pieces = gpd.overlay(lsoas, catchments[["pcn_code", "geometry"]], how="intersection")
    pieces["cover"] = pieces.geometry.area / pieces["block_area"]
    return pieces[["block", "pcn_code", "cover"]]


def bench(
    name: str, source: Path, data_dir: Path, scratch: Path, runs: int
) -> list[dict[str, str]]:
    data = load_vintage(name, source, data_dir, scratch)
    sources = load_sources(source)
    index = block_index(data)
    points = vintage_points(data)
    polygons = sources.catchments.geometry.to_numpy()
    codes = sources.catchments["pcn_code"].to_numpy()
    progress(f"{name}: cover through the block index ({runs} runs)")
    index_s, cover = timed(lambda: catchment_cover(index, polygons, codes, points), runs)
    progress(f"{name}: geopandas.overlay ({runs} runs)")
    overlay_s, pieces = timed(lambda: overlay_cover(data, sources.catchments), runs)
    pieces = pieces.loc[pieces["cover"] > 1e-6]
    merged = cover.frame.merge(pieces, on=["block", "pcn_code"], how="outer", suffixes=("", "_o"))
    worst = float(np.nanmax(np.abs(merged["cover"] - merged["cover_o"]))) if len(merged) else 0.0
    unmatched = int(merged[["cover", "cover_o"]].isna().any(axis=1).sum())
    progress(f"{name}: default apportionment and full build")
    inputs, _ = apportion_inputs(data, sources)
    apportion_s, shares = timed(lambda: apportion(inputs, DEFAULT_METHOD), runs)
    build_s, _ = timed(lambda: build_pcn_layer(data, source), 1)
    lsoas = f"{len(data.table):,}"
    return [
        {
            "vintage": name,
            "step": "LSOA x catchment cover, block index",
            "LSOAs": lsoas,
            "intersections": f"{cover.intersections:,} ({len(cover.frame):,} with area)",
            "seconds": f"{index_s:.2f}",
            "vs index": "1.0x",
        },
        {
            "vintage": name,
            "step": "LSOA x catchment cover, geopandas.overlay",
            "LSOAs": lsoas,
            "intersections": f"{len(pieces):,} pieces; shares differ by <= {worst:.1e}, "
            f"{unmatched} unmatched",
            "seconds": f"{overlay_s:.2f}",
            "vs index": f"{overlay_s / index_s:.1f}x slower",
        },
        {
            "vintage": name,
            "step": f"apportionment ({DEFAULT_METHOD})",
            "LSOAs": lsoas,
            "intersections": f"{len(shares):,} LSOA x PCN shares",
            "seconds": f"{apportion_s:.2f}",
            "vs index": "",
        },
        {
            "vintage": name,
            "step": "whole PCN layer build (sources, cover, apportionment)",
            "LSOAs": lsoas,
            "intersections": "",
            "seconds": f"{build_s:.2f}",
            "vs index": "",
        },
    ]


def markdown(rows: list[dict[str, str]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(row[c] for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vintage", default="all", help="2022, 2024 or all")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", type=Path, default=default_source_dir())
    parser.add_argument("--data", type=Path, default=default_data_dir())
    args = parser.parse_args(argv)
    if args.source is None:
        parser.error("no source folder: give --source or BOUNDARY_LAB_SOURCE")
    names = ["2022", "2024"] if args.vintage == "all" else [args.vintage]
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            rows += bench(name, args.source, args.data, Path(scratch), args.runs)
    print(
        f"PCN apportionment benchmark: median of {args.runs} runs; Python "
        f"{platform.python_version()}, shapely {shapely.__version__} (GEOS "
        f"{shapely.geos_version_string}), geopandas {gpd.__version__}, {platform.machine()}\n"
    )
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
