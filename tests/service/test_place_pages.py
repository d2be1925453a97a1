"""The place-set pages: the form (with an analyst token), a set's checks, its map."""

from __future__ import annotations

from flask import Flask
from helpers import make_token


def _token(app: Flask, role: str) -> str:
    return make_token(app, role)["Authorization"].removeprefix("Bearer ")


def test_form_saves_a_set_and_shows_its_checks(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/places/").status_code == 200
    made = client.post("/places/", data={
        "name": "Tiny places", "vintage": "tiny", "icbs": "E54000002",
        "places": "County part = lsoa:E01000003\nUnitary 1 = utla:E06000001",
        "token": _token(app, "analyst")})  # fmt: skip
    assert made.status_code == 303
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Tiny places" in page and "County part" in page and "Unitary 1" in page
    # ICB 2 holds squares 3-5; Unitary 2 (square 5, 500 people) is in no place: a gap.
    assert "Gaps: 1 LSOAs (500 people)" in page
    assert "Office for National Statistics" in page
    assert client.get("/maps/places/1").status_code == 200


def test_form_refusals_save_nothing(app: Flask) -> None:
    client = app.test_client()
    db = app.extensions["boundary_lab"].db
    cases = [
        ({"places": "A = ltla:E07999999"}, 400, "unknown ltla code"),
        ({"places": "A = ltla:E07000001\nB = lsoa:E01000001"}, 400, "more than one place"),
        ({"places": "just words"}, 400, "is not"),
        ({"places": "A = utla:E06000001", "token": "nope"}, 401, "unknown or revoked"),
        ({"places": "A = utla:E06000001", "token": _token(app, "viewer")}, 403, "analyst"),
    ]
    for form, status, message in cases:
        data = {"name": "x", "vintage": "tiny", "token": _token(app, "analyst"), **form}
        response = client.post("/places/", data=data)
        assert response.status_code == status, form
        assert message in response.get_data(as_text=True), form
    assert db.list_place_sets() == []


def test_builtin_set_page(app: Flask) -> None:
    page = app.test_client().get("/places/builtin-sicbl").get_data(as_text=True)
    assert "One place per sub-ICB location" in page and "Sub-ICB 1" in page
