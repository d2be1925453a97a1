"""Signing in from a browser: the session cookie's attributes, CSRF on every form and on
session-authenticated API writes, sign-out, revoked tokens, and every page with anonymous
reads off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from helpers import form_csrf, make_token, sign_in

from service import create_app

MOVE = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}


@pytest.fixture
def closed_app(tiny_data_dir: Path, tmp_path: Path) -> Iterator[Flask]:
    """Anonymous reads off, as in production."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tiny_data_dir), "ANONYMOUS_READ": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})  # fmt: skip
    yield app
    app.extensions["boundary_lab"].db.dispose()


def _set_cookie(response) -> str:  # noqa: ANN001
    (cookie,) = [v for v in response.headers.getlist("Set-Cookie")
                 if v.startswith("boundary_lab_session=")]  # fmt: skip
    return cookie


def _token(app: Flask, role: str) -> str:
    return make_token(app, role)["Authorization"].removeprefix("Bearer ")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_session_cookie(app: Flask, scheme: str) -> None:
    client = app.test_client()
    base = f"{scheme}://localhost"
    csrf = form_csrf(client.get("/sign-in", base_url=base).get_data(as_text=True))
    done = client.post("/sign-in", base_url=base,
                       data={"token": _token(app, "analyst"), "csrf_token": csrf})  # fmt: skip
    assert done.status_code == 303 and done.location == "/"
    attributes = [a.strip().lower() for a in _set_cookie(done).split(";")]
    assert "httponly" in attributes and "samesite=lax" in attributes
    assert ("secure" in attributes) == (scheme == "https")
    assert any(a.startswith("expires=") for a in attributes)  # it lasts SESSION_HOURS
    # The cookie holds the token's id, never its secret.
    assert "bl_" not in _set_cookie(done)


def test_a_wrong_token_signs_nobody_in(app: Flask) -> None:
    client = app.test_client()
    csrf = form_csrf(client.get("/sign-in").get_data(as_text=True))
    refused = client.post("/sign-in", data={"token": "bl_nope", "csrf_token": csrf})
    assert refused.status_code == 401 and "unknown or revoked" in refused.get_data(as_text=True)
    assert "Signed in as" not in client.get("/scenarios/").get_data(as_text=True)


def test_repeated_failures_from_one_address_are_held_off(app: Flask) -> None:
    """Ten wrong tokens from an address, then 429 even for a right one; another address
    is unaffected. Each failure is in the audit log without the token tried."""
    client = app.test_client()
    csrf = form_csrf(client.get("/sign-in").get_data(as_text=True))
    for attempt in range(10):
        wrong = client.post("/sign-in", data={"token": f"bl_wrong{attempt}", "csrf_token": csrf})
        assert wrong.status_code == 401
    right = _token(app, "analyst")
    held = client.post("/sign-in", data={"token": right, "csrf_token": csrf})
    assert held.status_code == 429 and held.headers["Retry-After"] == "900"
    assert "Too many failed sign-ins" in held.get_data(as_text=True)
    other = app.test_client()
    environ = {"REMOTE_ADDR": "192.0.2.7"}
    csrf = form_csrf(other.get("/sign-in", environ_base=environ).get_data(as_text=True))
    done = other.post("/sign-in", data={"token": right, "csrf_token": csrf},
                      environ_base=environ)  # fmt: skip
    assert done.status_code == 303
    failures = [e for e in app.extensions["boundary_lab"].db.audit_entries(limit=50)
                if e.action == "session.sign_in_failed"]  # fmt: skip
    assert len(failures) == 10 and {e.actor for e in failures} == {"address:127.0.0.1"}
    assert not any("bl_wrong" in str(e.details) for e in failures)


def test_every_form_needs_its_csrf_token(app: Flask) -> None:
    client = app.test_client()
    token = _token(app, "analyst")
    # Sign-in itself (no login CSRF), then sign-out and the forms.
    assert client.post("/sign-in", data={"token": token}).status_code == 400
    csrf = sign_in(client, app, "analyst")
    for path, data in [("/scenarios/", {"name": "x", "moves": "ltla:E07000002:E54000001"}),
                       ("/places/", {"name": "x", "places": "A = utla:E06000001"}),
                       ("/sign-out", {})]:  # fmt: skip
        for forged in ({}, {"csrf_token": "x" + csrf}):
            response = client.post(path, data={**data, **forged})
            assert response.status_code == 400, (path, forged)
            assert response.get_json()["error"]["code"] == "csrf_failed"
    assert app.extensions["boundary_lab"].db.list_scenarios() == []
    assert "Signed in as" in client.get("/scenarios/").get_data(as_text=True)


def test_session_writes_to_the_api_need_the_csrf_header(app: Flask) -> None:
    client = app.test_client()
    csrf = sign_in(client, app, "analyst")
    body = {"name": "by session", "vintage": "tiny", "moves": [MOVE]}
    refused = client.post("/api/v1/scenarios", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    made = client.post("/api/v1/scenarios", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert made.get_json()["author"].endswith(":test analyst")
    # A bearer client is not a browser: no CSRF token needed.
    bearer = app.test_client().post("/api/v1/scenarios", json=body,
                                    headers=make_token(app, "analyst"))  # fmt: skip
    assert bearer.status_code == 201


def test_sign_out_ends_the_session(app: Flask) -> None:
    client = app.test_client()
    csrf = sign_in(client, app, "analyst")
    out = client.post("/sign-out", data={"csrf_token": csrf})
    assert out.status_code == 303
    page = client.get("/scenarios/").get_data(as_text=True)
    assert "Signed in as" not in page and "Sign in" in page
    csrf = form_csrf(page)
    refused = client.post("/scenarios/", data={"name": "x", "vintage": "tiny",
                                                "moves": "ltla:E07000002:E54000001",
                                                "csrf_token": csrf})  # fmt: skip
    assert refused.status_code == 401


def test_a_revoked_token_ends_its_sessions(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, app, "analyst")
    db = app.extensions["boundary_lab"].db
    (token,) = [t for t in db.list_tokens() if t.role == "analyst"]
    assert "Signed in as" in client.get("/scenarios/").get_data(as_text=True)
    db.revoke_token(token.id, "test")
    assert "Signed in as" not in client.get("/scenarios/").get_data(as_text=True)


def test_sign_in_goes_back_only_to_this_site(app: Flask) -> None:
    for target, expected in [("/maps/overview?vintage=tiny", "/maps/overview?vintage=tiny"),
                             ("//evil.example/x", "/"), ("https://evil.example/", "/"),
                             ("/\\evil.example", "/")]:  # fmt: skip
        client = app.test_client()
        page = client.get("/sign-in", query_string={"next": target}).get_data(as_text=True)
        done = client.post("/sign-in", data={"token": _token(app, "viewer"), "next": target,
                                             "csrf_token": form_csrf(page)})  # fmt: skip
        assert done.location == expected, target


def test_authors_are_shown_by_name(app: Flask) -> None:
    client = app.test_client()
    client.post("/api/v1/scenarios", json={"name": "named", "vintage": "tiny", "moves": [MOVE]},
                headers=make_token(app, "analyst"))  # fmt: skip
    page = client.get("/scenarios/").get_data(as_text=True)
    assert "<td>test analyst</td>" in page and "token:" not in page
    shown = client.get("/scenarios/1").get_data(as_text=True)
    assert "Made by <strong>test analyst</strong> on" in shown and "token:" not in shown


PAGES = ["/", "/scenarios/", "/places/?vintage=tiny", "/scenarios/statutory?vintage=tiny",
         "/maps/overview?vintage=tiny", "/maps/split/E10000001", "/maps/typology",
         "/maps/area/E54000001", "/maps/places/builtin-sicbl?vintage=tiny",
         "/places/builtin-sicbl?vintage=tiny", "/api/v1/vintages"]  # fmt: skip


def test_with_anonymous_reads_off_every_page_works_after_sign_in(closed_app: Flask) -> None:
    client = closed_app.test_client()
    for path in PAGES[1:]:
        response = client.get(path)
        expected = 401 if path.startswith("/api/") else 303
        assert response.status_code == expected, path
        if expected == 303:
            assert response.location.startswith("/sign-in?next=")
    sign_in(client, closed_app, "viewer")
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_anonymous_responses_set_no_cookie_but_vary_on_it(app: Flask) -> None:
    """A request without a session cookie gets none back (API clients stay cookie-free),
    and a page that reads the session says it varies by Cookie, so a shared cache never
    gives a signed-in reader the anonymous page or the reverse."""
    client = app.test_client()
    api = client.get("/api/v1/vintages")
    assert api.status_code == 200 and "Set-Cookie" not in api.headers
    page = client.get("/scenarios/")
    assert "Cookie" in page.headers.get("Vary", "")
    csrf = sign_in(client, app, "analyst")
    assert csrf and "Signed in as" in client.get("/scenarios/").get_data(as_text=True)
