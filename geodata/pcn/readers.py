"""Readers for the NHS PCN files, with validation: each returns a plain frame, or refuses a
bad file with an ``InputError`` naming the file, the line (or feature) and the problem.

The files are read as NHS Digital and the ODS publish them (their column names), so a
fresh download reads as it is. CSV line numbers count the header as line 1; workbook rows
likewise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..errors import InputError, describe_rows
from ..ingest.boundaries import WORKING_CRS
from ..ingest.tables import check_pattern, check_unique, line_numbers, read_csv
from ..layers import BNG_EASTING, BNG_NORTHING, LSOA_EW_PATTERN

PCN_CODE = re.compile(r"U\d{5}")
#: ODS practice codes: a letter and five digits (A81001, Y00351).
PRACTICE_CODE = re.compile(r"[A-Z]\d{5}")
#: The practice map's PCN code for practices in no PCN.
UNALLOCATED = "U"
#: Registrations of patients whose address has no LSOA (e.g. ``NO2011``): counted, dropped.
NO_LSOA = re.compile(r"NO\w*")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _read_table(path: Path, columns: list[str], sheet: str | None = None) -> pd.DataFrame:
    """A CSV, or one sheet of an ODS workbook, as stripped strings with checked columns.

    Workbook headers wrap over lines ("Partner\\nOrganisation\\nCode"); whitespace is
    collapsed so both forms carry the CSV's column names.
    """
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return read_csv(path, columns)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="openpyxl")
    except ValueError as exc:  # a missing sheet, or not a workbook
        raise InputError(path, f"not a readable workbook sheet {sheet!r} ({exc})") from None
    frame.columns = [" ".join(str(c).split()) for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            path,
            f"sheet {sheet!r} lacks column(s) {', '.join(map(repr, missing))}; it has "
            + ", ".join(map(repr, list(frame.columns)[:12])),
        )
    frame = frame[columns].fillna("")
    for column in columns:
        frame[column] = frame[column].str.strip()
    return frame


def _dates(frame: pd.DataFrame, column: str, path: Path, required: bool) -> pd.Series:
    """YYYYMMDD dates; a spreadsheet export may add '.0'. Blank is allowed unless required."""
    text = frame[column].str.replace(r"\.0$", "", regex=True)
    blank = text == ""
    parsed = pd.to_datetime(text.where(~blank), format="%Y%m%d", errors="coerce")
    bad = parsed.isna() & (~blank | required)
    if bad.any():
        raise InputError(
            path,
            f"{column} {frame.loc[bad, column].iloc[0]!r} is not a date (expected YYYYMMDD); "
            f"{int(bad.sum())} bad value(s)",
            where="line " + describe_rows(line_numbers(bad)),
        )
    return parsed


def _counts(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    numbers = pd.to_numeric(frame[column], errors="coerce")
    bad = numbers.isna() | (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        raise InputError(
            path,
            f"{column} {frame.loc[bad, column].iloc[0]!r} is not a whole number of 0 or more; "
            f"{int(bad.sum())} bad value(s)",
            where="line " + describe_rows(line_numbers(bad)),
        )
    return numbers.astype("int64")


def _polygonal(geometries: np.ndarray) -> np.ndarray:
    """Repair with make_valid and keep the polygonal parts (a repair can add lines)."""
    fixed = np.asarray(shapely.make_valid(geometries))
    collections = shapely.get_type_id(fixed) == 7
    fixed[collections] = [
        shapely.union_all([p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)])
        for g in fixed[collections]
    ]
    return fixed


# --- catchments ---------------------------------------------------------------------


@dataclass(frozen=True)
class Catchments:
    """PCN catchment polygons in EPSG:27700 (they overlap), and how many were repaired."""

    frame: gpd.GeoDataFrame  # pcn_code, pcn_name, geometry
    repaired: int


def read_catchments(
    path: Path, code: str = "PCN_CODE", name: str = "PCN_NAME", layer: str | None = None
) -> Catchments:
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        info = pyogrio.read_info(path, layer=layer)
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(path, f"not a readable boundary file ({exc})") from None
    fields = list(info["fields"])
    missing = [c for c in (code, name) if c not in fields]
    if missing:
        raise InputError(
            path, f"missing field(s) {', '.join(map(repr, missing))}; the layer has {fields}"
        )
    frame = gpd.read_file(path, layer=layer, columns=[code, name], engine="pyogrio")
    if frame.crs is None:
        raise InputError(path, "no coordinate reference system is declared; declare one")
    codes = frame[code].astype(str).str.strip()
    bad = ~codes.str.fullmatch(PCN_CODE.pattern)
    if bad.any():
        raise InputError(
            path,
            f"{code} {codes[bad].iloc[0]!r} is not a PCN code (expected like 'U12345')",
            where="feature " + describe_rows(frame.index[bad] + 1),
        )
    duplicated = codes.duplicated(keep=False)
    if duplicated.any():
        raise InputError(
            path,
            f"{code} {codes[duplicated].iloc[0]!r} appears more than once",
            where="features " + describe_rows(frame.index[duplicated] + 1),
        )
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        raise InputError(
            path,
            f"{int(empty.sum())} catchment(s) have no geometry",
            where="features " + describe_rows(codes[empty]),
        )
    polygons = np.asarray(frame.geometry.values)
    repaired = 0
    # Invalid rings are repaired before reprojection (the transform can fail on them) and
    # again after it: reprojection can make a ring touch itself.
    for step in ("source", "projected"):
        if step == "projected":
            polygons = np.asarray(gpd.GeoSeries(polygons, crs=frame.crs).to_crs(WORKING_CRS).values)
        invalid = ~shapely.is_valid(polygons)
        if invalid.any():
            polygons[invalid] = _polygonal(polygons[invalid])
            repaired += int(invalid.sum())
    result = gpd.GeoDataFrame(
        {"pcn_code": codes.to_numpy(), "pcn_name": frame[name].astype(str).str.strip()},
        geometry=polygons,
        crs=WORKING_CRS,
    )
    return Catchments(result, repaired)


# --- the practice map (gp-reg-pat-prac-map, geocoded) --------------------------------


@dataclass(frozen=True)
class PracticeMap:
    """Practices with their PCN (as the map states it) and postcode point (EPSG:27700)."""

    frame: pd.DataFrame  # practice_code, practice_name, postcode, pcn_code, easting, northing
    extract_date: pd.Timestamp | None
    #: Practices without EASTING/NORTHING: kept in ``frame`` with NaN, listed here too.
    not_geocoded: pd.DataFrame


PRACTICE_MAP_COLUMNS = [
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "PRACTICE_POSTCODE",
    "PCN_CODE",
    "PCN_NAME",
    "EASTING",
    "NORTHING",
]
#: British National Grid bounds: a coordinate outside is a mistake (or degrees).
BNG_BOUNDS = (BNG_EASTING[0], BNG_NORTHING[0], BNG_EASTING[1], BNG_NORTHING[1])


def read_practice_map(path: Path) -> PracticeMap:
    frame = read_csv(path, PRACTICE_MAP_COLUMNS)
    check_pattern(frame, "PRACTICE_CODE", PRACTICE_CODE, path, "A81001")
    check_unique(frame, "PRACTICE_CODE", path)
    pcn = frame["PCN_CODE"]
    bad = ~(pcn.str.fullmatch(PCN_CODE.pattern) | (pcn == UNALLOCATED))
    if bad.any():
        raise InputError(
            path,
            f"PCN_CODE {pcn[bad].iloc[0]!r} is not a PCN code (expected like 'U12345', "
            f"or {UNALLOCATED!r} for unallocated); {int(bad.sum())} bad value(s)",
            where="line " + describe_rows(line_numbers(bad)),
        )
    xy = {}
    for column in ("EASTING", "NORTHING"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & (frame[column] != "")
        if bad.any():
            raise InputError(
                path,
                f"{column} {frame.loc[bad, column].iloc[0]!r} is not a number",
                where="line " + describe_rows(line_numbers(bad)),
            )
        xy[column] = values
    half = xy["EASTING"].isna() != xy["NORTHING"].isna()
    if half.any():
        raise InputError(
            path,
            "a practice has EASTING or NORTHING but not both",
            where="line " + describe_rows(line_numbers(half)),
        )
    minx, miny, maxx, maxy = BNG_BOUNDS
    outside = ~xy["EASTING"].between(minx, maxx) | ~xy["NORTHING"].between(miny, maxy)
    outside &= xy["EASTING"].notna()
    if outside.any():
        raise InputError(
            path,
            "EASTING/NORTHING "
            f"({xy['EASTING'][outside].iloc[0]:g}, {xy['NORTHING'][outside].iloc[0]:g}) is "
            "outside British National Grid (EPSG:27700 metres expected)",
            where="line " + describe_rows(line_numbers(outside)),
        )
    result = pd.DataFrame(
        {
            "practice_code": frame["PRACTICE_CODE"],
            "practice_name": frame["PRACTICE_NAME"],
            "postcode": frame["PRACTICE_POSTCODE"],
            "pcn_code": pcn.where(pcn != UNALLOCATED, ""),
            "pcn_name": frame["PCN_NAME"].where(pcn != UNALLOCATED, ""),
            "easting": xy["EASTING"].to_numpy(),
            "northing": xy["NORTHING"].to_numpy(),
        }
    )
    dates = pd.to_datetime(
        frame["EXTRACT_DATE"].drop_duplicates(), format="%d%b%Y", errors="coerce"
    )
    extract = dates.iloc[0] if len(dates) == 1 and pd.notna(dates.iloc[0]) else None
    not_geocoded = result.loc[result["easting"].isna()].reset_index(drop=True)
    return PracticeMap(result, extract, not_geocoded)


# --- the ODS ePCN workbook (PCNDetails; PCN Core Partner Details) --------------------

EPCN_DETAILS_SHEET = "PCNDetails"
EPCN_MEMBERS_SHEET = "PCN Core Partner Details"


def read_epcn_details(path: Path) -> pd.DataFrame:
    """Every PCN the ODS lists, closed ones included: pcn_code, pcn_name, ccg_code,
    open_date, close_date (NaT while open)."""
    columns = [
        "PCN Code",
        "PCN Name",
        "Current Clinical Commissioning Group Code",
        "Open Date",
        "Close Date",
    ]
    frame = _read_table(path, columns, EPCN_DETAILS_SHEET)
    check_pattern(frame, "PCN Code", PCN_CODE, path, "U12345")
    check_unique(frame, "PCN Code", path)
    result = pd.DataFrame(
        {
            "pcn_code": frame["PCN Code"],
            "pcn_name": frame["PCN Name"],
            "ccg_code": frame["Current Clinical Commissioning Group Code"],
            "open_date": _dates(frame, "Open Date", path, required=True),
            "close_date": _dates(frame, "Close Date", path, required=False),
        }
    )
    _check_order(result, "open_date", "close_date", path, "Close Date")
    return result


def read_epcn_members(path: Path) -> pd.DataFrame:
    """Practice-to-PCN relationships with their dates: practice_code, practice_name,
    pcn_code, start_date, end_date (NaT while current)."""
    columns = [
        "Partner Organisation Code",
        "Partner Name",
        "PCN Code",
        "Practice to PCN Relationship Start Date",
        "Practice to PCN Relationship End Date",
    ]
    frame = _read_table(path, columns, EPCN_MEMBERS_SHEET)
    check_pattern(frame, "Partner Organisation Code", PRACTICE_CODE, path, "A81001")
    check_pattern(frame, "PCN Code", PCN_CODE, path, "U12345")
    result = pd.DataFrame(
        {
            "practice_code": frame["Partner Organisation Code"],
            "practice_name": frame["Partner Name"],
            "pcn_code": frame["PCN Code"],
            "start_date": _dates(frame, columns[3], path, required=True),
            "end_date": _dates(frame, columns[4], path, required=False),
        }
    )
    _check_order(result, "start_date", "end_date", path, columns[4])
    return result


def _check_order(frame: pd.DataFrame, start: str, end: str, path: Path, column: str) -> None:
    backwards = frame[end].notna() & (frame[end] < frame[start])
    if backwards.any():
        raise InputError(
            path,
            f"{column} is before the start date; {int(backwards.sum())} row(s)",
            where="line " + describe_rows(line_numbers(backwards)),
        )


# --- a validation lookup: LSOA -> PCN (best fit from registrations) -----------------


def read_validation(
    path: Path, lsoa: str = "LSOA11CD", pcn: str = "PCN_Code", lsoa_name: str = "LSOA11NM"
) -> pd.DataFrame:
    """lsoa_code, lsoa_name, pcn_code: one PCN per LSOA. Names are stripped (the West
    Sussex file's LSOA11NM carries a trailing space)."""
    frame = read_csv(path, [lsoa_name, lsoa, pcn])
    check_pattern(frame, lsoa, LSOA_EW_PATTERN, path, "E01000001")
    check_unique(frame, lsoa, path)
    check_pattern(frame, pcn, PCN_CODE, path, "U12345")
    return pd.DataFrame(
        {"lsoa_code": frame[lsoa], "lsoa_name": frame[lsoa_name], "pcn_code": frame[pcn]}
    )


# --- registered patients by practice and LSOA (gp-reg-pat-prac-lsoa-all) ------------

REGISTRATION_COLUMNS = [
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "LSOA_CODE",
    "SEX",
    "NUMBER_OF_PATIENTS",
]
SEXES = ("ALL", "MALE", "FEMALE")


@dataclass(frozen=True)
class Registrations:
    """Registered patients by practice and LSOA (all sexes)."""

    frame: pd.DataFrame  # practice_code, lsoa_code, patients
    extract_date: str
    #: Patients registered with no known LSOA of residence (dropped).
    patients_without_lsoa: int


def read_registrations(path: Path) -> Registrations:
    """NHS Digital's ``gp-reg-pat-prac-lsoa-all.csv``. Uses the ``ALL`` rows; where a
    practice and LSOA have none, sums ``MALE`` and ``FEMALE``."""
    frame = read_csv(path, REGISTRATION_COLUMNS)
    check_pattern(frame, "PRACTICE_CODE", PRACTICE_CODE, path, "A81001")
    sex = frame["SEX"].str.upper()
    bad = ~sex.isin(SEXES)
    if bad.any():
        raise InputError(
            path,
            f"SEX {frame.loc[bad, 'SEX'].iloc[0]!r} is not one of {', '.join(SEXES)}",
            where="line " + describe_rows(line_numbers(bad)),
        )
    lsoa = frame["LSOA_CODE"]
    no_lsoa = lsoa.str.fullmatch(NO_LSOA.pattern)
    bad = ~(lsoa.str.fullmatch(LSOA_EW_PATTERN.pattern) | no_lsoa)
    if bad.any():
        raise InputError(
            path,
            f"LSOA_CODE {lsoa[bad].iloc[0]!r} is not an LSOA code (expected like "
            "'E01000001', or NO… for no known LSOA)",
            where="line " + describe_rows(line_numbers(bad)),
        )
    patients = _counts(frame, "NUMBER_OF_PATIENTS", path)
    rows = pd.DataFrame(
        {
            "practice_code": frame["PRACTICE_CODE"],
            "lsoa_code": lsoa,
            "sex": sex,
            "patients": patients,
        }
    )
    duplicated = rows.duplicated(["practice_code", "lsoa_code", "sex"], keep=False)
    if duplicated.any():
        first = rows.loc[duplicated].iloc[0]
        raise InputError(
            path,
            f"practice {first['practice_code']}, LSOA {first['lsoa_code']}, SEX {first['sex']} "
            "appears more than once",
            where="lines " + describe_rows(line_numbers(duplicated)),
        )
    keys = ["practice_code", "lsoa_code"]
    has_all = rows["sex"].eq("ALL").groupby([rows[k] for k in keys]).transform("any")
    chosen = rows.loc[rows["sex"].eq("ALL") | ~has_all]
    totals = chosen.groupby(keys, as_index=False, sort=True)["patients"].sum()
    unknown = totals["lsoa_code"].str.fullmatch(NO_LSOA.pattern)
    extract = ", ".join(sorted(frame["EXTRACT_DATE"].unique()))
    return Registrations(
        totals.loc[~unknown].reset_index(drop=True),
        extract,
        int(totals.loc[unknown, "patients"].sum()),
    )
