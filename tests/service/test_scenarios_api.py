"""The scenarios API on the tiny store (tests/synthetic.py), through the Flask test client.

    x=500      501        502        503        504        505     (km; y = 200-201 km)
      +----------+----------+----------+----------+----------+
      | E01000001| E01000002| E01000003| E01000004| E01000005|   LSOA
      | E07000001| E07000001| E07000002| E06000001| E06000002|   LTLA
      | E10000001| E10000001| E10000001| E06000001| E06000002|   UTLA
      | E54000001| E54000001| E54000002| E54000002| E54000002|   ICB
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   population
      +----------+----------+----------+----------+----------+

The running example moves District 2 (E07000002, LSOA 3, 300 people) from ICB 2 to ICB 1:
County 1 becomes unsplit, ICB 1 goes 300 -> 600 and ICB 2 1,200 -> 900.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pytest
import shapely
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Transformer
from service_fixtures import make_token
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from geodata.store import Store
from service import create_app
from service.db import uploads

ICB1, ICB2 = "E54000001", "E54000002"
LSOAS = ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005"]
DISTRICT_2_TO_ICB1 = {"unit_layer": "ltla", "code": "E07000002", "to_icb": ICB1}
TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
URL = "/api/v1/scenarios"


@pytest.fixture
def analyst(app: Flask) -> dict[str, str]:
    return make_token(app, "analyst")


def square(first: int, last: int, inset: float = 100.0) -> shapely.Polygon:
    """A candidate polygon over tiny squares ``first``..``last`` (1-based), inset a little."""
    return shapely.box(499_000 + 1000 * first + inset, 200_000 + inset,
                       500_000 + 1000 * last - inset, 201_000 - inset)  # fmt: skip


def geojson_27700(features: list[tuple[dict[str, Any], shapely.Geometry]]) -> bytes:
    """A FeatureCollection declaring British National Grid with an old-style "crs" member."""
    return json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [{"type": "Feature", "properties": props,
                      "geometry": shapely.geometry.mapping(geom)} for props, geom in features],
    }).encode()  # fmt: skip


def candidates(labels: dict[str, shapely.Geometry], column: str = "icb_code") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({column: list(labels)}, geometry=list(labels.values()),
                            crs="EPSG:27700")  # fmt: skip


def zipped_shapefile(frame: gpd.GeoDataFrame, folder: Path, parts: tuple[str, ...] = (
        ".shp", ".shx", ".dbf", ".prj", ".cpg")) -> bytes:  # fmt: skip
    frame.to_file(folder / "candidates.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.suffix in parts:
                archive.write(path, f"nested/folder/{path.name}")
    return buffer.getvalue()


def upload(client: FlaskClient, headers: dict[str, str], content: bytes, filename: str,
           **form: str) -> Any:  # fmt: skip
    return client.post(URL, data={"file": (io.BytesIO(content), filename), **form},
                       headers=headers, content_type="multipart/form-data")  # fmt: skip


def create(client: FlaskClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(URL, json={"vintage": "tiny", "name": "test", **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_error(response: Any, status: int, code: str, fragment: str = "") -> dict[str, Any]:
    """The one JSON error shape, with the status and a message saying what was wrong."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["details"], dict)
    assert fragment in body["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]


def saved_state(app: Flask, client: FlaskClient) -> tuple[list[int], list[int], int]:
    """Scenario ids (through the API), audit entry ids and the number of stored uploads."""
    db = app.extensions["boundary_lab"].db
    with db.engine.connect() as conn:
        stored_uploads = conn.execute(sa.select(sa.func.count()).select_from(uploads)).scalar()
    return ([r["id"] for r in client.get(URL).get_json()],
            [e.id for e in db.audit_entries(10_000)], int(stored_uploads or 0))  # fmt: skip


def rows_of_csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


# --- access ------------------------------------------------------------------------------


def test_creating_needs_an_analyst(app: Flask, client: FlaskClient) -> None:
    body = {"vintage": "tiny", "name": "x", "moves": [DISTRICT_2_TO_ICB1]}
    before = saved_state(app, client)
    error = assert_error(client.post(URL, json=body), 401, "unauthorized", "analyst")
    assert "Bearer" in error["details"]["how"]
    error = assert_error(client.post(URL, json=body, headers=make_token(app, "viewer")), 403,
                         "forbidden", "your role viewer cannot do this")  # fmt: skip
    assert (error["details"]["role"], error["details"]["required"]) == ("viewer", "analyst")
    assert_error(client.post(URL, json=body, headers={"Authorization": "Bearer nope"}), 401,
                 "unauthorized", "unknown or revoked")  # fmt: skip
    ids, audit, stored = saved_state(app, client)
    assert ids == before[0] == [] and stored == 0
    assert client.post(URL, json=body, headers=make_token(app, "analyst")).status_code == 201
    assert client.post(URL, json=body, headers=make_token(app, "admin")).status_code == 201


def test_reading_follows_the_read_policy(tiny_data_dir: Path, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir), "ANONYMOUS_READ": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'closed.sqlite3'}"})  # fmt: skip
    try:
        client = app.test_client()
        record = create(client, make_token(app, "analyst"), moves=[DISTRICT_2_TO_ICB1])
        for path in ("", f"/{record['id']}", f"/{record['id']}/evaluation",
                     f"/{record['id']}/blocks.csv", f"/compare?a=baseline&b={record['id']}"):
            assert_error(client.get(URL + path), 401, "unauthorized")
            assert client.get(URL + path, headers=make_token(app, "viewer")).status_code == 200
    finally:
        app.extensions["boundary_lab"].db.dispose()


# --- records and versions ----------------------------------------------------------------


def test_create_from_moves_and_read_the_record(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    body = create(client, analyst, name="County 1 together", description="why not",
                  moves=[DISTRICT_2_TO_ICB1])  # fmt: skip
    assert (body["version"], body["vintage"], body["source"], body["upload_id"]) == (
        1, "tiny", "moves", None)
    assert body["author"].startswith("token:") and body["author"].endswith(":test analyst")
    assert body["lsoas_moved"] == 1
    assert body["spec"]["moves"] == [DISTRICT_2_TO_ICB1]
    assert body["spec"]["description"] == "why not"
    assert body["links"]["evaluation"] == f"{URL}/{body['id']}/evaluation"

    record = client.get(f"{URL}/{body['id']}").get_json()  # anonymous reads are on by default
    assert {k: record[k] for k in ("id", "family", "name", "spec", "created_at")} == {
        k: body[k] for k in ("id", "family", "name", "spec", "created_at")}
    assert [(v["id"], v["version"]) for v in record["versions"]] == [(body["id"], 1)]
    listed = client.get(URL).get_json()
    assert [(r["id"], r["name"], r["source"]) for r in listed] == [
        (body["id"], "County 1 together", "moves")]


def test_vintage_defaults_to_the_newest_built(client: FlaskClient, analyst: dict[str, str]) -> None:
    response = client.post(URL, json={"moves": [DISTRICT_2_TO_ICB1]}, headers=analyst)
    assert response.status_code == 201
    assert response.get_json()["vintage"] == "tiny"
    assert response.get_json()["name"] == "unnamed scenario"


def test_a_parent_makes_a_new_version_in_the_same_family(
    app: Flask, client: FlaskClient, analyst: dict[str, str]
) -> None:
    first = create(client, analyst, name="v1", moves=[DISTRICT_2_TO_ICB1])
    other = create(client, analyst, name="other family")
    second = create(client, analyst, name="v2", parent=first["id"],
                    moves=[DISTRICT_2_TO_ICB1, {"unit_layer": "lsoa", "code": "E01000004",
                                                "to_icb": ICB1}])  # fmt: skip
    assert (second["family"], second["version"]) == (first["family"], 2)
    assert other["family"] != first["family"] and other["version"] == 1
    third = create(client, analyst, name="v3", parent=str(first["id"]))  # an id as text too
    assert (third["family"], third["version"]) == (first["family"], 3)
    for ident in (first["id"], second["id"]):
        versions = client.get(f"{URL}/{ident}").get_json()["versions"]
        assert [(v["version"], v["name"]) for v in versions] == [(1, "v1"), (2, "v2"), (3, "v3")]
    # Each version keeps its own changes: the scenarios are immutable.
    assert client.get(f"{URL}/{first['id']}").get_json()["spec"]["moves"] == [DISTRICT_2_TO_ICB1]
    audit = [e for e in app.extensions["boundary_lab"].db.audit_entries()
             if e.action == "scenario.create"]  # fmt: skip
    assert [(e.target, e.details["version"]) for e in reversed(audit)] == [
        (f"scenario:{first['id']}", 1), (f"scenario:{other['id']}", 1),
        (f"scenario:{second['id']}", 2), (f"scenario:{third['id']}", 3)]  # fmt: skip


# --- evaluation --------------------------------------------------------------------------


def test_evaluation_of_district_2_moving_to_icb_1(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    ident = create(client, analyst, moves=[DISTRICT_2_TO_ICB1])["id"]
    body = client.get(f"{URL}/{ident}/evaluation").get_json()
    assert body["id"] == ident
    summary = body["summary"]
    assert (summary["lsoas_moved"], summary["people_moved"]) == (1, 300)
    assert summary["before"] == {"icbs": 2, "min": 300, "max": 1200, "ratio_max_min": 4.0}
    assert summary["after"] == {"icbs": 2, "min": 600, "max": 900, "ratio_max_min": 1.5}
    assert (summary["utla_icb_links_before"], summary["utla_icb_links_after"]) == (4, 3)
    icbs = {r["code"]: r for r in body["icbs"]}
    assert {c: (r["population_before"], r["population_after"], r["change"], r["lsoas_before"],
                r["lsoas_after"]) for c, r in icbs.items()} == {
        ICB1: (300, 600, 300, 2, 3), ICB2: (1200, 900, -300, 3, 2)}  # fmt: skip
    assert all(r["parts_after"] == 1 and not r["new"] for r in icbs.values())
    assert [(m["from_code"], m["to_code"], m["population"], m["lsoas"]) for m in body["moved"]] == [
        (ICB2, ICB1, 300, 1)]
    utlas = {r["code"]: r for r in body["utlas"]}
    assert (utlas["E10000001"]["icbs_before"], utlas["E10000001"]["icbs_after"],
            utlas["E10000001"]["change"]) == (2, 1, "became unsplit")  # fmt: skip
    assert utlas["E06000001"]["change"] == "" and body["ltlas_changed"] == []
    (county,) = body["typology_changes"]
    assert (county["code"], county["type_before"], county["type_after"]) == ("E10000001", 4, 1)
    rules = {r["rule"]: r for r in body["rules"]}
    assert rules["utla_within_one_icb"]["passed"] and rules["icb_contiguous"]["passed"]
    assert not rules["icb_population"]["passed"] and body["passed"] is False
    assert {o["code"] for o in rules["icb_population"]["offenders"]} == {ICB1, ICB2}
    assert body["new_icbs"] == {}
    assert body["provenance"]["vintage"] == "tiny"
    assert "Open Government Licence" in body["provenance"]["attribution"]


def test_a_new_icb_by_name(client: FlaskClient, analyst: dict[str, str]) -> None:
    move = {"unit_layer": "utla", "code": "E06000002", "to_icb": "new_icb:Tiny East"}
    ident = create(client, analyst, moves=[move])["id"]
    body = client.get(f"{URL}/{ident}/evaluation").get_json()
    assert body["new_icbs"] == {"NEW-1": "Tiny East"}
    new = {r["code"]: r for r in body["icbs"]}["NEW-1"]
    assert (new["name"], new["new"], new["population_before"], new["population_after"]) == (
        "Tiny East", True, 0, 500)
    assert body["summary"]["after"]["icbs"] == 3


def rules_of(client: FlaskClient, ident: int, query: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"{URL}/{ident}/evaluation?{query}")
    assert response.status_code == 200, response.get_json()
    return {r["rule"]: r for r in response.get_json()["rules"]}


def test_rule_parameters(client: FlaskClient, analyst: dict[str, str]) -> None:
    moved = create(client, analyst, moves=[DISTRICT_2_TO_ICB1])["id"]
    base = create(client, analyst, name="baseline copy")["id"]
    # LSOA 5 to ICB 1: a 1 km² piece of ICB 1 cut off by ICB 2, an exclave.
    exclave = create(client, analyst, moves=[{"unit_layer": "lsoa", "code": "E01000005",
                                              "to_icb": ICB1}])["id"]  # fmt: skip

    assert rules_of(client, moved, "min_icb_population=500")["icb_population"]["passed"]
    low = rules_of(client, moved, "min_icb_population=700")["icb_population"]
    assert [o["code"] for o in low["offenders"]] == [ICB1]
    assert low["description"] == "every ICB has at least 700 people"
    both = rules_of(client, moved, "min_icb_population=0&max_icb_population=800")
    assert [(o["code"], o["population"]) for o in both["icb_population"]["offenders"]] == [
        (ICB2, 900)]
    assert rules_of(client, moved, "min_icb_population=0")["icb_population"]["passed"]

    split = rules_of(client, base, "")["utla_within_one_icb"]
    assert not split["passed"] and [o["code"] for o in split["offenders"]] == ["E10000001"]
    assert set(rules_of(client, base, "utla_within_one_icb=false")) == {
        "icb_population", "icb_contiguous"}

    contiguity = rules_of(client, exclave, "")["icb_contiguous"]
    assert not contiguity["passed"]
    assert contiguity["offenders"] == [{"code": ICB1, "name": "ICB 1", "exclaves": 1}]
    assert "icb_contiguous" not in rules_of(client, exclave, "contiguous=0")


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("min_icb_population=lots", "min_icb_population must be a number"),
        ("min_icb_population=-1", "min_icb_population must be a number from 0"),
        ("max_icb_population=nan", "max_icb_population must be a number"),
        ("min_icb_population=900&max_icb_population=800", "is above the max"),
        ("utla_within_one_icb=maybe", "utla_within_one_icb must be true or false"),
        ("contiguous=yes", "contiguous must be true or false"),
    ],
)
def test_bad_rule_parameters_are_400(
    client: FlaskClient, analyst: dict[str, str], query: str, fragment: str
) -> None:
    ident = create(client, analyst, moves=[DISTRICT_2_TO_ICB1])["id"]
    for path in ("evaluation", "report.csv"):
        assert_error(client.get(f"{URL}/{ident}/{path}?{query}"), 400, "bad_request", fragment)
    assert_error(client.get(f"{URL}/compare?a=baseline&b={ident}&{query}"), 400, "bad_request",
                 fragment)  # fmt: skip


# --- downloads ---------------------------------------------------------------------------


def test_report_csv(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst, name="Together", moves=[DISTRICT_2_TO_ICB1])["id"]
    response = client.get(f"{URL}/{ident}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="scenario_{ident}_v1_tiny.csv"' in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    assert not any(line.startswith("#") for line in text.splitlines())  # opens cleanly
    assert response.headers["Link"] == f'<{URL}/{ident}/report.txt>; rel="describedby"'
    companion = client.get(f"{URL}/{ident}/report.txt")
    assert companion.status_code == 200 and companion.mimetype == "text/plain"
    comments = dict(line.split(": ", 1) for line in companion.data.decode().splitlines()
                    if ": " in line and not line.startswith(" "))  # fmt: skip
    assert comments["Scenario"] == "Together" and comments["Vintage"] == "tiny"
    assert comments["Population source"] == "synthetic population"
    assert comments["Changes"] == "1 move(s), 0 LSOA assignment(s)"
    assert comments["Rule icb_population"].startswith("FAIL")
    assert "best-fit" in comments["Method"]
    assert comments["Attribution"].startswith(
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0")
    assert "Contains OS data © Crown copyright and database right" in comments["Attribution"]
    rows = rows_of_csv(response.data)
    assert [(r["Code"], r["Population before"], r["Population after"], r["Change"])
            for r in rows] == [(ICB1, "300", "600", "300"), (ICB2, "1200", "900", "-300")]
    assert_error(client.get(f"{URL}/{ident}/report.pdf"), 404, "not_found", "csv, xlsx")


def test_report_xlsx(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst, name="Together", moves=[DISTRICT_2_TO_ICB1])["id"]
    response = client.get(f"{URL}/{ident}/report.xlsx")
    assert response.status_code == 200
    assert response.mimetype.startswith("application/vnd.openxmlformats-officedocument")
    assert f'filename="scenario_{ident}_v1_tiny.xlsx"' in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["ICBs", "Moves", "UTLAs", "LTLAs changed", "Typology changes",
                               "Rules", "Statutory description", "About"]  # fmt: skip

    def column(sheet_name: str, header: str) -> list[Any]:
        sheet = book[sheet_name]
        headers = [c.value for c in sheet[1]]
        return [row[headers.index(header)] for row in sheet.iter_rows(min_row=2)]

    population = column("ICBs", "Population after")
    assert [c.value for c in population] == [600, 900]
    assert all(c.number_format == "#,##0" for c in population)
    assert all(c.number_format == "0.000"
               for c in column("ICBs", "Compactness after (Polsby-Popper)"))  # fmt: skip
    # every header of every sheet is words, not a code name
    for sheet in book.worksheets:
        assert not any("_" in str(c.value) for c in sheet[1]), sheet.title
    shares = column("UTLAs", "Share in main ICB before")
    assert [c.value for c in shares] == [1.0, 1.0, 0.5]
    assert all(c.number_format == "0.0%" for c in shares)
    assert [c.value for c in column("Moves", "People")] == [300]
    assert [c.value for c in column("Rules", "Passed?")] == [True, False, True]
    # County 1 was split before (fixed); the ICBs were under a million before too
    assert [c.value for c in column("Rules", "Compared with the base")] == [
        "fixed", "already failing in the base", "passes"]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Scenario"] == "Together" and about["Vintage"] == "tiny"
    assert "Open Government Licence" in about["Attribution"]
    assert "Generated (UTC)" in about


def lon_lat_bounds(x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
    corners = [TO_WGS84.transform(x, y) for x in (x0, x1) for y in (y0, y1)]
    lons, lats = zip(*corners, strict=True)
    return min(lons), min(lats), max(lons), max(lats)


def test_boundaries_geojson_in_degrees(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst, moves=[DISTRICT_2_TO_ICB1])["id"]
    response = client.get(f"{URL}/{ident}/boundaries.geojson?simplify=0")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in body["features"]}
    assert {c: (f["properties"]["population"], f["properties"]["parts"])
            for c, f in features.items()} == {ICB1: (600, 1), ICB2: (900, 1)}  # fmt: skip
    # ICB 1 is now squares 1-3 (x 500-503 km), ICB 2 squares 4-5 (x 503-505 km).
    for code, (x0, x1) in ((ICB1, (500_000, 503_000)), (ICB2, (503_000, 505_000))):
        geometry = shapely.geometry.shape(features[code]["geometry"])
        expected = lon_lat_bounds(x0, 200_000, x1, 201_000)
        assert geometry.bounds == pytest.approx(expected, abs=1e-4)
        assert all(-2 < lon < 1 and 50 < lat < 53 for lon, lat in geometry.exterior.coords)


def test_statutory_csv_lists_lsoas_of_a_part_included_district(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    # LSOA 2 to ICB 2 splits District 1: each of its parts is described by LSOA.
    ident = create(client, analyst, moves=[{"unit_layer": "lsoa", "code": "E01000002",
                                             "to_icb": ICB2}])["id"]  # fmt: skip
    response = client.get(f"{URL}/{ident}/statutory.csv")
    assert response.status_code == 200
    assert f"scenario_{ident}_statutory.csv" in response.headers["Content-Disposition"]
    rows = [(r["icb_code"], r["kind"], r["code"], r["ltla_code"]) for r in
            rows_of_csv(response.data)]  # fmt: skip
    assert rows == [
        (ICB1, "lsoa", "E01000001", "E07000001"),
        (ICB2, "ltla", "E06000001", "E06000001"),
        (ICB2, "ltla", "E06000002", "E06000002"),
        (ICB2, "ltla", "E07000002", "E07000002"),
        (ICB2, "lsoa", "E01000002", "E07000001"),
    ]


def test_blocks_csv_round_trip_has_zero_differences(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    moves = [DISTRICT_2_TO_ICB1,
             {"unit_layer": "ltla", "code": "E06000002", "to_icb": "new_icb:Tiny East"}]
    first = create(client, analyst, name="with a new ICB", moves=moves)["id"]
    exported = client.get(f"{URL}/{first}/blocks.csv")
    assert exported.status_code == 200
    assert f"scenario_{first}_blocks.csv" in exported.headers["Content-Disposition"]
    rows = rows_of_csv(exported.data)
    assert [(r["lsoa_code"], r["icb_code"]) for r in rows] == [
        ("E01000001", ICB1), ("E01000002", ICB1), ("E01000003", ICB1), ("E01000004", ICB2),
        ("E01000005", "new_icb:Tiny East")]  # fmt: skip

    imported = upload(client, analyst, exported.data, "blocks.csv", name="re-imported")
    assert imported.status_code == 201, imported.get_json()
    second = imported.get_json()
    assert (second["source"], second["name"], second["lsoas_moved"]) == ("blocks", "re-imported", 2)
    same = client.get(f"{URL}/compare?a={first}&b={second['id']}").get_json()
    assert (same["lsoas_different"], same["people_different"], same["moved"]) == (0, 0, [])
    assert all(row["change"] in (0, None) for row in same["summary"])


def test_compare_two_scenarios_and_the_baseline(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    a = create(client, analyst, name="A", moves=[DISTRICT_2_TO_ICB1])["id"]
    b = create(client, analyst, name="B", moves=[{"unit_layer": "ltla", "code": "E07000001",
                                                  "to_icb": ICB2}])["id"]  # fmt: skip
    body = client.get(f"{URL}/compare?a={a}&b={b}").get_json()
    assert (body["vintage"], body["a"], body["b"]) == ("tiny", "A", "B")
    # A: LSOAs 1-3 in ICB 1; B: every LSOA in ICB 2. They differ on LSOAs 1-3.
    assert (body["lsoas_different"], body["people_different"]) == (3, 600)
    assert [(m["a_icb"], m["b_icb"], m["lsoas"], m["population"]) for m in body["moved"]] == [
        (ICB1, ICB2, 3, 600)]
    assert {r["code"]: (r["population_a"], r["population_b"], r["change"])
            for r in body["icbs"]} == {ICB1: (600, 0, -600), ICB2: (900, 1500, 600)}  # fmt: skip
    summary = {r["metric"]: (r["a"], r["b"], r["change"]) for r in body["summary"]}
    assert summary["ICB icbs"] == (2, 1, -1)
    assert summary["people_moved"] == (300, 300, 0)  # each against the baseline
    assert summary["split UTLAs"] == (0, 0, 0)
    assert "Open Government Licence" in body["provenance"]["attribution"]

    against_base = client.get(f"{URL}/compare?a=baseline&b={a}").get_json()
    assert (against_base["a"], against_base["lsoas_different"]) == ("baseline", 1)
    assert client.get(f"{URL}/compare?a=baseline&b=baseline").get_json()["lsoas_different"] == 0

    assert_error(client.get(f"{URL}/compare?a={a}"), 400, "bad_request", "give b")
    assert_error(client.get(f"{URL}/compare?a={a}&b=latest"), 400, "bad_request",
                 "a scenario id or 'baseline'")  # fmt: skip
    assert_error(client.get(f"{URL}/compare?a={a}&b=999"), 404, "not_found", "999")


@pytest.mark.parametrize(
    "path", ["", "/evaluation", "/report.csv", "/report.xlsx", "/boundaries.geojson",
             "/statutory.csv", "/blocks.csv"],
)  # fmt: skip
def test_unknown_scenario_is_404(client: FlaskClient, path: str) -> None:
    assert_error(client.get(f"{URL}/4242{path}"), 404, "not_found", "no scenario with id 4242")


# --- uploads -------------------------------------------------------------------------------


def test_geojson_upload_declared_in_british_national_grid(
    app: Flask, client: FlaskClient, analyst: dict[str, str]
) -> None:
    content = geojson_27700([({"icb_code": ICB1, "name": "ignored"}, square(1, 3))])
    response = upload(client, analyst, content, "candidates.geojson", name="ICB 1 grows",
                      description="by polygon")  # fmt: skip
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["source"], body["name"], body["lsoas_moved"]) == ("upload", "ICB 1 grows", 1)
    assert (body["assigned_lsoas"], body["unassigned_lsoas"], body["warnings"]) == (
        3, ["E01000004", "E01000005"], [])
    assert body["spec"]["blocks"] == [["E01000003", ICB1]]
    assert body["spec"]["description"] == "by polygon"
    stored = app.extensions["boundary_lab"].db.get_upload(body["upload_id"])
    assert (stored.filename, stored.sha256, stored.size, stored.label_property) == (
        "candidates.geojson", hashlib.sha256(content).hexdigest(), len(content), "icb_code")
    outline = json.loads(stored.candidates_geojson)["features"][0]["geometry"]
    assert shapely.geometry.shape(outline).bounds == pytest.approx(
        lon_lat_bounds(500_100, 200_100, 502_900, 200_900), abs=1e-4)
    summary = client.get(f"{URL}/{body['id']}/evaluation").get_json()["summary"]
    assert (summary["lsoas_moved"], summary["people_moved"]) == (1, 300)


def test_geojson_upload_in_wgs84_with_a_new_icb(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    frame = candidates({"Tiny East": square(4, 5)}, column="name").to_crs("EPSG:4326")
    response = upload(client, analyst, frame.to_json().encode(), "east.json")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "east.json"  # the file's name when no name is given
    assert body["spec"]["blocks"] == [["E01000004", "new_icb:Tiny East"],
                                      ["E01000005", "new_icb:Tiny East"]]
    evaluation = client.get(f"{URL}/{body['id']}/evaluation").get_json()
    assert evaluation["new_icbs"] == {"NEW-1": "Tiny East"}
    assert {r["code"]: r["population_after"] for r in evaluation["icbs"]} == {
        ICB1: 300, ICB2: 300, "NEW-1": 900}


def test_zipped_shapefile_upload(
    client: FlaskClient, analyst: dict[str, str], tmp_path: Path
) -> None:
    frame = candidates({ICB1: square(1, 3), "Tiny East": square(4, 5)})
    response = upload(client, analyst, zipped_shapefile(frame, tmp_path), "candidates.ZIP")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["assigned_lsoas"], body["unassigned_lsoas"], body["lsoas_moved"]) == (5, [], 3)
    assert body["spec"]["blocks"] == [["E01000003", ICB1], ["E01000004", "new_icb:Tiny East"],
                                      ["E01000005", "new_icb:Tiny East"]]  # fmt: skip


def test_geopackage_upload_with_a_chosen_label(
    client: FlaskClient, analyst: dict[str, str], tmp_path: Path
) -> None:
    frame = candidates({"ignored": square(4, 5)}, column="name")
    frame["proposal"] = [ICB1]
    frame.to_file(tmp_path / "c.gpkg", driver="GPKG")
    response = upload(client, analyst, (tmp_path / "c.gpkg").read_bytes(), "c.gpkg",
                      label="proposal")  # fmt: skip
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["spec"]["blocks"] == [["E01000004", ICB1], ["E01000005", ICB1]]
    stored = client.application.extensions["boundary_lab"].db.get_upload(body["upload_id"])
    assert stored.label_property == "proposal"


def test_a_self_intersecting_polygon_is_repaired_with_a_warning(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    bow_tie = shapely.Polygon([(500_100, 200_100), (502_900, 200_900), (502_900, 200_100),
                               (500_100, 200_900)])  # fmt: skip
    assert not bow_tie.is_valid
    response = upload(client, analyst, geojson_27700([({"icb_code": ICB2}, bow_tie)]), "b.geojson")
    assert response.status_code == 201, response.get_json()
    (warning,) = response.get_json()["warnings"]
    assert "repaired 1 self-intersecting or invalid polygon(s) (features 1)" in warning
    assert response.get_json()["spec"]["notes"] == [warning]


# --- bad input: a clear 400/422 and nothing saved --------------------------------------


def _json(body: Any) -> dict[str, Any]:
    return {"json": body}


def _raw(text: str, content_type: str = "application/json") -> dict[str, Any]:
    return {"data": text, "content_type": content_type}


def _file(content: bytes, filename: str, **form: str) -> dict[str, Any]:
    return {"data": {"file": (io.BytesIO(content), filename), **form},
            "content_type": "multipart/form-data"}  # fmt: skip


def _shapefile_zip(tmp_path: Path, parts: tuple[str, ...]) -> bytes:
    return zipped_shapefile(candidates({ICB1: square(1, 3)}), tmp_path, parts)


def _two_layer_geopackage(tmp_path: Path) -> bytes:
    path = tmp_path / "two.gpkg"
    candidates({ICB1: square(1, 3)}).to_file(path, layer="north", driver="GPKG")
    candidates({ICB2: square(4, 5)}).to_file(path, layer="south", driver="GPKG")
    return path.read_bytes()


def _degrees_declared_as_metres() -> bytes:
    lon0, lat0 = TO_WGS84.transform(500_100, 200_100)
    lon1, lat1 = TO_WGS84.transform(502_900, 200_900)
    return geojson_27700([({"icb_code": ICB1}, shapely.box(lon0, lat0, lon1, lat1))])


def _only_a_readme() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/readme.txt", "no shapefile here")
    return buffer.getvalue()


MOVE = DISTRICT_2_TO_ICB1
BAD_INPUTS: list[tuple[str, Callable[[Path], dict[str, Any]], int, str]] = [
    ("invalid JSON", lambda _: _raw('{"name": "x", "moves": ['), 400, "send JSON"),
    ("JSON that is not an object", lambda _: _json([MOVE]), 400, "send JSON"),
    ("neither JSON nor a file", lambda _: _raw("name=x", "text/plain"), 400, "send JSON"),
    ("unknown LTLA", lambda _: _json({"moves": [{**MOVE, "code": "E07000099"}]}), 400,
     "moves[0]: unknown ltla code 'E07000099' in vintage tiny"),
    ("unknown ICB", lambda _: _json({"moves": [{**MOVE, "to_icb": "E54000099"}]}), 400,
     "moves[0]: unknown ICB 'E54000099' in vintage tiny"),
    ("unknown layer", lambda _: _json({"moves": [{**MOVE, "unit_layer": "county"}]}), 400,
     "unit_layer must be one of lsoa, ltla, utla, sicbl, pcn"),
    ("move without a destination", lambda _: _json({"moves": [{"unit_layer": "ltla",
                                                                "code": "E07000002"}]}),
     400, "moves[0] needs to_icb (an ICB of the vintage) or new_icb"),
    ("unit moved twice", lambda _: _json({"moves": [MOVE, {**MOVE, "to_icb": ICB2}]}), 400,
     "moves[1]: ltla E07000002 is moved twice"),
    ("unknown LSOA block", lambda _: _json({"blocks": [["E01000099", ICB1]]}), 400,
     "1 unknown LSOA code(s) in vintage tiny: E01000099"),
    ("moves not a list", lambda _: _json({"moves": {"ltla": "E07000002"}}), 400,
     "moves must be a list, got an object"),
    ("unknown vintage", lambda _: _json({"vintage": "2031", "moves": [MOVE]}), 400,
     "unknown vintage '2031'"),
    ("parent not an id", lambda _: _json({"moves": [MOVE], "parent": "first"}), 400,
     "parent must be a scenario id"),
    ("unknown parent", lambda _: _json({"moves": [MOVE], "parent": 4242}), 404,
     "no scenario 4242"),
    ("CSV with an unknown LSOA", lambda _: _file(b"E01000001,E54000002\nE01000099,E54000002\n",
                                                 "b.csv"), 400, "unknown LSOA code"),
    ("CSV with an unknown ICB", lambda _: _file(b"lsoa,icb\nE01000001,E54000099\n", "b.csv"),
     400, "unknown ICB 'E54000099' in vintage tiny"),
    ("CSV with a short row", lambda _: _file(b"lsoa,icb\nE01000001\n", "b.csv"), 400,
     "lines 2 need two values"),
    ("CSV naming an LSOA twice", lambda _: _file(b"E01000001,E54000002\nE01000001,E54000001\n",
                                                 "b.csv"), 400, "appears twice"),
    ("multipart without a file", lambda _: {"data": {"name": "x"},
                                            "content_type": "multipart/form-data"}, 400,
     "file is required: CSV (LSOA code, ICB code) or candidate ICB boundaries"),
    ("unsupported file type", lambda _: _file(b"<kml/>", "c.kml"), 400,
     "unsupported file 'c.kml'"),
    ("empty GeoJSON", lambda _: _file(b'{"type": "FeatureCollection", "features": []}',
                                      "c.geojson"), 422, "the file has no features"),
    ("empty file", lambda _: _file(b"  \n", "c.geojson"), 422, "the file is empty"),
    ("invalid GeoJSON", lambda _: _file(b'{"type": "FeatureCollection", "feat', "c.geojson"),
     422, "cannot read it as geojson"),
    ("zip without a .shp", lambda _: _file(_only_a_readme(), "c.zip"), 422,
     "the zip holds no .shp file"),
    ("not a zip", lambda _: _file(b"PK but not really", "c.zip"), 422,
     "not a valid zip archive"),
    ("shapefile without a .prj", lambda p: _file(_shapefile_zip(p, (".shp", ".shx", ".dbf")),
                                                 "c.zip"), 422,
     "declares no coordinate reference system"),
    ("eastings declared as degrees", lambda _: _file(json.dumps({
        "type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
            "icb_code": ICB1}, "geometry": shapely.geometry.mapping(square(1, 3))}]}).encode(),
        "c.geojson"), 422, "are not degrees"),
    ("degrees declared as eastings", lambda _: _file(_degrees_declared_as_metres(),
                                                     "c.geojson"), 422, "look like degrees"),
    ("a GeoPackage of two layers", lambda p: _file(_two_layer_geopackage(p), "c.gpkg"), 422,
     "the file holds 2 layers (north, south); upload one layer"),
    ("outside Great Britain", lambda _: _file(geojson_27700([({"icb_code": ICB1}, shapely.box(
        800_000, 200_000, 801_000, 201_000))]), "c.geojson"), 422, "outside Great Britain"),
    ("points, not polygons", lambda _: _file(geojson_27700([({"icb_code": ICB1}, shapely.Point(
        500_500, 200_500))]), "c.geojson"), 422, "must be polygons; found Point"),
    ("no label property", lambda _: _file(geojson_27700([({"colour": "red"}, square(1, 2))]),
                                          "c.geojson"), 422, "no property names the ICB"),
    ("unknown label property", lambda _: _file(geojson_27700([({"icb_code": ICB1},
                                                               square(1, 2))]),
                                               "c.geojson", label="nope"), 422,
     "no property 'nope'"),
    ("a feature without a label", lambda _: _file(geojson_27700([
        ({"icb_code": ICB1}, square(1, 2)), ({"icb_code": ""}, square(4, 5))]), "c.geojson"),
     422, "features 2 have no icb_code"),
    ("overlapping candidates", lambda _: _file(geojson_27700([
        ({"icb_code": ICB1}, square(1, 3)), ({"icb_code": ICB2}, square(3, 5))]), "c.geojson"),
     422, "fall in more than one candidate"),
    ("unknown ICB code in a candidate", lambda _: _file(geojson_27700([
        ({"icb_code": "E54000099"}, square(1, 3))]), "c.geojson"), 400,
     "unknown ICB 'E54000099' in vintage tiny"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("build", "status", "fragment"),
    [pytest.param(build, status, fragment, id=name)
     for name, build, status, fragment in BAD_INPUTS],  # fmt: skip
)
def test_bad_input_is_refused_and_nothing_is_saved(
    app: Flask,
    client: FlaskClient,
    analyst: dict[str, str],
    tmp_path: Path,
    build: Callable[[Path], dict[str, Any]],
    status: int,
    fragment: str,
) -> None:
    create(client, analyst, name="already there", moves=[DISTRICT_2_TO_ICB1])
    before = saved_state(app, client)
    response = client.post(URL, headers=analyst, **build(tmp_path))
    code = {400: "bad_request", 404: "not_found", 422: "unprocessable_upload"}[status]
    error = assert_error(response, status, code, fragment)
    # Messages name the uploaded file, never the server's temporary folder.
    assert "boundary-lab-upload" not in error["message"] and str(tmp_path) not in error["message"]
    assert saved_state(app, client) == before


def test_an_oversized_body_is_413_and_nothing_is_saved(
    tiny_data_dir: Path, tmp_path: Path
) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir), "MAX_UPLOAD_MB": 1,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'small.sqlite3'}"})  # fmt: skip
    try:
        client = app.test_client()
        analyst = make_token(app, "analyst")
        before = saved_state(app, client)
        padding = {"description": "x" * (1024 * 1024 + 1)}
        content = geojson_27700([({"icb_code": ICB1, **padding}, square(1, 3))])
        # Encoded here: the test client spools bodies over 500 KB to a temporary file it
        # never closes (a ResourceWarning, an error under filterwarnings=error).
        boundary, body = encode_multipart(
            {"file": FileStorage(io.BytesIO(content), filename="big.geojson")})
        response = client.post(URL, data=body, headers=analyst,
                               content_type=f"multipart/form-data; boundary={boundary}")
        error = assert_error(response, 413, "request_entity_too_large",
                             "larger than the limit of 1,048,576")
        assert error["details"]["limit_bytes"] == 1024 * 1024
        assert saved_state(app, client) == before
        # Just under the limit is fine.
        small = geojson_27700([({"icb_code": ICB1}, square(1, 3))])
        assert upload(client, analyst, small, "small.geojson").status_code == 201
    finally:
        app.extensions["boundary_lab"].db.dispose()


@pytest.mark.parametrize("block", [5, [], ["E01000001"], None])
def test_a_malformed_block_is_a_400(
    app: Flask, client: FlaskClient, analyst: dict[str, str], block: Any
) -> None:
    before = saved_state(app, client)
    response = client.post(URL, json={"vintage": "tiny", "blocks": [block]}, headers=analyst)
    assert_error(response, 400, "bad_request", "blocks[0]")
    assert saved_state(app, client) == before


def test_candidates_labelled_by_existing_icb_names_reproduce_the_baseline(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    # Labelled by the published names (any case), not codes: the same ICBs, nobody moves.
    content = geojson_27700([({"ICB22NM": "ICB 1"}, square(1, 2)),
                             ({"ICB22NM": "icb 2"}, square(3, 5))])  # fmt: skip
    response = upload(client, analyst, content, "baseline.geojson")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["lsoas_moved"], response.get_json()["assigned_lsoas"]) == (0, 5)
    evaluation = client.get(f"{URL}/{response.get_json()['id']}/evaluation").get_json()
    assert evaluation["new_icbs"] == {}
    assert (evaluation["summary"]["lsoas_moved"], evaluation["moved"]) == (0, [])
    compared = client.get(f"{URL}/compare?a=baseline&b={response.get_json()['id']}").get_json()
    assert compared["lsoas_different"] == 0


# --- both databases ----------------------------------------------------------------------


def test_scenarios_persist_on_both_databases(
    tiny_data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    config = {"TESTING": True, "DATA_DIR": str(tiny_data_dir), "DATABASE_URL": database_url}
    app = create_app(config)
    try:
        client = app.test_client()
        analyst = make_token(app, "analyst")
        first = create(client, analyst, name="v1", moves=[DISTRICT_2_TO_ICB1])
        second = create(client, analyst, name="v2", parent=first["id"])
        content = geojson_27700([({"icb_code": ICB1}, square(1, 3))])
        uploaded = upload(client, analyst, content, "c.geojson").get_json()
        before = saved_state(app, client)
        bad = geojson_27700([({"icb_code": ICB1}, square(1, 3)), ({"icb_code": ICB2},
                                                                   square(2, 4))])  # fmt: skip
        assert upload(client, analyst, bad, "overlap.geojson").status_code == 422
        assert saved_state(app, client) == before
    finally:
        app.extensions["boundary_lab"].db.dispose()

    again = create_app(config)  # a fresh process on the same database
    try:
        client = again.test_client()
        listed = client.get(URL).get_json()
        assert [(r["id"], r["version"], r["source"]) for r in listed] == [
            (uploaded["id"], 1, "upload"), (second["id"], 2, "moves"), (first["id"], 1, "moves")]
        record = client.get(f"{URL}/{second['id']}").get_json()
        assert record["created_at"] == second["created_at"]  # timezone-aware, UTC
        assert [v["version"] for v in record["versions"]] == [1, 2]
        evaluation = client.get(f"{URL}/{uploaded['id']}/evaluation").get_json()
        assert evaluation["summary"]["people_moved"] == 300
        db = again.extensions["boundary_lab"].db
        assert db.get_upload(uploaded["upload_id"]).sha256 == hashlib.sha256(content).hexdigest()
        actions = [(e.action, e.target) for e in db.audit_entries() if e.action.startswith("sc")]
        assert actions == [("scenario.create", f"scenario:{r['id']}")
                           for r in (uploaded, second, first)]  # fmt: skip
    finally:
        again.extensions["boundary_lab"].db.dispose()


def test_an_overlong_name_is_a_400_on_both_databases(
    tiny_data_dir: Path, database_url: str
) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir),
                      "DATABASE_URL": database_url})  # fmt: skip
    try:
        client = app.test_client()
        before = saved_state(app, client)
        response = client.post(URL, json={"vintage": "tiny", "name": "x" * 201},
                               headers=make_token(app, "analyst"))  # fmt: skip
        assert_error(response, 400, "bad_request", "name")
        assert saved_state(app, client)[0] == before[0]
    finally:
        app.extensions["boundary_lab"].db.dispose()


# --- the real bundle: Essex in one ICB --------------------------------------------------

ESSEX, SNEE, HWE, MSE = "E10000012", "E54000023", "E54000025", "E54000026"


@pytest.fixture(scope="module")
def real_app(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    db = tmp_path_factory.mktemp("real_scenarios") / "db.sqlite3"
    app = create_app({"TESTING": True, "DATA_DIR": str(real_store.root),
                      "DATABASE_URL": f"sqlite:///{db}"})  # fmt: skip
    yield app
    app.extensions["boundary_lab"].db.dispose()


@pytest.mark.real_data
def test_essex_in_one_icb_over_http(real_app: Flask, real_store: Store) -> None:
    table = real_store.load("2022").table
    essex = table.loc[table["utla_code"] == ESSEX]
    outside = essex.loc[essex["icb_code"].isin([SNEE, HWE])]
    districts = sorted(outside["ltla_code"].astype(str).unique())
    # Whole districts: none of them has LSOAs in Mid and South Essex.
    assert not essex.loc[essex["ltla_code"].isin(districts), "icb_code"].eq(MSE).any()
    assert len(districts) == 5
    icb_population = table.groupby("icb_code", observed=True)["population"].sum()
    moving = outside.groupby("icb_code", observed=True)["population"].sum()

    client = real_app.test_client()
    moves = [{"unit_layer": "ltla", "code": code, "to_icb": MSE} for code in districts]
    response = client.post(URL, json={"vintage": "2022", "name": "Essex in one ICB",
                                      "moves": moves}, headers=make_token(real_app, "analyst"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lsoas_moved"] == len(outside)

    body = client.get(f"{URL}/{response.get_json()['id']}/evaluation").get_json()
    assert body["summary"]["lsoas_moved"] == len(outside)
    assert body["summary"]["people_moved"] == int(outside["population"].sum())
    utla = {r["code"]: r for r in body["utlas"]}[ESSEX]
    assert (utla["icbs_before"], utla["icbs_after"], utla["change"]) == (3, 1, "became unsplit")
    assert utla["main_share_after"] == 1.0
    icbs = {r["code"]: r["population_after"] for r in body["icbs"]}
    assert icbs[MSE] == icb_population[MSE] + moving.sum()
    assert icbs[SNEE] == icb_population[SNEE] - moving[SNEE]
    assert icbs[HWE] == icb_population[HWE] - moving[HWE]
    in_new_mse = (table["icb_code"] == MSE) | table["ltla_code"].isin(districts)
    assert icbs[MSE] == int(table.loc[in_new_mse, "population"].sum())
    essex_type = {r["code"]: r for r in body["typology_changes"]}[ESSEX]
    assert essex_type["type_before"] == 4 and essex_type["type_after"] != 4
    rule = {r["rule"]: r for r in body["rules"]}["utla_within_one_icb"]
    assert ESSEX not in {o["code"] for o in rule["offenders"]}
