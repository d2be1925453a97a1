"""Security headers on every kind of response, and a Content Security Policy whose script
hashes are exactly the map page's inline scripts (computed here independently)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app

PATHS = [
    ("/", 200),  # index page
    ("/scenarios/", 200),  # template page with a form
    ("/places/?vintage=tiny", 200),
    ("/maps/overview?vintage=tiny", 200),  # map page
    ("/maps/static/leaflet-1.9.3/leaflet.js", 200),  # asset
    ("/maps/", 302),  # redirect
    ("/maps/find?q=zzz", 404),  # HTML error page
    ("/api/v1/vintages", 200),  # JSON
    ("/api/v1/healthz", 200),
    ("/api/v1/openapi.json", 200),
    ("/api/v1/reports/splits.csv?vintage=tiny", 200),  # download
    ("/api/v1/nothing-here", 404),  # JSON error
    ("/api/v1/scenarios", 405),  # wrong method below
]


@pytest.mark.parametrize("path, status", PATHS)
def test_every_response_has_the_headers(client: FlaskClient, path: str, status: int) -> None:
    response = client.put(path) if status == 405 else client.get(path)
    response.close()  # a file response holds the file open
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in headers["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP


def _inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.S)


def test_map_page_allows_exactly_its_inline_scripts(client: FlaskClient) -> None:
    response = client.get("/maps/overview?vintage=tiny", headers={"Accept-Encoding": "gzip"})
    html = gzip.decompress(response.data).decode()
    scripts = _inline_scripts(html)
    assert len(scripts) >= 2  # folium's set-up and the map itself
    expected = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                for s in scripts}  # fmt: skip
    script_src = response.headers["Content-Security-Policy"].split("script-src ")[1].split(";")[0]
    assert set(script_src.split()) == {"'self'", *expected}
    # A second visit (from the page cache) sends the same policy.
    again = client.get("/maps/overview?vintage=tiny", headers={"Accept-Encoding": "gzip"})
    assert again.headers["Content-Security-Policy"] == response.headers["Content-Security-Policy"]


def test_other_pages_allow_no_inline_script(client: FlaskClient) -> None:
    for path in ("/", "/scenarios/", "/api/v1/vintages"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy, (path, policy)


def test_hsts_over_https(client: FlaskClient) -> None:
    response = client.get("/api/v1/vintages", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_tile_server_is_allowed_for_images_only(tiny_data_dir, tmp_path) -> None:  # noqa: ANN001
    app: Flask = create_app({
        "TESTING": True, "DATA_DIR": str(tiny_data_dir),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TILES": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
    })  # fmt: skip
    policy = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tile.example.org;" in policy
    assert policy.count("tile.example.org") == 1
    app.extensions["boundary_lab"].db.dispose()
