"""POST /api/v1/proposals on the tiny store (tests/synthetic.py):

      | E01000001| E01000002| E01000003| E01000004| E01000005|   LSOA
      | E07000001| E07000001| E07000002| E06000001| E06000002|   LTLA
      | E10000001| E10000001| E10000001| E06000001| E06000002|   UTLA
      | E54000001| E54000001| E54000002| E54000002| E54000002|   ICB
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   population

County 1 (600 people) is split 300/300. Joining it whole moves 300 people either way;
with ICBs of at most 1,000 only District 2 -> ICB 1 works (ICB 2 would have 1,500
otherwise), giving ICB 1 = 600 and ICB 2 = 900.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from service_fixtures import make_token

URL = "/api/v1/proposals"
ONE_WAY = {"rules": {"max_icb_population": 1000}, "solver": {"time_limit_s": 20}}


@pytest.fixture
def analyst(app: Flask) -> dict[str, str]:
    return make_token(app, "analyst")


def test_needs_an_analyst(client: FlaskClient, app: Flask) -> None:
    assert client.post(URL, json=ONE_WAY).status_code == 401
    viewer = make_token(app, "viewer")
    response = client.post(URL, json=ONE_WAY, headers=viewer)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"]


def test_proposal_is_saved_as_a_scenario_with_its_rules(client, analyst) -> None:
    response = client.post(URL, json=ONE_WAY, headers=analyst)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["spec"]["moves"] == [
        {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
    ]
    proposal = body["proposal"]
    assert proposal["people_moved"] == 300
    assert proposal["proven_optimal"] is True and proposal["gap"] == 0
    assert proposal["rules"]["max_icb_population"] == 1000
    assert proposal["solver"]["name"] == "HiGHS" and proposal["solver"]["seed"] == 0
    assert proposal["solve_seconds"] >= 0
    evaluation = body["evaluation"]
    assert all(rule["passed"] for rule in evaluation["rules"])
    populations = {r["code"]: r["population_after"] for r in evaluation["icbs"]}
    assert populations == {"E54000001": 600, "E54000002": 900}
    saved = client.get(f"/api/v1/scenarios/{body['id']}").get_json()
    assert saved["source"] == "proposal"
    assert saved["name"].startswith("Proposal (districts): councils within one ICB")
    recorded = json.loads(saved["spec"]["notes"][0].removeprefix("proposal: "))
    assert recorded["rules"] == proposal["rules"] and recorded["solver"]["version"]


def test_dry_run_saves_nothing(client, analyst) -> None:
    response = client.post(URL, json={**ONE_WAY, "save": False}, headers=analyst)
    assert response.status_code == 200
    assert response.get_json()["id"] is None
    assert client.get("/api/v1/scenarios").get_json() == []


def test_infeasible_rules_are_explained(client, analyst) -> None:
    response = client.post(URL, json={"rules": {"max_icb_population": 500}}, headers=analyst)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "infeasible"
    (conflict,) = [c for c in error["details"]["conflicts"] if "County 1" in c["where"]]
    assert conflict["rule"] == "council_within_one_icb" and "600" in conflict["message"]
    assert client.get("/api/v1/scenarios").get_json() == []


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"rules": {"units": "parish"}}, "units must be one of"),
        ({"rules": {"max_icbs": "two"}}, "max_icbs must be a whole number"),
        ({"rules": {"colour": "red"}}, "unknown field(s) colour"),
        ({"solver": {"time_limit_s": 1000}}, "at most 300"),
        ({"rules": {"min_icb_population": 5, "max_icb_population": 1}}, "above max"),
        ({"rules": {"locked_icbs": ["E54000099"]}}, "not ICBs of the base"),
        ({"vintage": 2024}, "vintage must be text"),
        ({"wibble": 1}, "unknown field(s) wibble"),
    ],
)
def test_bad_input_is_a_400(client, analyst, body, fragment) -> None:
    response = client.post(URL, json=body, headers=analyst)
    assert response.status_code == 400, response.get_json()
    assert fragment in response.get_json()["error"]["message"]


def test_unknown_base_is_a_404(client, analyst) -> None:
    response = client.post(URL, json={"base": 999}, headers=analyst)
    assert response.status_code == 404


def test_from_a_saved_scenario_counts_moves_from_it(client, analyst) -> None:
    """A base that already joins County 1 (District 2 -> ICB 1) needs no further move;
    the proposal's own moves, taken from the vintage, still reproduce that base."""
    move = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
    base = client.post("/api/v1/scenarios", headers=analyst,
                       json={"name": "base", "moves": [move]}).get_json()  # fmt: skip
    response = client.post(URL, json={"base": base["id"]}, headers=analyst)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["proposal"]["people_moved"] == 0
    assert body["proposal"]["base"] == "scenario 'base'"
    assert body["spec"]["moves"] == [move]
