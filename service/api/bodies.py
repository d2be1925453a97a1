"""Request bodies of /api/v1 as pydantic models: one declaration both documents a body in
/api/v1/openapi.json and checks it. ``@operation(body=...)`` (spec.py) validates every
JSON body (and the multipart upload's form) through its model before the view runs; a
refusal is a 400 naming the JSON path (``moves[2].to_icb``) and what is allowed. The view
builds the domain objects (``Scenario``, ``PlaceSet``, ``ProposalRules``) from the validated
model, not through their ``from_dict`` parsers, which stay for the CLI.

What a body's shape can say lives here: types, required fields, lengths, enums, numeric
and list bounds, from geodata's constants and its one text check. What needs the loaded
vintage (unknown codes with "did you mean", ICB names, place-set references) stays with
the domain, as do relations the domain objects keep themselves (min below max).

Unknown fields: a proposal and its rules and solver settings refuse them (a misspelt rule
would otherwise be silently ignored: ``additionalProperties: false``); the other bodies
ignore them, as their parsers always did (the editor sends a name with an evaluation)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)

from geodata.layers import BNG_EASTING, BNG_NORTHING
from geodata.places import Place as DomainPlace
from geodata.places import PlaceSet
from geodata.places.model import BLOCK_LAYERS, MAX_PLACES
from geodata.places.model import MAX_BLOCKS as MAX_PLACE_BLOCKS
from geodata.propose.rules import ProposalRules, SolverSettings
from geodata.propose.unit_kinds import UNIT_KINDS, UNIT_LABELS
from geodata.scenarios import Scenario
from geodata.scenarios.model import MAX_BLOCKS, MAX_MOVES, MOVE_LAYERS, NEW_ICB_TARGET
from geodata.scenarios.model import Move as DomainMove
from geodata.unit_status import STATUSES
from geodata.validation import CODE, DESCRIPTION, FILE_NAME, ICB_NAME, NAME, text_problem

from ..db import MAX_ID
from ..jsonbody import MAX_DEPTH
from ..roles import ROLES
from .fields import REFUSED, Choice, Flag, Id, Number, Text, Vintage, refuse, refuse_whole

#: Most points in one batch lookup (a deployment may set a lower limit).
MAX_POINTS = 10_000
#: Most changes (moves and block assignments) an unsaved evaluation takes: more than
#: England has LSOAs, so any redraw fits, while the work per request stays bounded.
MAX_EVALUATE_CHANGES = 40_000
#: A request waits for its answer: keep solves within what a browser will wait for.
MAX_HTTP_TIME_LIMIT_S = 300.0
DEFAULT_HTTP_TIME_LIMIT_S = 30.0
#: Most ICBs a place set names as its scope.
MAX_SET_ICBS = 100

Name = Text(NAME, "one printable line")
OptionalName = Text(NAME, "one printable line", required=False)
Description = Text(DESCRIPTION, "free text; line breaks allowed", required=False)
Code = Text(CODE, "a code")
IcbRef = Text(ICB_NAME, "an ICB of the vintage: its code, or the name maps show")


class Body(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": f"JSON nested at most "
                                                 f"{MAX_DEPTH} deep"})  # fmt: skip


class Strict(BaseModel):
    """An object whose unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


# ---- POST /lookup ----------------------------------------------------------------------


class LatLon(BaseModel):
    lat: Number("degrees north (WGS84)", ge=-90, le=90)
    lon: Number("degrees east (WGS84)", ge=-180, le=180)


#: British National Grid's extent, in metres (the lookup's query takes the same).
EASTING, NORTHING = BNG_EASTING, BNG_NORTHING


class EastingNorthing(BaseModel):
    easting: Number("EPSG:27700 metres", ge=EASTING[0], le=EASTING[1])
    northing: Number("EPSG:27700 metres", ge=NORTHING[0], le=NORTHING[1])


def _point_shape(raw: Any) -> str | None:
    """Which shape a point has, by the names it gives (None: neither, refused)."""
    if isinstance(raw, dict):
        if "lat" in raw or "lon" in raw:
            return "{lat, lon}"
        if "easting" in raw or "northing" in raw:
            return "{easting, northing}"
    return None


Point = Annotated[
    Annotated[LatLon, Tag("{lat, lon}")] | Annotated[EastingNorthing, Tag("{easting, northing}")],
    Discriminator(_point_shape, custom_error_type=REFUSED,
                  custom_error_message="must be {lat, lon} in degrees or {easting, northing} "
                  "in British National Grid metres"),
]  # fmt: skip


class LookupBody(Body):
    points: list[Point] = Field(min_length=1, max_length=MAX_POINTS)
    vintage: Vintage(CODE) | None = None


# ---- POST /scenarios, /scenarios/evaluate -----------------------------------------------


class Move(BaseModel):
    unit_layer: Choice(MOVE_LAYERS, "the layer of the unit moved")
    code: Text(CODE, "the unit's code (a place's code for place moves)")
    to_icb: Text(ICB_NAME, "an ICB of the vintage (code, or the name maps show), or "
                  "'new_icb:NAME'; give this or new_icb") | None = None  # fmt: skip
    new_icb: Text(ICB_NAME, "the name of a new ICB the unit goes to (instead of "
                  "to_icb)") | None = None  # fmt: skip

    @model_validator(mode="after")
    def _one_target(self) -> Move:
        if self.to_icb is not None and self.new_icb is not None:
            raise refuse("gives new_icb (a new ICB's name) or to_icb (an existing ICB), not both")
        if self.to_icb is None and self.new_icb is None:
            raise refuse("needs to_icb (an ICB of the vintage) or new_icb (a new ICB's name)")
        return self

    def domain(self) -> DomainMove:
        target = self.to_icb if self.to_icb is not None else NEW_ICB_TARGET + str(self.new_icb)
        return DomainMove(self.unit_layer, self.code, target)


BlockPair = Annotated[
    list[IcbRef], Field(min_length=2, max_length=2, description="[LSOA code, ICB code or name]")
]
Moves = Annotated[list[Move], Field(max_length=MAX_MOVES, description="applied in order, "
                                    "after the blocks")]  # fmt: skip
Blocks = Annotated[list[BlockPair], Field(max_length=MAX_BLOCKS, description="LSOAs "
                                          "assigned to ICBs")]  # fmt: skip
PlaceSetRef = Text(CODE, "the place set (id or builtin-…) whose places `place` moves name",
                   required=False)  # fmt: skip


class Changes(Body):
    vintage: Vintage(CODE) | None = None
    moves: Moves = []
    blocks: Blocks = []
    place_set: PlaceSetRef | None = None

    def scenario(self, name: str, default_vintage: str, description: str = "") -> Scenario:
        return Scenario(
            vintage=self.vintage or default_vintage,
            name=name,
            moves=tuple(m.domain() for m in self.moves),
            blocks=tuple((lsoa, icb) for lsoa, icb in self.blocks),
            description=description,
            place_set=self.place_set or "",
        )


class ScenarioBody(Changes):
    name: OptionalName | None = Field(None, description="default (absent or blank): "
                                      "'unnamed scenario'")  # fmt: skip
    description: Description | None = None
    parent: Id("scenario", "make a new version of this scenario", text_too=True) | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_notes(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "notes" in raw:
            raise refuse_whole("notes are written by the service (e.g. an upload's warnings); "
                               "put your own text in description")  # fmt: skip
        return raw


class EvaluateBody(Changes):
    blocks: Annotated[list[BlockPair], Field(max_length=MAX_EVALUATE_CHANGES, description=
                      "LSOAs assigned to ICBs")] = []  # fmt: skip

    @model_validator(mode="after")
    def _bounded(self) -> EvaluateBody:
        size = len(self.moves) + len(self.blocks)
        if size > MAX_EVALUATE_CHANGES:
            raise refuse_whole(f"{size:,} moves and blocks; at most {MAX_EVALUATE_CHANGES:,} "
                               "in one evaluation (move whole districts rather than their "
                               "LSOAs)")  # fmt: skip
        return self


def _uploaded_file(raw: Any) -> Any:
    """The upload's file part (a werkzeug FileStorage) with a usable file name."""
    if not hasattr(raw, "filename") or not hasattr(raw, "read"):
        raise refuse("must be a file part of the multipart body")
    if not raw.filename:
        raise refuse("has no file name; the name's suffix says what the file holds")
    problem = text_problem(raw.filename, FILE_NAME)
    if problem:
        raise refuse_whole(f"the file's name {problem}")
    return raw


UploadedFile = Annotated[Any, PlainValidator(_uploaded_file),
                         WithJsonSchema({"type": "string", "format": "binary"})]  # fmt: skip


class UploadBody(BaseModel):
    """A multipart form: the file, and text fields (blank ones count as absent)."""

    file: UploadedFile = Field(description="CSV (LSOA code, ICB code) or candidate ICB "
                               "boundaries: .geojson, .gpkg or zipped Shapefile")  # fmt: skip
    name: Text(NAME, "default: the file's name", required=False) | None = None
    vintage: Vintage(CODE) | None = None
    description: Description | None = None
    label: Text(CODE, "the property naming each feature's ICB (default: found)",
                required=False) | None = None  # fmt: skip
    parent: Id("scenario", "make a new version of this scenario", text_too=True) | None = None


# ---- POST /places/sets -----------------------------------------------------------------


class Block(BaseModel):
    layer: Choice(BLOCK_LAYERS, "the layer of the unit")
    code: Text(CODE, "the unit's code")


class Place(BaseModel):
    name: Name
    code: Text(CODE, "default: from the name", required=False) | None = None
    blocks: list[Block] = Field(min_length=1, max_length=MAX_PLACE_BLOCKS,
                                description="a place is a union of "
                                f"{', '.join(BLOCK_LAYERS)} units")  # fmt: skip

    def domain(self) -> DomainPlace:
        return DomainPlace(self.name, tuple((b.layer, b.code) for b in self.blocks),
                           self.code or "")  # fmt: skip


class PlaceSetBody(Body):
    name: Name
    vintage: Vintage(CODE) | None = None
    description: Description | None = None
    allow_overlaps: Flag = False
    icbs: list[Code] = Field([], max_length=MAX_SET_ICBS, description="the ICBs the set "
                             "covers (gaps are counted within them)")  # fmt: skip
    parent: Id("place set", "make a new version of this place set") | None = None
    places: list[Place] = Field(min_length=1, max_length=MAX_PLACES, description="a "
                                "non-empty list of places, each {name, code, blocks}")  # fmt: skip

    @model_validator(mode="after")
    def _bounded(self) -> PlaceSetBody:
        total = sum(len(p.blocks) for p in self.places)
        if total > MAX_PLACE_BLOCKS:
            raise refuse_whole(f"a place set's places have {total:,} blocks in all; at most "
                               f"{MAX_PLACE_BLOCKS:,}")  # fmt: skip
        return self

    def place_set(self, default_vintage: str) -> PlaceSet:
        return PlaceSet(self.name, self.vintage or default_vintage,
                        tuple(p.domain() for p in self.places), tuple(self.icbs),
                        self.allow_overlaps, self.description or "")  # fmt: skip


# ---- POST /admin/tokens ----------------------------------------------------------------


class TokenBody(Body):
    name: Text(NAME, "whose token it is: one printable line")
    role: Choice(ROLES, "each role can do everything the ones before it can")


# ---- POST /proposals -------------------------------------------------------------------

Population = Number("people", ge=0)


class ProposalRulesBody(Strict):
    units: Choice(UNIT_KINDS, "building units: " + "; ".join(
        f"{k}: {v}" for k, v in UNIT_LABELS.items())) = "ltla"  # fmt: skip
    council_within_one_icb: Flag = True
    sa_within_one_icb: Flag = False
    sa_status: Choice(STATUSES, "strategic authorities counted") = "all"
    min_icb_population: Population | None = None
    max_icb_population: Population | None = None
    contiguous: Flag = True
    link_islands: Flag = True
    max_icbs: Number("ICBs", whole=True, ge=1) | None = None
    exact_icbs: Number("ICBs", whole=True, ge=1) | None = None
    locked_icbs: list[Code] = Field([], max_length=MAX_SET_ICBS,
                                    description="ICBs kept as they are (codes)")  # fmt: skip
    weight_icbs: Number("people added to the objective per ICB", ge=0) = 0
    weight_compactness: Number("people per km of boundary between ICBs", ge=0) = 0

    def domain(self) -> ProposalRules:
        return ProposalRules(**self.model_dump())


class SolverBody(Strict):
    time_limit_s: Number(f"seconds; at most {MAX_HTTP_TIME_LIMIT_S:g} over HTTP (use "
                         "boundary-lab propose for longer solves)", gt=0,
                         le=MAX_HTTP_TIME_LIMIT_S) = DEFAULT_HTTP_TIME_LIMIT_S  # fmt: skip
    seed: Number("the solver's random seed", whole=True, ge=0, le=2**31 - 1) = 0
    threads: Number("solver threads", whole=True, ge=1, le=64) = 1
    mip_rel_gap: Number("stop within this relative gap of the optimum", ge=0, lt=1) = 0
    reach: Number("each unit may join the ICBs within this many steps of it (null: any)",
                  whole=True, ge=0) | None = None  # fmt: skip

    def domain(self) -> SolverSettings:
        return SolverSettings(**self.model_dump())


def _base_ref(raw: Any) -> Any:
    """A saved scenario's id, or a built-in scenario's name (builtin-…): checked whole
    here, so the union behind it has one way to match and no errors of its own."""
    if isinstance(raw, str) and raw.startswith("builtin-") and not text_problem(raw, CODE):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= MAX_ID:
        return raw
    raise refuse(f"must be a saved scenario's id (1 to {MAX_ID}) or a built-in scenario "
                 f"(builtin-…), got {str(raw)[:80]!r}")  # fmt: skip


BaseRef = Annotated[
    Number("a saved scenario's id", whole=True, ge=1, le=MAX_ID)
    | Text(CODE, "a built-in scenario", pattern="^builtin-"),
    BeforeValidator(_base_ref),
]


class ProposalBody(Body):
    model_config = ConfigDict(extra="forbid")

    vintage: Vintage(CODE) | None = None
    base: BaseRef | None = Field(None, description="a saved scenario's id, or a built-in "
                                 "scenario (builtin-…)")  # fmt: skip
    name: Name | None = None
    rules: ProposalRulesBody | None = Field(None, description="default: every rule's default")
    solver: SolverBody | None = Field(None, description="default: every setting's default")
    save: Flag = True
