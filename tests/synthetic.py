"""A tiny source folder in the publishers' formats, built fresh for each test.

Six 1 km LSOA squares in a row, in British National Grid; the sixth is Welsh and must be
dropped. Codes below each square: LTLA, UTLA, ICB; population in brackets.

    x=500 km   501        502        503        504        505        506
      +----------+----------+----------+----------+----------+----------+
      | E01000001| E01000002| E01000003| E01000004| E01000005| W01000001|
      | E07000001| E07000001| E07000002| E06000001| E06000002|  (Wales) |
      | E10000001| E10000001| E10000001| E06000001| E06000002|          |
      | E54000001| E54000001| E54000002| E54000002| E54000002|          |
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   [999]  |
      +----------+----------+----------+----------+----------+----------+

County E10000001 (600 people) is split: 300 in ICB E54000001, 300 in E54000002.
ICB E54000002 (1,200) serves E10000001, E06000001 and E06000002.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

VINTAGE_TOML = """\
name = "tiny"
title = "Tiny synthetic vintage"
boundaries = "synthetic squares"

[blocks]
file = "blocks.gpkg"
code = "LSOA11CD"
name = "LSOA11NM"

[population]
file = "population.csv"
code = "LSOA Code"
value = "All Ages"
source = "synthetic population"

[[lookups]]
file = "lsoa_lookup.csv"
on = "lsoa"
key = "LSOA11CD"
layers.sicbl = { code = "SICBL22CD", name = "SICBL22NM", nhs_code = "SICBL22CDH" }
layers.icb = { code = "ICB22CD", name = "ICB22NM", nhs_code = "ICB22CDH" }
layers.ltla = { code = "LAD22CD", name = "LAD22NM" }

[[lookups]]
file = "ltla_utla.csv"
on = "ltla"
key = "LTLA21CD"
layers.utla = { code = "UTLA21CD", name = "UTLA21NM" }
"""


def _frames() -> dict[str, pd.DataFrame]:
    lsoas = ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005"]
    ltla = ["E07000001", "E07000001", "E07000002", "E06000001", "E06000002"]
    icb = ["E54000001", "E54000001", "E54000002", "E54000002", "E54000002"]
    sicbl = ["E38000001", "E38000001", "E38000002", "E38000003", "E38000003"]
    lookup = pd.DataFrame(
        {
            "LSOA11CD": lsoas,
            "LSOA11NM": [f"Tiny {i:03d}A" for i in range(1, 6)],
            "SICBL22CD": sicbl,
            "SICBL22CDH": [f"0{c[-1]}X" for c in sicbl],
            "SICBL22NM": [f"Sub-ICB {c[-1]}" for c in sicbl],
            "ICB22CD": icb,
            "ICB22CDH": [f"Q{c[-1]}A" for c in icb],
            "ICB22NM": [f"ICB {c[-1]}" for c in icb],
            "LAD22CD": ltla,
            "LAD22NM": [f"District {c[-1]}" for c in ltla],
        }
    )
    ltla_utla = pd.DataFrame(
        {
            "LTLA21CD": ["E07000001", "E07000002", "E06000001", "E06000002", "W06000001"],
            "LTLA21NM": ["District 1", "District 2", "Unitary 1", "Unitary 2", "Welsh 1"],
            "UTLA21CD": ["E10000001", "E10000001", "E06000001", "E06000002", "W06000001"],
            "UTLA21NM": ["County 1", "County 1", "Unitary 1", "Unitary 2", "Welsh 1"],
        }
    )
    population = pd.DataFrame(
        {
            "LSOA Code": [*lsoas, "W01000001"],
            "LSOA Name": ["x"] * 6,
            "All Ages": ["100", "200", "300", "400", "500", "999"],
            "0": ["1"] * 6,
        }
    )
    return {"lsoa_lookup": lookup, "ltla_utla": ltla_utla, "population": population}


def squares(n: int = 6, x0: float = 500_000, y0: float = 200_000) -> list[shapely.Polygon]:
    return [shapely.box(x0 + 1000 * i, y0, x0 + 1000 * (i + 1), y0 + 1000) for i in range(n)]


@dataclass
class TinySource:
    """The tiny source's frames; edit them, then ``write`` the folder."""

    root: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=_frames)
    blocks: gpd.GeoDataFrame = field(
        default_factory=lambda: gpd.GeoDataFrame(
            {
                "LSOA11CD": [f"E0100000{i}" for i in range(1, 6)] + ["W01000001"],
                "LSOA11NM": [f"Tiny {i:03d}A" for i in range(1, 7)],
            },
            geometry=squares(),
            crs="EPSG:27700",
        )
    )
    toml: str = VINTAGE_TOML

    def write(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            frame.to_csv(self.root / f"{name}.csv", index=False)
        self.blocks.to_file(self.root / "blocks.gpkg", driver="GPKG")
        (self.root / "tiny.toml").write_text(self.toml, encoding="utf-8")
        return self.root

    @property
    def config_path(self) -> Path:
        return self.root / "tiny.toml"
