"""The pages for people on the tiny store (picture in tests/synthetic.py): the landing
page's four tasks, the header on every page, the vintage switcher and its cookie, the
split councils, the reports page and the GeoPackage downloads."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from pathlib import Path

import pyogrio
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app

NAV = ["Home", "Map of England", "Council splits", "Redraw", "Scenarios", "Places", "Reports"]


def nav_labels(page: str) -> list[str]:
    nav = page[page.index('<nav class="bl-nav"'):page.index("</nav>")]
    return re.findall(r'<a href="[^"]*">([^<]+)</a>', nav)


def test_landing_page_leads_to_the_four_tasks(client: FlaskClient) -> None:
    page = client.get("/").text.replace("&#39;", "'")
    tasks = page[page.index('<ul class="bl-tasks">'):page.index("</ul>", page.index("bl-tasks"))]
    assert re.findall(r"<h2><a href=\"([^\"]+)\">([^<]+)</a></h2>", tasks) == [
        ("/maps/overview?vintage=tiny", "See the map"),
        ("/splits?vintage=tiny", "See a council's split"),
        ("/edit", "Redraw"),
        ("/reports?vintage=tiny", "Download reports"),
    ]
    # one split council in the tiny store: County 1 (300 + 300 in two ICBs)
    assert "The 1 upper-tier council that is split between ICBs" in " ".join(page.split())
    assert '<link rel="stylesheet" href="/static/boundary-lab.css">' in page
    assert "<style" not in page and "https://" not in page.split("<footer")[0]


@pytest.mark.parametrize("path", ["/", "/splits", "/reports", "/scenarios/", "/places/",
                                  "/scenarios/statutory?vintage=tiny", "/maps/find?q=Unit"])
def test_every_page_has_the_same_header(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    assert nav_labels(response.text) == NAV
    assert '<select id="bl-vintage" name="vintage">' in response.text
    assert 'aria-current="page"' in response.text or path.startswith("/maps/find")


def test_map_pages_carry_the_header_in_their_sidebar(client: FlaskClient) -> None:
    page = client.get("/maps/overview?vintage=tiny").text
    aside = page[page.index('<aside class="bl-panel">'):]
    assert '<a class="bl-map-home" href="/">Boundary Lab</a>' in aside
    assert all(f">{label}</a>" in aside for label in NAV[1:])
    assert 'id="bl-q"' in aside  # the overview's search box


def test_vintage_switcher_remembers_the_choice_and_goes_back(client: FlaskClient) -> None:
    response = client.get("/vintage?vintage=tiny&next=/splits?by=ltla")
    assert response.status_code == 303
    assert response.headers["Location"] == "/splits?by=ltla&vintage=tiny"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("bl_vintage=tiny;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # elsewhere on this site only: another host falls back to the start page
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert client.get("/vintage", query_string={"vintage": "tiny", "next": target}
                          ).headers["Location"] == "/?vintage=tiny"  # fmt: skip
    refused = client.get("/vintage?vintage=1999&next=/")
    assert refused.status_code == 400 and "tiny" in refused.text


def test_split_councils_page_by_hand(client: FlaskClient) -> None:
    page = " ".join(client.get("/splits?vintage=tiny").text.split())
    assert "1 of 3 upper-tier councils has residents in more than one ICB." in page
    row = page[page.index("County 1"):page.index("</tr>", page.index("County 1"))]
    # County 1: 600 people, 300 (50.0%) in ICB 1 and 300 in ICB 2 (ties: ICB 1 first)
    assert "600" in row and "50.0%" in row and "(300)" in row
    assert client.get("/splits?by=sicbl").status_code == 400
    districts = " ".join(client.get("/splits?vintage=tiny&by=ltla").text.split())
    assert "of 4 lower-tier councils" in districts


def test_reports_page_lists_every_download(client: FlaskClient) -> None:
    page = client.get("/reports?vintage=tiny").text
    links = set(re.findall(r'href="(/api/v1/reports/[^"]+)"', page))
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
    assert "/api/v1/reports/boundaries.gpkg?vintage=tiny" in links
    assert "OHID" in page and "suppress=" in page


def test_boundaries_geopackage_download(client: FlaskClient) -> None:
    response = client.get("/api/v1/reports/boundaries.gpkg?vintage=tiny")
    assert response.status_code == 200
    assert response.mimetype == "application/geopackage+sqlite3"
    assert 'filename="boundaries_tiny.gpkg"' in response.headers["Content-Disposition"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.gpkg"
        path.write_bytes(response.data)
        icbs = pyogrio.read_dataframe(path, layer="icb").set_index("code")["population"]
        assert icbs.to_dict() == {"E54000001": 300, "E54000002": 1200}  # by hand
        lsoas = pyogrio.read_dataframe(path, layer="lsoa", read_geometry=False)
        assert lsoas["lsoa_code"].tolist() == [f"E0100000{i}" for i in range(1, 6)]


def test_scenario_geopackage_has_the_uploaded_boundaries(app: Flask, client: FlaskClient) -> None:
    from helpers import make_token

    square = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
              '{"icb":"E54000001"},"geometry":{"type":"Polygon","coordinates":[[[500000,200000],'
              '[503000,200000],[503000,201000],[500000,201000],[500000,200000]]]}}],'
              '"crs":{"type":"name","properties":{"name":"EPSG:27700"}}}')  # fmt: skip
    made = client.post("/api/v1/scenarios", headers=make_token(app, "analyst"),
                       data={"name": "west", "vintage": "tiny", "label": "icb",
                             "file": (io.BytesIO(square.encode()), "west.geojson")},
                       content_type="multipart/form-data")  # fmt: skip
    assert made.status_code == 201, made.json
    response = client.get(f"/api/v1/scenarios/{made.json['id']}/boundaries.gpkg")
    assert response.status_code == 200
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.gpkg"
        path.write_bytes(response.data)
        assert {name for name, _ in pyogrio.list_layers(path)} == {
            "scenario_icb", "lsoa", "uploaded", "about"}
        lsoas = pyogrio.read_dataframe(path, layer="lsoa", read_geometry=False)
        # squares 1-3 lie in the uploaded polygon: square 3 moves from ICB 2 to ICB 1
        assert lsoas.loc[lsoas["moved"], "lsoa_code"].tolist() == ["E01000003"]
    page = client.get(f"/scenarios/{made.json['id']}").text
    assert "LSOAs assigned to an uploaded boundary" in page and "west.geojson" in page


def test_forms_and_lists_follow_the_vintage_chosen_in_the_header(
    tiny_data_dir: Path, tmp_path: Path
) -> None:
    """With two vintages and the older one chosen in the header, the places list and the
    scenario and place forms use it (they used the newest, whatever the header said)."""
    data = tmp_path / "data"
    shutil.copytree(tiny_data_dir / "tiny", data / "tiny")
    shutil.copytree(tiny_data_dir / "tiny", data / "zzz")  # the newest by name: the default
    app = create_app({"TESTING": True, "DATA_DIR": str(data),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})  # fmt: skip
    try:
        client = app.test_client()
        assert "Sets for vintage zzz" in client.get("/places/").text
        client.get("/vintage?vintage=tiny&next=/")  # the switcher's cookie
        places = client.get("/places/").text
        assert "Sets for vintage tiny" in places
        for page in (places, client.get("/scenarios/").text):
            assert "<option selected>tiny</option>" in page
            assert "<option selected>zzz</option>" not in page
    finally:
        app.extensions["boundary_lab"].db.dispose()


def test_a_saved_scenario_s_pages_name_its_vintage_not_the_reader_s_choice(
    tiny_data_dir: Path, tmp_path: Path
) -> None:
    """A scenario belongs to one vintage: its pages and map name that vintage in the header,
    even when the reader chose another (they named the reader's choice)."""
    data = tmp_path / "data"
    shutil.copytree(tiny_data_dir / "tiny", data / "tiny")
    shutil.copytree(tiny_data_dir / "tiny", data / "zzz")
    app = create_app({"TESTING": True, "DATA_DIR": str(data),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})  # fmt: skip
    try:
        spec = {"vintage": "tiny", "name": "on tiny", "moves": [
            {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}]}  # fmt: skip
        record = app.extensions["boundary_lab"].db.save_scenario(spec, "moves", "someone")
        client = app.test_client()
        client.get("/vintage?vintage=zzz&next=/")  # the reader chooses the other one
        assert '<option value="zzz" selected>' in client.get("/").text
        for path in (f"/scenarios/{record.id}", f"/scenarios/{record.id}/statutory",
                     f"/maps/scenario/{record.id}"):  # fmt: skip
            page = client.get(path).text
            assert '<option value="tiny" selected>' in page, path
            assert '<option value="zzz" selected>' not in page, path
    finally:
        app.extensions["boundary_lab"].db.dispose()
