"""``boundary-lab splits`` without pandas: the block table's layer codes kept in the store
as plain numpy arrays, so a cold process imports numpy alone.

    data/<vintage>/arrays.npz   population; per area layer its categorical codes and
                                categories, exactly as the parquet table loads them
    data/<vintage>/names.json   per area layer, code -> name (the units table's order)

The arithmetic is ``split_core.split_columns``, the same function the pandas path runs,
and the output goes through the same cells and layout, so both print the same bytes (a
test compares them). Anything the quick path does not cover (a status filter, a store
built before these files, a refused input) goes to the pandas path, which reports it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .cells import cell, flat, layout
from .errors import BoundaryLabError
from .layers import AREA_LAYERS, code_column
from .provenance import Provenance
from .split_core import split_columns
from .spreadsheet import neutralise
from .store import STORE_FORMAT, Store, find_code, read_meta

if TYPE_CHECKING:
    import pandas as pd

ARRAYS_FILE = "arrays.npz"
NAMES_FILE = "names.json"
COLUMNS = ["by_code", "by_name", "across_code", "across_name", "population", "share"]


def write_arrays(table: pd.DataFrame, units: pd.DataFrame, folder: Path) -> None:
    """The arrays and names of a block table as loaded from parquet (build time)."""
    import pandas as pd

    arrays: dict[str, np.ndarray] = {"population": table["population"].to_numpy()}
    names = {}
    for layer in AREA_LAYERS:
        column = code_column(layer)
        if column not in table:
            continue
        values = table[column].array
        cat = values if isinstance(values, pd.Categorical) else pd.Categorical(table[column])
        arrays[f"{layer}:codes"] = np.asarray(cat.codes)
        arrays[f"{layer}:categories"] = np.asarray(cat.categories, dtype=str)
        rows = units.loc[units["layer"] == layer]
        names[layer] = dict(zip(rows["code"], rows["name"], strict=True))
    np.savez(folder / ARRAYS_FILE, **arrays)  # type: ignore[arg-type]
    (folder / NAMES_FILE).write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")


def _plain(value: Any) -> Any:
    """As ``output.plain`` for what a split holds: numpy scalars, NaN, None, text."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _render(columns: dict[str, np.ndarray], fmt: str, footer: list[str]) -> None:
    header = list(columns)
    rows = list(zip(*(columns[c].tolist() for c in header), strict=True))
    if fmt == "json":
        records = [{k: _plain(v) for k, v in zip(header, row, strict=True)} for row in rows]
        print(json.dumps(records, indent=1, ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([neutralise(str(c)) for c in header])
        for row in rows:
            writer.writerow([neutralise(flat(_plain(v))) for v in row])
        sys.stdout.write(out.getvalue())
    else:
        at = [header.index(c) for c in COLUMNS]
        cells = [[cell(COLUMNS[i], _plain(row[j])) for i, j in enumerate(at)] for row in rows]
        numeric = [columns[c].dtype.kind in "iufb" for c in COLUMNS]
        print(layout(COLUMNS, cells, numeric, footer))
    if fmt != "table":
        for line in footer:
            print(line, file=sys.stderr)


def try_splits(args: argparse.Namespace) -> bool:
    """Print the split the quick way and return True, or return False (nothing printed)
    for the pandas path to answer."""
    if "sa" in (args.by, args.across) or args.by == args.across:
        return False
    store = Store(args.data)
    name = store.check_vintage(args.vintage or store.default_vintage())  # never a path
    path = store.root / name
    if not (path / ARRAYS_FILE).is_file() or not (path / "meta.json").is_file():
        return False
    meta = read_meta(path)
    if meta.get("format") != STORE_FORMAT:
        return False
    with np.load(path / ARRAYS_FILE) as stored:
        if f"{args.by}:codes" not in stored or f"{args.across}:codes" not in stored:
            return False
        arrays = {key: stored[key] for key in stored.files}
    names = json.loads((path / NAMES_FILE).read_text(encoding="utf-8"))
    by_codes, by_categories = arrays[f"{args.by}:codes"], arrays[f"{args.by}:categories"]
    across_codes = arrays[f"{args.across}:codes"]
    population = arrays["population"]
    if args.area is not None:
        try:
            code = find_code(names[args.by], args.by, args.area, name)
        except BoundaryLabError:  # the pandas path says what is wrong, and what is close
            return False
        category = np.flatnonzero(by_categories == code)
        if not len(category):  # a unit without blocks: let the pandas path say so
            return False
        keep = by_codes == category[0]
        by_codes, across_codes, population = by_codes[keep], across_codes[keep], population[keep]
    columns = split_columns(
        (by_codes, by_categories.astype(object)),
        (across_codes, arrays[f"{args.across}:categories"].astype(object)),
        population,
        (names[args.by], names[args.across]),
    )
    _render(columns, args.format, Provenance.of(meta).lines())
    return True
