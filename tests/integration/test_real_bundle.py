"""The shipped vintages built from the real ONS/NHS bundle in ../shared/geodata."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.config import get_vintage
from geodata.splits import splits
from geodata.store import Store
from geodata.typology import typology

ESSEX = "E10000012"


def england_rows(path: Path, code: str, value: str | None = None) -> dict[str, str]:
    """code -> value (or the row's code) for English rows, read with the csv module alone."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return {r[code]: r[value] if value else r[code]
                for r in csv.DictReader(handle) if r[code].startswith("E")}


def test_essex_splits_three_ways_at_2022(real_store: Store) -> None:
    result = splits(real_store.load("2022"), "utla", "icb", area=ESSEX)
    shares = {row["across_name"]: row["share"] for row in result.frame.to_dict("records")}
    expected = {
        "NHS Mid and South Essex Integrated Care Board": 0.56,
        "NHS Suffolk and North East Essex Integrated Care Board": 0.23,
        "NHS Hertfordshire and West Essex Integrated Care Board": 0.21,
    }
    assert shares.keys() == expected.keys()
    for name, share in expected.items():
        assert shares[name] == pytest.approx(share, abs=0.005), name
    assert "mid-2020" in result.provenance.population_source


@pytest.mark.parametrize("name", ["2022", "2024"])
def test_every_english_lsoa_assigned_once_and_population_conserved(
    real_store: Store, real_source: Path, name: str
) -> None:
    config = get_vintage(name)
    data = real_store.load(name)
    lookup = england_rows(real_source / config.lookups[0].file, config.lookups[0].key)
    population = england_rows(real_source / config.population_file, config.population_code,
                              config.population_value)
    table = data.table
    assert sorted(table["lsoa_code"]) == sorted(lookup)
    assert table["lsoa_code"].is_unique
    for layer in data.area_layers:
        if layer != "sa":  # strategic authorities: see test_vintage_2026
            assert table[f"{layer}_code"].notna().all(), layer
    file_total = sum(float(v) for v in population.values())
    assert table["population"].sum() == pytest.approx(file_total, abs=0.5)
    for by, across in [("utla", "icb"), ("ltla", "sicbl"), ("icb", "utla"), ("sicbl", "icb")]:
        frame = splits(data, by, across).frame
        assert frame["population"].sum() == pytest.approx(file_total, abs=0.5), (by, across)
        per_unit = frame.groupby("by_code")["share"].sum()
        assert per_unit.to_numpy() == pytest.approx(1.0), (by, across)


@pytest.mark.parametrize("name, utlas, ltlas", [("2022", 152, 309), ("2024", 153, 296)])
def test_unit_counts_match_the_published_structure(
    real_store: Store, name: str, utlas: int, ltlas: int
) -> None:
    layers = real_store.load(name).meta["layers"]
    assert (layers["utla"], layers["ltla"], layers["icb"], layers["sicbl"]) == (
        utlas, ltlas, 42, 106)


def test_sicbls_nest_in_icbs_and_ltlas_in_utlas(real_store: Store) -> None:
    for name in ("2022", "2024"):
        data = real_store.load(name)
        assert (splits(data, "sicbl", "icb").frame["share"] == 1.0).all()
        assert (splits(data, "ltla", "utla").frame["share"] == 1.0).all()


def test_typology_2022(real_store: Store) -> None:
    frame = typology(real_store.load("2022")).frame.set_index("code")
    assert len(frame) == 152
    essex = frame.loc[ESSEX]
    assert essex["type"] == 4 and essex["icb_count"] == 3
    assert essex["main_share"] == pytest.approx(0.56, abs=0.005)
    # Essex is the only council meaningfully split three ways (each part 5%+).
    three_way = [code for code, row in frame.iterrows()
                 if sum(part["share"] >= 0.05 for part in row["elsewhere"]) >= 2]
    assert three_way == [ESSEX]
    assert set(frame["type"]) == {1, 2, 3, 4}
    coterminous = frame.loc[frame["type"] == 1]
    assert (coterminous["main_share"] >= 0.95).all()
    assert (coterminous["share_of_icb"] >= 0.95).all()


def test_typology_2024_uses_the_2023_councils(real_store: Store) -> None:
    frame = typology(real_store.load("2024")).frame.set_index("code")
    assert len(frame) == 153
    assert "North Yorkshire" in set(frame["name"])
    assert frame.loc[ESSEX, "type"] == 4


def test_cold_split_path_does_not_import_the_geometry_stack(real_store: Store) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "geodata.cli", "splits", "--area", ESSEX,
         "--vintage", "2022", "--data", str(real_store.root), "--format", "csv"],
        capture_output=True, text=True, check=True,
    )
    assert "E54000026" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert not {"geopandas", "shapely", "pyogrio", "pyproj"} & imported


@pytest.mark.parametrize("name", ["2022", "2024"])
def test_stored_blocks_form_a_clean_coverage(real_store: Store, name: str) -> None:
    import shapely

    polygons = real_store.load(name).geometry().geometry.to_numpy()
    assert shapely.coverage_is_valid(polygons)
    assert shapely.is_valid(polygons).all()
