"""Helpers shared by tests: the CI rule that a skip is a failure."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, except in CI, where it is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: a skip is a failure)")
        pytest.skip(reason)


def make_token(app, role: str) -> dict[str, str]:  # noqa: ANN001 - a Flask app
    """Headers carrying a new token of ``role``."""
    _, secret = app.extensions["boundary_lab"].db.create_token(f"test {role}", role, "test")
    return {"Authorization": f"Bearer {secret}"}


def form_csrf(page: str) -> str:
    """The CSRF token a page's forms carry."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client, app, role: str) -> str:  # noqa: ANN001 - Flask test client and app
    """Sign ``client`` in through /sign-in with a new token of ``role``, as a browser
    does; returns the CSRF token its forms then carry."""
    secret = make_token(app, role)["Authorization"].removeprefix("Bearer ")
    csrf = form_csrf(client.get("/sign-in").get_data(as_text=True))
    done = client.post("/sign-in", data={"token": secret, "csrf_token": csrf})
    assert done.status_code == 303, done.get_data(as_text=True)
    return form_csrf(client.get("/scenarios/").get_data(as_text=True))
