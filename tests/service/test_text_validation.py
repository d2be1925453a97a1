"""Attack: names with NUL, control characters, lone surrogates or huge lengths, by every
path (API JSON, multipart upload, web form, CLI). Each used to be a 500 on one database or
the other, or a scenario whose XLSX broke for good; now each is the same 400 on SQLite and
PostgreSQL, naming the field, and nothing is saved."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from helpers import sign_in
from service_fixtures import make_token

from service import create_app

MOVE = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
BAD_NAMES = [("nul\x00name", "NUL character"), ("bell\x07", "control character (U+0007"),
             ("lone \udc80", "lone surrogate"), ("n" * 201, "201 characters long"),
             ("line\nbreak", "control character (U+000A")]  # fmt: skip


@pytest.fixture
def any_db_app(tiny_data_dir: Path, database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir),
                      "DATABASE_URL": database_url})  # fmt: skip
    yield app
    app.extensions["boundary_lab"].db.dispose()


def _saved(app: Flask) -> tuple[list, list]:
    db = app.extensions["boundary_lab"].db
    return db.list_scenarios(), db.list_place_sets()


def test_api_json_refuses_bad_names_on_both_databases(any_db_app: Flask) -> None:
    client, headers = any_db_app.test_client(), make_token(any_db_app, "analyst")
    for name, message in BAD_NAMES:
        for body in ({"name": name, "moves": [MOVE]},
                     {"name": "ok", "description": "d\x00", "moves": [MOVE]},
                     {"name": "ok", "moves": [{**MOVE, "to_icb": name}]}):  # fmt: skip
            response = client.post("/api/v1/scenarios", json=body, headers=headers)
            assert response.status_code == 400, (body, response.json)
            assert "Traceback" not in response.get_data(as_text=True)
        response = client.post("/api/v1/scenarios", json={"name": name, "moves": [MOVE]},
                               headers=headers)  # fmt: skip
        assert message in response.json["error"]["message"]
        assert response.json["error"]["message"].startswith("name ")
        places = {"name": "set", "places": [{"name": name, "blocks": [
            {"layer": "ltla", "code": "E07000002"}]}]}  # fmt: skip
        response = client.post("/api/v1/places/sets", json=places, headers=headers)
        assert response.status_code == 400 and "places[0].name" in response.json["error"][
            "message"] and message in response.json["error"]["message"]  # fmt: skip
    assert _saved(any_db_app) == ([], [])
    # The same names without the fault are accepted and read back unchanged on both.
    good = "Ünïcode — \U0001F600 name"
    made = client.post("/api/v1/scenarios", json={"name": good, "moves": [MOVE]},
                       headers=headers)  # fmt: skip
    assert made.status_code == 201 and client.get(
        f"/api/v1/scenarios/{made.json['id']}").json["name"] == good  # fmt: skip


def test_a_15_mb_icb_name_is_refused_quickly(any_db_app: Flask) -> None:
    client, headers = any_db_app.test_client(), make_token(any_db_app, "analyst")
    huge = "N" * (15 * 1024 * 1024)
    response = client.post("/api/v1/scenarios", headers=headers,
                           json={"name": "huge", "moves": [{**MOVE, "to_icb": huge}]})  # fmt: skip
    assert response.status_code == 400
    assert "to_icb is 15,728,640 characters long; at most 150" in response.json["error"]["message"]
    csv = b"lsoa_code,icb_code\nE01000003," + huge[:200_000].encode() + b"\n"
    response = client.post("/api/v1/scenarios", headers=headers,
                           data={"file": (io.BytesIO(csv), "b.csv")})  # fmt: skip
    assert response.status_code == 400 and "b.csv" in response.json["error"]["message"]
    assert _saved(any_db_app) == ([], [])


def test_uploads_and_forms_use_the_same_check(any_db_app: Flask) -> None:
    client, headers = any_db_app.test_client(), make_token(any_db_app, "analyst")
    csrf = sign_in(client, any_db_app, "analyst")  # the forms: a signed-in browser
    csv = b"E01000003,E54000001\n"
    for name, message in BAD_NAMES[:2] + BAD_NAMES[3:]:
        response = client.post("/api/v1/scenarios", headers=headers,
                               data={"name": name, "file": (io.BytesIO(csv), "b.csv")})
        assert response.status_code == 400 and message in response.json["error"]["message"]
        page = client.post("/scenarios/", data={"name": name, "vintage": "tiny", "csrf_token": csrf,
                                                 "moves": "ltla:E07000002:E54000001"})
        assert page.status_code == 400
        assert "name" in page.get_data(as_text=True)
        page = client.post("/places/", data={"name": name, "vintage": "tiny", "csrf_token": csrf,
                                              "places": "A = ltla:E07000002"})
        assert page.status_code == 400
    for filename in ("bell\x07.csv", "n" * 300 + ".csv"):
        response = client.post("/api/v1/scenarios", headers=headers,
                               data={"file": (io.BytesIO(csv), filename)})  # fmt: skip
        assert response.status_code == 400, filename
        assert "the file's name" in response.json["error"]["message"]
    assert _saved(any_db_app) == ([], [])


def test_cli_uses_the_same_check(tiny_data_dir: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main

    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    import os

    os.environ["BOUNDARY_LAB_DATA"], old = str(tiny_data_dir), os.environ.get("BOUNDARY_LAB_DATA")
    os.environ["DATABASE_URL"], old_db = db, os.environ.get("DATABASE_URL")
    try:
        code = main(["scenario", "create", "--vintage", "tiny", "--name", "bad\x1bname",
                     "--move", "ltla:E07000002:E54000001"])  # fmt: skip
    finally:
        for key, value in (("BOUNDARY_LAB_DATA", old), ("DATABASE_URL", old_db)):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    err = capsys.readouterr().err
    assert code != 0 and "control character (U+001B" in err and "Traceback" not in err
