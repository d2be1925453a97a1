"""Render result frames as a text table, JSON (a list of objects) or CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .cells import FORMATS, cell, flat, layout, short_name
from .spreadsheet import neutralise

__all__ = ["FORMATS", "flat", "plain", "records", "short_name", "to_csv", "to_json", "to_table"]


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
    """One JSON-ready dict per row. Column by column (``tolist``), not row by row: the
    scenario evaluation renders a few hundred rows on every editor request."""
    names = list(frame.columns)
    columns = [_plain_column(column) for _, column in frame.items()]
    if not names:
        return [{} for _ in range(len(frame))]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _plain_column(column: pd.Series) -> list[Any]:
    values = column.tolist()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        return values  # already Python ints and bools, never missing
    return [plain(v) for v in values]


def to_json(frame: pd.DataFrame) -> str:
    return json.dumps(records(frame), indent=1, ensure_ascii=False)


def to_csv(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([neutralise(flat(plain(v))) for v in row])
    return out.getvalue()


def to_table(frame: pd.DataFrame, columns: Sequence[str], footer: Sequence[str] = ()) -> str:
    """A fixed-width text table of ``columns``, numbers right-aligned, then a footer."""
    header = list(columns)
    cells = [
        [cell(c, plain(v)) for c, v in zip(header, row, strict=True)]
        for row in frame[header].itertuples(index=False, name=None)
    ]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in header]
    return layout(header, cells, numeric, footer)
