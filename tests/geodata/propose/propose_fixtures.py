"""A small synthetic vintage for proposals, built in memory: twelve 1 km LSOA squares in
a 4 x 3 grid and one island square 1 km east of the grid.

    y=2  | L09 D4 A | L10 D6 C | L11 D6 C | L12 D7 C |
    y=1  | L05 D4 A | L06 D5 A | L07 D5 B | L08 D3 B |
    y=0  | L01 D1 A | L02 D1 A | L03 D2 B | L04 D3 B |   (sea)   | L13 D8 B |
           x=0        x=1        x=2        x=3                    x=5

Districts D1..D8; county C1 = D1 + D2 and county C2 = D4 + D6 (the rest are unitary).
Base ICBs A, B, C. Counties C1 and C2 are split; district D5 straddles A and B.
The island D8 (L13) is linked to the nearest block of its own ICB B: L04 in D3.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.store import VintageData

LSOA_POPULATION = [100, 200, 150, 120, 300, 80, 90, 110, 60, 140, 130, 170, 50]
CELLS = [
    (0, 0),
    (1, 0),
    (2, 0),
    (3, 0),
    (0, 1),
    (1, 1),
    (2, 1),
    (3, 1),
    (0, 2),
    (1, 2),
    (2, 2),
    (3, 2),
    (5, 0),
]
DISTRICT_OF = ["D1", "D1", "D2", "D3", "D4", "D5", "D5", "D3", "D4", "D6", "D6", "D7", "D8"]
ICB_OF = ["A", "A", "B", "B", "A", "A", "B", "B", "A", "C", "C", "C", "B"]
DISTRICT_CODE = {
    "D1": "E07000001",
    "D2": "E07000002",
    "D3": "E06000003",
    "D4": "E07000004",
    "D5": "E06000005",
    "D6": "E07000006",
    "D7": "E06000007",
    "D8": "E06000008",
}
COUNTY_OF = {"D1": "E10000001", "D2": "E10000001", "D4": "E10000002", "D6": "E10000002"}
ICB_CODE = {"A": "E54000001", "B": "E54000002", "C": "E54000003"}
ISLAND_LINK = ("L13", "L04")  # by hand: nearest block of the island's ICB (B)


def lsoa_code(k: int) -> str:
    return f"E010000{k + 1:02d}"


def grid_neighbours() -> dict[int, set[int]]:
    """LSOA rook adjacency, by hand from the cells, plus the island link."""
    out: dict[int, set[int]] = {k: set() for k in range(len(CELLS))}
    for a, (xa, ya) in enumerate(CELLS):
        for b, (xb, yb) in enumerate(CELLS):
            if abs(xa - xb) + abs(ya - yb) == 1:
                out[a].add(b)
    out[12].add(3)
    out[3].add(12)
    return out


def make_data(tmp: Path, with_sa: bool = False) -> VintageData:
    districts = [DISTRICT_CODE[d] for d in DISTRICT_OF]
    table = pd.DataFrame(
        {
            "lsoa_code": [lsoa_code(k) for k in range(len(CELLS))],
            "lsoa_name": [f"Grid {k + 1:03d}A" for k in range(len(CELLS))],
            "population": LSOA_POPULATION,
            "ltla_code": districts,
            "utla_code": [COUNTY_OF.get(d, DISTRICT_CODE[d]) for d in DISTRICT_OF],
            "icb_code": [ICB_CODE[i] for i in ICB_OF],
            "sicbl_code": [f"E3800000{'ABC'.index(i) + 1}" for i in ICB_OF],
            "region_code": "E12000001",
        }
    )
    if with_sa:  # one strategic authority: D3 + D7 (touching only through L08-L12)
        table["sa_code"] = [("E47000001" if d in ("D3", "D7") else None) for d in DISTRICT_OF]
    units = [("icb", code, f"ICB {name}", None) for name, code in ICB_CODE.items()]
    units += [("ltla", code, f"District {name}", None) for name, code in DISTRICT_CODE.items()]
    counties = {"E10000001": "County 1", "E10000002": "County 2"}
    units += [("utla", code, name, None) for code, name in counties.items()]
    units += [
        ("utla", code, f"District {name}", None)
        for name, code in DISTRICT_CODE.items()
        if code.startswith("E06")
    ]
    units += [("sicbl", f"E3800000{k}", f"Sub-ICB {k}", None) for k in (1, 2, 3)]
    units += [("region", "E12000001", "Region 1", None)]
    if with_sa:
        units += [("sa", "E47000001", "Grid Combined Authority", None)]
    frame = pd.DataFrame(units, columns=["layer", "code", "name", "nhs_code"])
    geometry = gpd.GeoDataFrame(
        {"lsoa_code": table["lsoa_code"]},
        geometry=[
            shapely.box(
                500_000 + 1000 * x, 200_000 + 1000 * y, 501_000 + 1000 * x, 201_000 + 1000 * y
            )
            for x, y in CELLS
        ],
        crs="EPSG:27700",
    )
    meta = {
        "vintage": "grid",
        "title": "synthetic grid",
        "boundaries": "1 km squares",
        "population_source": "synthetic",
    }
    return VintageData("grid", tmp, table, frame, meta, geometry)
