"""Ingest on the tiny synthetic source: the good path, and one clear error per bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.errors import InputError
from geodata.ingest import build_vintage


@pytest.fixture
def tiny(tmp_path: Path) -> TinySource:
    return TinySource(tmp_path / "source")


def build(tiny: TinySource):  # noqa: ANN201
    tiny.write()
    return build_vintage(parse_vintage(tiny.config_path), tiny.root)


def test_builds_england_only_block_table(tiny: TinySource) -> None:
    built = build(tiny)
    table = built.table
    assert list(table["lsoa_code"]) == [f"E0100000{i}" for i in range(1, 6)]
    assert table["population"].sum() == 1500  # the Welsh 999 is out of scope
    assert list(table["utla_code"]) == ["E10000001"] * 3 + ["E06000001", "E06000002"]
    assert built.meta["dropped_non_english_rows"]["population.csv"] == 1
    assert built.meta["layers"] == {"ltla": 4, "utla": 3, "icb": 2, "sicbl": 3}
    assert len(built.geometry) == 5
    assert built.geometry.crs.to_epsg() == 27700
    icb = built.units.loc[built.units["layer"] == "icb"].set_index("code")
    assert icb.loc["E54000002", "nhs_code"] == "Q2A"
    assert icb.loc["E54000002", "name"] == "ICB 2"


def test_reprojects_to_british_national_grid_once(tiny: TinySource) -> None:
    tiny.blocks = tiny.blocks.to_crs("EPSG:4326")
    built = build(tiny)
    first = built.geometry.geometry.iloc[0]
    assert first.bounds == pytest.approx((500_000, 200_000, 501_000, 201_000), abs=0.01)
    assert first.area == pytest.approx(1_000_000, rel=1e-6)


def test_repairs_invalid_geometry_and_reports_count(tiny: TinySource) -> None:
    # A bow-tie: self-intersecting ring, invalid; make_valid turns it into two triangles.
    bowtie = shapely.Polygon([(500_000, 200_000), (501_000, 201_000),
                              (501_000, 200_000), (500_000, 201_000)])
    assert not bowtie.is_valid
    tiny.blocks.loc[0, "geometry"] = bowtie
    built = build(tiny)
    assert built.meta["repaired_geometries"] == 1
    repaired = built.geometry.geometry.iloc[0]
    assert repaired.is_valid and repaired.area == pytest.approx(500_000)
    assert repaired.geom_type in ("Polygon", "MultiPolygon")


def expect_error(tiny: TinySource, file: str, *fragments: str) -> InputError:
    with pytest.raises(InputError) as caught:
        build(tiny)
    error = caught.value
    message = str(error)
    assert file in error.path, message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return error


def test_missing_file(tiny: TinySource) -> None:
    tiny.write()
    (tiny.root / "ltla_utla.csv").unlink()
    with pytest.raises(InputError, match=r"ltla_utla\.csv: file not found"):
        build_vintage(parse_vintage(tiny.config_path), tiny.root)


def test_missing_column(tiny: TinySource) -> None:
    tiny.tables["lsoa_lookup"] = tiny.tables["lsoa_lookup"].drop(columns="ICB22CD")
    expect_error(tiny, "lsoa_lookup.csv", "missing column(s) 'ICB22CD'", "LSOA11CD")


def test_missing_boundary_field(tiny: TinySource) -> None:
    tiny.blocks = tiny.blocks.rename(columns={"LSOA11NM": "NAME"})
    expect_error(tiny, "blocks.gpkg", "missing field(s) 'LSOA11NM'")


def test_code_not_matching_its_pattern(tiny: TinySource) -> None:
    tiny.tables["lsoa_lookup"].loc[2, "ICB22CD"] = "Q54000002"
    error = expect_error(tiny, "lsoa_lookup.csv", "'Q54000002' is not a valid code", "E54")
    assert error.where == "line 4"


def test_bad_lsoa_code_in_population(tiny: TinySource) -> None:
    tiny.tables["population"].loc[1, "LSOA Code"] = "E0100002"
    error = expect_error(tiny, "population.csv", "'E0100002' is not a valid code")
    assert error.where == "line 3"


def test_duplicated_codes(tiny: TinySource) -> None:
    lookup = tiny.tables["lsoa_lookup"]
    lookup.loc[4, "LSOA11CD"] = "E01000001"
    expect_error(tiny, "lsoa_lookup.csv", "'E01000001' appears more than once", "lines 2, 6")


def test_lookup_lsoa_without_population(tiny: TinySource) -> None:
    population = tiny.tables["population"]
    tiny.tables["population"] = population.loc[population["LSOA Code"] != "E01000003"]
    expect_error(tiny, "population.csv", "1 LSOAs of", "E01000003")


def test_population_lsoa_not_in_lookup(tiny: TinySource) -> None:
    population = tiny.tables["population"]
    population.loc[len(population)] = ["E01000099", "x", "10", "1"]
    expect_error(tiny, "population.csv", "have population but are not in", "E01000099")


@pytest.mark.parametrize("value, problem", [("lots", "not a number"), ("", "not a number"),
                                            ("-5", "is negative")])
def test_bad_population_value(tiny: TinySource, value: str, problem: str) -> None:
    tiny.tables["population"].loc[3, "All Ages"] = value
    error = expect_error(tiny, "population.csv", problem)
    assert error.where == "line 5"


def test_ltla_missing_from_upper_tier_lookup(tiny: TinySource) -> None:
    frame = tiny.tables["ltla_utla"]
    tiny.tables["ltla_utla"] = frame.loc[frame["LTLA21CD"] != "E07000002"]
    expect_error(tiny, "ltla_utla.csv", "ltla codes", "E07000002")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")  # the writer warns; we want it
def test_missing_crs(tiny: TinySource) -> None:
    tiny.blocks = gpd.GeoDataFrame(tiny.blocks.drop(columns="geometry"),
                                   geometry=list(tiny.blocks.geometry), crs=None)
    expect_error(tiny, "blocks.gpkg", "no coordinate reference system")


def test_lsoa_without_geometry(tiny: TinySource) -> None:
    tiny.blocks = tiny.blocks.iloc[1:]
    expect_error(tiny, "blocks.gpkg", "E01000001")


def test_empty_geometry(tiny: TinySource) -> None:
    tiny.blocks.loc[2, "geometry"] = shapely.Polygon()
    expect_error(tiny, "blocks.gpkg", "have no geometry", "E01000003")


def test_not_a_csv(tiny: TinySource) -> None:
    tiny.write()
    (tiny.root / "population.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    with pytest.raises(InputError, match=r"population\.csv"):
        build_vintage(parse_vintage(tiny.config_path), tiny.root)


def test_overlapping_blocks_are_cleaned_into_a_coverage(tiny: TinySource) -> None:
    # Square 2 pushed 5 m into square 1: an overlap, so not a clean coverage.
    tiny.blocks.loc[1, "geometry"] = shapely.box(500_995, 200_000, 502_000, 201_000)
    built = build(tiny)
    assert built.meta["coverage_cleaned_geometries"] >= 1
    polygons = built.geometry.geometry.to_numpy()
    assert shapely.coverage_is_valid(polygons)
    assert shapely.area(polygons[:2]).sum() == pytest.approx(2_000_000, abs=1)
