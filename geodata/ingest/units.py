"""Unit codes and attributes as a vintage declares them: rows in no unit, codes made from
names where the publisher gives none, and status text read as established or proposed."""

from __future__ import annotations

import re

import pandas as pd

from ..config import STATUS_ATTRIBUTE, LayerColumns

_WORDS = re.compile(r"[^A-Za-z0-9]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def code_from_name(prefix: str, name: str) -> str:
    """A stable code for a unit the publisher gave none: the prefix, then the name in
    capitals with every run of other characters as one '-'."""
    return prefix + _WORDS.sub("-", name).strip("-").upper()


def unit_codes(frame: pd.DataFrame, cols: LayerColumns) -> pd.Series:
    """The code of each row's unit; None where the declaration says "no unit"."""
    codes = frame[cols.code].astype(object).copy()
    if cols.code_from_name is not None:
        blank = codes.eq("") & frame[cols.name].ne("")
        prefix = cols.code_from_name
        codes[blank] = [code_from_name(prefix, n) for n in frame.loc[blank, cols.name]]
    none = pd.Series(False, index=frame.index)
    for column, value in cols.none_when:
        none |= frame[column].eq(value)
    codes[none] = None
    return codes


def status_kind(text: str) -> str:
    """'established', 'proposed' or 'other', from the first word of a status text."""
    first = text.strip().split(" ", 1)[0].rstrip(":;,.").casefold()
    return first if first in ("established", "proposed") else "other"


def established_date(text: str) -> str | None:
    """The ISO date an established unit dates from: the first date in its status text."""
    if status_kind(text) != "established":
        return None
    found = _DATE.search(text)
    return found.group(0) if found else None


def status_columns(units: pd.DataFrame) -> pd.DataFrame:
    """``status_kind`` and ``established`` beside a declared ``status`` attribute."""
    if STATUS_ATTRIBUTE not in units:
        return units
    text = units[STATUS_ATTRIBUTE]
    units["status_kind"] = [status_kind(t) if isinstance(t, str) else None for t in text]
    units["established"] = [established_date(t) if isinstance(t, str) else None for t in text]
    return units
