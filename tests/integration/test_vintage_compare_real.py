"""2024 -> 2026 on the real bundle against the NHS sub-ICB crosswalk, with every expected
number computed here with pandas from the shared CSVs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geodata.cli import main
from geodata.errors import BoundaryLabError
from geodata.store import Store
from geodata.vintage_compare import compare_vintages


def read(source: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(source / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def expected(real_source: Path) -> pd.DataFrame:
    """Per LSOA: ICB 2024 (ONS, ODS) and ICB 2026 (ONS, ODS) by the crosswalk, people.

    A sub-ICB location that moved whole takes its crosswalk ICB; the LSOAs of the one
    that split (D4U1Y, several crosswalk rows) take the 2026 lookup's sub-ICB location."""
    old = read(real_source, "lookups/LSOA21_SICBL24_ICB24_EN_LU.csv")
    new = read(real_source, "lookups/LSOA21_SICBL26_ICB26_EN_LU_reconstructed.csv")
    walk = read(real_source, "nhs/SICBL24_SICBL26_ICB26_crosswalk.csv")
    census = read(real_source, "population/census2021_TS001_LSOA21_usual_residents.csv")
    people = census.set_index("geography code")["Residence type: Total; measures: Value"]
    rows = walk.groupby("SICBL24CD").size()
    whole = walk.loc[walk["SICBL24CD"].isin(rows.index[rows == 1])]
    frame = old[["LSOA21CD", "SICBL24CD", "ICB24CD", "ICB24CDH"]].merge(
        new[["LSOA21CD", "SICBL26CD"]], on="LSOA21CD", validate="1:1")
    by_whole = frame.merge(whole[["SICBL24CD", "ICB26CD", "ICB26CDH"]], on="SICBL24CD")
    split = frame.loc[~frame["SICBL24CD"].isin(whole["SICBL24CD"])].merge(
        walk[["SICBL24CD", "SICBL26CD", "ICB26CD", "ICB26CDH"]], on=["SICBL24CD", "SICBL26CD"])
    out = pd.concat([by_whole, split], ignore_index=True)
    assert len(out) == len(old)  # every LSOA found its 2026 ICB through the crosswalk
    out["population"] = people.loc[out["LSOA21CD"]].astype(float).to_numpy()
    return out


def test_the_reconstructed_lookup_agrees_with_the_crosswalk(
    expected: pd.DataFrame, real_source: Path
) -> None:
    new = read(real_source, "lookups/LSOA21_SICBL26_ICB26_EN_LU_reconstructed.csv")
    icb26 = new.set_index("LSOA21CD")["ICB26CD"]
    assert (icb26.loc[expected["LSOA21CD"]].to_numpy() == expected["ICB26CD"].to_numpy()).all()


def test_moves_by_from_to_match_the_crosswalk(real_store: Store, expected: pd.DataFrame) -> None:
    result = compare_vintages(real_store.load("2024"), real_store.load("2026"))
    moved = expected.loc[expected["ICB24CDH"] != expected["ICB26CDH"]]
    want = moved.groupby(["ICB24CD", "ICB26CD"])["population"].agg(["size", "sum"])
    got = result.moves.set_index(["from_code", "to_code"])[["lsoas", "population"]]
    assert sorted(got.index) == sorted(want.index)
    for key, row in want.iterrows():
        assert got.loc[key, "lsoas"] == row["size"], key
        assert got.loc[key, "population"] == pytest.approx(row["sum"]), key
    summary = result.summary.set_index("metric")
    assert summary.loc["LSOAs that changed ICB", "b"] == len(moved)
    assert summary.loc["people who changed ICB", "b"] == pytest.approx(moved["population"].sum())
    assert summary.loc["ICBs", "a"] == 42 and summary.loc["ICBs", "b"] == 36


def test_hampshire_is_a_recode_not_a_move(real_store: Store, expected: pd.DataFrame) -> None:
    result = compare_vintages(real_store.load("2024"), real_store.load("2026"))
    kept = expected.loc[(expected["ICB24CD"] == "E54000042") & (expected["ICB26CD"] == "E54000067")]
    assert len(kept) > 1000 and (kept["ICB24CDH"] == "QRL").all()
    recode = result.recodes.loc[result.recodes["layer"] == "icb"].set_index("nhs_code")
    assert list(recode.index) == ["QRL"]
    assert (recode.loc["QRL", "code_a"], recode.loc["QRL", "code_b"]) == ("E54000042", "E54000067")
    assert recode.loc["QRL", "lsoas_kept"] == len(kept)
    pairs = set(zip(result.moves["from_code"], result.moves["to_code"], strict=True))
    assert ("E54000042", "E54000067") not in pairs
    assert ("E54000034", "E54000067") in pairs  # Frimley LSOAs into Hampshire did move
    icbs = result.icbs.set_index("nhs_code")
    assert icbs.loc["QRL", "status"] == "recoded and changed"
    assert icbs.loc["QRL", "population_b"] == pytest.approx(
        expected.loc[expected["ICB26CD"] == "E54000067", "population"].sum())


def test_councils_that_became_unsplit(
    real_store: Store, expected: pd.DataFrame, real_source: Path
) -> None:
    wards = read(real_source, "lookups/LSOA21_WD24_LAD24_EW_LU.csv")[["LSOA21CD", "LAD24CD"]]
    tiers = read(real_source, "lookups/LTLA23_UTLA23_EW_LU.csv")
    frame = expected.merge(wards, on="LSOA21CD").merge(tiers, left_on="LAD24CD",
                                                        right_on="LTLA23CD")  # fmt: skip
    before = frame.groupby("UTLA23CD")["ICB24CD"].nunique()
    after = frame.groupby("UTLA23CD")["ICB26CD"].nunique()
    unsplit = sorted(before.index[(before > 1) & (after == 1)])
    split = sorted(before.index[(before == 1) & (after > 1)])
    result = compare_vintages(real_store.load("2024"), real_store.load("2026"))
    assert sorted(result.utlas.loc[result.utlas["change"] == "became unsplit", "code"]) == unsplit
    assert sorted(result.utlas.loc[result.utlas["change"] == "became split", "code"]) == split
    assert "E10000012" in unsplit  # Essex, three ICBs in 2024, one in 2026


def test_vintages_on_different_blocks_are_refused(
    real_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(BoundaryLabError, match="different building blocks"):
        compare_vintages(real_store.load("2022"), real_store.load("2024"))
    assert main(["vintages", "compare", "2022", "2024", "--data", str(real_store.root)]) == 1
    err = capsys.readouterr().err
    assert "different building blocks" in err and "Traceback" not in err
    assert main(["vintages", "compare", "2024", "--data", str(real_store.root)]) == 1
