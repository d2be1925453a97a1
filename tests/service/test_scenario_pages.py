"""The scenario pages: the form (moves or a file, signed in as an analyst) and the result."""

from __future__ import annotations

import io
import re

from flask import Flask
from helpers import form_csrf, sign_in


def test_form_with_moves_saves_and_shows_the_evaluation(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/scenarios/").status_code == 200
    csrf = sign_in(client, app, "analyst")
    made = client.post("/scenarios/", data={"name": "District 2 to ICB 1", "vintage": "tiny",
                                            "moves": "ltla:E07000002:E54000001",
                                            "csrf_token": csrf})  # fmt: skip
    assert made.status_code == 303
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    # Square 3 (300 people) moves; County 1 becomes unsplit.
    assert "300 people in 1 small area (LSOA) change ICB" in page
    # the move listed in words, and the rules read against the base: the tiny ICBs are
    # all under a million people before and after, so that failure is not the redraw's
    assert "Lower-tier council: " in page and "E07000002" in page
    assert 'data-status="already failing in the base"' in page
    assert 'data-status="newly failing"' not in page
    assert "became unsplit" in page and "/maps/scenario/1" in page
    assert "Office for National Statistics" in page


def test_form_with_a_block_csv(app: Flask) -> None:
    csv = io.BytesIO(b"lsoa_code,icb_code\nE01000005,E54000001\n")
    client = app.test_client()
    csrf = sign_in(client, app, "analyst")
    made = client.post("/scenarios/", data={
        "name": "one block", "vintage": "tiny", "file": (csv, "blocks.csv"),
        "csrf_token": csrf}, content_type="multipart/form-data")  # fmt: skip
    assert made.status_code == 303


def test_form_refusals_save_nothing(app: Flask) -> None:
    analyst, nobody, viewer = app.test_client(), app.test_client(), app.test_client()
    csrf = {analyst: sign_in(analyst, app, "analyst"), viewer: sign_in(viewer, app, "viewer"),
            nobody: form_csrf(nobody.get("/scenarios/").get_data(as_text=True))}
    move = {"moves": "ltla:E07000002:E54000001"}
    cases = [
        (analyst, {"moves": "ltla:E07999999:E54000001"}, 400, "unknown ltla code"),
        (analyst, {"moves": "not a move"}, 400, "is not layer:code:to ICB"),
        (analyst, {"moves": ""}, 400, "at least one move"),
        (nobody, move, 401, "Sign in first"),
        (viewer, move, 403, "analyst"),
        (analyst, {**move, "csrf_token": "forged"}, 400, "reload the page"),
    ]  # fmt: skip
    client = analyst
    for who, form, status, message in cases:
        data = {"name": "x", "vintage": "tiny", "csrf_token": csrf[who], **form}
        response = who.post("/scenarios/", data=data)
        assert response.status_code == status, form
        assert message in response.get_data(as_text=True), form
    assert app.extensions["boundary_lab"].db.list_scenarios() == []
    assert client.get("/scenarios/99").status_code == 404


def test_statutory_pages(app: Flask) -> None:
    client = app.test_client()
    csrf = sign_in(client, app, "analyst")
    page = client.get("/scenarios/statutory?vintage=tiny").get_data(as_text=True)
    # Tiny baseline: District 2 (square 3) is whole in ICB 2; District 1 whole in ICB 1.
    assert "ICB 1" in page and "The areas of District 1." in page
    csv = client.get("/scenarios/statutory.csv?vintage=tiny")
    assert csv.status_code == 200 and b"kind" in csv.data
    made = client.post("/scenarios/", data={"name": "one LSOA", "vintage": "tiny",
                                            "moves": "lsoa:E01000002:E54000002",
                                            "csrf_token": csrf})  # fmt: skip
    page = client.get(made.headers["Location"] + "/statutory").get_data(as_text=True)
    # District 1 is now cut in two: each ICB lists its LSOAs of it, folded away.
    pattern = (r"<details><summary><span>In District 1, 1 lower layer super output area"
               r'</span></summary>\s*<div><p class="bl-codes">(E\d+)</p>')
    folded = re.findall(pattern, page)
    assert sorted(folded) == ["E01000001", "E01000002"]
    # both ICBs change: marked in the contents and at their sections
    contents = page[page.index('id="contents"'):page.index("</ol>")]
    assert contents.count("changed</strong>") == 2
    assert "2 of 2 ICBs change in this scenario" in page
