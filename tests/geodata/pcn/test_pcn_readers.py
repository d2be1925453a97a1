"""The PCN readers: the good path on the tiny world's files, and one clear message per
kind of bad input (file, line or feature, problem)."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from pcn_world import (
    DETAILS_HEADER,
    MEMBERS_HEADER,
    PRACTICE_MAP_HEADER,
    REGISTRATIONS_HEADER,
    TinyPcn,
    catchment_frame,
    member_rows,
    practice_map_rows,
    registration_rows,
    write_csv,
)

from geodata.errors import InputError
from geodata.pcn.readers import (
    read_catchments,
    read_epcn_details,
    read_epcn_members,
    read_practice_map,
    read_registrations,
    read_validation,
)

CATCHMENTS = "boundaries/PCN_2020_catchments.gpkg"
PRACTICE_MAP = "pcn/gp-reg-pat-prac-map_01Jan2022_geocoded.csv"


def test_catchments_are_reprojected_to_british_national_grid(tiny_pcn: TinyPcn) -> None:
    read = read_catchments(tiny_pcn.path(CATCHMENTS))
    assert read.frame.crs.to_epsg() == 27700
    assert list(read.frame["pcn_code"]) == ["U00001", "U00002", "U00003", "U00005"]
    assert read.frame.geometry.area.iloc[0] == pytest.approx(4e6, rel=1e-6)
    assert read.repaired == 0


def write_catchments(path: Path, frame: gpd.GeoDataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided")  # the no-CRS case
        frame.to_file(path, engine="pyogrio")
    return path


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.rename(columns={"PCN_CODE": "CODE"}), "missing field(s) 'PCN_CODE'"),
        (lambda f: f.assign(PCN_CODE=["U00001", "X1", "U00003", "U00005"]), "'X1' is not a PCN"),
        (lambda f: f.assign(PCN_CODE=["U00001"] * 4), "'U00001' appears more than once"),
        (lambda f: f.set_crs(None, allow_override=True), "no coordinate reference system"),
    ],
    ids=["missing-field", "bad-code", "duplicate", "no-crs"],
)
def test_bad_catchments_are_refused(tmp_path: Path, change, message: str) -> None:  # noqa: ANN001
    path = write_catchments(tmp_path / "c.gpkg", change(catchment_frame()))
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        read_catchments(path)
    assert str(path) in str(err.value)


def test_an_invalid_catchment_is_repaired_and_counted(tmp_path: Path) -> None:
    frame = catchment_frame()
    bowtie = shapely.Polygon([(500000, 99000), (501000, 100000), (501000, 99000), (500000, 100000)])
    frame.loc[0, "geometry"] = bowtie
    read = read_catchments(write_catchments(tmp_path / "c.gpkg", frame))
    assert read.repaired == 1
    assert read.frame.geometry.is_valid.all()
    assert read.frame.geometry.area.iloc[0] == pytest.approx(0.5e6, rel=1e-3)


def test_practice_map_keeps_the_practices_without_a_point_and_lists_them(
    tiny_pcn: TinyPcn,
) -> None:
    read = read_practice_map(tiny_pcn.path(PRACTICE_MAP))
    assert len(read.frame) == 7
    assert list(read.not_geocoded["practice_code"]) == ["D00001"]
    assert str(read.extract_date.date()) == "2022-01-01"
    unallocated = read.frame.set_index("practice_code").loc["E00001"]
    assert unallocated["pcn_code"] == ""  # 'U' in the file: in no PCN


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("PCN_CODE", "P123", "PCN_CODE 'P123' is not a PCN code"),
        ("PRACTICE_CODE", "12345", "PRACTICE_CODE '12345' is not a valid code"),
        ("EASTING", "east", "EASTING 'east' is not a number"),
        ("EASTING", "", "EASTING or NORTHING but not both"),
        ("EASTING", "-0.5", "outside British National Grid"),
    ],
)
def test_bad_practice_map_rows_are_refused_with_their_line(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = practice_map_rows()
    rows[2][PRACTICE_MAP_HEADER.index(column)] = value
    path = write_csv(tmp_path / "map.csv", PRACTICE_MAP_HEADER, rows)
    with pytest.raises(InputError, match=message) as err:
        read_practice_map(path)
    assert "line 4" in str(err.value)  # header is line 1; the third practice is line 4


def test_practice_map_without_a_column_names_it(tmp_path: Path) -> None:
    header = [c for c in PRACTICE_MAP_HEADER if c != "NORTHING"]
    rows = [r[:-2] + r[-1:] for r in practice_map_rows()]
    path = write_csv(tmp_path / "map.csv", header, rows)
    with pytest.raises(InputError, match="missing column.*'NORTHING'"):
        read_practice_map(path)


def test_epcn_dates_accept_the_spreadsheet_float_form(tiny_pcn: TinyPcn) -> None:
    details = read_epcn_details(tiny_pcn.path("pcn/ePCN_2022-04_PCNDetails.csv"))
    closed = details.set_index("pcn_code").loc["U00005", "close_date"]
    assert str(closed.date()) == "2020-03-31"
    assert details.set_index("pcn_code")["close_date"].isna().sum() == 5


@pytest.mark.parametrize(
    "index, value, message",
    [
        (5, "2019-10-01", "is not a date \\(expected YYYYMMDD\\)"),
        (5, "", "is not a date"),  # a start date is required
        (6, "20150101", "before the start date"),
        (3, "U1", "PCN Code 'U1' is not a valid code"),
    ],
)
def test_bad_epcn_member_rows_are_refused(
    tmp_path: Path, index: int, value: str, message: str
) -> None:
    rows = member_rows()
    rows[1][index] = value
    path = write_csv(tmp_path / "members.csv", MEMBERS_HEADER, rows)
    with pytest.raises(InputError, match=message) as err:
        read_epcn_members(path)
    assert "line 3" in str(err.value)


def test_epcn_workbook_sheets_read_like_the_csv(tmp_path: Path, tiny_pcn: TinyPcn) -> None:
    """The ODS workbook wraps its headers over lines; the reader takes it as published."""
    path = tmp_path / "ePCN.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "PCN Core Partner Details"
    sheet.append([c.replace(" ", "\n", 2) for c in MEMBERS_HEADER])
    for row in member_rows():
        sheet.append(row)
    details = book.create_sheet("PCNDetails")
    details.append(DETAILS_HEADER)
    book.save(path)
    from_book = read_epcn_members(path)
    from_csv = read_epcn_members(tiny_pcn.path("pcn/ePCN_2022-04_PCN_Core_Partner_Details.csv"))
    assert from_book.equals(from_csv)
    assert read_epcn_details(path).empty
    with pytest.raises(InputError, match="sheet 'PCNDetails' lacks column"):
        details.delete_rows(1)
        details.append(["PCN Code"])
        book.save(path)
        read_epcn_details(path)


def test_validation_lookup_strips_names_and_refuses_duplicates(tmp_path: Path) -> None:
    header = ["LSOA11NM", "LSOA11CD", "PCN_Code", "PCN_Name"]
    rows = [["Tiny 001 ", "E01000001", "U00001", "West"], ["Tiny 002 ", "E01000002", "U00003", "B"]]
    read = read_validation(write_csv(tmp_path / "v.csv", header, rows))
    assert list(read["lsoa_name"]) == ["Tiny 001", "Tiny 002"]
    rows.append(["Tiny 001 ", "E01000001", "U00002", "East"])
    with pytest.raises(InputError, match="LSOA11CD 'E01000001' appears more than once"):
        read_validation(write_csv(tmp_path / "v.csv", header, rows))


# --- registrations (gp-reg-pat-prac-lsoa-all.csv) ------------------------------------


def test_registrations_use_all_rows_or_sum_the_sexes(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "gp-reg-pat-prac-lsoa-all.csv", REGISTRATIONS_HEADER, registration_rows()
    )
    read = read_registrations(path)
    assert read.frame.values.tolist() == [
        ["A00001", "E01000001", 30],  # the ALL row, not ALL + MALE + FEMALE
        ["A00001", "E01000002", 10],  # no ALL row: MALE + FEMALE
        ["C00001", "E01000002", 30],
        ["E00001", "E01000003", 4],
    ]
    assert read.patients_without_lsoa == 7
    assert read.extract_date == "01Feb2022"


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("SEX", "PERSONS", "SEX 'PERSONS' is not one of ALL, MALE, FEMALE"),
        ("NUMBER_OF_PATIENTS", "-3", "'-3' is not a whole number of 0 or more"),
        ("NUMBER_OF_PATIENTS", "2.5", "'2.5' is not a whole number"),
        ("LSOA_CODE", "E02000001", "LSOA_CODE 'E02000001' is not an LSOA code"),
        ("PRACTICE_CODE", "", "PRACTICE_CODE '' is not a valid code"),
    ],
)
def test_bad_registration_rows_are_refused(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = registration_rows()
    rows[3][REGISTRATIONS_HEADER.index(column)] = value
    path = write_csv(tmp_path / "r.csv", REGISTRATIONS_HEADER, rows)
    with pytest.raises(InputError, match=message) as err:
        read_registrations(path)
    assert "line 5" in str(err.value)


def test_a_duplicated_registration_row_is_refused(tmp_path: Path) -> None:
    rows = registration_rows()
    rows.append(rows[0])
    path = write_csv(tmp_path / "r.csv", REGISTRATIONS_HEADER, rows)
    with pytest.raises(InputError, match="practice A00001, LSOA E01000001, SEX ALL appears more"):
        read_registrations(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_registrations(tmp_path / "nowhere.csv")
    with pytest.raises(InputError, match="file not found"):
        read_catchments(tmp_path / "nowhere.gpkg")
