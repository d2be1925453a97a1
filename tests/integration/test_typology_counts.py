"""The typology of the real vintages recomputed by brute force from the block table with
plain pandas (no split_table, no typology code), compared with ``typology()`` LA by LA
and with the counts the README states."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from geodata.store import Store
from geodata.typology import Thresholds, typology

README = Path(__file__).resolve().parents[2] / "README.md"


def brute_force_types(table: pd.DataFrame, other_la_share: float) -> dict[str, int]:
    """Type of each UTLA from people per (UTLA, ICB) pair, by the rules as written."""
    pairs = table.groupby(["utla_code", "icb_code"], observed=True)["population"].sum()
    pairs = pairs[pairs > 0].reset_index()
    la_total = pairs.groupby("utla_code")["population"].transform("sum")
    icb_total = pairs.groupby("icb_code")["population"].transform("sum")
    pairs["share_of_la"] = pairs["population"] / la_total
    pairs["share_of_icb"] = pairs["population"] / icb_total
    types = {}
    for la, rows in pairs.groupby("utla_code"):
        main = rows.loc[rows["population"].idxmax()]
        if main["share_of_la"] < 0.95:
            types[la] = 4
            continue
        if main["share_of_icb"] >= 0.95:
            types[la] = 1
            continue
        in_icb = pairs.loc[(pairs["icb_code"] == main["icb_code"]) & (pairs["utla_code"] != la)]
        others = int((in_icb["share_of_la"] >= other_la_share).sum())
        types[la] = 2 if others <= 2 else 3
    return types


def counts(types: dict[str, int]) -> list[int]:
    return [sum(1 for t in types.values() if t == k) for k in (1, 2, 3, 4)]


@pytest.mark.parametrize("vintage", ["2022", "2024"])
def test_typology_matches_brute_force_and_the_readme(real_store: Store, vintage: str) -> None:
    data = real_store.load(vintage)
    default = brute_force_types(data.table, 0.95)
    five = brute_force_types(data.table, 0.05)
    ours = typology(data).frame.set_index("code")["type"].to_dict()
    ours_five = typology(data, Thresholds(other_la_min_share=0.05)).frame
    assert ours == default
    assert ours_five.set_index("code")["type"].to_dict() == five
    row = re.search(rf"^\| {vintage} \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| "
                    r"(\d+) / (\d+) / (\d+) / (\d+) \|$", README.read_text(), re.M)  # fmt: skip
    assert row is not None, f"no typology counts row for {vintage} in the README"
    stated = [int(n) for n in row.groups()]
    assert stated == counts(default) + counts(five)
