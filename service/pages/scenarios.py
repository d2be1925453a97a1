"""Pages for analysts: the scenario upload form and a readable evaluation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from geodata.errors import BoundaryLabError
from geodata.output import records
from geodata.provenance import ATTRIBUTION
from geodata.scenarios import Move, Scenario, baseline, resolve
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.statutory import statutory_csv, statutory_description
from geodata.scenarios.upload import UploadError

from ..api import bodies
from ..api.reports import attachment
from ..api.scenarios import save_scenario, scenario_from_upload
from ..api.spec import parse_form
from ..auth import check_access, form_writer
from ..context import services
from ..db import ScenarioRecord
from ..errors import ApiError
from .chrome import chosen_vintage, current_vintage, show_vintage

scenario_pages = Blueprint("scenario_pages", __name__, url_prefix="/scenarios")


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, attribution=ATTRIBUTION, **context), status


@scenario_pages.get("/")
def index(error: str | None = None, status: int = 200) -> tuple[str, int]:
    check_access("viewer")
    return _page("scenarios.html", status, error=error, form=request.form,
                 vintages=list(reversed(services().usable())),
                 records=services().db.list_scenarios())  # fmt: skip


def _moves(text: str) -> list[Move]:
    moves = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(":", 2)]
        if len(parts) != 3:
            raise BoundaryLabError(f"moves line {number}: {line.strip()!r} is not "
                                   "layer:code:to ICB")  # fmt: skip
        moves.append(Move(*parts))
    return moves


@scenario_pages.post("/")
def create() -> WerkzeugResponse | tuple[str, int]:
    try:
        form_writer()
        file = request.files.get("file")
        if file is not None and file.filename:
            form = parse_form(bodies.UploadBody)  # the API's form model: one check
            scenario, source, upload, _ = scenario_from_upload(form)
            scenario = scenario.with_moves(*_moves(request.form.get("moves", "")))
        else:
            vintage = request.form.get("vintage") or current_vintage() or ""
            moves = _moves(request.form.get("moves", ""))
            if not moves:
                raise BoundaryLabError("give at least one move, or a file")
            scenario = Scenario(vintage, request.form.get("name", "").strip() or "unnamed",
                                moves=tuple(moves),
                                place_set=request.form.get("place_set", "").strip())  # fmt: skip
            source, upload = "moves", None
        record, _ = save_scenario(scenario, source, upload, None)
    except ApiError as exc:
        return index(exc.message, exc.status)
    except BoundaryLabError as exc:
        return index(str(exc), 422 if isinstance(exc, UploadError) else 400)
    return redirect(url_for("scenario_pages.show", scenario_id=record.id), 303)


def _saved(scenario_id: int) -> tuple[ScenarioRecord, Scenario]:
    try:
        record = services().db.get_scenario(scenario_id)
    except LookupError:
        raise NoScenario(scenario_id) from None
    return record, Scenario.from_stored(record.spec)


class NoScenario(LookupError):
    pass


@scenario_pages.errorhandler(NoScenario)
def _no_scenario(exc: NoScenario) -> tuple[str, int]:
    return index(f"There is no scenario {exc.args[0]}.", 404)


@scenario_pages.get("/<int:scenario_id>")
def show(scenario_id: int) -> tuple[str, int]:
    check_access("viewer")
    record, scenario = _saved(scenario_id)
    show_vintage(scenario.vintage)
    data = services().scenario_data(scenario)
    evaluation = evaluate(data, scenario)
    icbs = evaluation.icbs.loc[evaluation.icbs["change"] != 0]
    return _page("scenario.html", record=record, ev=evaluation, s=evaluation.summary,
                 moved=records(evaluation.moved), icbs=records(icbs),
                 las=records(evaluation.utlas.loc[evaluation.utlas["change"] != ""]),
                 types=records(evaluation.typology_changes),
                 moves=move_rows(data, scenario, evaluation.assignment.names),
                 outcomes=evaluation.outcomes, fit=_fit(record, scenario, len(data.table)),
                 status_tags=STATUS_TAGS)  # fmt: skip


#: How each rule outcome looks (GOV.UK tag colours): a new failure red, one the base
#: already had grey, a fix green.
STATUS_TAGS = {
    "newly failing": "bl-tag--red",
    "already failing in the base": "bl-tag--grey",
    "fixed": "bl-tag--green",
    "passes": "bl-tag--green",
}


def move_rows(data: Any, scenario: Scenario, icb_names: dict[str, str]) -> list[dict[str, str]]:
    """Each move as a reader says it: what moves (name and code), and to which ICB."""
    rows = []
    for move in scenario.moves:
        names = data.names.get(move.unit_layer, {})
        rows.append({"layer": LAYER_WORDS.get(move.unit_layer, move.unit_layer),
                     "code": move.code, "name": names.get(move.code, ""),
                     "to": icb_names.get(move.to_icb, move.to_icb),
                     "to_code": move.to_icb})  # fmt: skip
    return rows


LAYER_WORDS = {"lsoa": "LSOA", "ltla": "Lower-tier council", "utla": "Upper-tier council",
               "sicbl": "Sub-ICB location", "pcn": "PCN", "place": "Place"}  # fmt: skip


def _fit(record: ScenarioRecord, scenario: Scenario, lsoas: int) -> dict[str, Any] | None:
    """How an uploaded set of boundaries fitted the LSOAs: what the upload's reply said."""
    if record.upload_id is None:
        return None
    upload = services().db.get_upload(record.upload_id)
    return {"filename": upload.filename, "bytes": upload.size,
            "label": upload.label_property, "assigned": len(scenario.blocks),
            "left": lsoas - len(scenario.blocks), "lsoas": lsoas}  # fmt: skip


def _statutory(
    data: Any,
    assignment: Any,
    title: str,
    csv_url: str,
    changed: set[str] | None = None,
    back: tuple[str, str] | None = None,
) -> tuple[str, int]:
    """The description page; ``changed``: codes of the ICBs a scenario changes."""
    description = statutory_description(data, assignment)
    icbs = []
    for (code, name), group in description.groupby(["icb_code", "icb_name"], sort=True):
        parts = [
            {"ltla": ltla, "lsoas": list(part["code"])}
            for ltla, part in group.loc[group["kind"] == "lsoa"].groupby("ltla_name")
        ]
        icbs.append({"code": code, "name": name, "parts": parts,
                     "whole": list(group.loc[group["kind"] == "ltla", "name"])})  # fmt: skip
    return _page("statutory.html", title=title, icbs=icbs, vintage=data.name,
                 csv_url=csv_url, changed=changed, back=back)  # fmt: skip


@scenario_pages.get("/statutory")
def baseline_statutory() -> tuple[str, int]:
    """The vintage's own ICBs described as the Establishment Order does."""
    check_access("viewer")
    data = services().vintage(chosen_vintage())
    return _statutory(
        data,
        baseline(data),
        f"baseline, vintage {data.name}",
        url_for("scenario_pages.baseline_statutory_csv", vintage=data.name),
    )


@scenario_pages.get("/statutory.csv")
def baseline_statutory_csv() -> Any:
    check_access("viewer")
    data = services().vintage(chosen_vintage())
    text = statutory_csv(statutory_description(data, baseline(data)))
    return attachment(text.encode("utf-8-sig"), f"statutory_baseline_{data.name}.csv", "csv")


@scenario_pages.get("/<int:scenario_id>/statutory")
def scenario_statutory(scenario_id: int) -> tuple[str, int]:
    check_access("viewer")
    record, scenario = _saved(scenario_id)
    show_vintage(scenario.vintage)
    data = services().scenario_data(scenario)
    assignment = resolve(data, scenario)
    before = data.table["icb_code"].to_numpy()
    moved = assignment.icb != before
    changed = set(before[moved].tolist()) | set(assignment.icb[moved].tolist())
    return _statutory(
        data,
        assignment,
        f"scenario {record.id}, {record.name}",
        f"/api/v1/scenarios/{record.id}/statutory.csv",
        changed,
        (url_for("scenario_pages.show", scenario_id=record.id), "Back to the scenario's page"),
    )
