"""Benchmark the map pages against their budgets and print a Markdown table.

On a built store (``--data``, default ./data) and one vintage (default: the newest):

- payload: the page's HTML as served plus the Leaflet files it loads, uncompressed
  (the service sends the HTML gzip-compressed; that size is shown too);
- page build, warm: ``maps.pages`` with the vintage's geometry caches warm and no page
  cache, so every run builds and renders the whole page;
- Chromium, load to map ready: Debian's headless Chromium opens the page from a local
  server (page cache warm, browser cache off) until the map has drawn every layer.

Only loopback is contacted, and the store is only read.

    python3 scripts/bench_maps.py --data data --runs 5
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_rows import Row, table
from flask import Flask

from geodata.store import Store, VintageData
from maps import pages
from maps.base import MapOptions
from service import create_app
from service.assets import LEAFLET
from service.testing import chromium, chromium_path, serving

ESSEX = "E10000012"
MID_AND_SOUTH_ESSEX = "E54000026"
MB = 1_000_000


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def page_paths(vintage: str) -> dict[str, str]:
    return {
        "overview": f"/maps/overview?vintage={vintage}",
        "Essex split": f"/maps/split/{ESSEX}?vintage={vintage}",
        "typology": f"/maps/typology?vintage={vintage}",
        "area (Mid and South Essex ICB)": f"/maps/area/{MID_AND_SOUTH_ESSEX}?vintage={vintage}",
    }


def bench_payload(app: Flask, vintage: str) -> list[Row]:
    client = app.test_client()
    assets = 0
    for name in ("leaflet.js", "leaflet.css"):
        with client.get(f"/maps/static/{LEAFLET.slug}/{name}") as response:
            assets += len(response.data)
    rows = []
    for label, limit in (("overview", 3), ("Essex split", 2)):
        progress(f"payload: {label}…")
        html = client.get(page_paths(vintage)[label]).data
        total = len(html) + assets
        rows.append(
            Row(
                f"{label} page payload (HTML + Leaflet; HTML gzipped as sent: "
                f"{len(gzip.compress(html)) / MB:.2f} MB)",
                f"{total / MB:.2f} MB",
                f"< {limit} MB",
                total < limit * MB,
            )
        )
    return rows


#: Run in a fresh process, as a new gunicorn worker: the app, then one page requested
#: twice over HTTP (test client), the page cache cleared between, so both are built.
FRESH_WORKER = """
import json, sys, tempfile, time, warnings
warnings.simplefilter("ignore")
from service import create_app
data_dir, vintage, path = sys.argv[1:4]
with tempfile.TemporaryDirectory() as tmp:
    app = create_app({"DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{tmp}/b.db"})
    client = app.test_client()
    times = []
    for _ in range(2):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append(time.perf_counter() - start)
        app.extensions["boundary_lab"].store.load(vintage).cache.pop("maps:pages", None)
    app.extensions["boundary_lab"].db.dispose()
print(json.dumps(times))
"""


def bench_fresh_worker(data_dir: Path, vintage: str, runs: int) -> list[Row]:
    """A fresh worker's first request for a page against its second (warm) one, in the
    same process; the ratio's median over ``runs`` processes."""
    import json
    import subprocess

    rows = []
    for label, path in page_paths(vintage).items():
        progress(f"fresh worker: {label} ({runs} processes)…")
        pairs = []
        for _ in range(runs):
            command = [sys.executable, "-c", FRESH_WORKER, str(data_dir), vintage, path]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            pairs.append(json.loads(out.strip().splitlines()[-1]))
        first = statistics.median(p[0] for p in pairs)
        warm = statistics.median(p[1] for p in pairs)
        ratio = statistics.median(p[0] / p[1] for p in pairs)
        rows.append(Row(f"fresh worker's first request: {label} (first {first * 1000:.0f} ms, "
                        f"warm {warm * 1000:.0f} ms, same process)", f"{ratio:.2f}× warm",
                        "≤ 2× warm", ratio <= 2))  # fmt: skip
    return rows


def median_seconds(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_builds(data: VintageData, runs: int) -> list[Row]:
    options = MapOptions("/maps/static/leaflet.js", "/maps/static/leaflet.css")
    builders: dict[str, Callable[[], str]] = {
        "overview": lambda: pages.overview_page(data, options),
        "Essex split": lambda: pages.split_page(data, ESSEX, "icb", options),
        "typology": lambda: pages.typology_page(data, options),
        "area (Mid and South Essex ICB)": lambda: pages.area_page(
            data, MID_AND_SOUTH_ESSEX, options
        ),
    }
    rows = []
    for label, build in builders.items():
        progress(f"page build: {label} (1 cold + {runs} warm)…")
        start = time.perf_counter()
        build()
        cold = time.perf_counter() - start
        warm = median_seconds(build, runs)
        rows.append(
            Row(
                f"page build, warm: {label} (first, cold: {cold * 1000:.0f} ms)",
                f"{warm * 1000:.0f} ms",
                "< 500 ms",
                warm < 0.5,
            )
        )
    return rows


def bench_cached(app: Flask, vintage: str, runs: int) -> Row:
    client = app.test_client()
    path = page_paths(vintage)["overview"]
    client.get(path)
    headers = {"Accept-Encoding": "gzip"}
    seconds = median_seconds(lambda: client.get(path, headers=headers), runs)
    return Row("cached page response: overview (gzip)", f"{seconds * 1000:.1f} ms", "–", None)


def bench_chromium(app: Flask, vintage: str, runs: int) -> list[Row]:
    executable = chromium_path()
    try:
        import playwright  # noqa: F401  (a test extra)
    except ImportError:
        executable = None
    if executable is None:
        progress("Chromium or playwright is missing: no browser measures")
        return [Row("Chromium load to map ready", "not measured", "< 3 s", None)]
    rows = []
    with (
        serving(app) as base,
        tempfile.TemporaryDirectory() as profile,
        chromium(profile, executable) as context,
    ):
        for label, path in page_paths(vintage).items():
            progress(f"Chromium: {label} ({runs} loads)…")
            app.test_client().get(path)  # the server's page cache is warm, as in use
            times = [_load_to_ready(context, base + path) for _ in range(runs)]
            seconds = statistics.median(times)
            rows.append(
                Row(
                    f"Chromium load to map ready: {label}", f"{seconds:.2f} s", "< 3 s", seconds < 3
                )
            )
    return rows


def _load_to_ready(context: object, url: str) -> float:
    """Seconds from navigation start to the map's ready flag, browser cache off."""
    page = context.new_page()  # type: ignore[attr-defined]
    cdp = context.new_cdp_session(page)  # type: ignore[attr-defined]
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(url)
    page.wait_for_selector("html[data-map-ready=true]", state="attached", timeout=30_000)
    ready_ms = page.evaluate("window.boundaryLab.readyMs")
    page.close()
    return float(ready_ms) / 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data"), help="built store")
    parser.add_argument("--vintage", help="default: the newest built")
    parser.add_argument("--runs", type=int, default=5, help="runs per timed measure")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    store = Store(args.data)
    vintage = args.vintage or store.default_vintage()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": str(args.data), "DATABASE_URL": f"sqlite:///{tmp}/b.db"})
        data = app.extensions["boundary_lab"].store.load(vintage)
        rows = bench_fresh_worker(args.data, vintage, args.runs)
        rows += bench_builds(data, args.runs)  # first: the first builds start cold
        rows += bench_payload(app, vintage)
        rows.append(bench_cached(app, vintage, args.runs))
        rows += bench_chromium(app, vintage, args.runs)
        app.extensions["boundary_lab"].db.dispose()

    print(
        f"Map pages, vintage {vintage}; median of {args.runs} runs; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs\n"
    )
    print(table(rows))
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
