"""Readers for the published CSV files (lookups and population), with validation.

Each reader returns a plain frame and refuses a bad file with an ``InputError`` naming
the file, the line and the problem. CSV line numbers count the header as line 1.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, describe_rows
from ..layers import LSOA_EW_PATTERN

#: GSS codes of the other UK nations: dropped from England-only vintages, counted, said.
NON_ENGLISH_CODE = re.compile(r"[WSN]\d{8}")


def read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """The named columns of a CSV as stripped strings; refuses missing files and columns."""
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    header = [str(c).strip() for c in header]
    missing = [c for c in dict.fromkeys(columns) if c not in header]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(map(repr, missing))}; the file has "
            + ", ".join(map(repr, header[:12]))
            + (" …" if len(header) > 12 else ""),
        )
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            usecols=lambda c: str(c).strip() in columns,
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    return frame


def line_numbers(mask: pd.Series) -> list[int]:
    """CSV line numbers (header = line 1) of the rows where ``mask`` holds."""
    return [int(i) + 2 for i in np.flatnonzero(mask.to_numpy())]


def check_pattern(
    frame: pd.DataFrame, column: str, pattern: re.Pattern[str], path: Path, example: str
) -> None:
    """Every code matches; a null (a row the vintage declares in no unit) is not a code."""
    values = pa.array(frame[column], type=pa.string(), from_pandas=True)
    # Arrow's RE2 (ASCII digits only, as GSS codes are): one pass in C, not a Python call per value.
    matches = pc.match_substring_regex(values, f"^(?:{pattern.pattern})$")
    bad = pd.Series(pc.fill_null(pc.invert(matches), False).to_numpy(zero_copy_only=False),
                    index=frame.index)  # fmt: skip
    if bad.any():
        first = frame.loc[bad, column].iloc[0]
        raise InputError(
            path,
            f"{column} {first!r} is not a valid code (expected like {example!r}); "
            f"{int(bad.sum())} bad value(s)",
            where="line " + describe_rows(line_numbers(bad)),
        )


def check_unique(frame: pd.DataFrame, column: str, path: Path) -> None:
    dup = frame[column].duplicated(keep=False)
    if dup.any():
        first = frame.loc[dup, column].iloc[0]
        raise InputError(
            path,
            f"{column} {first!r} appears more than once; "
            f"{int(frame.loc[dup, column].nunique())} duplicated code(s)",
            where="lines " + describe_rows(line_numbers(dup)),
        )


def drop_other_nations(frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, int]:
    """England only: rows with Welsh, Scottish or NI codes are out of scope."""
    other = frame[column].str.fullmatch(NON_ENGLISH_CODE.pattern)
    return frame.loc[~other].reset_index(drop=True), int(other.sum())


def read_population(path: Path, code: str, value: str) -> tuple[pd.DataFrame, int]:
    """LSOA population (England), and how many non-English rows were dropped."""
    frame = read_csv(path, [code, value])
    check_pattern(frame, code, LSOA_EW_PATTERN, path, "E01000001")
    check_unique(frame, code, path)
    numbers = pd.to_numeric(frame[value].str.replace(",", "", regex=False), errors="coerce")
    bad = numbers.isna() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        first = frame.loc[bad, value].iloc[0]
        raise InputError(
            path,
            f"{value} {first!r} is not a number; {int(bad.sum())} non-numeric value(s)",
            where="line " + describe_rows(line_numbers(bad)),
        )
    negative = numbers < 0
    if negative.any():
        raise InputError(
            path,
            f"{value} {numbers[negative].iloc[0]:g} is negative; population must be 0 or more",
            where="line " + describe_rows(line_numbers(negative)),
        )
    numbers = numbers.astype("int64") if (numbers % 1 == 0).all() else numbers.astype("float64")
    result = pd.DataFrame({"lsoa_code": frame[code], "population": numbers})
    england = result["lsoa_code"].str.startswith("E")
    return result.loc[england].reset_index(drop=True), int((~england).sum())
