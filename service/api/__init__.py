"""The JSON API under /api/v1: one blueprint; views parse, check, call geodata, render."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from ..auth import check_access

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.before_request
def _check_access() -> None:
    """Every view needs at least ``viewer``; views marked with ``requires`` need more."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint in ("api.healthz", "api.openapi"):
        return
    check_access(getattr(view, "required_role", "viewer"))


from . import admin, data, lookup, openapi, pcns, places, proposals, reports, review, scenarios  # noqa: E402,F401  (registers the routes)
