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
