"""Fixtures for the scenario engine: the tiny synthetic vintage, a variant whose last square
is an island, and the two real vintages.

The tiny vintage (tests/synthetic.py) with unique LTLA names; x in km, y = 200-201 km:

    x=500      501        502        503        504        505
      +----------+----------+----------+----------+----------+
      | E01000001| E01000002| E01000003| E01000004| E01000005|   LSOA
      | E07000001| E07000001| E07000002| E06000001| E06000002|   LTLA
      | E10000001| E10000001| E10000001| E06000001| E06000002|   UTLA
      | E38000001| E38000001| E38000002| E38000003| E38000003|   SICBL
      | E54000001| E54000001| E54000002| E54000002| E54000002|   ICB
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   population
      +----------+----------+----------+----------+----------+

In the island variant E01000005 sits alone at x = 510-511 km, sea all round.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.ingest import build_vintage
from geodata.store import Store, VintageData

LTLA_NAMES = {"E07000001": "District 1", "E07000002": "District 2",
              "E06000001": "Unitary 1", "E06000002": "Unitary 2"}  # fmt: skip
ICB1, ICB2 = "E54000001", "E54000002"
LSOAS = ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005"]
POPULATION = dict(zip(LSOAS, [100, 200, 300, 400, 500], strict=True))


def build_tiny(root: Path, island: bool = False) -> VintageData:
    source = TinySource(root / "source")
    lookup = source.tables["lsoa_lookup"]
    lookup["LAD22NM"] = lookup["LAD22CD"].map(LTLA_NAMES)
    if island:
        geometry = source.blocks.geometry.to_numpy().copy()
        geometry[4] = shapely.box(510_000, 200_000, 511_000, 201_000)
        source.blocks = source.blocks.set_geometry(geometry)
    source.write()
    store = Store(root / "data")
    store.write(build_vintage(parse_vintage(source.config_path), source.root))
    return store.load("tiny")


def fresh(data: VintageData) -> VintageData:
    """The same vintage with an empty cache, for tests that put things in the cache."""
    return VintageData(data.name, data.path, data.table, data.units, data.meta)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> VintageData:
    return build_tiny(tmp_path_factory.mktemp("scenario_tiny"))


@pytest.fixture(scope="session")
def tiny_island(tmp_path_factory: pytest.TempPathFactory) -> VintageData:
    return build_tiny(tmp_path_factory.mktemp("scenario_tiny_island"), island=True)


@pytest.fixture(scope="session")
def data2022(real_store: Store) -> VintageData:
    return real_store.load("2022")


@pytest.fixture(scope="session")
def data2024(real_store: Store) -> VintageData:
    return real_store.load("2024")

