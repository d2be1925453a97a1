"""The place-set pages: the form (signed in as an analyst), a set's checks, its map."""

from __future__ import annotations

from flask import Flask
from helpers import form_csrf, sign_in


def test_form_saves_a_set_and_shows_its_checks(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/places/").status_code == 200
    csrf = sign_in(client, app, "analyst")
    made = client.post("/places/", data={
        "name": "Tiny places", "vintage": "tiny", "icbs": "E54000002",
        "places": "County part = lsoa:E01000003\nUnitary 1 = utla:E06000001",
        "csrf_token": csrf})  # fmt: skip
    assert made.status_code == 303
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Tiny places" in page and "County part" in page and "Unitary 1" in page
    # ICB 2 holds squares 3-5; Unitary 2 (square 5, 500 people) is in no place: a gap.
    assert "Gaps: 1 LSOAs (500 people)" in page
    assert "Office for National Statistics" in page
    assert client.get("/maps/places/1").status_code == 200


def test_form_refusals_save_nothing(app: Flask) -> None:
    db = app.extensions["boundary_lab"].db
    analyst, nobody, viewer = app.test_client(), app.test_client(), app.test_client()
    csrf = {analyst: sign_in(analyst, app, "analyst"), viewer: sign_in(viewer, app, "viewer"),
            nobody: form_csrf(nobody.get("/places/").get_data(as_text=True))}
    cases = [
        (analyst, {"places": "A = ltla:E07999999"}, 400, "unknown ltla code"),
        (analyst, {"places": "A = ltla:E07000001\nB = lsoa:E01000001"}, 400, "more than one place"),
        (analyst, {"places": "just words"}, 400, "is not"),
        (nobody, {"places": "A = utla:E06000001"}, 401, "Sign in first"),
        (viewer, {"places": "A = utla:E06000001"}, 403, "analyst"),
        (analyst, {"places": "A = utla:E06000001", "csrf_token": ""}, 400, "reload the page"),
    ]
    for who, form, status, message in cases:
        data = {"name": "x", "vintage": "tiny", "csrf_token": csrf[who], **form}
        response = who.post("/places/", data=data)
        assert response.status_code == status, form
        assert message in response.get_data(as_text=True), form
    assert db.list_place_sets() == []


def test_builtin_set_page(app: Flask) -> None:
    page = app.test_client().get("/places/builtin-sicbl").get_data(as_text=True)
    assert "One place per sub-ICB location" in page and "Sub-ICB 1" in page
