"""``output.records`` (column by column) against the row-by-row reading it replaced:
``plain`` of every cell of ``itertuples``, for each kind of column a result frame has."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geodata.output import plain, records


def row_by_row(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in zip(frame.columns, row, strict=True)}
            for row in frame.itertuples(index=False, name=None)]  # fmt: skip


FRAME = pd.DataFrame({
    "int": [1, 2, 3],
    "float": [1.5, np.nan, 2.0],
    "text": ["x", None, "z"],
    "nullable_int": pd.array([1, None, 3], dtype="Int64"),
    "bool": [True, False, True],
    "category": pd.Categorical(["p", None, "q"]),
    "nested": [[np.int64(1)], {"k": np.float64(np.nan)}, None],
    "string": pd.array(["s", None, "t"], dtype="string"),
    "when": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
    "small": np.array([1, 2, 3], dtype=np.uint8),
    "mixed": [np.nan, "str", 3],
})  # fmt: skip


def test_records_equal_the_row_by_row_reading_value_and_type() -> None:
    expected, got = row_by_row(FRAME), records(FRAME)
    assert got == expected
    for want_row, got_row in zip(expected, got, strict=True):
        assert list(got_row) == list(want_row)
        for key, value in want_row.items():
            assert type(got_row[key]) is type(value), key
    assert got[1]["float"] is None and got[1]["nullable_int"] is None


def test_records_of_empty_frames() -> None:
    assert records(FRAME.iloc[0:0]) == []
    assert records(pd.DataFrame(index=range(2))) == [{}, {}]
