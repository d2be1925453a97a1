"""The map pages over HTTP on the tiny store (see tests/synthetic.py): self-contained
HTML, caching, search, and HTML (not JSON, never a traceback) for every error."""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path

import pytest
from conftest import make_app
from flask import Flask
from flask.testing import FlaskClient

from geodata.provenance import ATTRIBUTION

LEAFLET = "/maps/static/leaflet-1.9.3/"
PAGES = [
    "/maps/overview",
    "/maps/split/E10000001",
    "/maps/split/E10000001?across=sicbl",
    "/maps/typology",
    "/maps/area/E54000002",
    "/maps/area/E10000001",
    "/maps/area/E07000001",
    "/maps/area/E38000003",
]


def asset_urls(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]*)"', page)


def fetch(client: FlaskClient, url: str) -> tuple[int, dict[str, str]]:
    """Status and headers of a file download, closing it (files are streamed)."""
    with client.get(url) as response:
        return response.status_code, dict(response.headers)


@pytest.mark.parametrize("path", PAGES)
def test_every_map_page_is_self_contained(tiny_client: FlaskClient, path: str) -> None:
    response = tiny_client.get(path)
    assert response.status_code == 200, response.text
    assert response.mimetype == "text/html"
    page = response.text
    assets = [url for url in asset_urls(page) if url != "data:,"]
    assert assets == [LEAFLET + "leaflet.js", LEAFLET + "leaflet.css"]
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    for url in assets:
        assert fetch(tiny_client, url)[0] == 200
    note = re.search(r"addAttribution\((\".*?\")\)", page)
    assert note and html.unescape(json.loads(note.group(1))) == (
        f"Boundary Lab, vintage tiny. {ATTRIBUTION}"
    )
    assert "Vintage tiny · synthetic population" in page
    assert 'setAttribute("data-map-ready", "true")' in page


def test_leaflet_is_served_with_its_images_and_cached_for_long(tiny_client: FlaskClient) -> None:
    for name in ("leaflet.js", "leaflet.css", "images/layers.png"):
        status, headers = fetch(tiny_client, LEAFLET + name)
        assert status == 200 and "max-age=31536000" in headers["Cache-Control"]
    assert fetch(tiny_client, "/maps/static/leaflet-0.1/leaflet.js")[0] == 404
    assert fetch(tiny_client, LEAFLET + "../../secrets")[0] == 404


def test_pages_are_cached_per_parameters_and_sent_gzipped(
    tiny_app: Flask, tiny_client: FlaskClient
) -> None:
    plain = tiny_client.get("/maps/split/E10000001").data
    zipped = tiny_client.get("/maps/split/E10000001", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain
    tiny_client.get("/maps/split/E10000001?across=sicbl")
    cache = tiny_app.extensions["boundary_lab"].store.load("tiny").cache["maps:pages"]
    keys = [key[:3] for key in cache._pages]
    assert keys == [("split", "E10000001", "icb"), ("split", "E10000001", "sicbl")]


def test_a_council_named_in_the_address_redirects_to_its_code(tiny_client: FlaskClient) -> None:
    response = tiny_client.get("/maps/split/county 1?vintage=tiny")
    assert response.status_code == 302
    assert response.location == "/maps/split/E10000001?vintage=tiny&across=icb"


@pytest.mark.parametrize("path, status, message", [
    ("/maps/split/Nowhere", 404, "unknown utla area 'Nowhere'"),
    ("/maps/split/E10000001?across=pcn", 400, "across must be one of icb, sicbl, got 'pcn'"),
    ("/maps/overview?vintage=1999", 400, "unknown vintage '1999'"),
    ("/maps/find", 400, "type part of a name or a code"),
    ("/maps/find?q=zzz", 404, "Nothing matches “zzz”"),
])  # fmt: skip
def test_errors_are_pages_for_people(
    tiny_client: FlaskClient, path: str, status: int, message: str
) -> None:
    response = tiny_client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    # The page starts the message with a capital, as a sentence.
    assert message.casefold() in html.unescape(response.text).casefold()
    assert "Traceback" not in response.text and 'href="/"' in response.text


@pytest.mark.parametrize("query, location", [
    ("county 1", "/maps/area/E10000001"),
    ("County 1 (E10000001)", "/maps/area/E10000001"),
    ("e54000002", "/maps/area/E54000002"),
    ("Unitary 2", "/maps/area/E06000002"),  # both tiers: once, as the upper tier
])  # fmt: skip
def test_search_opens_the_one_matching_area(
    tiny_client: FlaskClient, query: str, location: str
) -> None:
    response = tiny_client.get("/maps/find", query_string={"q": query})
    assert response.status_code == 302 and response.location == location


def test_search_lists_several_matches_and_keeps_the_vintage(tiny_client: FlaskClient) -> None:
    response = tiny_client.get("/maps/find?q=icb&vintage=tiny")
    assert response.status_code == 200
    links = re.findall(r'<a href="(/maps/area/[^"]+)">([^<]+)</a>', response.text)
    assert [name for _, name in links] == ["ICB 1", "ICB 2", "Sub-ICB 1", "Sub-ICB 2", "Sub-ICB 3"]
    assert links[0][0] == "/maps/area/E54000001?vintage=tiny"


def test_an_area_address_with_a_name_or_lower_case_code_finds_it(
    tiny_client: FlaskClient,
) -> None:
    response = tiny_client.get("/maps/area/e10000001", follow_redirects=True)
    assert response.status_code == 200 and "<title>County 1 · Boundary Lab</title>" in response.text


def test_map_pages_follow_the_read_policy_but_leaflet_is_public(
    tiny_maps_data: Path, tmp_path: Path
) -> None:
    app = make_app(tiny_maps_data, tmp_path, ANONYMOUS_READ=False)
    client = app.test_client()
    response = client.get("/maps/overview")
    # A browser without a session is sent to sign in, and back here afterwards.
    assert response.status_code == 303
    assert response.location == "/sign-in?next=/maps/overview"
    assert fetch(client, LEAFLET + "leaflet.js")[0] == 200
    app.extensions["boundary_lab"].db.dispose()


def test_basemap_tiles_come_from_the_setting(tiny_maps_data: Path, tmp_path: Path) -> None:
    app = make_app(tiny_maps_data, tmp_path, TILES="/tiles/{z}/{x}/{y}.png",
                   TILES_ATTRIBUTION="Tiles: our own server")  # fmt: skip
    page = app.test_client().get("/maps/overview").text
    assert '"/tiles/{z}/{x}/{y}.png"' in page and "Tiles: our own server" in page
    app.extensions["boundary_lab"].db.dispose()


def test_index_links_the_maps_and_offers_a_search_box(tiny_client: FlaskClient) -> None:
    page = tiny_client.get("/").text
    assert 'action="/maps/find" method="get" role="search">' in page
    assert '<option value="County 1 (E10000001)">' in page
    assert 'href="/maps/overview?vintage=tiny"' in page
    assert 'href="/maps/typology?vintage=tiny"' in page
    assert "Essex by ICB" not in page  # the worked example only where Essex exists
