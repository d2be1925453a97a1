"""Bad input that used to be a 500 is a clear 4xx, on SQLite and PostgreSQL: ids past
what the databases hold (2^63 on SQLite, 2^31 on PostgreSQL), Unicode digits such as '²'
in ids, deeply nested JSON on every JSON endpoint, NUL, control characters and lone
surrogates in names, a vintage name over 255 bytes, token names over 200 characters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from service_fixtures import make_token

from service import create_app

MOVE = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
PLACE = {"name": "County", "blocks": [{"layer": "utla", "code": "E10000001"}]}
BAD_IDS = [str(2**63), str(2**63 - 1), str(2**31), "9" * 5000, "²", "٣", "1²"]


@pytest.fixture
def both_app(tiny_data_dir: Path, database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir),
                      "DATABASE_URL": database_url})  # fmt: skip
    yield app
    app.extensions["boundary_lab"].db.dispose()


def _is_clear_4xx(response: Any, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.get_data()[:300])
    if response.mimetype == "application/json":
        error = response.get_json()["error"]
        assert error["message"] and "Traceback" not in error["message"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_ids_the_database_cannot_hold(both_app: Flask, bad: str) -> None:
    client = both_app.test_client()
    admin = make_token(both_app, "admin")
    for path in (f"/api/v1/scenarios/{bad}", f"/api/v1/scenarios/{bad}/evaluation",
                 f"/api/v1/places/sets/{bad}", f"/api/v1/places/sets/{bad}/checks",
                 f"/maps/scenario/{bad}", f"/maps/places/{bad}", f"/scenarios/{bad}",
                 f"/places/{bad}"):  # fmt: skip
        _is_clear_4xx(client.get(path, headers=admin), 404)
    _is_clear_4xx(client.delete(f"/api/v1/places/sets/{bad}", headers=admin), 400, 404)
    _is_clear_4xx(client.delete(f"/api/v1/admin/tokens/{bad}", headers=admin), 404)
    _is_clear_4xx(client.get(f"/api/v1/scenarios/compare?a={bad}&b=baseline"), 400)
    # As a parent in a body, as a number and as text.
    parent: Any = int(bad) if bad.isascii() and len(bad) < 30 else bad
    for value in {parent, bad}:
        scenario = {"name": "x", "vintage": "tiny", "moves": [MOVE], "parent": value}
        places = {"name": "x", "vintage": "tiny", "places": [PLACE], "parent": value}
        _is_clear_4xx(client.post("/api/v1/scenarios", headers=admin, json=scenario), 400, 404)
        _is_clear_4xx(client.post("/api/v1/places/sets", headers=admin, json=places), 400, 404)


def test_deeply_nested_json_on_every_json_endpoint(both_app: Flask) -> None:
    client = both_app.test_client()
    admin = make_token(both_app, "admin")
    deep = "[" * 100_000 + "]" * 100_000
    writes = sorted({(rule.rule, method) for rule in both_app.url_map.iter_rules()
                     for method in rule.methods or () if method in ("POST", "PUT", "PATCH")
                     and rule.rule.startswith("/api/")})  # fmt: skip
    assert ("/api/v1/scenarios", "POST") in writes and len(writes) >= 4
    for rule, method in writes:
        path = rule.replace("<int:", "<").replace("<ref>", "builtin-sicbl")
        path = path.replace("<scenario_id>", "1").replace("<token_id>", "1")
        response = client.open(path, method=method, data=deep, headers=admin,
                               content_type="application/json")  # fmt: skip
        assert response.status_code < 500, (rule, response.get_data()[:200])
        if response.status_code == 400:
            assert "nests" in response.get_json()["error"]["message"], rule
    # A depth a real body has is fine.
    fine = client.post("/api/v1/lookup", json={"points": [{"easting": 502500,
                                                           "northing": 200500}]})  # fmt: skip
    assert fine.status_code == 200


BAD_NAMES = {
    "NUL": "Essex\x00merger",
    "control character": "Essex\x1bmerger",
    "lone surrogate": "Essex\ud800merger",
    "201 characters": "x" * 201,
}


@pytest.mark.parametrize("kind", list(BAD_NAMES))
def test_bad_names_are_refused_on_every_database(both_app: Flask, kind: str) -> None:
    name = BAD_NAMES[kind]
    client = both_app.test_client()
    admin = make_token(both_app, "admin")
    # json.dumps keeps a lone surrogate as the escape \\ud800, as a client would send it.
    bodies = [("/api/v1/scenarios", {"name": name, "vintage": "tiny", "moves": [MOVE]}),
              ("/api/v1/places/sets", {"name": name, "vintage": "tiny", "places": [PLACE]}),
              ("/api/v1/places/sets", {"name": "ok", "vintage": "tiny",
                                       "places": [{**PLACE, "name": name}]}),
              ("/api/v1/admin/tokens", {"name": name, "role": "viewer"})]  # fmt: skip
    for path, body in bodies:
        response = client.post(path, data=json.dumps(body), headers=admin,
                               content_type="application/json")  # fmt: skip
        _is_clear_4xx(response, 400)
    db = both_app.extensions["boundary_lab"].db
    assert db.list_scenarios() == [] and db.list_place_sets() == []
    assert [t.name for t in db.list_tokens()] == ["test admin"]


def test_a_vintage_name_over_255_bytes(both_app: Flask) -> None:
    client = both_app.test_client()
    long_name = "v" * 300
    for path in (f"/api/v1/splits?area=E10000001&vintage={long_name}",
                 f"/maps/overview?vintage={long_name}", f"/api/v1/layers/icb?vintage={long_name}",
                 f"/scenarios/statutory?vintage={long_name}"):  # fmt: skip
        _is_clear_4xx(client.get(path), 400, 404)
    made = client.post("/api/v1/scenarios", headers=make_token(both_app, "analyst"),
                       json={"name": "x", "vintage": long_name, "moves": [MOVE]})  # fmt: skip
    _is_clear_4xx(made, 400, 404)
