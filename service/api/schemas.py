"""Query parameters of /api/v1: pydantic models that check a request (through the checks
in ``service.params``, so messages are one owner's) and describe it in the OpenAPI
document. The vintage names are known only when the app starts, so a ``vintage`` field
is marked (``VINTAGE_ENUM``) and openapi.py fills in the built ones."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from geodata.layers import AREA_LAYERS, BNG_EASTING, BNG_NORTHING, LAYERS
from geodata.scenarios.editor import PICK_LAYERS
from geodata.unit_status import STATUSES

from .. import params
from ..db import MAX_ID, parse_id
from ..errors import bad_request

#: Marks a field whose allowed values are the built vintages (filled in per app).
VINTAGE_ENUM = "x-vintage-enum"


def Number(low: float, high: float, about: str) -> Any:  # noqa: N802 - a type, read as one
    """A finite number in [low, high], checked (and refused) by ``params.check_number``."""

    def check(raw: object, info: ValidationInfo) -> float:
        return params.check_number(str(info.field_name), raw, low, high)

    return Annotated[float, Field(ge=low, le=high, description=about), BeforeValidator(check)]


def Choice(valid: tuple[str, ...], about: str, layers: bool = False) -> Any:  # noqa: N802
    """One of ``valid``; ``layers``: refused as an unknown layer."""
    checker = params.check_layer if layers else params.check_choice

    def check(raw: object, info: ValidationInfo) -> str:
        return checker(str(info.field_name), raw, valid)

    return Annotated[Literal[valid], Field(description=about), BeforeValidator(check)]


def Flag(about: str) -> Any:  # noqa: N802
    def check(raw: object, info: ValidationInfo) -> bool:
        return params.check_flag(str(info.field_name), raw)

    return Annotated[bool, Field(description=about), BeforeValidator(check)]


def _text(raw: object) -> str:
    return str(raw).strip()


def Text(about: str, **schema: Any) -> Any:  # noqa: N802
    return Annotated[str, Field(description=about, **schema), BeforeValidator(_text)]


def _vintage(about: str) -> Any:
    return Text(about, json_schema_extra={VINTAGE_ENUM: True})


def _scenario_id(raw: object, info: ValidationInfo) -> int:
    parsed = parse_id(_text(raw))
    if parsed is None:
        raise bad_request(f"{info.field_name} must be a scenario id, got {raw!r}",
                          parameter=info.field_name)  # fmt: skip
    return parsed


def _bbox(raw: object, info: ValidationInfo) -> str:
    params.check_bbox(str(info.field_name), _text(raw))
    return _text(raw)


Vintage = _vintage("vintage name (default: the newest built)")
SplitLayer = Choice((*AREA_LAYERS, *params.SPLIT_EXTRA), "a layer; pcn: PCNs by apportioned "
                    "population", layers=True)  # fmt: skip
AreaLayer = Choice(AREA_LAYERS, "a layer", layers=True)
SaStatus = Choice(STATUSES, "strategic authorities counted: all, or established only (the "
                  "districts of proposed ones count as none)")  # fmt: skip
Fraction = Number(0, 1, "a share from 0 to 1")
Area = Text("one unit of `by`: a code, a name or a unique part of one")
Simplify = Number(0, 5000, "simplification tolerance in metres (shared borders stay shared)")
Icb = Text("only what meets this ICB (a code)")
ScenarioRef = Annotated[int, Field(ge=1, le=MAX_ID, description="a scenario id"),
                        BeforeValidator(_scenario_id)]  # fmt: skip
Bbox = Annotated[str, Field(description="min_lon,min_lat,max_lon,max_lat in degrees "
                            "(EPSG:4326); required for the lsoa layer",
                            pattern=r"^\s*[^,]+,[^,]+,[^,]+,[^,]+\s*$"),
                 BeforeValidator(_bbox)]  # fmt: skip


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class VintageQuery(Query):
    vintage: Vintage | None = None


class LayerQuery(VintageQuery):
    simplify: Simplify = 0.0
    bbox: Bbox | None = None


class SplitsQuery(VintageQuery):
    by: SplitLayer = "utla"
    across: SplitLayer = "icb"
    area: Area | None = None
    sa_status: SaStatus = "all"


class SplitsReportQuery(SplitsQuery):
    suppress: (
        Number(
            0,
            1_000_000,
            "leave out parts of fewer than this many people (OHID's "
            "practice); totals and shares stay those of the whole unit",
        )
        | None
    ) = None


class TypologyQuery(VintageQuery):
    by: Choice(params.TYPOLOGY_TIERS, "LA tier") = "utla"
    la_in_icb: Number(0, 1, "share of an LA in one ICS for types 1-3") = 0.95
    la_of_icb: Number(0, 1, "share of the ICS the LA makes up for type 1") = 0.95
    other_la_min_share: (
        Number(
            0,
            1,
            "count another LA as served by an ICS when this share "
            "of its own people live there, e.g. 0.05; absent: only when "
            "it lies mostly within the ICS (la_in_icb)",
        )
        | None
    ) = None


class LookupQuery(VintageQuery):
    lat: Number(-90, 90, "latitude (with lon)") | None = None
    lon: Number(-180, 180, "longitude (with lat)") | None = None
    easting: Number(*BNG_EASTING, "EPSG:27700 metres (with northing)") | None = None
    northing: Number(*BNG_NORTHING, "EPSG:27700 metres (with easting)") | None = None
    lsoa: Text("an LSOA code, e.g. E01000001") | None = None


class RulesQuery(VintageQuery):
    utla_within_one_icb: Flag("rule: every upper-tier LA within one ICB") = True
    min_icb_population: Number(0, 1e9, "rule: smallest ICB") = 1_000_000
    max_icb_population: Number(0, 1e9, "rule: largest ICB") | None = None
    contiguous: Flag("rule: no exclaves (islands allowed)") = True
    sa_within_one_icb: Flag("rule: no strategic authority split between ICBs") = True
    sa_status: SaStatus = "all"


def _side(raw: object, info: ValidationInfo) -> str:
    value = _text(raw)
    if value == "baseline":
        return value
    scenario_id = parse_id(value)
    if scenario_id is None:
        raise bad_request(f"{info.field_name} must be a scenario id or 'baseline' (ids: 1 to "
                          f"{MAX_ID}), got {value!r}", parameter=info.field_name)  # fmt: skip
    return str(scenario_id)


#: A scenario id, or "baseline".
Side = Annotated[
    str,
    Field(description="a scenario id or 'baseline'", pattern=r"^(baseline|[0-9]{1,10})$"),
    BeforeValidator(_side),
]


class CompareQuery(RulesQuery):
    a: Side
    b: Side


class AlignmentQuery(VintageQuery):
    sa_status: SaStatus = "all"
    tolerance: Number(
        0,
        0.49,
        "parts of an authority under this share are slivers, not cuts",
    ) = 0.0


class VintagePairQuery(Query):
    a: _vintage("the earlier vintage")
    b: _vintage("the later vintage")


class PcnSplitsQuery(VintageQuery):
    across: AreaLayer = "utla"
    all: Flag("every PCN, not only split ones") = False


class CatchmentsQuery(VintageQuery):
    icb: Icb | None = None
    simplify: Simplify = 50.0


class PracticesQuery(VintageQuery):
    icb: Icb | None = None


class PlaceChecksQuery(VintageQuery):
    icb: Text("only the places of this ICB (a code)") | None = None


def _place_split_by(raw: object, info: ValidationInfo) -> str:
    if raw == "place":  # the split itself says why: a layer split across itself
        return "place"
    return params.check_layer(str(info.field_name), raw, AREA_LAYERS)


class PlaceSplitsQuery(VintageQuery):
    by: Annotated[str, Field(description="a layer",
                             json_schema_extra={"enum": list(AREA_LAYERS)}),
                  BeforeValidator(_place_split_by)] = "utla"  # fmt: skip
    area: Area | None = None


class OutlineQuery(VintageQuery):
    simplify: Simplify = 100.0


class SimplifyQuery(Query):
    simplify: Simplify = 100.0


class EditorUnitsQuery(VintageQuery):
    scenario: ScenarioRef | None = None


class EditorLsoasQuery(VintageQuery):
    ltla: Text("district codes, comma-separated (up to 40)")


class AuditQuery(Query):
    limit: Annotated[int, Field(ge=1, le=10_000, description="how many entries"),
                     BeforeValidator(lambda raw: int(params.check_number(
                         "limit", raw, 1, 10_000)))] = 100  # fmt: skip


# Path parameters (documented; the views and the id converter refuse bad ones with 404).

Ext = Literal["csv", "xlsx", "txt"]


class ExtPath(BaseModel):
    ext: Ext = Field(description="file format; txt: what the CSV holds (vintage, sources, "
                     "method, attribution)")  # fmt: skip


class LayerPath(BaseModel):
    layer: Literal[tuple(LAYERS)] = Field(description="a layer")


class CodePath(BaseModel):
    code: str = Field(description="a GSS code, e.g. E10000012", min_length=1)


class SetRefPath(BaseModel):
    ref: str = Field(description="a place set id, or builtin-sicbl / builtin-utla-in-icb",
                     pattern=r"^([0-9]{1,10}|builtin-[a-z0-9-]+)$")  # fmt: skip


class KeyPath(BaseModel):
    key: str = Field(description="the built-in scenario's key, e.g. 2027-mergers", min_length=1)


class XlsxPath(BaseModel):
    ext: Literal["xlsx"] = Field(description="file format (the comparison has several tables)")


class OutlinePath(BaseModel):
    layer: Literal[(*PICK_LAYERS, "icb")] = Field(description="a layer")
