"""What /api/v1 answers: pydantic models of each JSON response, for the OpenAPI document
(and schemathesis, which checks every answer against them). Tables are lists of row
objects whose columns depend on the report; their fixed parts are typed here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from ..roles import ROLES

Rows = list[dict[str, Any]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
TABLE_FILES = (CSV, XLSX, "text/plain")
GPKG = ("application/geopackage+sqlite3",)


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(Out):
    code: str = Field(description="e.g. bad_request, not_found, csrf_failed")
    message: str
    details: dict[str, Any]


class Error(Out):
    error: ErrorBody


class Provenance(Out):
    vintage: str
    title: str | None = None
    method: str | None = None


class Vintage(Out):
    name: str
    title: str | None
    population_total: int | float
    lsoas: int
    layers: dict[str, int]


class Vintages(Out):
    default: str | None
    vintages: list[Vintage]


class LayerCount(Out):
    layer: str
    label: str
    units: int


Layers = RootModel[dict[str, list[LayerCount]]]


class Feature(Out):
    type: Literal["Feature"]
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(Out):
    type: Literal["FeatureCollection"]
    features: list[Feature]


class Area(Out):
    code: str
    name: str
    layer: str
    layers: list[str]
    vintage: str
    population: int | float
    lsoas: int
    overlaps: dict[str, Rows]
    provenance: Provenance


class Splits(Out):
    vintage: str
    by: str
    across: str
    provenance: Provenance
    rows: Rows


class Typology(Out):
    vintage: str
    by: str
    thresholds: dict[str, float | None]
    provenance: Provenance
    rows: Rows


class Health(Out):
    status: Literal["ok", "unavailable"]
    reasons: list[str] = Field(
        description="why it is unavailable: the database, a vintage disabled or broken "
        "since start-up, or no vintage built"
    )
    store: dict[str, Any]
    database: dict[str, Any]


class Units(Out):
    code: str | None
    name: str


class Lookup(Out):
    vintage: str
    query: dict[str, Any]
    units: dict[str, Units]


class BatchLookup(Out):
    vintage: str
    count: int
    found: int
    results: list[dict[str, str | None] | None]
    names: dict[str, dict[str, str]]


class Report(Out):
    vintage: str
    provenance: Provenance
    rows: Rows


class PcnSplits(Report):
    across: str


class PcnArea(Report):
    code: str
    layer: str


class PcnMismatches(Out):
    vintage: str
    rows: Rows


class PlaceSetSummary(Out):
    id: int | str
    builtin: bool
    name: str
    vintage: str
    places: int


PlaceSets = RootModel[list[PlaceSetSummary]]


class PlaceSet(Out):
    name: str
    vintage: str
    places: Rows


class Deleted(Out):
    deleted: int


class PlaceChecks(Out):
    name: str
    vintage: str
    spread: Any
    places: Rows
    gaps: dict[str, Any]
    overlaps: Rows
    pcns_straddling: Rows | None
    notes: list[Any]


class Scenario(Out):
    id: int
    family: str = Field(description="shared by every version of a scenario")
    version: int
    name: str
    vintage: str
    source: str
    author: str | None
    created_at: str
    upload_id: int | None
    spec: dict[str, Any]
    links: dict[str, str]


Scenarios = RootModel[list[Scenario]]


class Version(Out):
    id: int
    version: int
    name: str
    created_at: str


class ScenarioWithVersions(Scenario):
    versions: list[Version]


class SavedScenario(Scenario):
    lsoas_moved: int


class Evaluation(Out):
    model_config = ConfigDict(extra="allow", title="Evaluation")


class SavedEvaluation(Evaluation):
    id: int


class LiveEvaluation(Evaluation):
    rule_outcomes: Rows


class BuiltinEvaluation(Evaluation):
    id: str
    groups: Rows
    rules_before_after: Rows
    alignment_before_after: Rows


class BuiltinScenario(Out):
    id: str
    vintage: str
    name: str
    description: str | None
    links: dict[str, str]


BuiltinScenarios = RootModel[list[BuiltinScenario]]


class Comparison(Out):
    vintage: str
    a: str
    b: str
    lsoas_different: int
    people_different: int | float
    summary: Rows
    icbs: Rows
    moved: Rows
    provenance: Provenance


class Alignment(Out):
    model_config = ConfigDict(extra="allow", title="Alignment")


class VintageComparison(Out):
    model_config = ConfigDict(extra="allow", title="VintageComparison")


class EditorUnits(Out):
    layers: dict[str, Any]
    icb_colours: Any
    provenance: dict[str, Any]


class Token(Out):
    id: int
    name: str
    role: Literal[ROLES]
    created_at: str
    created_by: str | None
    revoked_at: str | None


Tokens = RootModel[list[Token]]


class NewToken(Token):
    token: str = Field(description="the secret, shown once")
    note: str


class Revoked(Out):
    revoked: int


class AuditEntry(Out):
    id: int
    at: str
    actor: str | None
    action: str
    target: str | None
    details: Any


Audit = RootModel[list[AuditEntry]]


class Proposal(Out):
    id: int | None
    proposal: dict[str, Any]
    evaluation: dict[str, Any]


class OpenApi(Out):
    openapi: str
    paths: dict[str, Any]
