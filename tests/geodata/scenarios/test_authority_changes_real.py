"""The scenario evaluation's strategic-authority figures (``geodata.alignment``, on integer
codes and ``np.bincount``) against a plain pandas group-by of the same store's files, read
here with ``pandas.read_parquet``: every authority's population, its ICBs before and after
a redraw, the main shares and the parts, on the real bundle, both vintages that have
strategic authorities, all authorities and established ones only."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from geodata.scenarios import Move, Scenario
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.rules import RuleSet
from geodata.store import Store

pytestmark = [pytest.mark.real_data]

#: Whole districts (Colchester, Manchester, Westminster, Hartlepool: in strategic
#: authorities, established and proposed) given to the ICB of another district (Basildon,
#: Knowsley, Barking and Dagenham, Barnsley); then three Essex LSOAs to East Hertfordshire's.
DISTRICT_MOVES = {"E07000071": "E07000066", "E08000003": "E08000011",
                  "E09000033": "E09000002", "E06000001": "E08000016"}  # fmt: skip
LSOA_MOVES, LSOA_TARGET = 3, "E07000242"


def raw_blocks(store: Store, vintage: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = store.root / vintage
    blocks = pd.read_parquet(folder / "blocks.parquet")
    for column in ("lsoa_code", "ltla_code", "icb_code", "sa_code"):
        blocks[column] = blocks[column].astype(object)
    return blocks, pd.read_parquet(folder / "units.parquet")


def expected_links(blocks: pd.DataFrame, icb: pd.Series, names: dict[str, str],
                   sa_names: dict[str, str]) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Per authority: population, ICBs, main share and parts (largest first, then by
    ICB code), by ``groupby`` on strings."""
    frame = pd.DataFrame({"sa": blocks["sa_code"], "icb": icb, "people": blocks["population"]})
    frame = frame.loc[frame["sa"].notna()]
    out = {}
    for sa, rows in frame.groupby("sa"):
        pairs = rows.groupby("icb")["people"].sum().reset_index()
        pairs = pairs.sort_values(["people", "icb"], ascending=[False, True])
        total = int(rows["people"].sum())
        parts = [{"code": r.icb, "name": names[r.icb], "population": int(r.people),
                  "share": r.people / total} for r in pairs.itertuples()]  # fmt: skip
        out[sa] = {"name": sa_names[sa], "population": total, "icbs": len(parts),
                   "main_share": parts[0]["share"], "parts": parts}  # fmt: skip
    return out


@pytest.mark.parametrize("vintage", ["2024", "2026"])
@pytest.mark.parametrize("status", ["all", "established"])
def test_authority_figures_match_a_pandas_groupby_of_the_store(
    real_store: Store, vintage: str, status: str
) -> None:
    data = real_store.load(vintage)
    blocks, units = raw_blocks(real_store, vintage)
    sas = units.loc[units["layer"] == "sa"]
    if status == "established":
        left_out = set(sas.loc[sas["status_kind"] != "established", "code"])
        assert left_out, "the bundle has proposed authorities to leave out"
        blocks["sa_code"] = blocks["sa_code"].where(~blocks["sa_code"].isin(left_out))
    icb_names = dict(zip(units.loc[units["layer"] == "icb", "code"],
                         units.loc[units["layer"] == "icb", "name"], strict=True))  # fmt: skip
    sa_names = dict(zip(sas["code"], sas["name"], strict=True))

    def icb_of(district: str) -> str:
        return str(blocks.loc[blocks["ltla_code"] == district, "icb_code"].iloc[0])

    moves = {district: icb_of(other) for district, other in DISTRICT_MOVES.items()}
    essex = blocks.loc[blocks["utla_code"].astype(object) == "E10000012", "lsoa_code"]
    lsoa_moves = {code: icb_of(LSOA_TARGET) for code in essex.iloc[:LSOA_MOVES]}
    after = blocks["icb_code"].copy()
    for district, icb in moves.items():
        after[blocks["ltla_code"] == district] = icb
    for code, icb in lsoa_moves.items():
        after[blocks["lsoa_code"] == code] = icb
    assert (after != blocks["icb_code"]).sum() > 100

    scenario = Scenario(vintage, "authorities").with_moves(
        *[Move("ltla", d, icb) for d, icb in moves.items()],
        *[Move("lsoa", code, icb) for code, icb in lsoa_moves.items()],
    )
    frame = evaluate(data, scenario, RuleSet(sa_status=status), with_shapes=False).sas
    assert frame is not None

    before = expected_links(blocks, blocks["icb_code"], icb_names, sa_names)
    later = expected_links(blocks, after, icb_names, sa_names)
    assert frame["code"].tolist() == sorted(before)
    for row in frame.to_dict("records"):
        old, new = before[row["code"]], later[row["code"]]
        assert row["name"] == old["name"] and row["population"] == old["population"]
        assert (row["icbs_before"], row["icbs_after"]) == (old["icbs"], new["icbs"])
        assert row["main_share_before"] == pytest.approx(old["main_share"], abs=1e-12)
        assert row["main_share_after"] == pytest.approx(new["main_share"], abs=1e-12)
        assert [{**p, "share": pytest.approx(p["share"], abs=1e-12)}
                for p in new["parts"]] == row["parts_after"]  # fmt: skip
    # The redraw moved people across the authorities it touched: some counts changed.
    assert any(before[c]["icbs"] != later[c]["icbs"] for c in before)
