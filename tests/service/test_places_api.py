"""The place-set API on the tiny store (tests/synthetic.py), through the Flask test client.

    x=500      501        502        503        504        505     (km; y = 200-201 km)
      +----------+----------+----------+----------+----------+
      | E01000001| E01000002| E01000003| E01000004| E01000005|   LSOA
      | E07000001| E07000001| E07000002| E06000001| E06000002|   LTLA
      | E10000001| E10000001| E10000001| E06000001| E06000002|   UTLA
      | E38000001| E38000001| E38000002| E38000003| E38000003|   SICBL
      | E54000001| E54000001| E54000002| E54000002| E54000002|   ICB
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   population
      +----------+----------+----------+----------+----------+

The running example, "Two places": County (UTLA E10000001: LSOAs 1-3, 600 people, half in
each ICB) and Unitary 1 (LTLA E06000001: LSOA 4, 400); LSOA 5 (500) is in no place.
"""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Transformer
from service_fixtures import make_token

ICB1, ICB2 = "E54000001", "E54000002"
URL = "/api/v1/places/sets"
TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def block(layer: str, code: str) -> dict[str, str]:
    return {"layer": layer, "code": code}


TWO_PLACES: dict[str, Any] = {
    "name": "Two places", "vintage": "tiny", "description": "for the tests",
    "places": [{"name": "County", "blocks": [block("utla", "E10000001")]},
               {"name": "Unitary 1", "blocks": [block("ltla", "E06000001")]}],
}  # fmt: skip


@pytest.fixture
def analyst(app: Flask) -> dict[str, str]:
    return make_token(app, "analyst")


def create(client: FlaskClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post(URL, json={**TWO_PLACES, **overrides}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_error(response: Any, status: int, code: str, fragment: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert fragment in body["error"]["message"]
    return body["error"]


def saved_state(app: Flask, client: FlaskClient) -> tuple[list[Any], list[int]]:
    """Saved place-set ids (through the API) and the audit entry ids."""
    saved = [s["id"] for s in client.get(URL).get_json() if not s["builtin"]]
    return saved, [e.id for e in app.extensions["boundary_lab"].db.audit_entries(10_000)]


# --- list, create, get -------------------------------------------------------------------


def test_list_has_the_builtins_then_the_saved_sets(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    assert client.get(URL).get_json() == [
        {"id": "builtin-sicbl", "builtin": True, "name": "One place per sub-ICB location",
         "vintage": "tiny", "places": 3},
        {"id": "builtin-utla-in-icb", "builtin": True,
         "name": "One place per upper-tier LA within each ICB", "vintage": "tiny", "places": 4},
    ]  # fmt: skip
    first = create(client, analyst)
    second = create(client, analyst, name="Another", places=TWO_PLACES["places"][:1])
    listed = client.get(URL).get_json()
    saved = [(s["id"], s["name"], s["version"], s["places"]) for s in listed if not s["builtin"]]
    assert saved == [(second["id"], "Another", 1, 1), (first["id"], "Two places", 1, 2)]
    assert all(s["author"].endswith(":test analyst") for s in listed if not s["builtin"])
    assert_error(client.get(f"{URL}?vintage=2031"), 400, "bad_request", "unknown vintage '2031'")


def test_create_needs_an_analyst(app: Flask, client: FlaskClient) -> None:
    before = saved_state(app, client)
    assert_error(client.post(URL, json=TWO_PLACES), 401, "unauthorized")
    assert_error(client.post(URL, json=TWO_PLACES, headers=make_token(app, "viewer")), 403,
                 "forbidden", "it needs analyst or higher")  # fmt: skip
    assert saved_state(app, client)[0] == before[0] == []
    assert client.post(URL, json=TWO_PLACES, headers=make_token(app, "reviewer")).status_code == 201


def test_create_then_get(app: Flask, client: FlaskClient, analyst: dict[str, str]) -> None:
    body = create(client, analyst, places=[*TWO_PLACES["places"],
                                           {"name": "Far East", "code": "east-5",
                                            "blocks": [block("lsoa", "e01000005")]}])  # fmt: skip
    assert (body["version"], body["name"], body["vintage"], body["allow_overlaps"]) == (
        1, "Two places", "tiny", False)
    assert [(p["code"], p["blocks"]) for p in body["places"]] == [
        ("county", [block("utla", "E10000001")]), ("unitary-1", [block("ltla", "E06000001")]),
        ("east-5", [block("lsoa", "E01000005")])]  # fmt: skip
    got = client.get(f"{URL}/{body['id']}").get_json()
    assert (got["id"], got["builtin"], got["family"], got["version"]) == (
        body["id"], False, body["family"], 1)
    assert got["author"].endswith(":test analyst") and got["created_at"]
    assert got["places"] == body["places"] and got["description"] == "for the tests"
    (entry,) = [e for e in app.extensions["boundary_lab"].db.audit_entries()
                if e.action == "place_set.create"]  # fmt: skip
    assert (entry.target, entry.details) == (f"place_set:{body['id']}",
                                             {"name": "Two places", "version": 1, "places": 3})


def test_vintage_defaults_to_the_newest_built(client: FlaskClient, analyst: dict[str, str]) -> None:
    body = create(client, analyst, vintage="")
    assert body["vintage"] == "tiny"


def test_get_a_builtin_set(client: FlaskClient) -> None:
    body = client.get(f"{URL}/builtin-utla-in-icb?vintage=tiny").get_json()
    assert (body["id"], body["builtin"], body["icbs"]) == ("builtin-utla-in-icb", True,
                                                           [ICB1, ICB2])  # fmt: skip
    assert [p["code"] for p in body["places"]] == ["E10000001-E54000001", "E06000001-E54000002",
                                                   "E06000002-E54000002", "E10000001-E54000002"]
    error = assert_error(client.get(f"{URL}/builtin-pcn"), 404, "not_found")
    assert "builtin-sicbl, builtin-utla-in-icb" in error["message"]
    assert_error(client.get(f"{URL}/4242"), 404, "not_found", "no place set with id 4242")
    assert_error(client.get(f"{URL}/mine"), 404, "not_found", "not a place set id")


def test_a_parent_makes_a_new_version(
    app: Flask, client: FlaskClient, analyst: dict[str, str]
) -> None:
    first = create(client, analyst)
    second = create(client, analyst, name="Two places, v2", parent=first["id"],
                    places=TWO_PLACES["places"][:1])  # fmt: skip
    assert (second["family"], second["version"]) == (first["family"], 2)
    assert len(client.get(f"{URL}/{first['id']}").get_json()["places"]) == 2  # unchanged
    before = saved_state(app, client)
    assert_error(client.post(URL, json={**TWO_PLACES, "parent": 4242}, headers=analyst), 404,
                 "not_found", "no place set 4242")  # fmt: skip
    assert_error(client.post(URL, json={**TWO_PLACES, "parent": str(first["id"])},
                             headers=analyst), 400, "bad_request", "parent must be a place set id")
    assert saved_state(app, client) == before


# --- checks, splits, outlines ------------------------------------------------------------


def shares(entries: list[dict[str, Any]]) -> dict[str, tuple[int, float]]:
    return {e["code"]: (e["population"], pytest.approx(e["share"])) for e in entries}


def test_checks_of_a_saved_set(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst)["id"]
    body = client.get(f"{URL}/{ident}/checks").get_json()
    assert (body["id"], body["name"], body["vintage"]) == (ident, "Two places", "tiny")
    assert body["spread"] == {"min": 400.0, "max": 600.0, "median": 500.0, "places": 2.0}
    places = {p["code"]: p for p in body["places"]}
    assert {c: (p["population"], p["lsoas"]) for c, p in places.items()} == {
        "county": (600, 3), "unitary-1": (400, 1)}
    assert places["county"]["crosses_icb"] and not places["county"]["crosses_utla"]
    assert shares(places["county"]["icbs"]) == {ICB1: (300, 0.5), ICB2: (300, 0.5)}
    assert not places["unitary-1"]["crosses_icb"]
    # No ICBs named: the scope is the ICBs the places touch, both; LSOA 5 is a gap.
    assert body["gaps"] == {"lsoas": 1, "population": 500, "rows": [
        {"lsoa_code": "E01000005", "ltla_code": "E06000002", "icb_code": ICB2,
         "population": 500}]}  # fmt: skip
    assert body["overlaps"] == [] and body["pcns_straddling"] is None
    assert body["notes"] and "PCN layer not built" in body["notes"][0]


def test_checks_for_one_icb(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst)["id"]
    body = client.get(f"{URL}/{ident}/checks?icb=e54000001").get_json()
    # Only County touches ICB 1; its population still counts all of it.
    assert [(p["code"], p["population"]) for p in body["places"]] == [("county", 600)]
    assert body["gaps"]["lsoas"] == 0
    body = client.get(f"{URL}/{ident}/checks?icb={ICB2}").get_json()
    assert [p["code"] for p in body["places"]] == ["county", "unitary-1"]
    assert [r["lsoa_code"] for r in body["gaps"]["rows"]] == ["E01000005"]
    builtin = client.get(f"{URL}/builtin-sicbl/checks?icb={ICB2}").get_json()
    assert [(p["code"], p["population"], p["crosses_utla"]) for p in builtin["places"]] == [
        ("E38000002", 300, False), ("E38000003", 900, True)]
    assert shares(builtin["places"][1]["utlas"]) == {"E06000002": (500, 5 / 9),
                                                     "E06000001": (400, 4 / 9)}  # fmt: skip
    assert builtin["gaps"]["lsoas"] == 0
    assert_error(client.get(f"{URL}/{ident}/checks?icb=E54000099"), 404, "not_found",
                 "unknown ICB 'E54000099' in vintage tiny")  # fmt: skip


def test_checks_for_an_icb_no_place_touches(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst, places=[{"name": "Unitary 1",
                                             "blocks": [block("ltla", "E06000001")]}])["id"]
    response = client.get(f"{URL}/{ident}/checks?icb={ICB1}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["places"] == [] and body["spread"]["places"] == 0
    assert (body["gaps"]["lsoas"], body["gaps"]["population"]) == (2, 300)


def test_splits_with_the_place_layer(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst)["id"]
    body = client.get(f"{URL}/{ident}/splits").get_json()
    assert (body["by"], body["across"], body["vintage"]) == ("utla", "place", "tiny")
    assert "Open Government Licence" in body["provenance"]["attribution"]
    rows = [(r["by_code"], r["across_code"], r["across_name"], r["population"])
            for r in body["rows"]]  # fmt: skip
    assert rows == [("E06000001", "unitary-1", "Unitary 1", 400),
                    ("E06000002", "", "(in no place)", 500),
                    ("E10000001", "county", "County", 600)]  # fmt: skip
    assert sum(r["population"] for r in body["rows"]) == 1500

    by_icb = client.get(f"{URL}/{ident}/splits?by=icb").get_json()["rows"]
    assert {(r["by_code"], r["across_code"]): (r["population"], pytest.approx(r["share"]))
            for r in by_icb} == {(ICB1, "county"): (300, 1.0), (ICB2, "county"): (300, 0.25),
                                 (ICB2, "unitary-1"): (400, 1 / 3), (ICB2, ""): (500, 5 / 12)}
    one = client.get(f"{URL}/{ident}/splits?area=County 1").get_json()["rows"]
    assert [(r["by_code"], r["across_code"]) for r in one] == [("E10000001", "county")]
    builtin = client.get(f"{URL}/builtin-utla-in-icb/splits?by=icb").get_json()["rows"]
    assert sum(r["population"] for r in builtin) == 1500
    assert "" not in {r["across_code"] for r in builtin}  # every LSOA is in a place
    assert_error(client.get(f"{URL}/{ident}/splits?by=county"), 400, "bad_request",
                 "unknown layer 'county'")  # fmt: skip
    assert_error(client.get(f"{URL}/{ident}/splits?by=place"), 400, "bad_request",
                 "both 'place'")  # fmt: skip


def test_splits_refuse_a_set_with_overlaps(client: FlaskClient, analyst: dict[str, str]) -> None:
    sub_icb_3 = {"name": "Sub-ICB 3", "blocks": [block("sicbl", "E38000003")]}
    ident = create(client, analyst, allow_overlaps=True,
                   places=[*TWO_PLACES["places"], sub_icb_3])["id"]  # fmt: skip
    assert_error(client.get(f"{URL}/{ident}/splits"), 400, "bad_request",
                 "overlaps cannot be used as a layer")  # fmt: skip
    checks = client.get(f"{URL}/{ident}/checks").get_json()
    assert checks["overlaps"] == [{"lsoa_code": "E01000004", "population": 400,
                                   "places": ["unitary-1", "sub-icb-3"]}]  # fmt: skip
    outlines = client.get(f"{URL}/{ident}/boundaries.geojson").get_json()
    assert len(outlines["features"]) == 3  # drawn one by one, overlapping


def test_boundaries_geojson(client: FlaskClient, analyst: dict[str, str]) -> None:
    ident = create(client, analyst)["id"]
    response = client.get(f"{URL}/{ident}/boundaries.geojson?simplify=0")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = {f["properties"]["code"]: f for f in response.get_json()["features"]}
    assert {c: (f["properties"]["name"], f["properties"]["population"])
            for c, f in features.items()} == {"county": ("County", 600),
                                              "unitary-1": ("Unitary 1", 400)}  # fmt: skip
    # County: squares 1-3 (x 500-503 km); Unitary 1: square 4 (x 503-504 km), in degrees.
    for code, (x0, x1) in (("county", (500_000, 503_000)), ("unitary-1", (503_000, 504_000))):
        corners = [TO_WGS84.transform(x, y) for x in (x0, x1) for y in (200_000, 201_000)]
        lons, lats = zip(*corners, strict=True)
        bounds = shapely.geometry.shape(features[code]["geometry"]).bounds
        assert bounds == pytest.approx((min(lons), min(lats), max(lons), max(lats)), abs=1e-4)
    builtin = client.get(f"{URL}/builtin-sicbl/boundaries.geojson").get_json()
    assert sorted(f["properties"]["population"] for f in builtin["features"]) == [300, 300, 900]


# --- delete --------------------------------------------------------------------------------


def test_the_author_deletes_their_set(
    app: Flask, client: FlaskClient, analyst: dict[str, str]
) -> None:
    first = create(client, analyst)
    second = create(client, analyst, parent=first["id"], name="v2")
    response = client.delete(f"{URL}/{first['id']}", headers=analyst)
    assert response.status_code == 200 and response.get_json() == {"deleted": first["id"]}
    # Deleting marks the whole family deleted: every version goes.
    for ident in (first["id"], second["id"]):
        assert_error(client.get(f"{URL}/{ident}"), 404, "not_found")
        assert_error(client.get(f"{URL}/{ident}/checks"), 404, "not_found")
    assert saved_state(app, client)[0] == []
    assert_error(client.delete(f"{URL}/{first['id']}", headers=analyst), 404, "not_found")
    (entry,) = [e for e in app.extensions["boundary_lab"].db.audit_entries()
                if e.action == "place_set.delete"]  # fmt: skip
    assert entry.target == f"place_set:{first['id']}" and entry.actor.endswith(":test analyst")


def test_only_the_author_or_an_admin_deletes(
    app: Flask, client: FlaskClient, analyst: dict[str, str]
) -> None:
    ident = create(client, analyst)["id"]
    before = saved_state(app, client)
    error = assert_error(client.delete(f"{URL}/{ident}", headers=make_token(app, "analyst")), 403,
                         "forbidden", "only its author or an admin")  # fmt: skip
    assert error["details"] == {"required": "author or admin"}
    assert_error(client.delete(f"{URL}/{ident}", headers=make_token(app, "reviewer")), 403,
                 "forbidden")  # fmt: skip
    assert_error(client.delete(f"{URL}/{ident}", headers=make_token(app, "viewer")), 403,
                 "forbidden", "it needs analyst or higher")  # fmt: skip
    assert_error(client.delete(f"{URL}/{ident}"), 401, "unauthorized")
    assert saved_state(app, client)[0] == before[0]
    assert client.get(f"{URL}/{ident}").status_code == 200

    admin = make_token(app, "admin")
    assert client.delete(f"{URL}/{ident}", headers=admin).get_json() == {"deleted": ident}
    assert_error(client.get(f"{URL}/{ident}"), 404, "not_found")


def test_builtins_and_unknown_sets_cannot_be_deleted(
    client: FlaskClient, analyst: dict[str, str]
) -> None:
    assert_error(client.delete(f"{URL}/builtin-sicbl", headers=analyst), 400, "bad_request",
                 "only saved place sets can be deleted")  # fmt: skip
    assert_error(client.delete(f"{URL}/4242", headers=analyst), 404, "not_found",
                 "no place set with id 4242")  # fmt: skip


# --- refusals, with nothing saved --------------------------------------------------------


def _with_places(*places: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**TWO_PLACES, "places": list(places), **extra}


COUNTY = {"name": "County", "blocks": [block("utla", "E10000001")]}
REFUSALS: list[tuple[str, Any, str]] = [
    ("not an object", ["County"], "send JSON"),
    ("no places", {"name": "x", "vintage": "tiny"},
     "places is required: a non-empty list of places"),
    ("unknown code", _with_places({"name": "Lost", "blocks": [block("ltla", "E07000099")]}),
     "place 'Lost': unknown ltla code 'E07000099' in vintage tiny"),
    ("place with no blocks", _with_places(COUNTY, {"name": "Empty", "blocks": []}),
     "places[1].blocks is empty; give at least 1 (a place is a union of utla, ltla, sicbl"),
    ("bad layer", _with_places({"name": "A", "blocks": [block("icb", ICB1)]}),
     "places[0].blocks[0].layer must be one of utla, ltla, sicbl, lsoa, pcn, got 'icb'"),
    ("block in two places", _with_places(COUNTY, {"name": "District 2",
                                                  "blocks": [block("ltla", "E07000002")]}),
     "1 LSOA(s) are in more than one place (E01000003)"),
    ("unknown ICB in scope", _with_places(COUNTY, icbs=["E54000099"]),
     "unknown ICB code(s) E54000099"),
    ("duplicate place codes", _with_places(COUNTY, {**COUNTY, "name": "county"}),
     "place codes must be unique in a set: county"),
    ("unknown vintage", {**TWO_PLACES, "vintage": "2031"}, "unknown vintage '2031'"),
    ("PCN layer not built", _with_places({"name": "PCN", "blocks": [block("pcn", "U12345")]}),
     "the PCN layer is not built for vintage tiny"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "fragment"), [pytest.param(b, f, id=name) for name, b, f in REFUSALS]
)
def test_bad_sets_are_refused_and_nothing_is_saved(
    app: Flask, client: FlaskClient, analyst: dict[str, str], body: Any, fragment: str
) -> None:
    create(client, analyst, name="already there")
    before = saved_state(app, client)
    assert_error(client.post(URL, json=body, headers=analyst), 400, "bad_request", fragment)
    assert saved_state(app, client) == before


def test_invalid_json_is_refused(app: Flask, client: FlaskClient, analyst: dict[str, str]) -> None:
    before = saved_state(app, client)
    response = client.post(URL, data='{"name": "x", "places": [', headers=analyst,
                           content_type="application/json")  # fmt: skip
    assert_error(response, 400, "bad_request", "send JSON")
    assert saved_state(app, client) == before


def test_allow_overlaps_must_be_a_boolean(
    app: Flask, client: FlaskClient, analyst: dict[str, str]
) -> None:
    before = saved_state(app, client)
    body = _with_places(COUNTY, {"name": "District 2", "blocks": [block("ltla", "E07000002")]},
                        allow_overlaps="false")  # fmt: skip
    assert_error(client.post(URL, json=body, headers=analyst), 400, "bad_request")
    assert saved_state(app, client) == before


def test_parent_true_is_not_an_id(app: Flask, client: FlaskClient, analyst: dict[str, str]) -> None:
    create(client, analyst)
    before = saved_state(app, client)
    response = client.post(URL, json={**TWO_PLACES, "parent": True}, headers=analyst)
    assert_error(response, 400, "bad_request", "parent must be a place set id")
    assert saved_state(app, client) == before
