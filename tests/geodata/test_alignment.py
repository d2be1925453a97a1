"""The alignment classes on a hand-made block table where each class occurs once.

    ICB  LSOAs (authority, people)                       expected class
    A    1 (S1, 100), 2 (S1, 100)                         coterminous with one authority
    B    3 (S2, 100), 4 (S3, 50)                          union of whole authorities
    C    5 (S4, 100), 6 (none, 30)                        whole authorities plus areas with none
    D    7 (S5, 60)                                       cuts an authority (S5 60% here)
    E    8 (S5, 40), 9 (none, 10)                         cuts an authority (S5 40% here)
    F    10 (none, 70)                                    no strategic authority
    G    11 (S6, 999)                                     coterminous, or cuts at tolerance 0
    H    12 (S6, 1), 13 (none, 500)                       no authority with a 0.1% sliver
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geodata.alignment import (
    COTERMINOUS,
    CUTS,
    NO_AUTHORITY,
    UNION,
    WITH_NONE,
    alignment,
)
from geodata.errors import BoundaryLabError
from geodata.store import VintageData

ICB = list("AABBCCDEEFGHH")
SA = ["S1", "S1", "S2", "S3", "S4", None, "S5", "S5", None, None, "S6", "S6", None]
PEOPLE = [100, 100, 100, 50, 100, 30, 60, 40, 10, 70, 999, 1, 500]


def data(status: dict[str, str] | None = None) -> VintageData:
    n = len(ICB)
    table = pd.DataFrame({
        "lsoa_code": [f"E01{i:06d}" for i in range(n)],
        "lsoa_name": [f"L{i}" for i in range(n)],
        "population": PEOPLE,
        "icb_code": pd.Categorical([f"E5400000{c}" for c in ICB]),
        "sa_code": pd.Categorical(SA),
    })  # fmt: skip
    icbs = sorted(set(ICB))
    sas = sorted({s for s in SA if s})
    status = status or {}
    units = pd.DataFrame({
        "layer": ["icb"] * len(icbs) + ["sa"] * len(sas),
        "code": [f"E5400000{c}" for c in icbs] + sas,
        "name": [f"ICB {c}" for c in icbs] + [f"Authority {s}" for s in sas],
        "nhs_code": None,
        "status_kind": [None] * len(icbs) + [status.get(s, "established") for s in sas],
    })  # fmt: skip
    meta = {"vintage": "hand", "population_source": "hand-made"}
    return VintageData("hand", Path("."), table, units, meta)


def test_each_class_with_exact_lsoas() -> None:
    result = alignment(data())
    classes = dict(zip(result.icbs["code"].str[-1], result.icbs["class"], strict=True))
    assert classes == {"A": COTERMINOUS, "B": UNION, "C": WITH_NONE, "D": CUTS, "E": CUTS,
                       "F": NO_AUTHORITY, "G": CUTS, "H": CUTS}  # fmt: skip
    icbs = result.icbs.set_index("code")
    assert icbs.loc["E5400000C", "none_population"] == 30
    assert icbs.loc["E5400000C", "none_share"] == pytest.approx(30 / 130)
    assert icbs.loc["E5400000D", "cut_authorities"] == ["Authority S5 (60.0% in this ICB)"]
    sa = result.authorities.set_index("code")
    assert sa.loc["S5", "icbs"] == 2 and sa.loc["S5", "split"]
    assert sa.loc["S5", "main_share"] == pytest.approx(0.6)
    assert not sa.loc["S1", "split"] and sa.loc["S1", "population"] == 200
    pairs = result.pairs.set_index(["icb_code", "sa_name"])
    assert pairs.loc[("E5400000E", "Authority S5"), "share_of_icb"] == pytest.approx(0.8)
    assert pairs.loc[("E5400000E", "Authority S5"), "share_of_sa"] == pytest.approx(0.4)
    assert pairs.loc[("E5400000E", "none"), "population"] == 10
    assert result.pairs["population"].sum() == sum(PEOPLE)


def test_tolerance_lets_a_sliver_through_and_says_so() -> None:
    result = alignment(data(), tolerance=0.01)
    icbs = result.icbs.set_index("code")
    assert icbs.loc["E5400000G", "class"] == COTERMINOUS
    assert icbs.loc["E5400000H", "class"] == NO_AUTHORITY
    assert "0.10% of Authority S6" in icbs.loc["E5400000H", "notes"][0]
    assert icbs.loc["E5400000D", "class"] == CUTS  # 40% is no sliver
    assert result.counts()[CUTS] == 2


def test_established_only_turns_a_proposed_authority_into_none() -> None:
    result = alignment(data({"S4": "proposed"}), status="established")
    icbs = result.icbs.set_index("code")
    assert icbs.loc["E5400000C", "class"] == NO_AUTHORITY
    assert "Authority S4" in result.status_line
    assert "S4" not in set(result.authorities["code"])


def test_refuses_a_vintage_without_strategic_authorities_and_a_bad_tolerance() -> None:
    plain = data()
    no_sa = VintageData("old", Path("."), plain.table.drop(columns="sa_code"),
                        plain.units.loc[plain.units["layer"] != "sa"], plain.meta)  # fmt: skip
    with pytest.raises(BoundaryLabError, match="has no strategic authority layer"):
        alignment(no_sa)
    with pytest.raises(BoundaryLabError, match="tolerance must be"):
        alignment(plain, tolerance=0.7)
