"""Request bodies of /api/v1 as pydantic models, for the OpenAPI document. The bodies
themselves are parsed by their domain owners (``Scenario.from_dict``,
``PlaceSet.from_dict``, ``ProposalRules.from_dict``, ``check_name``), whose messages say
where a body is wrong; these models describe the same fields from the same constants."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from geodata.places.model import BLOCK_LAYERS
from geodata.scenarios.model import MOVE_LAYERS
from geodata.unit_status import STATUSES
from geodata.validation import DESCRIPTION_CHARS, NAME_CHARS

from ..db import MAX_ID
from ..jsonbody import MAX_DEPTH
from ..roles import ROLES
from .schemas import VINTAGE_ENUM

Name = Annotated[str, Field(min_length=1, max_length=NAME_CHARS,
                            description="one printable line")]  # fmt: skip
Description = Annotated[str, Field(max_length=DESCRIPTION_CHARS)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
VintageName = Annotated[str, Field(json_schema_extra={VINTAGE_ENUM: True},
                                   description="default: the newest built")]  # fmt: skip


class Body(BaseModel):
    model_config = {"json_schema_extra": {"description": f"JSON nested at most {MAX_DEPTH} deep"}}


class LatLon(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class EastingNorthing(BaseModel):
    easting: float = Field(ge=0, le=700_000, description="EPSG:27700 metres")
    northing: float = Field(ge=0, le=1_300_000, description="EPSG:27700 metres")


class LookupBody(Body):
    points: list[LatLon | EastingNorthing] = Field(min_length=1, max_length=10_000)
    vintage: VintageName | None = None


class Move(BaseModel):
    unit_layer: Literal[MOVE_LAYERS]
    code: str
    to_icb: str | None = Field(None, description="an ICB of the vintage (code, or the name "
                               "maps show), or 'new_icb:NAME'; give this or new_icb")  # fmt: skip
    new_icb: str | None = Field(None, description="the name of a new ICB the unit goes to "
                                "(instead of to_icb)")  # fmt: skip


class ScenarioBody(Body):
    name: Name | None = Field(None, description="default: 'unnamed scenario'")
    vintage: VintageName | None = None
    description: Description | None = None
    moves: list[Move] = []
    blocks: list[Annotated[list[str], Field(min_length=2, max_length=2)]] = Field(
        [], description="[LSOA code, ICB code] pairs"
    )
    parent: Id | None = Field(None, description="make a new version of this scenario")
    place_set: str | None = Field(None, description="the place set (id or builtin-…) whose "
                                  "places `place` moves name")  # fmt: skip


class EvaluateBody(Body):
    vintage: VintageName | None = None
    moves: list[Move] = []
    blocks: list[Annotated[list[str], Field(min_length=2, max_length=2)]] = []
    place_set: str | None = None


class UploadBody(BaseModel):
    file: bytes = Field(description="CSV (LSOA code, ICB code) or candidate ICB boundaries: "
                        ".geojson, .gpkg or zipped Shapefile",
                        json_schema_extra={"format": "binary"})  # fmt: skip
    name: str | None = None
    vintage: str | None = None
    description: str | None = None
    label: str | None = Field(None, description="property naming each feature's ICB")
    parent: str | None = None


class Block(BaseModel):
    layer: Literal[BLOCK_LAYERS]
    code: str


class Place(BaseModel):
    name: Name
    code: str | None = None
    blocks: list[Block] = Field(min_length=1)


class PlaceSetBody(Body):
    name: Name
    vintage: VintageName | None = None
    description: Description | None = None
    allow_overlaps: bool = False
    icbs: list[str] = []
    parent: Id | None = None
    places: list[Place] = Field(min_length=1)


class TokenBody(Body):
    name: Name
    role: Literal[ROLES]


class ProposalRulesBody(BaseModel):
    units: Literal["ltla", "utla", "sicbl", "sa"] = Field(
        "ltla", description="building units: districts, upper-tier councils, sub-ICB "
        "locations, or strategic authorities plus the districts outside them")  # fmt: skip
    council_within_one_icb: bool = True
    sa_within_one_icb: bool = False
    sa_status: Literal[STATUSES] = "all"
    min_icb_population: float | None = Field(None, ge=0)
    max_icb_population: float | None = Field(None, ge=0)
    contiguous: bool = True
    link_islands: bool = True
    max_icbs: int | None = Field(None, ge=1)
    exact_icbs: int | None = Field(None, ge=1)
    locked_icbs: list[str] = []
    weight_icbs: float = Field(0, ge=0, description="people added to the objective per ICB")
    weight_compactness: float = Field(0, ge=0, description="people per km of boundary "
                                      "between ICBs")  # fmt: skip


class SolverBody(BaseModel):
    time_limit_s: float = Field(30.0, gt=0, le=300.0)
    seed: int = Field(0, ge=0)
    threads: int = Field(1, ge=1, le=64)
    mip_rel_gap: float = Field(0, ge=0, le=1)
    reach: int | None = Field(None, ge=0)


class ProposalBody(Body):
    vintage: VintageName | None = None
    base: Id | Annotated[str, Field(pattern="^builtin-")] | None = Field(
        None, description="a saved scenario id, or a built-in scenario (builtin-…)"
    )
    name: Name | None = None
    rules: ProposalRulesBody | None = None
    solver: SolverBody | None = None
    save: bool = True
