"""What-if scenarios: create (analyst), read, evaluate, compare, export."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, g, jsonify

from geodata.geometry import simplify_coverage, to_geojson
from geodata.output import records
from geodata.scenarios import Scenario, resolve
from geodata.scenarios.compare import compare, export_blocks, read_blocks_csv
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.geopackage import scenario_geopackage_bytes
from geodata.scenarios.outcomes import classify
from geodata.scenarios.report import (
    evaluation_about_bytes,
    evaluation_csv,
    evaluation_data,
    evaluation_xlsx,
)
from geodata.scenarios.rules import RuleResult, RuleSet
from geodata.scenarios.shapes import icb_shapes
from geodata.scenarios.statutory import statutory_csv, statutory_description
from geodata.scenarios.upload import best_fit, read_candidates
from geodata.store import VintageData
from geodata.validation import NAME_CHARS, decode_text

from .. import params
from ..auth import identity, requires
from ..context import services
from ..db import ScenarioRecord, Upload
from ..errors import bad_request, not_found
from . import api, bodies, responses, schemas
from .cache import cached_json
from .reports import attachment, check_format
from .spec import operation

UPLOAD_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")


def _record(scenario_id: int) -> ScenarioRecord:
    try:
        return services().db.get_scenario(scenario_id)
    except LookupError:
        raise not_found(f"no scenario with id {scenario_id}") from None


def _scenario(record: ScenarioRecord) -> Scenario:
    return Scenario.from_stored(record.spec)


def _record_json(record: ScenarioRecord) -> dict[str, Any]:
    return {"id": record.id, "family": record.family, "version": record.version,
            "name": record.name, "vintage": record.vintage, "source": record.source,
            "author": record.author, "created_at": record.created_at.isoformat(),
            "upload_id": record.upload_id, "spec": record.spec,
            "links": {name: f"/api/v1/scenarios/{record.id}/{name}" for name in
                      ("evaluation", "report.xlsx", "report.csv", "boundaries.geojson",
                       "statutory.csv", "blocks.csv")}}  # fmt: skip


def scenario_from_upload(form: bodies.UploadBody) -> tuple[Scenario, str, Upload | None,
                                                         dict[str, Any]]:  # fmt: skip
    """A scenario from an uploaded file (the form checked by its model): a CSV of LSOA
    code, ICB code; or candidate boundaries best-fitted to LSOAs."""
    file = form.file
    content = file.read()
    name = form.name or file.filename[:NAME_CHARS]
    vintage = form.vintage or services().default_vintage()
    data = services().vintage(vintage)
    description = form.description or ""
    filename = file.filename.lower()
    if filename.endswith(".csv"):
        blocks = read_blocks_csv(decode_text(content, file.filename), file.filename)
        scenario = Scenario(vintage, name, description=description)
        return scenario.with_blocks(blocks), "blocks", None, {}
    if not filename.endswith(UPLOAD_SUFFIXES):
        raise bad_request(
            f"unsupported file {file.filename!r}; upload .csv, .geojson, .gpkg "
            "or a zipped Shapefile (.zip)"
        )
    candidates = read_candidates(content, file.filename, form.label or None)
    fit = best_fit(data, candidates, name)
    upload = Upload(file.filename, hashlib.sha256(content).hexdigest(), len(content),
                    candidates.label_property,
                    json.dumps(to_geojson(candidates.frame)))  # fmt: skip
    extra = {"assigned_lsoas": fit.assigned, "unassigned_lsoas": fit.unassigned,
             "warnings": candidates.warnings}  # fmt: skip
    scenario = Scenario(
        vintage,
        name,
        blocks=fit.scenario.blocks,
        description=description,
        notes=fit.scenario.notes,
    )
    return scenario, "upload", upload, extra


@api.post("/scenarios")
@requires("analyst")
@operation(
    "Create a scenario (analyst): JSON moves/blocks, or a file upload (CSV blocks, or "
    "candidate boundaries best-fitted to LSOAs)",
    ok=responses.SavedScenario,
    status=201,
    body={"application/json": bodies.ScenarioBody, "multipart/form-data": bodies.UploadBody},
    errors=(400, 404, 409, 422),
)
def create_scenario() -> tuple[Response, int]:
    extra: dict[str, Any] = {}
    upload = None
    body: bodies.ScenarioBody | bodies.UploadBody = g.body
    if isinstance(body, bodies.UploadBody):
        scenario, source, upload, extra = scenario_from_upload(body)
    else:
        scenario = body.scenario(body.name or "unnamed scenario", services().default_vintage(),
                                 body.description or "")  # fmt: skip
        source = "moves" if not scenario.blocks else "blocks"
    record, moved = save_scenario(scenario, source, upload, body.parent)
    return jsonify({**_record_json(record), "lsoas_moved": moved, **extra}), 201


def save_scenario(
    scenario: Scenario, source: str, upload: Upload | None, parent: int | None
) -> tuple[ScenarioRecord, int]:
    """Check the scenario resolves (refusing bad codes before anything is saved), then save
    it; returns the record and how many LSOAs move."""
    data = services().scenario_data(scenario)
    assignment = resolve(data, scenario)
    try:
        who = identity()
        record = services().db.save_scenario(scenario.as_dict(), source, who.actor, parent,
                                             upload, admin=who.is_admin)  # fmt: skip
    except LookupError as exc:
        raise not_found(str(exc)) from None
    return record, int((assignment.icb != data.table["icb_code"].to_numpy()).sum())


@api.get("/scenarios")
@operation("Saved scenarios, newest first", ok=responses.Scenarios, errors=())
def list_scenarios() -> Response:
    return jsonify([_record_json(r) for r in services().db.list_scenarios()])


@api.get("/scenarios/<int:scenario_id>")
@operation("A scenario with its versions", ok=responses.ScenarioWithVersions, errors=(404,))
def get_scenario(scenario_id: int) -> Response:
    record = _record(scenario_id)
    versions = services().db.versions(record.family)
    return jsonify(
        {
            **_record_json(record),
            "versions": [
                {
                    "id": v.id,
                    "version": v.version,
                    "name": v.name,
                    "created_at": v.created_at.isoformat(),
                }
                for v in versions
            ],
        }
    )


def rule_set() -> RuleSet:
    def flag(name: str) -> bool:
        return params.check_flag(name, params.text(name, "true") or "true")

    return RuleSet(
        utla_within_one_icb=flag("utla_within_one_icb"),
        min_icb_population=params.number("min_icb_population", 0, 1e9, default=1_000_000),
        max_icb_population=params.number("max_icb_population", 0, 1e9),
        contiguous=flag("contiguous"),
        sa_within_one_icb=flag("sa_within_one_icb"),
        sa_status=params.sa_status(),
    )


@api.get("/scenarios/<int:scenario_id>/evaluation")
@operation(
    "Every metric and design rule against the baseline",
    ok=responses.SavedEvaluation,
    query=schemas.RulesQuery,
)
def scenario_evaluation(scenario_id: int) -> Response:
    scenario = _scenario(_record(scenario_id))
    data = services().scenario_data(scenario)
    rules = rule_set()
    # Keyed by the scenario's content too: a saved scenario never changes, and an id
    # reused after a delete cannot pick up another scenario's answer.
    return cached_json(data, ("evaluation", scenario_id, scenario, rules), lambda: {
        "id": scenario_id, **evaluation_data(evaluate(data, scenario, rules))})  # fmt: skip


@api.post("/scenarios/evaluate")
@operation(
    "Evaluate moves without saving them (the editor's live panel; viewer), with each "
    "rule's outcome against the base",
    ok=responses.LiveEvaluation,
    query=schemas.RulesQuery,
    body=bodies.EvaluateBody,
)
def evaluate_unsaved() -> Response:
    """Evaluate moves and block assignments without saving them (the editor's live
    panel): the same parsing and resolution as a save, read-only, so a viewer may ask.
    Each rule's outcome against the base comes alongside: what the changes broke, fixed,
    or found already failing."""
    body: bodies.EvaluateBody = g.body
    scenario = body.scenario("unsaved edits", services().default_vintage())
    data = services().scenario_data(scenario)
    rules = rule_set()
    evaluation = evaluate(data, scenario, rules)
    outcomes = classify(_baseline_rules(data, rules), evaluation.rules)
    return jsonify({**evaluation_data(evaluation),
                    "rule_outcomes": [o.as_dict() for o in outcomes]})  # fmt: skip


def _baseline_rules(data: Any, rules: RuleSet) -> list[RuleResult]:
    """The vintage's own rule results under ``rules`` (cached per rule set)."""
    cache = data.cache.setdefault("baseline_rules", {})
    if rules not in cache:
        cache[rules] = evaluate(data, Scenario(data.name, "baseline"), rules).rules
    return cache[rules]


@api.get("/scenarios/<int:scenario_id>/report.<ext>")
@operation(
    "The evaluation as CSV (ICB table) or XLSX (all tables, About sheet)",
    ok=responses.TABLE_FILES,
    query=schemas.RulesQuery,
    path=schemas.ExtPath,
)
def scenario_report(scenario_id: int, ext: str) -> Response:
    check_format(ext)
    record = _record(scenario_id)
    scenario = _scenario(record)
    data = services().scenario_data(scenario)
    evaluation = evaluate(data, scenario, rule_set())
    if ext == "txt":
        body = evaluation_about_bytes(evaluation)
    else:
        body = evaluation_csv(evaluation) if ext == "csv" else evaluation_xlsx(evaluation, data)
    name = f"scenario_{scenario_id}_v{record.version}_{scenario.vintage}.{ext}"
    return attachment(body, name, ext)


@api.get("/scenarios/<int:scenario_id>/boundaries.geojson")
@operation(
    "The scenario's ICB outlines dissolved from LSOAs (EPSG:4326)",
    ok=responses.FeatureCollection,
    query=schemas.SimplifyQuery,
)
def scenario_boundaries(scenario_id: int) -> Response:
    scenario = _scenario(_record(scenario_id))
    data = services().scenario_data(scenario)
    tolerance = params.number("simplify", 0, 5000, default=100.0) or 0.0
    return cached_json(data, ("boundaries", scenario_id, scenario, tolerance),
                       lambda: _boundaries(data, scenario, tolerance),
                       mimetype="application/geo+json")  # fmt: skip


def _boundaries(data: VintageData, scenario: Scenario, tolerance: float) -> dict[str, Any]:
    assignment = resolve(data, scenario)
    shapes = icb_shapes(data, assignment.icb)
    population = data.table.groupby(assignment.icb)["population"].sum()
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {"code": list(shapes), "name": [assignment.names[c] for c in shapes],
         "population": [int(population[c]) for c in shapes],
         "parts": [s.parts for s in shapes.values()],
         "polsby_popper": [round(s.polsby_popper, 4) for s in shapes.values()]},
        geometry=[s.outline for s in shapes.values()], crs="EPSG:27700",
    )  # fmt: skip
    return to_geojson(simplify_coverage(frame, tolerance))


@api.get("/scenarios/<int:scenario_id>/boundaries.gpkg")
@operation(
    "A GeoPackage for QGIS or ArcGIS: the scenario's ICBs, every LSOA's ICB before and "
    "after, any uploaded boundaries",
    ok=responses.GPKG,
    errors=(404,),
)
def scenario_geopackage(scenario_id: int) -> Response:
    """The scenario's ICBs, every LSOA's ICB before and after, and any uploaded
    boundaries, for QGIS or ArcGIS."""
    record = _record(scenario_id)
    scenario = _scenario(record)
    data = services().scenario_data(scenario)
    uploaded = None
    if record.upload_id is not None:
        uploaded = services().db.get_upload(record.upload_id).candidates_geojson
    body = scenario_geopackage_bytes(data, scenario, uploaded)
    return attachment(body, f"scenario_{scenario_id}_boundaries.gpkg", "gpkg")


def _csv_download(text: str, filename: str) -> Response:
    return attachment(text.encode("utf-8-sig"), filename, "csv")


@api.get("/scenarios/<int:scenario_id>/statutory.csv")
@operation(
    "ICB areas as the Establishment Order describes them", ok=(responses.CSV,), errors=(404,)
)
def scenario_statutory(scenario_id: int) -> Response:
    scenario = _scenario(_record(scenario_id))
    data = services().scenario_data(scenario)
    frame = statutory_description(data, resolve(data, scenario))
    return _csv_download(statutory_csv(frame), f"scenario_{scenario_id}_statutory.csv")


@api.get("/scenarios/<int:scenario_id>/blocks.csv")
@operation(
    "Block assignment (LSOA code, ICB code) for other redistricting tools",
    ok=(responses.CSV,),
    errors=(404,),
)
def scenario_blocks(scenario_id: int) -> Response:
    scenario = _scenario(_record(scenario_id))
    data = services().scenario_data(scenario)
    return _csv_download(export_blocks(data, resolve(data, scenario)),
                         f"scenario_{scenario_id}_blocks.csv")  # fmt: skip


def _side(name: str) -> Scenario | None:
    """A scenario, or None for the baseline (the query model checked which)."""
    value = getattr(g.query, name)
    return None if value == "baseline" else _scenario(_record(int(value)))


@api.get("/scenarios/compare")
@operation(
    "Two scenarios side by side (ids, or baseline)",
    ok=responses.Comparison,
    query=schemas.CompareQuery,
)
def compare_scenarios() -> Response:
    a, b = _side("a"), _side("b")
    vintages = {s.vintage for s in (a, b) if s is not None}
    if len(vintages) > 1:
        raise bad_request(f"a and b are on different vintages ({', '.join(sorted(vintages))})")
    vintage = vintages.pop() if vintages else params.text("vintage")
    place_sets = {s.place_set for s in (a, b) if s is not None and s.place_set}
    if len(place_sets) > 1:
        raise bad_request(
            f"a and b move places of different place sets "
            f"({', '.join(sorted(place_sets))}); compare each with the baseline"
        )
    data = services().vintage(vintage)
    with_places = next((s for s in (a, b) if s is not None and s.place_set), None)
    if with_places is not None:
        data = services().scenario_data(with_places)
    base = Scenario(data.name, "baseline")
    result = compare(data, a or base, b or base, rule_set())
    return jsonify({
        "vintage": data.name, "a": (a or base).name, "b": (b or base).name,
        "lsoas_different": result.lsoas_different, "people_different": result.people_different,
        "summary": records(result.summary), "icbs": records(result.icbs),
        "moved": records(result.moved),
        "provenance": result.a.provenance.as_dict(),
    })  # fmt: skip
