"""A tiny PCN world: eight 1 km LSOA squares, five located practices, four catchments.

    northing
    101 km +---------+---------+---------+---------+
           | E..05   | E..06   | E..07   | E..08   |     [population]
           | A2 [100]|   [100] |   [100] | B2 [100]|
    100 km +---------+---------+---------+---------+
           | E..01   | E..02   | E..03   | E..04   |
           | A1 [400]|  [300]C1|   [200] | B1 [100]|
     99 km +---------+---------+---------+---------+
          500       501       502       503       504 km easting
           '--- sub-ICB S1 (county) ---'--- sub-ICB S2 (unitary) ---'

Practices sit at square centres (A1, A2, B1, B2), except C1 at (501.9, 99.5) km: in S1,
400 m from the middle of E..02 and 600 m from the middle of E..03.
PCNs: U00001 West (A1, A2), U00002 East (B1, B2), U00003 Border (C1), U00004 (D1: no
postcode point), U00005 closed in 2020, U00006 opens in April 2022.

Catchments (2020, overlapping):
    U00001: x 500-502, y 99-101 (E..01, 02, 05, 06)
    U00002: x 502-503, y 99-101 (E..03, 07)       E..04 and E..08: no catchment
    U00003: x 501-503, y 99-100 (E..02, 03)
    U00005: x 500-501, y 100-101 (E..05; closed)
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.store import VintageData

KM = 1000.0
LSOAS = [f"E0100000{i}" for i in range(1, 9)]
POPULATION = [400, 300, 200, 100, 100, 100, 100, 100]
SICBL = ["E38000001", "E38000001", "E38000002", "E38000002"] * 2
UTLA = ["E10000001", "E10000001", "E06000001", "E06000001"] * 2
LTLA = ["E07000001", "E07000001", "E06000001", "E06000001"] * 2

PRACTICE_MAP_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "PRACTICE_POSTCODE",
    "PCN_CODE",
    "PCN_NAME",
    "ONS_CCG_CODE",
    "CCG_CODE",
    "CCG_NAME",
    "EASTING",
    "NORTHING",
    "POSITIONAL_QUALITY",
]
DETAILS_HEADER = [
    "PCN Code",
    "PCN Name",
    "Current Clinical Commissioning Group Code",
    "Clinical Commissioning Group Name",
    "Open Date",
    "Close Date",
    "Postcode",
]
MEMBERS_HEADER = [
    "Partner Organisation Code",
    "Partner Name",
    "Practice Parent CCG Code",
    "PCN Code",
    "PCN Name",
    "Practice to PCN Relationship Start Date",
    "Practice to PCN Relationship End Date",
]
REGISTRATIONS_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "LSOA_CODE",
    "SEX",
    "NUMBER_OF_PATIENTS",
]


def square(col: int, row: int) -> shapely.Polygon:
    x, y = 500 * KM + col * KM, 99 * KM + row * KM
    return shapely.box(x, y, x + KM, y + KM)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def practice_map_rows() -> list[list[object]]:
    def row(code: str, name: str, pcn: str, x: object, y: object) -> list[object]:
        return [
            "GP_PRAC_PAT_LIST",
            "01Jan2022",
            code,
            name,
            "ZZ1 1ZZ",
            pcn,
            f"{pcn} PCN",
            "E38000001",
            "00X",
            "NHS X CCG",
            x,
            y,
            "10.0",
        ]

    return [
        row("A00001", "WEST ONE", "U00001", 500500.0, 99500.0),
        row("A00002", "WEST TWO", "U00001", 500500.0, 100500.0),
        row("B00001", "EAST ONE", "U00002", 503500.0, 99500.0),
        row("B00002", "EAST TWO", "U00002", 503500.0, 100500.0),
        row("C00001", "BORDER", "U00003", 501900.0, 99500.0),
        row("D00001", "NO POINT", "U00004", "", ""),
        row("E00001", "UNALLOCATED", "U", 500200.0, 99200.0),
    ]


def details_rows() -> list[list[object]]:
    return [
        ["U00001", "WEST PCN", "00X", "NHS X CCG", "20191001", "", "ZZ1 1ZZ"],
        ["U00002", "EAST PCN", "00X", "NHS X CCG", "20191001", "", "ZZ1 1ZZ"],
        ["U00003", "BORDER PCN", "00X", "NHS X CCG", "20191001", "", "ZZ1 1ZZ"],
        ["U00004", "UNPLACED PCN", "00X", "NHS X CCG", "20191001", "", "ZZ1 1ZZ"],
        ["U00005", "CLOSED PCN", "00X", "NHS X CCG", "20191001", "20200331.0", "ZZ1 1ZZ"],
        ["U00006", "NEW PCN", "00X", "NHS X CCG", "20220401", "", "ZZ1 1ZZ"],
    ]


def member_rows() -> list[list[object]]:
    def row(code: str, pcn: str, start: str, end: str = "") -> list[object]:
        return [code, f"PRACTICE {code}", "00X", pcn, f"{pcn} PCN", start, end]

    return [
        row("A00001", "U00001", "20191001"),
        row("A00002", "U00001", "20191001"),
        row("B00001", "U00002", "20191001"),
        row("B00002", "U00002", "20191001"),
        row("C00001", "U00002", "20191001", "20210331.0"),  # moved: history, not current
        row("C00001", "U00003", "20210401"),
        row("D00001", "U00004", "20191001"),
        row("F00001", "U00002", "20191001"),  # in the ePCN, not in the practice map
    ]


def catchment_frame() -> gpd.GeoDataFrame:
    boxes = {
        "U00001": shapely.box(500 * KM, 99 * KM, 502 * KM, 101 * KM),
        "U00002": shapely.box(502 * KM, 99 * KM, 503 * KM, 101 * KM),
        "U00003": shapely.box(501 * KM, 99 * KM, 503 * KM, 100 * KM),
        "U00005": shapely.box(500 * KM, 100 * KM, 501 * KM, 101 * KM),
    }
    return gpd.GeoDataFrame(
        {"PCN_CODE": list(boxes), "PCN_NAME": [f"{c} PCN" for c in boxes]},
        geometry=list(boxes.values()),
        crs="EPSG:27700",
    )


def registration_rows() -> list[list[object]]:
    def row(practice: str, lsoa: str, sex: str, patients: object) -> list[object]:
        return [
            "GP_PRAC_PAT_LSOA",
            "01Feb2022",
            practice,
            f"PRACTICE {practice}",
            lsoa,
            sex,
            patients,
        ]

    return [
        row("A00001", "E01000001", "ALL", 30),
        row("A00001", "E01000001", "MALE", 14),
        row("A00001", "E01000001", "FEMALE", 16),
        row("A00001", "E01000002", "MALE", 5),  # no ALL row: the sexes are summed
        row("A00001", "E01000002", "FEMALE", 5),
        row("C00001", "E01000002", "ALL", 30),
        row("A00001", "NO2011", "ALL", 7),  # no known LSOA: counted, dropped
        row("E00001", "E01000003", "ALL", 4),  # a practice in no PCN
    ]


@dataclass
class TinyPcn:
    source: Path
    data: VintageData

    def path(self, name: str) -> Path:
        return self.source / name


def tiny_vintage(root: Path) -> VintageData:
    polygons = [square(col, row) for row in (0, 1) for col in range(4)]
    table = pd.DataFrame(
        {
            "lsoa_code": LSOAS,
            "lsoa_name": [f"Tiny 00{i}" for i in range(1, 9)],
            "population": POPULATION,
            "ltla_code": pd.Categorical(LTLA),
            "utla_code": pd.Categorical(UTLA),
            "icb_code": pd.Categorical(["E54000001"] * 8),
            "sicbl_code": pd.Categorical(SICBL),
            "region_code": pd.Categorical(["E12000001"] * 8),
        }
    )
    units = pd.DataFrame(
        [
            ("ltla", "E07000001", "West District", None),
            ("ltla", "E06000001", "East Unitary", None),
            ("utla", "E10000001", "West County", None),
            ("utla", "E06000001", "East Unitary", None),
            ("icb", "E54000001", "Tiny ICB", "QAA"),
            ("sicbl", "E38000001", "Sub-ICB West", "00X"),
            ("sicbl", "E38000002", "Sub-ICB East", "00Y"),
            ("region", "E12000001", "Tiny Region", None),
        ],
        columns=["layer", "code", "name", "nhs_code"],
    )
    meta = {
        "format": 1,
        "vintage": "tiny",
        "title": "Tiny PCN world",
        "boundaries": "synthetic squares",
        "population_source": "synthetic population",
    }
    path = root / "tiny"
    path.mkdir(parents=True)
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    geometry = gpd.GeoDataFrame({"lsoa_code": LSOAS}, geometry=polygons, crs="EPSG:27700")
    return VintageData("tiny", path, table, units, meta, _geometry=geometry)


def write_sources(source: Path) -> None:
    write_csv(
        source / "pcn/gp-reg-pat-prac-map_01Jan2022_geocoded.csv",
        PRACTICE_MAP_HEADER,
        practice_map_rows(),
    )
    write_csv(source / "pcn/ePCN_2022-04_PCNDetails.csv", DETAILS_HEADER, details_rows())
    write_csv(
        source / "pcn/ePCN_2022-04_PCN_Core_Partner_Details.csv", MEMBERS_HEADER, member_rows()
    )
    (source / "boundaries").mkdir(parents=True, exist_ok=True)
    # Published in degrees, like the real file: the reader reprojects.
    catchment_frame().to_crs("EPSG:4326").to_file(
        source / "boundaries/PCN_2020_catchments.gpkg", engine="pyogrio"
    )


def make_tiny_pcn(root: Path) -> TinyPcn:
    source = root / "source"
    write_sources(source)
    return TinyPcn(source, tiny_vintage(root / "data"))
