"""Benchmark the boundary editor (/edit) in Debian's headless Chromium; print a Markdown table.

Timings come from the page itself (``performance.now()``, exposed as ``window.editorPerf``):

- page ready: navigation start to the map drawn with every district and the tallies,
  browser cache off;
- edit to updated tally: from the click handler to the panel and map styles updated
  (and to the next frame), clicking districts nationally and LSOAs in Essex;
- edit to full server evaluation: the unsaved-evaluation request sent to its answer
  shown, and from the edit (including the pause the page waits for) to the same point;
- payloads: what the national district view and one county's LSOAs transfer (gzip, as
  sent) and decode to.

Baselines in the same run, as ratios: an edit's in-page tally against asking the server
for the full evaluation; Essex's LSOAs by district against the whole country's LSOA
polygons in one GeoJSON payload (what the editor does not send).

Only loopback is contacted, and the store is only read.

    python3 scripts/bench_editor.py --data data --vintage 2024 --runs 5
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_rows import Row, table

from geodata.geometry import dissolve, to_geojson
from geodata.store import Store
from service import create_app
from service.testing import chromium, chromium_path, serving

ESSEX = "E10000012"
MB = 1_000_000
#: Districts clicked in turn, far apart, each given to the ICB of the one before.
DISTRICTS = (
    "E07000071",
    "E06000018",
    "E08000025",
    "E06000052",
    "E07000121",
    "E09000033",
    "E06000047",
    "E07000234",
    "E06000030",
    "E07000203",
)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def open_editor(context: Any, url: str) -> Any:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.add_init_script("localStorage.clear()")
    page.goto(url)
    page.wait_for_selector("html[data-map-ready=true]", state="attached", timeout=60_000)
    page.wait_for_function("editor.evaluated()", timeout=60_000)
    return page


def click(page: Any, layer: str, code: str, zoom: float) -> None:
    page.evaluate(
        """([layer, code, zoom]) => {
            const map = editor.map(), f = editor.unitPoint(layer, code);
            map.setView(map.containerPointToLatLng([f.x, f.y]), zoom, {animate: false});
        }""",
        [layer, code, zoom],
    )
    point = page.evaluate("([l, c]) => editor.unitPoint(l, c)", [layer, code])
    box = page.locator("#map").bounding_box()
    count = page.evaluate("editorPerf.tally.length")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(f"editorPerf.tally.length > {count}")
    page.mouse.move(box["x"] + 2, box["y"] + 2)  # the tooltip off, so the next click lands
    page.wait_for_function("editor.evaluated()", timeout=60_000)


def median_ms(values: list[float]) -> float:
    return statistics.median(values)


def bench_page(context: Any, base: str, vintage: str, runs: int) -> tuple[list[Row], Any]:
    url = f"{base}/edit?base={vintage}"
    ready = []
    for run in range(runs):
        progress(f"page ready: run {run + 1}/{runs}…")
        page = open_editor(context, url)
        ready.append(page.evaluate("editorPerf.ready"))
        if run < runs - 1:
            page.close()
    seconds = median_ms(ready) / 1000
    return [
        Row(
            "page ready (navigation start to districts drawn, cache off)",
            f"{seconds:.2f} s",
            "< 3 s",
            seconds < 3,
        )
    ], page


def bench_districts(page: Any, runs: int) -> dict[str, list[float]]:
    page.select_option("#active-icb", page.evaluate("document.getElementById('active-icb').value"))
    for code in DISTRICTS[: max(runs, 3)]:
        progress(f"district edit: {code}…")
        click(page, "ltla", code, 9)
    return page.evaluate("editorPerf")  # type: ignore[no-any-return]


def bench_lsoas(page: Any, data: Any, runs: int) -> dict[str, list[float]]:
    page.evaluate(
        "editorPerf.tally = []; editorPerf.frame = []; editorPerf.evaluation = []; "
        "editorPerf.editToEvaluation = []"
    )
    page.select_option("#level", "lsoa")
    essex = data.table.loc[data.table["utla_code"] == ESSEX]
    # Centre on Essex's districts one after another so that all their LSOAs load.
    for district in sorted(set(essex["ltla_code"].astype(str))):
        page.evaluate(
            """code => { const map = editor.map(), f = editor.unitPoint('ltla', code);
                map.setView(map.containerPointToLatLng([f.x, f.y]), 11, {animate: false}); }""",
            district,
        )
        page.wait_for_timeout(300)
    page.wait_for_function("editor.lsoasShown() > 800", timeout=60_000)
    shown = page.evaluate("editor.lsoasShown()")
    progress(f"LSOAs shown: {shown}")
    codes = essex["lsoa_code"].astype(str).tolist()
    for code in codes[:: max(1, len(codes) // max(runs, 3))][: max(runs, 3)]:
        progress(f"LSOA edit: {code}…")
        click(page, "lsoa", code, 13)
    perf = page.evaluate("editorPerf")
    perf["shown"] = shown
    return perf  # type: ignore[no-any-return]


def payload_rows(page: Any, app: Any, data: Any, national_lsoas: bool) -> list[Row]:
    entries = page.evaluate(
        "performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
        ".map(e => [e.name, e.transferSize, e.decodedBodySize])"
    )
    wanted = (
        "/edit?",
        "/edit/static/",
        "/maps/static/",
        "/editor/units",
        "/editor/outlines/ltla",
        "/editor/outlines/icb",
    )
    seen: dict[str, tuple[int, int]] = {}
    for name, transfer, decoded in entries:
        if any(w in name for w in wanted):
            seen[name] = (transfer, decoded)
    transfer = sum(t for t, _ in seen.values()) / MB
    decoded = sum(d for _, d in seen.values()) / MB
    rows = [
        Row(
            f"payload, national district view ({len(seen)} files: page, scripts, units, "
            f"district and ICB outlines), as sent (gzip); decoded {decoded:.2f} MB",
            f"{transfer:.2f} MB",
            "< 1.5 MB",
            transfer < 1.5,
        )
    ]
    districts = sorted(
        set(data.table.loc[data.table["utla_code"] == ESSEX, "ltla_code"].astype(str))
    )
    client = app.test_client()
    response = client.get(
        f"/api/v1/editor/lsoas?vintage={data.name}&ltla={','.join(districts)}",
        headers={"Accept-Encoding": "gzip"},
    )
    essex_sent = len(response.data)
    essex_raw = len(gzip.decompress(response.data))
    response.close()
    rows.append(
        Row(
            f"payload, Essex's LSOAs ({len(districts)} districts) as sent (gzip); "
            f"decoded {essex_raw / MB:.2f} MB",
            f"{essex_sent / MB:.3f} MB",
            "< 1 MB",
            essex_sent < MB,
        )
    )
    if national_lsoas:
        progress("baseline: every LSOA polygon in one GeoJSON…")
        frame = dissolve(data, "lsoa")[["code", "name", "geometry"]]
        text = json.dumps(to_geojson(frame), separators=(",", ":")).encode()
        zipped = len(gzip.compress(text, compresslevel=6))
        rows.append(
            Row(
                f"baseline: all {len(frame):,} LSOAs in one GeoJSON, gzip "
                f"(decoded {len(text) / MB:.1f} MB)",
                f"{zipped / MB:.2f} MB",
                "–",
                None,
            )
        )
        rows.append(
            Row(
                "  by district instead: Essex's LSOAs are this much smaller",
                f"{zipped / essex_sent:.0f}×",
                "–",
                None,
            )
        )
    return rows


def timing_rows(label: str, perf: dict[str, list[float]]) -> list[Row]:
    tally, frame = median_ms(perf["tally"]), median_ms(perf["frame"])
    evaluation, edit_to = median_ms(perf["evaluation"]), median_ms(perf["editToEvaluation"])
    return [
        Row(
            f"{label}: edit to updated tally ({len(perf['tally'])} edits)",
            f"{tally:.1f} ms",
            "< 50 ms",
            tally < 50,
        ),
        Row(f"{label}: edit to next frame drawn", f"{frame:.1f} ms", "–", None),
        Row(
            f"{label}: full server evaluation (request to answer shown)",
            f"{evaluation:.0f} ms",
            "< 300 ms",
            evaluation < 300,
        ),
        Row(
            f"{label}: edit to full evaluation, with the page's 250 ms pause",
            f"{edit_to:.0f} ms",
            "–",
            None,
        ),
        Row(
            f"{label}: in-page tally faster than the server round trip",
            f"{evaluation / tally:.0f}×",
            "–",
            None,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data"), help="built store")
    parser.add_argument("--vintage", help="default: the newest built")
    parser.add_argument("--runs", type=int, default=5, help="page loads and edits per measure")
    parser.add_argument(
        "--no-national-lsoas",
        action="store_true",
        help="skip the baseline of every LSOA in one payload (about 15 s)",
    )
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    executable = chromium_path()
    if executable is None:
        progress("Chromium is not installed (apt-get install chromium)")
        return 2

    vintage = args.vintage or Store(args.data).default_vintage()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": str(args.data), "DATABASE_URL": f"sqlite:///{tmp}/b.db"})
        data = app.extensions["boundary_lab"].store.load(vintage)
        # The page's CSP forbids eval, which Playwright's wait_for_function uses to poll;
        # the measurements read the page's own performance.now().
        browser = chromium(f"{tmp}/profile", executable, bypass_csp=True)
        with serving(app) as base, browser as context:
            rows, page = bench_page(context, base, vintage, args.runs)
            rows += payload_rows(page, app, data, not args.no_national_lsoas)
            rows += timing_rows("districts, national", bench_districts(page, args.runs))
            rows += timing_rows("LSOAs in Essex", bench_lsoas(page, data, args.runs))
        app.extensions["boundary_lab"].db.dispose()
    print(
        f"Boundary editor, vintage {vintage}; medians of {args.runs} runs; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Flask development server\n"
    )
    print(table(rows))
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
