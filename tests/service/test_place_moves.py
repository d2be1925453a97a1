"""A place set works as a layer in scenarios: moving a place moves its LSOAs."""

from __future__ import annotations

from flask import Flask
from helpers import make_token

from geodata.places import PlaceSet, resolve_places, with_places
from geodata.scenarios import Move, Scenario, resolve


def test_moving_a_place_moves_its_lsoas(app: Flask) -> None:
    data = app.extensions["boundary_lab"].store.load("tiny")
    place_set = PlaceSet.from_dict({"name": "p", "vintage": "tiny", "places": [
        {"name": "West", "code": "west", "blocks": [{"layer": "lsoa", "code": "E01000003"},
                                                    {"layer": "lsoa", "code": "E01000004"}]}]})
    layered = with_places(data, resolve_places(data, place_set))
    moved = resolve(layered, Scenario("tiny", "x", moves=(Move("place", "west", "E54000001"),),
                                      place_set="1"))  # fmt: skip
    assert list(moved.icb) == ["E54000001"] * 4 + ["E54000002"]


def test_place_moves_over_http_with_a_builtin_set(app: Flask) -> None:
    client = app.test_client()
    # builtin-sicbl: one place per sub-ICB location, coded by the SICBL code.
    body = {"name": "Sub-ICB 2 to ICB 1", "vintage": "tiny", "place_set": "builtin-sicbl",
            "moves": [{"unit_layer": "place", "code": "E38000002", "to_icb": "E54000001"}]}
    made = client.post("/api/v1/scenarios", json=body, headers=make_token(app, "analyst"))
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["lsoas_moved"] == 1
    evaluation = client.get(f"/api/v1/scenarios/{made.get_json()['id']}/evaluation").get_json()
    assert evaluation["summary"]["people_moved"] == 300
    county = next(u for u in evaluation["utlas"] if u["code"] == "E10000001")
    assert (county["icbs_before"], county["icbs_after"]) == (2, 1)


def test_place_moves_without_a_place_set_are_refused(app: Flask) -> None:
    body = {"name": "x", "vintage": "tiny",
            "moves": [{"unit_layer": "place", "code": "west", "to_icb": "E54000001"}]}
    response = app.test_client().post("/api/v1/scenarios", json=body,
                                      headers=make_token(app, "analyst"))  # fmt: skip
    assert response.status_code == 400
    assert "needs the scenario's place_set" in response.get_json()["error"]["message"]
    unknown = {**body, "place_set": "builtin-nowhere"}
    response = app.test_client().post("/api/v1/scenarios", json=unknown,
                                      headers=make_token(app, "analyst"))  # fmt: skip
    assert response.status_code == 400 and "builtin-sicbl" in response.get_json()["error"][
        "message"]
