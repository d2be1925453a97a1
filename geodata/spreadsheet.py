"""Cells a spreadsheet would run as formulas, neutralised: the one rule every CSV and XLSX
writer applies (OWASP "CSV injection").

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with an apostrophe, so Excel, LibreOffice and Google Sheets show it as text and
never evaluate it. Numbers are left alone: only text that a user could have written (a
scenario, place or new ICB name) is ever changed, and only when it looks like a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# XLSX cannot hold these at all (openpyxl refuses them): C0 controls other than tab/LF/CR.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# In a '# label: text' comment line, a field a spreadsheet would split off after a comma.
_FIELD_AFTER_COMMA = re.compile(r',(\s*"?)(?=[=+\-@])')


def neutralise(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell of every text column neutralised (numbers untouched)."""
    columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if not columns:
        return frame
    out = frame.copy()
    for column in columns:
        out[column] = out[column].map(neutralise).astype(object)
    return out


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(str(c)) for c in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return out.getvalue()


def comment_lines(about: Iterable[tuple[str, Any]]) -> str:
    """'# label: text' lines (one per line of text) that pandas skips with ``comment="#"``
    and that no spreadsheet splits into a formula cell at a comma."""
    lines = []
    for label, text in about:
        for line in str(text if text is not None else "").splitlines() or [""]:
            lines.append(_FIELD_AFTER_COMMA.sub(r",\1'", f"# {label}: {line}"))
    return "".join(f"{line}\n" for line in lines)


def xlsx_value(value: Any) -> Any:
    """A value for an openpyxl cell: neutralised, without characters XLSX cannot hold."""
    if isinstance(value, str):
        return neutralise(_NOT_IN_XLSX.sub("\ufffd", value))
    return value
