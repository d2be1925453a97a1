"""Consistency checks every lookup gets when a vintage is built.

Codes matching their patterns and every LSOA once are checked as each file is read
(``tables``); here: each unit has one name, each unit of a nested layer lies in exactly
one parent (a sub-ICB location in one ICB), and the counts the build reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..config import VintageConfig
from ..errors import InputError, describe_rows
from ..layers import LAYERS, NESTED_IN, NONE_LABEL, code_column


def check_one_name(frame: pd.DataFrame, layer: str, path: Path) -> None:
    """A code with two names is two units under one code: refuse it, naming both."""
    code, name = code_column(layer), f"{layer}_name"
    pairs = frame.loc[frame[code].notna(), [code, name]].drop_duplicates()
    if pairs[code].is_unique:  # the usual case, without a group-by
        return
    names = pairs.groupby(code)[name].agg(list)
    twice = names.loc[names.map(len) > 1]
    if len(twice):
        first = twice.index[0]
        raise InputError(
            path,
            f"{LAYERS[layer].label} {first} has {len(twice.iloc[0])} names "
            f"({'; '.join(map(repr, twice.iloc[0]))}); each code must have one name; "
            f"{len(twice)} code(s) affected: {describe_rows(twice.index)}",
        )


def _declaring_file(config: VintageConfig, layer: str) -> str:
    return next(lu.file for lu in config.lookups if any(c.layer == layer for c in lu.layers))


def check_nesting(joined: pd.DataFrame, config: VintageConfig, source: Path) -> None:
    """Refuse a lookup where a unit straddles two parents (a sub-ICB location in two ICBs),
    naming the unit, its parents and how many LSOAs lie in each."""
    for child, parent in NESTED_IN.items():
        child_col, parent_col = code_column(child), code_column(parent)
        if child_col not in joined or parent_col not in joined:
            continue
        both = joined.loc[joined[child_col].notna() & joined[parent_col].notna()]
        counts = both.groupby([child_col, parent_col]).size()
        parents = counts.groupby(level=0).size()
        straddling = parents.index[parents > 1]
        if not len(straddling):
            continue
        first = straddling[0]
        names = both.drop_duplicates(parent_col).set_index(parent_col)[f"{parent}_name"]
        child_name = both.loc[both[child_col] == first, f"{child}_name"].iloc[0]
        where = ", ".join(
            f"{code} {names[code]} ({n:,} LSOAs)" for code, n in counts.loc[first].items()
        )
        more = f"; {len(straddling)} such units: {describe_rows(straddling)}"
        raise InputError(
            source / _declaring_file(config, child),
            f"{LAYERS[child].label} {first} ({child_name}) straddles "
            f"{len(counts.loc[first])} {LAYERS[parent].label}s: {where}; each "
            f"{LAYERS[child].label.lower()} must lie in exactly one"
            + (more if len(straddling) > 1 else ""),
        )


def consistency(table: pd.DataFrame, layers: tuple[str, ...], file_total: int) -> dict[str, Any]:
    """What the build checked and counted, for meta.json and the build output."""
    total = int(table["population"].sum())
    units = {layer: int(table[code_column(layer)].nunique()) for layer in layers}
    unassigned = {}
    for layer in layers:
        none = table[code_column(layer)].isna().to_numpy()
        if none.any():
            unassigned[layer] = {
                "lsoas": int(none.sum()),
                "population": int(table["population"].to_numpy()[none].sum()),
            }
    nested = [f"every {LAYERS[c].label.lower()} lies in exactly one {LAYERS[p].label.lower()}"
              for c, p in NESTED_IN.items() if c in layers and p in layers]  # fmt: skip
    report = [
        f"checked: {len(table):,} LSOAs, each once; every code matches its pattern; "
        + "; ".join(nested),
        "units: " + ", ".join(f"{n} {layer}" for layer, n in units.items()),
        f"national total {total:,}"
        + (" equals" if total == file_total else f" differs from ({file_total:,})")
        + " the population file's English total",
    ]
    report += [
        f"{v['lsoas']:,} LSOAs ({v['population']:,} people) are in no "
        f"{LAYERS[layer].label.lower()} ({layer} {NONE_LABEL})"
        for layer, v in unassigned.items()
    ]
    return {
        "lsoas": len(table),
        "units": units,
        "national_total": total,
        "population_file_total": file_total,
        "nested": nested,
        "unassigned": unassigned,
        "report": report,
    }
