"""The API on the tiny store (see tests/synthetic.py for the picture)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from flask.testing import FlaskClient
from pyproj import Transformer

TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def lon_lat(easting: float, northing: float) -> tuple[float, float]:
    return TO_WGS84.transform(easting, northing)


def test_vintages_and_layers(client: FlaskClient) -> None:
    body = client.get("/api/v1/vintages").get_json()
    assert body["default"] == "tiny"
    (tiny,) = body["vintages"]
    assert tiny["population_total"] == 1500 and tiny["layers"]["utla"] == 3
    layers = {row["layer"]: row["units"] for row in client.get("/api/v1/layers").get_json()["tiny"]}
    assert layers == {"lsoa": 5, "ltla": 4, "utla": 3, "icb": 2, "sicbl": 3}


def test_splits_by_area_name(client: FlaskClient) -> None:
    body = client.get("/api/v1/splits?by=utla&across=icb&area=County 1").get_json()
    assert [(r["across_code"], r["population"], r["share"]) for r in body["rows"]] == [
        ("E54000001", 300, 0.5), ("E54000002", 300, 0.5)]
    assert body["provenance"]["vintage"] == "tiny"
    assert "Open Government Licence" in body["provenance"]["attribution"]


def test_typology_with_thresholds(client: FlaskClient) -> None:
    body = client.get("/api/v1/typology?la_in_icb=0.5").get_json()
    assert body["thresholds"]["la_in_icb"] == 0.5
    county = {r["code"]: r for r in body["rows"]}["E10000001"]
    # Half of County 1 is enough at this threshold, and ICB 1 is all County 1: type 1.
    assert (county["main_share"], county["main_icb_code"], county["type"]) == (
        0.5, "E54000001", 1)


def test_area_lists_overlaps_with_shares(client: FlaskClient) -> None:
    body = client.get("/api/v1/areas/E54000002").get_json()
    assert (body["layer"], body["population"], body["lsoas"]) == ("icb", 1200, 3)
    utlas = {r["code"]: r for r in body["overlaps"]["utla"]}
    assert utlas["E10000001"]["population"] == 300
    assert utlas["E10000001"]["share"] == pytest.approx(0.25)
    assert utlas["E10000001"]["share_of_unit"] == pytest.approx(0.5)
    unitary = client.get("/api/v1/areas/e06000001").get_json()
    assert unitary["layer"] == "utla" and unitary["layers"] == ["ltla", "utla"]


def test_lookup_by_point_grid_reference_and_code(client: FlaskClient) -> None:
    # Square 3 spans eastings 502,000-503,000 at northings 200,000-201,000.
    by_grid = client.get("/api/v1/lookup?easting=502500&northing=200500").get_json()
    assert by_grid["units"]["lsoa"]["code"] == "E01000003"
    assert by_grid["units"]["icb"] == {"code": "E54000002", "name": "ICB 2"}
    lon, lat = lon_lat(502_700, 200_600)
    by_degrees = client.get(f"/api/v1/lookup?lat={lat}&lon={lon}").get_json()
    assert by_degrees["units"]["lsoa"]["code"] == "E01000003"
    by_code = client.get("/api/v1/lookup?lsoa=E01000005").get_json()
    assert by_code["units"]["utla"]["code"] == "E06000002"


def test_batch_lookup(client: FlaskClient) -> None:
    points = [{"easting": 500_500 + 1000 * i, "northing": 200_500} for i in range(5)]
    lon, lat = lon_lat(502_700, 200_600)
    points += [{"easting": 100, "northing": 100}, {"lat": lat, "lon": lon}]
    body = client.post("/api/v1/lookup", json={"points": points}).get_json()
    assert body["count"] == 7 and body["found"] == 6
    codes = [r["lsoa"] if r else None for r in body["results"]]
    assert codes == [f"E0100000{i}" for i in range(1, 6)] + [None, "E01000003"]
    assert body["names"]["icb"] == {"E54000001": "ICB 1", "E54000002": "ICB 2"}


def test_layer_geojson_dissolved_and_bbox_filtered(client: FlaskClient) -> None:
    body = client.get("/api/v1/layers/icb?simplify=10").get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 2
    feature = next(f for f in body["features"] if f["properties"]["code"] == "E54000001")
    assert feature["properties"]["population"] == 300
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert -1 < lon < 0 and 51 < lat < 52  # EPSG:4326 near Hertfordshire
    # A box inside square 1 (E 500,000-501,000): just ICB 1.
    (x0, y0), (x1, y1) = lon_lat(500_200, 200_200), lon_lat(500_800, 200_800)
    west = client.get(f"/api/v1/layers/icb?bbox={x0},{y0},{x1},{y1}").get_json()
    assert [f["properties"]["code"] for f in west["features"]] == ["E54000001"]
    (x0, y0), (x1, y1) = lon_lat(501_200, 200_200), lon_lat(502_800, 200_800)
    lsoas = client.get(f"/api/v1/layers/lsoa?bbox={x0},{y0},{x1},{y1}").get_json()
    assert [f["properties"]["code"] for f in lsoas["features"]] == ["E01000002", "E01000003"]


def test_reports_download_with_names_that_say_what_they_hold(client: FlaskClient) -> None:
    csv = client.get("/api/v1/reports/splits.csv?by=utla&across=icb")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert 'filename="splits_utla_by_icb_tiny.csv"' in csv.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(csv.data))  # the table alone: no comment lines
    assert frame.iloc[:, 4].sum() == 1500
    companion = "/api/v1/reports/splits.txt?by=utla&across=icb"
    assert csv.headers["Link"] == f'<{companion}>; rel="describedby"'
    about = client.get("/api/v1/reports/splits.txt?by=utla&across=icb").data.decode()
    assert "Vintage: tiny" in about and "Attribution: Source: Office for National" in about
    summary = client.get("/api/v1/reports/splits.xlsx?by=utla&across=icb")
    assert openpyxl.load_workbook(io.BytesIO(summary.data)).sheetnames == [
        "Summary", "Splits", "About"]
    xlsx = client.get("/api/v1/reports/typology.xlsx")
    assert 'filename="typology_utla_tiny.xlsx"' in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Typology", "About"]
    about = " ".join(str(c.value) for row in book["About"].iter_rows() for c in row)
    assert "tiny" in about and "Open Government Licence" in about


def test_index_page_links_reports(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports?vintage=tiny"' in page
    assert "Office for National Statistics" in page
    reports = client.get("/reports").get_data(as_text=True)
    assert "/api/v1/reports/splits.xlsx?vintage=tiny&amp;by=utla&amp;across=icb" in reports
    assert "/api/v1/reports/boundaries.gpkg?vintage=tiny" in reports
