"""Attack: ``?vintage=`` used as a path. ``./tiny``, ``tiny/``, ``../data/tiny`` and an
absolute path each used to load another copy of the store into the worker (never freed)
and could be saved in scenarios. Only the names of built vintages are accepted now, by one
gate (``Store.check_vintage``) that every entry goes through."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from service_fixtures import make_token

from geodata.errors import UnknownNameError
from geodata.store import Store


def aliases(data_dir: Path) -> list[str]:
    return ["./tiny", "tiny/", "../data/tiny", f"../{data_dir.name}/tiny",
            str(data_dir / "tiny"), str(data_dir.resolve() / "tiny") + "/", "tiny/.",
            "x" * 300, "é" * 200]  # fmt: skip


def test_store_refuses_paths_and_keeps_one_copy(tiny_data_dir: Path) -> None:
    store = Store(tiny_data_dir)
    assert store.load("tiny").name == "tiny"
    for alias in aliases(tiny_data_dir):
        with pytest.raises(UnknownNameError) as raised:
            store.load(alias)
        assert raised.value.valid == ["tiny"]
        assert "valid: tiny" in str(raised.value)
    assert list(store._loaded) == ["tiny"]


GETS = ["/api/v1/splits?vintage={}", "/api/v1/typology?vintage={}", "/api/v1/layers/icb?vintage={}",
        "/api/v1/reports/splits.csv?vintage={}", "/api/v1/lookup?lat=51.8&lon=-1.5&vintage={}",
        "/maps/overview?vintage={}", "/scenarios/statutory?vintage={}",
        "/scenarios/statutory.csv?vintage={}", "/places/?vintage={}"]  # fmt: skip


def test_http_gets_answer_400_listing_the_valid_names(app: Flask, client: FlaskClient,
                                                      tiny_data_dir: Path) -> None:
    from urllib.parse import quote

    store = app.extensions["boundary_lab"].store
    for alias in aliases(tiny_data_dir):
        for url in GETS:
            response = client.get(url.format(quote(alias, safe="")))
            assert response.status_code == 400, (url, alias, response.status_code)
            assert b"tiny" in response.data and b"Traceback" not in response.data
    assert set(store._loaded) <= {"tiny"}


def test_no_path_is_saved_in_a_scenario_or_place_set(app: Flask, client: FlaskClient,
                                                     tiny_data_dir: Path) -> None:
    headers = make_token(app, "analyst")
    for alias in aliases(tiny_data_dir)[:5]:
        body = {"name": "alias", "vintage": alias,
                "moves": [{"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}]}
        response = client.post("/api/v1/scenarios", json=body, headers=headers)
        assert response.status_code == 400, response.json
        assert response.json["error"]["details"]["valid"] == ["tiny"]
        places = {"name": "p", "vintage": alias,
                  "places": [{"name": "a", "blocks": [{"layer": "ltla", "code": "E07000002"}]}]}
        response = client.post("/api/v1/places/sets", json=places, headers=headers)
        assert response.status_code == 400, response.json
        upload = client.post("/api/v1/scenarios", headers=headers, data={
            "vintage": alias, "file": (io.BytesIO(b"E01000003,E54000001\n"), "b.csv")})
        assert upload.status_code == 400, upload.json
    assert client.get("/api/v1/scenarios").json == []
    assert [s for s in client.get("/api/v1/places/sets").json if not s["builtin"]] == []
