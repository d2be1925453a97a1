"""Stored script injection: a name that closes the map page's <title> and opens a
<script> must come back as text, on every page that shows it (one escaping rule)."""

from __future__ import annotations

import gzip
import re

from flask import Flask
from flask.testing import FlaskClient
from service_fixtures import make_token

ATTACK = "</title><script>window.pwned=1</script><img src=x onerror=alert(1)>"
ESCAPED_TITLE = "&lt;/title&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;"


def _html(response) -> str:  # noqa: ANN001 - a test response
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8")


def _assert_inert(page: str) -> None:
    assert "<script>window.pwned" not in page
    assert "<img src=x" not in page
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and title.group(1).startswith(ESCAPED_TITLE), title


def test_scenario_map_page_escapes_the_name(app: Flask, client: FlaskClient) -> None:
    analyst = make_token(app, "analyst")
    body = {"name": ATTACK, "vintage": "tiny",
            "moves": [{"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}]}
    created = client.post("/api/v1/scenarios", json=body, headers=analyst)
    assert created.status_code == 201, created.get_json()
    page = _html(client.get(f"/maps/scenario/{created.get_json()['id']}"))
    _assert_inert(page)
    assert "<h1>&lt;/title&gt;&lt;script&gt;" in page  # the sidebar's heading too
    listing = client.get("/scenarios/").get_data(as_text=True)
    assert "<script>window.pwned" not in listing and ESCAPED_TITLE in listing


def test_place_set_map_page_escapes_the_name(app: Flask, client: FlaskClient) -> None:
    analyst = make_token(app, "analyst")
    body = {"name": ATTACK, "vintage": "tiny",
            "places": [{"name": ATTACK[:60], "blocks": [{"layer": "utla", "code": "E10000001"}]}]}
    created = client.post("/api/v1/places/sets", json=body, headers=analyst)
    assert created.status_code == 201, created.get_json()
    page = _html(client.get(f"/maps/places/{created.get_json()['id']}"))
    _assert_inert(page)
    listing = client.get("/places/?vintage=tiny").get_data(as_text=True)
    assert "<script>window.pwned" not in listing and ESCAPED_TITLE in listing
