"""The boundary editor (/edit): redraw ICBs on a map with live tallies.

The page is plain HTML with its script and styles in static files (no inline script, so
a strict Content Security Policy holds); its data comes from /api/v1/editor/… and its
evaluations and saves go through the scenario API like every other scenario.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, url_for

from geodata.errors import BoundaryLabError
from geodata.provenance import ATTRIBUTION

from .. import assets, params
from ..api.editor import saved_scenario
from ..auth import check_access
from ..context import services
from ..errors import ApiError
from .maps import _error_page

STATIC = Path(__file__).resolve().parent.parent / "static" / "editor"

editor = Blueprint("editor", __name__, static_folder=str(STATIC), static_url_path="/edit/static")


@editor.get("/edit")
def edit() -> str:
    """``?base=<vintage>`` (default the newest) or ``?scenario=<id>`` (a saved version)."""
    check_access("viewer")
    scenario_id = params.text("scenario")
    scenario_name = ""
    if scenario_id is not None:
        record, plan = saved_scenario(scenario_id)
        vintage = services().scenario_data(plan).name
        scenario_name = f"{record.name} (version {record.version})"
    else:
        vintage = services().vintage(params.text("base")).name
    data = services().vintage(vintage)
    leaflet = assets.LEAFLET.slug
    return render_template(
        "editor.html",
        vintage=vintage,
        vintage_title=data.meta.get("title", ""),
        population_source=data.meta.get("population_source", ""),
        vintage_note=data.meta.get("note") or "",
        scenario_id=scenario_id or "",
        scenario_name=scenario_name,
        leaflet_js=url_for("maps.asset", slug=leaflet, filename="leaflet.js"),
        leaflet_css=url_for("maps.asset", slug=leaflet, filename="leaflet.css"),
        api_url=url_for("api.vintages").removesuffix("/vintages"),
        tiles=current_app.config["TILES"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        attribution=ATTRIBUTION,
    )


@editor.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[str, int]:
    """People get an HTML page (as on the maps), not the API's JSON."""
    return _error_page(exc.status, exc.message)


@editor.errorhandler(BoundaryLabError)
def _domain_error(exc: BoundaryLabError) -> tuple[str, int]:
    return _error_page(400, str(exc))
