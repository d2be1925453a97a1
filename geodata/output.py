"""Render result frames as a text table, JSON (a list of objects) or CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .spreadsheet import neutralise

FORMATS = ("table", "json", "csv")


def plain(value: Any) -> Any:
    """JSON-ready Python value (numpy scalars, NaN, nested lists/dicts)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: plain(v) for k, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def flat(value: Any) -> Any:
    """One CSV cell: lists joined with '; ', nested records as 'name: 12.3%'."""
    if isinstance(value, list):
        return "; ".join(str(flat(v)) for v in value)
    if isinstance(value, dict):
        name = short_name(value.get("icb_name") or value.get("name") or "")
        share = value.get("share")
        return f"{name}: {share:.1%}" if share is not None else name
    return value


def to_json(frame: pd.DataFrame) -> str:
    return json.dumps(records(frame), indent=1, ensure_ascii=False)


def to_csv(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([neutralise(flat(plain(v))) for v in row])
    return out.getvalue()


def short_name(name: str) -> str:
    """'NHS Mid and South Essex Integrated Care Board' -> 'Mid and South Essex ICB'."""
    name = name.removeprefix("NHS ")
    return name.replace(" Integrated Care Board", " ICB")


def _cell(column: str, value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if column.endswith("_name") and isinstance(value, str):
        return short_name(value)
    if column in ("share", "main_share", "share_of_icb") or column.endswith("_share"):
        return f"{value:.1%}"
    if column.endswith("population") and isinstance(value, (int, float)):
        return f"{value:,.0f}"
    return str(flat(value))


def to_table(frame: pd.DataFrame, columns: Sequence[str], footer: Sequence[str] = ()) -> str:
    """A fixed-width text table of ``columns``, numbers right-aligned, then a footer."""
    header = list(columns)
    cells = [
        [_cell(c, v) for c, v in zip(header, row, strict=True)]
        for row in frame[header].itertuples(index=False, name=None)
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in header]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(header), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    if footer:
        out += ["", *footer]
    return "\n".join(out)
