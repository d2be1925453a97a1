"""The scenario and PCN map pages over HTTP on the real store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from helpers import make_token

from geodata.store import Store
from maps.style import LAYER_STYLES
from service import create_app

ESSEX_MOVES = [{"unit_layer": "ltla", "code": c, "to_icb": "E54000026"}
               for c in ("E07000071", "E07000076", "E07000072", "E07000073", "E07000077")]


@pytest.fixture(scope="module")
def real_app(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    db = tmp_path_factory.mktemp("maps_db") / "db.sqlite3"
    app = create_app({"DATA_DIR": str(real_store.root), "DATABASE_URL": f"sqlite:///{db}"})
    yield app
    app.extensions["boundary_lab"].db.dispose()


def test_scenario_map_shows_baseline_scenario_and_moved_lsoas(real_app: Flask) -> None:
    client = real_app.test_client()
    made = client.post("/api/v1/scenarios", headers=make_token(real_app, "analyst"),
                       json={"name": "Essex in one ICB", "vintage": "2022",
                             "moves": ESSEX_MOVES})  # fmt: skip
    page = client.get(f"/maps/scenario/{made.get_json()['id']}").get_data(as_text=True)
    for layer in ("ICB borders before", "ICB borders after", "ICBs after (filled)", "Moved LSOAs"):
        assert layer in page
    assert "372 LSOAs move" in page
    assert "Office for National Statistics" in page and "vintage 2022" in page
    assert client.get("/maps/scenario/999999").status_code == 404


def test_pcn_map_of_an_icb(real_app: Flask) -> None:
    client = real_app.test_client()
    page = client.get("/maps/pcns?icb=E54000026&vintage=2022")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "PCN catchments (2020; they overlap)" in html and "GP practices" in html
    assert '"fillOpacity":0.15' in html  # overlapping catchments drawn see-through
    assert "circleMarker" in html
    missing = client.get("/maps/pcns?vintage=2022")
    assert missing.status_code == 400 and "icb" in missing.get_data(as_text=True)


def test_index_links_scenarios_and_pcn_maps(real_app: Flask, tmp_path: Path) -> None:
    client = real_app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "/scenarios/" in page and "/maps/pcns" in page and 'href="/reports' in page
    reports = client.get("/reports").get_data(as_text=True)
    assert "reports/pcns.xlsx" in reports and "reports/splits.xlsx" in reports


def test_strategic_authorities_on_the_overview_and_in_the_search(
    real_app: Flask, real_source: Path
) -> None:
    """Vintage 2026 has strategic authorities: the overview offers them as a layer, and its
    search box suggests and finds each, by 'Name (code)' as suggested, proposed ones (whose
    codes are made from their names) too."""
    authorities = pd.read_csv(real_source / "local-government" / "strategic_authorities_2026.csv")
    authorities = authorities.dropna(subset=["SA_NAME"]).drop_duplicates("SA_NAME")
    client = real_app.test_client()
    page = client.get("/maps/overview?vintage=2026").get_data(as_text=True)
    assert LAYER_STYLES["sa"].label in page
    for name in authorities["SA_NAME"]:
        suggested = re.search(rf'<option value="({re.escape(name)} \(([^)]+)\))">', page)
        assert suggested, name
        found = client.get("/maps/find", query_string={"q": suggested.group(1),
                                                       "vintage": "2026"})  # fmt: skip
        assert found.status_code == 302, name
        assert found.location.startswith(f"/maps/area/{suggested.group(2)}?"), name
    # 2022 has no strategic authorities: no such layer
    assert LAYER_STYLES["sa"].label not in client.get("/maps/overview?vintage=2022").text
