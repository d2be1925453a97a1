"""Benchmark the hardening of issue 12 against the code it replaced, in the same run, and
print a Markdown table of medians and ratios.

    python3 scripts/bench_hardening.py --data ./data --vintage 2024

Rows:
- the duplicate-code check of a place set: ``Counter`` against the former
  ``keys.count(k)`` per key (quadratic), on one key per LSOA (32,844 or 33,755 places);
- the checks of the largest allowed place set (2,000 places of LSOAs scattered over
  England): one group-by for all places against the former per-place group-bys and
  per-overlap scans (reproduced below from the replaced code);
- a 2 MB zip that inflates to 2 GB: bytes produced before the streamed, counted unzip
  refuses it, against the 2 GB the member holds.
"""

from __future__ import annotations

import argparse
import statistics
import struct
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geodata.places import resolve_places
from geodata.places.checks import check_places
from geodata.places.model import PlaceSet
from geodata.store import Store, VintageData
from geodata.unzip import UnzipError, ZipLimits, extract


def median_seconds(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- the replaced code, as it was (baseline) --------------------------------------------


def baseline_duplicates(keys: list[str]) -> list[str]:
    return sorted({k for k in keys if keys.count(k) > 1})


def _baseline_shares(codes: np.ndarray, population: np.ndarray, names: dict) -> list[dict]:
    frame = pd.DataFrame({"code": codes, "population": population})
    grouped = frame.groupby("code")["population"].sum().sort_values(ascending=False)
    total = grouped.sum()
    return [{"code": c, "name": names.get(c, c), "population": int(p),
             "share": float(p / total) if total else 0.0} for c, p in grouped.items()]  # fmt: skip


def baseline_place_rows(data: VintageData, membership: Any) -> list[dict]:
    """The per-place part of the former check_places (the PCN part is left out: the
    baseline is the cheaper of the two)."""
    table = data.table
    population = table["population"].to_numpy()
    icb, utla = (table[c].to_numpy().astype(object) for c in ("icb_code", "utla_code"))
    rows = []
    for code in membership.codes:
        members = membership.rows[code]
        rows.append({"code": code,
                     "icbs": _baseline_shares(icb[members], population[members],
                                              data.names["icb"]),
                     "utlas": _baseline_shares(utla[members], population[members],
                                               data.names["utla"])})  # fmt: skip
    return rows


# --- inputs ------------------------------------------------------------------------------


def scattered_places(data: VintageData, count: int) -> PlaceSet:
    codes = list(data.table["lsoa_code"])
    places = [{"name": f"Place {i}", "blocks": [{"layer": "lsoa", "code": c}
                                                for c in codes[i::count]]}
              for i in range(count)]  # fmt: skip
    return PlaceSet.from_dict({"name": "scattered", "vintage": data.name, "places": places})


def bomb(folder: Path, megabytes: int) -> Path:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = packer.compress(bytes(2**20)) + packer.flush(zlib.Z_FULL_FLUSH)
    path = folder / "bomb.zip"
    # Written by hand: one deflated member of ``megabytes`` MB of zeros, honest sizes.
    data = piece * megabytes + b"\x03\x00"
    name = b"c.shp"
    size = megabytes * 2**20
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(data), size,
                        len(name), 0) + name  # fmt: skip
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, len(data),
                          size, len(name), 0, 0, 0, 0, 0, 0) + name  # fmt: skip
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)  # fmt: skip
    path.write_bytes(local + data + central + end)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data")
    parser.add_argument("--vintage", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = Store(args.data).load(args.vintage)
    rows: list[tuple[str, float, float]] = []

    keys = list(data.table["lsoa_code"])
    new = median_seconds(lambda: sorted(k for k, n in Counter(keys).items() if n > 1),
                         args.repeat)  # fmt: skip
    old = median_seconds(lambda: baseline_duplicates(keys), 1)
    rows.append((f"duplicate check, {len(keys):,} places", new, old))

    place_set = scattered_places(data, 2000)
    membership = resolve_places(data, place_set)
    check_places(data, membership)  # warm the PCN share cache for both
    new = median_seconds(lambda: check_places(data, membership), args.repeat)
    old = median_seconds(lambda: baseline_place_rows(data, membership), 1)
    rows.append(("place checks, 2,000 scattered places (old: per-place part only)", new, old))

    print(f"vintage {data.name}, {len(data.table):,} LSOAs; medians of {args.repeat} runs "
          "(baselines: 1 run)\n")  # fmt: skip
    print("| measure | project | baseline (replaced code) | baseline / project |")
    print("|---|---:|---:|---:|")
    for label, project, baseline in rows:
        print(f"| {label} | {project:.3f} s | {baseline:.3f} s | {baseline / project:.1f}× |")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = bomb(folder, 2048)
        seen: list[int] = []
        started = time.perf_counter()
        try:
            extract(archive, {"c.shp": folder / "out.shp"}, ZipLimits(), seen.append)
        except UnzipError as exc:
            refused = str(exc)
        seconds = time.perf_counter() - started
        print(f"\n2 GB zip of {archive.stat().st_size / 2**20:.1f} MB: refused after "
              f"{max(seen) / 2**20:.1f} MB of 2,048 MB produced "
              f"({max(seen) / (2048 * 2**20):.2%}), in {seconds:.3f} s: {refused}")  # fmt: skip


if __name__ == "__main__":
    main()
