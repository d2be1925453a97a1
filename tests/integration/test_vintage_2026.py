"""Vintage 2026 on the real bundle, every expected number computed here with pandas from
the shared CSVs (never by the code under test)."""

from __future__ import annotations

import io
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from geodata.cli import main
from geodata.config import SHIPPED_VINTAGES, parse_vintage
from geodata.ingest import build_vintage
from geodata.provenance import Provenance
from geodata.reports import to_xlsx_bytes
from geodata.splits import splits
from geodata.store import Store
from geodata.unit_status import with_status

LOOKUP = "lookups/LSOA21_SICBL26_ICB26_EN_LU_reconstructed.csv"


def read(source: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(source / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def blocks(real_source: Path) -> pd.DataFrame:
    """LSOA -> SICBL, ICB (2026), LAD24, UTLA23, SA name, Census population: joined here."""
    lookup = read(real_source, LOOKUP)
    wards = read(real_source, "lookups/LSOA21_WD24_LAD24_EW_LU.csv")
    tiers = read(real_source, "lookups/LTLA23_UTLA23_EW_LU.csv")
    sa = read(real_source, "local-government/strategic_authorities_2026.csv")
    census = read(real_source, "population/census2021_TS001_LSOA21_usual_residents.csv")
    census = census.loc[census["geography code"].str.startswith("E")]
    people = census.set_index("geography code")["Residence type: Total; measures: Value"]
    frame = lookup.merge(wards[["LSOA21CD", "LAD24CD"]], on="LSOA21CD", validate="1:1")
    frame = frame.merge(tiers, left_on="LAD24CD", right_on="LTLA23CD", validate="m:1")
    sa = sa.assign(SA=sa["SA_NAME"].where(sa["SA_TYPE"] != "none"))
    frame = frame.merge(sa[["LAD24CD", "SA", "SA_STATUS"]], on="LAD24CD", validate="m:1")
    frame["population"] = people.loc[frame["LSOA21CD"]].astype(float).to_numpy()
    return frame


def test_2026_is_the_default_and_has_36_icbs_and_106_sicbls(
    real_store: Store, real_source: Path, blocks: pd.DataFrame
) -> None:
    assert real_store.default_vintage() == "2026"
    data = real_store.load("2026")
    icb_list = read(real_source, "nhs/ICB26_list.csv")
    assert blocks["ICB26CD"].nunique() == len(icb_list) == 36
    assert blocks["SICBL26CD"].nunique() == 106
    assert data.meta["layers"]["icb"] == 36 and data.meta["layers"]["sicbl"] == 106
    assert sorted(data.names["icb"]) == sorted(icb_list["ICB26CD"])
    assert data.meta["checks"]["units"]["icb"] == 36


def test_national_total_is_the_census_english_total(
    real_store: Store, real_source: Path
) -> None:
    census = read(real_source, "population/census2021_TS001_LSOA21_usual_residents.csv")
    english = census.loc[census["geography code"].str.startswith("E")]
    total = english["Residence type: Total; measures: Value"].astype(float).sum()
    data = real_store.load("2026")
    assert data.table["population"].sum() == pytest.approx(total, abs=0.5)
    assert data.meta["checks"]["national_total"] == pytest.approx(total, abs=0.5)
    assert len(data.table) == len(english)


@pytest.mark.parametrize("layer, column", [("ltla", "LAD24CD"), ("utla", "UTLA23CD")])
def test_every_councils_2026_split(
    real_store: Store, blocks: pd.DataFrame, layer: str, column: str
) -> None:
    expected = blocks.groupby([column, "ICB26CD"])["population"].sum()
    frame = splits(real_store.load("2026"), layer, "icb").frame
    got = frame.set_index(["by_code", "across_code"])["population"]
    assert len(got) == len(expected)
    assert got.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())
    assert list(got.sort_index().index) == list(expected.sort_index().index)


@pytest.mark.parametrize("status", ["all", "established"])
def test_strategic_authority_splits(
    real_store: Store, blocks: pd.DataFrame, status: str
) -> None:
    frame = blocks.copy()
    if status == "established":
        frame.loc[~frame["SA_STATUS"].str.startswith("established"), "SA"] = None
    data = with_status(real_store.load("2026"), "sa", status)
    # SA by ICB, "none" included: keyed by the authority's name as the CSV gives it.
    expected = frame.fillna({"SA": "none"}).groupby(["SA", "ICB26CD"])["population"].sum()
    got = splits(data, "sa", "icb").frame.set_index(["by_name", "across_code"])["population"]
    assert got.sort_index().to_dict() == pytest.approx(expected.sort_index().to_dict())
    # ICB across SA: shares of each ICB add to 1 with "none" counted.
    across = splits(data, "icb", "sa").frame
    assert across.groupby("by_code")["share"].sum().to_numpy() == pytest.approx(1.0)
    none = across.loc[across["across_code"].isna()].groupby("by_code")["population"].sum()
    expected_none = frame.loc[frame["SA"].isna()].groupby("ICB26CD")["population"].sum()
    assert none.sort_index().to_dict() == pytest.approx(expected_none.sort_index().to_dict())


def test_the_reconstruction_note_comes_from_the_declaration(
    real_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    note = tomllib.loads((SHIPPED_VINTAGES / "2026.toml").read_text())["note"]
    assert "reconstructed" in note
    data = real_store.load("2026")
    assert Provenance.of(data.meta).note == note
    assert main(["splits", "--data", str(real_store.root), "--area", "Essex"]) == 0
    assert f"Note: {note}" in capsys.readouterr().out
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(to_xlsx_bytes(splits(data, "utla", "icb", "Essex"))))
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Note"] == note
    from maps.base import source_note

    assert "reconstructed, not the ONS file" in source_note(Provenance.of(data.meta))
    assert Provenance.of(real_store.load("2024").meta).note == ""


def test_the_ons_file_needs_only_the_file_name_changed(
    real_store: Store, real_source: Path, tmp_path: Path
) -> None:
    """A copy in the ONS LSOA21_SICBL26_ICB26_NHSER26_LAD26 layout (BOM, NHS region and
    LAD columns, ObjectId, another column order) read through a copy of the declaration
    whose only change is the file name."""
    source = tmp_path / "source"
    shutil.copytree(real_source, source, ignore=shutil.ignore_patterns("pcn", "*.geojson"))
    lookup = read(real_source, LOOKUP)
    wards = read(real_source, "lookups/LSOA21_WD24_LAD24_EW_LU.csv").set_index("LSOA21CD")
    ons = pd.DataFrame({
        "LSOA21CD": lookup["LSOA21CD"], "LSOA21NM": lookup["LSOA21NM"],
        "SICBL26CD": lookup["SICBL26CD"], "SICBL26CDH": lookup["SICBL26CDH"],
        "SICBL26NM": lookup["SICBL26NM"], "ICB26CD": lookup["ICB26CD"],
        "ICB26CDH": lookup["ICB26CDH"], "ICB26NM": lookup["ICB26NM"],
        "NHSER26CD": "E40000000", "NHSER26CDH": "Y00", "NHSER26NM": "Region",
        "LAD26CD": wards.loc[lookup["LSOA21CD"], "LAD24CD"].to_numpy(),
        "LAD26NM": wards.loc[lookup["LSOA21CD"], "LAD24NM"].to_numpy(),
        "ObjectId": range(1, len(lookup) + 1),
    }).sample(frac=1.0, random_state=7)  # fmt: skip
    name = "lookups/LSOA21_SICBL26_ICB26_NHSER26_LAD26_EN_LU.csv"
    ons.to_csv(source / name, index=False, encoding="utf-8-sig")
    text = (SHIPPED_VINTAGES / "2026.toml").read_text()
    assert text.count(LOOKUP) == 1
    declaration = tmp_path / "2026-ons.toml"
    declaration.write_text(text.replace(LOOKUP, name))
    built = build_vintage(parse_vintage(declaration), source)
    shipped = real_store.load("2026")
    pd.testing.assert_frame_equal(built.table, shipped.table, check_categorical=False)
    assert built.meta["layers"] == shipped.meta["layers"]
