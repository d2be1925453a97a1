"""Inputs a request can make large or malformed, each refused with a clear 4xx (these were
500s or worker-killers): 100,000 moves, a CSV field over 128 KiB, a binary CSV, a GeoJSON
polygon whose ring has two points, place sets with duplicate codes at scale."""

from __future__ import annotations

import io
import json
import time

from flask import Flask
from service_fixtures import make_token

MOVE = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}


def _saved(app: Flask) -> tuple[list, list]:
    db = app.extensions["boundary_lab"].db
    return db.list_scenarios(), db.list_place_sets()


def test_too_many_moves(app: Flask) -> None:
    client, headers = app.test_client(), make_token(app, "analyst")
    moves = [{**MOVE, "code": f"E01{i:06d}", "unit_layer": "lsoa"} for i in range(100_000)]
    started = time.perf_counter()
    response = client.post("/api/v1/scenarios", json={"name": "n", "moves": moves},
                           headers=headers)  # fmt: skip
    assert response.status_code == 400
    assert "100,000 moves" in response.json["error"]["message"]
    assert "at most 5,000 moves" in response.json["error"]["message"]
    assert time.perf_counter() - started < 10
    assert _saved(app) == ([], [])


def test_bad_csv_files(app: Flask) -> None:
    client, headers = app.test_client(), make_token(app, "analyst")
    cases = [
        (b"E01000003," + b"x" * (129 * 1024) + b"\n", "b.csv",
         "b.csv is not a usable CSV: field larger than field limit"),
        (b'E01000003,"' + b"y" * (200 * 1024), "q.csv", "q.csv is not a usable CSV"),
        (bytes(range(256)) * 40, "bin.csv", "bin.csv holds NUL bytes: it is a binary file"),
        (b"E01000003,Ma\xefs ICB\n", "latin.csv", "latin.csv is not UTF-8 text (byte 13 cannot"),
        (b"E01000003,E54000001\x1b[2J\n", "esc.csv", "control character (U+001B"),
    ]  # fmt: skip
    for content, name, message in cases:
        response = client.post("/api/v1/scenarios", headers=headers,
                               data={"file": (io.BytesIO(content), name)})  # fmt: skip
        assert response.status_code == 400, (name, response.json)
        assert message in response.json["error"]["message"], response.json
    assert _saved(app) == ([], [])


def test_geojson_rings_that_are_no_polygons(app: Flask) -> None:
    client, headers = app.test_client(), make_token(app, "analyst")
    rings = {
        "two points": [[500_000, 200_000], [501_000, 200_000]],
        "unclosed": [[500_000, 200_000], [501_000, 200_000], [501_000, 201_000]],
        "closed line": [[500_000, 200_000], [501_000, 200_000], [500_000, 200_000]],
        "one line": [[500_000, 200_000], [501_000, 200_000], [502_000, 200_000],
                     [500_000, 200_000]],
    }  # fmt: skip
    for label, ring in rings.items():
        content = json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
            "name": "urn:ogc:def:crs:EPSG::27700"}}, "features": [{"type": "Feature",
            "properties": {"icb_code": "E54000001"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}]}).encode()  # fmt: skip
        response = client.post("/api/v1/scenarios", headers=headers,
                               data={"file": (io.BytesIO(content), "c.geojson")})  # fmt: skip
        assert response.status_code == 422, (label, response.json)
        message = response.json["error"]["message"]
        assert message.startswith("features 1 "), (label, message)
        assert "no usable geometry" in message or "enclose no area" in message
    assert _saved(app) == ([], [])


def test_duplicate_place_codes_are_found_in_linear_time(app: Flask) -> None:
    client, headers = app.test_client(), make_token(app, "analyst")
    places = [{"name": f"p{i}", "code": f"p{i}", "blocks": [{"layer": "ltla",
               "code": "E07000002"}]} for i in range(2000)]  # fmt: skip
    places[-1]["code"] = "p7"
    started = time.perf_counter()
    response = client.post("/api/v1/places/sets", headers=headers,
                           json={"name": "dupes", "places": places, "allow_overlaps": True})
    assert response.status_code == 400
    assert response.json["error"]["message"] == "place codes must be unique in a set: p7"
    assert time.perf_counter() - started < 5
