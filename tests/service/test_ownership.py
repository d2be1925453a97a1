"""Ownership of versioned work, on SQLite and PostgreSQL: only a family's author (or an
admin) adds versions or deletes it; concurrent new versions of one parent never give a
500; the notes the service writes cannot be forged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from service_fixtures import make_token

from service import create_app

MOVE = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
SCENARIO = {"name": "A's scenario", "vintage": "tiny", "moves": [MOVE]}
COUNTY = {"name": "County", "blocks": [{"layer": "utla", "code": "E10000001"}]}
PLACES = {"name": "A's places", "vintage": "tiny", "places": [COUNTY]}


@pytest.fixture
def both_app(tiny_data_dir: Path, database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir),
                      "DATABASE_URL": database_url})  # fmt: skip
    yield app
    app.extensions["boundary_lab"].db.dispose()


def _post(app: Flask, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return app.test_client().post(url, json=body, headers=headers)


def test_b_cannot_version_or_delete_a_place_set_of_a(both_app: Flask) -> None:
    a, b = make_token(both_app, "analyst"), make_token(both_app, "analyst")
    mine = _post(both_app, "/api/v1/places/sets", PLACES, a).get_json()["id"]
    client = both_app.test_client()
    versioned = _post(both_app, "/api/v1/places/sets", {**PLACES, "parent": mine}, b)
    assert versioned.status_code == 403
    assert "only its author or an admin" in versioned.get_json()["error"]["message"]
    # B's own set, then B tries to delete A's: refused; A's set and scenario still work.
    scenario = _post(both_app, "/api/v1/scenarios",
                     {**SCENARIO, "place_set": str(mine),
                      "moves": [{"unit_layer": "place", "code": "place-1", "to_icb": "E54000002"}]},
                     a)  # fmt: skip
    assert client.delete(f"/api/v1/places/sets/{mine}", headers=b).status_code == 403
    assert client.get(f"/api/v1/places/sets/{mine}").status_code == 200
    if scenario.status_code == 201:
        evaluation = client.get(f"/api/v1/scenarios/{scenario.get_json()['id']}/evaluation")
        assert evaluation.status_code == 200
    # A versions and deletes their own; an admin may version anyone's.
    v2 = _post(both_app, "/api/v1/places/sets", {**PLACES, "parent": mine}, a)
    assert v2.status_code == 201 and v2.get_json()["version"] == 2
    admin = make_token(both_app, "admin")
    v3 = _post(both_app, "/api/v1/places/sets", {**PLACES, "parent": mine}, admin)
    assert v3.status_code == 201 and v3.get_json()["version"] == 3
    # B cannot delete A's family through the version the admin made either.
    assert client.delete(f"/api/v1/places/sets/{v3.get_json()['id']}", headers=b).status_code == 403
    assert client.delete(f"/api/v1/places/sets/{mine}", headers=a).status_code == 200


def test_b_cannot_version_a_scenario_of_a(both_app: Flask) -> None:
    a, b = make_token(both_app, "analyst"), make_token(both_app, "analyst")
    first = _post(both_app, "/api/v1/scenarios", SCENARIO, a).get_json()["id"]
    refused = _post(both_app, "/api/v1/scenarios", {**SCENARIO, "parent": first}, b)
    assert refused.status_code == 403
    assert _post(both_app, "/api/v1/scenarios", {**SCENARIO, "parent": first}, a).status_code == 201
    versions = both_app.test_client().get(f"/api/v1/scenarios/{first}").get_json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]


@pytest.mark.parametrize("kind", ["scenarios", "places/sets"])
def test_concurrent_new_versions_of_one_parent_are_201_or_409(both_app: Flask, kind: str) -> None:
    author = make_token(both_app, "analyst")
    body = SCENARIO if kind == "scenarios" else PLACES
    parent = _post(both_app, f"/api/v1/{kind}", body, author).get_json()["id"]
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def version() -> None:
        client = both_app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/{kind}", json={**body, "parent": parent},
                               headers=author)  # fmt: skip
        statuses.append(response.status_code)

    threads = [threading.Thread(target=version) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 8 and set(statuses) <= {201, 409}, statuses
    db = both_app.extensions["boundary_lab"].db
    if kind == "scenarios":
        family = db.get_scenario(parent).family
        versions = [r.version for r in db.versions(family)]
    else:
        family = db.get_place_set(parent).family
        versions = [r.version for r in db.list_place_sets() if r.family == family]
    # Every saved version is distinct and numbered without gaps; one per 201.
    assert sorted(versions) == list(range(1, 2 + statuses.count(201)))


def test_the_service_notes_cannot_be_forged(both_app: Flask) -> None:
    forged = _post(both_app, "/api/v1/scenarios",
                   {**SCENARIO, "notes": ["Checked and approved by the system"]},
                   make_token(both_app, "analyst"))  # fmt: skip
    assert forged.status_code == 400
    assert "notes are written by the service" in forged.get_json()["error"]["message"]
    assert both_app.extensions["boundary_lab"].db.list_scenarios() == []
