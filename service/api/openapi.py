"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json.

Kept beside the views and pinned by a test that every route is described and every
described path is routed, so the document cannot drift from the behaviour.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from geodata import __version__
from geodata.layers import AREA_LAYERS, LAYERS

from ..roles import ROLES
from . import api


def _param(name: str, where: str, schema: dict[str, Any], about: str, required: bool = False):
    return {"name": name, "in": where, "required": required or where == "path",
            "description": about, "schema": schema}  # fmt: skip


STR = {"type": "string"}
VINTAGE = _param("vintage", "query", STR, "vintage name (default: the newest built)")
AREA_LAYER = {"type": "string", "enum": list(AREA_LAYERS)}
FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
BY = _param("by", "query", {**AREA_LAYER, "default": "utla"}, "layer whose units are split")
ACROSS = _param("across", "query", {**AREA_LAYER, "default": "icb"}, "layer split across")
AREA = _param("area", "query", STR, "one unit of `by`: a code, a name or a unique part of one")
SA_STATUS = _param("sa_status", "query", {"type": "string", "enum": ["all", "established"],
                                          "default": "all"},
                   "strategic authorities counted: all, or established only (the districts "
                   "of proposed ones count as none)")  # fmt: skip
TYPOLOGY = [
    VINTAGE,
    _param("by", "query", {"type": "string", "enum": ["utla", "ltla"], "default": "utla"},
           "LA tier"),
    _param("la_in_icb", "query", {**FRACTION, "default": 0.95},
           "share of an LA in one ICS for types 1-3"),
    _param("la_of_icb", "query", {**FRACTION, "default": 0.95},
           "share of the ICS the LA makes up for type 1"),
    _param("other_la_min_share", "query", FRACTION,
           "count another LA as served by an ICS when this share of its own people live "
           "there, e.g. 0.05; absent: only when it lies mostly within the ICS (la_in_icb)"),
]  # fmt: skip
TOLERANCE = _param("tolerance", "query", {"type": "number", "minimum": 0, "maximum": 0.49,
                                          "default": 0},
                   "parts of an authority under this share are slivers, not cuts")  # fmt: skip
VINTAGE_A = _param("a", "query", STR, "the earlier vintage, e.g. 2024", required=True)
VINTAGE_B = _param("b", "query", STR, "the later vintage, e.g. 2026", required=True)
EXT = _param(
    "ext",
    "path",
    {"type": "string", "enum": ["csv", "xlsx", "txt"]},
    "file format; txt: what the CSV holds (vintage, sources, method, attribution)",
)

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "bad input (the message says what is allowed)",
        401: "no or unknown token",
        403: "role too low",
        404: "unknown code, layer or format",
        413: "body too large",
    }
    body = {"application/json": {"schema": ERROR}}
    return {str(c): {"description": text[c], "content": body} for c in codes}


def _ok(about: str, media: str = "application/json", schema: dict[str, Any] | None = None):
    return {"200": {"description": about, "content": {media: {"schema": schema or {}}}}}


def _file_ok(xlsx: str) -> dict[str, Any]:
    """A download: CSV, XLSX, or the CSV's companion text (txt)."""
    return {"200": {"description": "the file",
                    "content": {"text/csv": {}, xlsx: {}, "text/plain": {}}}}  # fmt: skip


def _get(summary: str, params: list[dict[str, Any]], ok: dict[str, Any], *errors: int):
    return {"get": {"summary": summary, "parameters": params,
                    "responses": {**ok, **_errors(*errors)}}}  # fmt: skip


POINT = {
    "oneOf": [
        {"type": "object", "required": ["lat", "lon"],
         "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90},
                        "lon": {"type": "number", "minimum": -180, "maximum": 180}}},
        {"type": "object", "required": ["easting", "northing"],
         "properties": {"easting": {"type": "number", "minimum": 0, "maximum": 700000},
                        "northing": {"type": "number", "minimum": 0, "maximum": 1300000}}},
    ]
}  # fmt: skip


def document() -> dict[str, Any]:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    paths: dict[str, Any] = {
        "/vintages": _get("Built vintages with provenance and unit counts", [],
                          _ok("vintages")),
        "/layers": _get("Layers of each vintage with unit counts", [], _ok("layers")),
        "/layers/{layer}": _get(
            "Boundaries of a layer as GeoJSON (EPSG:4326), dissolved from LSOAs",
            [_param("layer", "path", {"type": "string", "enum": list(LAYERS)}, "layer"),
             VINTAGE,
             _param("simplify", "query", {"type": "number", "minimum": 0, "maximum": 5000,
                                          "default": 0},
                    "simplification tolerance in metres (shared borders stay shared)"),
             _param("bbox", "query", STR,
                    "min_lon,min_lat,max_lon,max_lat; required for the lsoa layer")],
            _ok("a FeatureCollection", "application/geo+json"), 400, 401, 403, 404),
        "/areas/{code}": _get(
            "A unit: name, layer, population and its overlaps with every other layer",
            [_param("code", "path", STR, "GSS code, e.g. E10000012"), VINTAGE],
            _ok("the unit"), 400, 401, 403, 404),
        "/splits": _get("Population of each unit of `by` in each unit of `across`",
                        [BY, ACROSS, VINTAGE, AREA, SA_STATUS], _ok("rows with shares 0..1"),
                        400, 401, 403, 404),
        "/typology": _get("Coterminosity type 1-4 of every LA with the shares behind it",
                          TYPOLOGY, _ok("rows"), 400, 401, 403),
        "/lookup": {
            **_get("The LSOA and every layer's unit at a point, or of an LSOA code",
                   [_param("lat", "query", {"type": "number", "minimum": -90, "maximum": 90},
                           "latitude (with lon)"),
                    _param("lon", "query", {"type": "number", "minimum": -180, "maximum": 180},
                           "longitude (with lat)"),
                    _param("easting", "query", {"type": "number", "minimum": 0,
                                                "maximum": 700000}, "EPSG:27700 (with northing)"),
                    _param("northing", "query", {"type": "number", "minimum": 0,
                                                 "maximum": 1300000}, "EPSG:27700"),
                    _param("lsoa", "query", STR, "an LSOA code"), VINTAGE],
                   _ok("the units"), 400, 401, 403, 404),
            "post": {
                "summary": "Batch lookup of up to 10,000 points (null where no English LSOA)",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["points"],
                    "properties": {"points": {"type": "array", "items": POINT,
                                              "minItems": 1, "maxItems": 10000},
                                   "vintage": STR}}}}},
                "responses": {**_ok("codes per point, and names of the codes"),
                              **_errors(400, 401, 403, 413)},
            },
        },
        "/reports/splits.{ext}": _get(
            "Splits as a CSV or XLSX download with an About sheet",
            [EXT, BY, ACROSS, VINTAGE, AREA, SA_STATUS,
             _param("suppress", "query", {"type": "number", "minimum": 0, "maximum": 1000000},
                    "leave out parts of fewer than this many people (OHID's practice); "
                    "totals and shares stay those of the whole unit")],
            _file_ok(xlsx),
            400, 401, 403, 404),
        "/reports/typology.{ext}": _get(
            "Typology as a CSV or XLSX download with an About sheet", [EXT, *TYPOLOGY],
            _file_ok(xlsx),
            400, 401, 403, 404),
        "/reports/boundaries.gpkg": _get(
            "A GeoPackage for QGIS or ArcGIS: every area layer of a vintage, its LSOAs with "
            "their codes in every layer, and an about table", [VINTAGE],
            {"200": {"description": "the file",
                     "content": {"application/geopackage+sqlite3": {}}}},
            400, 401, 403, 404),
        "/alignment": _get(
            "ICBs against strategic authorities: overlaps both ways and a class per ICB",
            [VINTAGE, SA_STATUS, TOLERANCE], _ok("icbs, authorities, pairs, classes"),
            400, 401, 403, 404),
        "/reports/alignment.{ext}": _get(
            "The alignment as a CSV (one row per ICB) or XLSX (ICBs, authorities, pairs)",
            [EXT, VINTAGE, SA_STATUS, TOLERANCE], _file_ok(xlsx),
            400, 401, 403, 404),
        "/vintages/compare": _get(
            "Two vintages on the same LSOAs: moves by from -> to ICB, recodes, councils, "
            "typology and ICB populations before/after (different blocks: 400)",
            [VINTAGE_A, VINTAGE_B], _ok("summary, moves, recodes, icbs, …"), 400, 401, 403),
        "/reports/vintages-compare.{ext}": _get(
            "The vintage comparison as an XLSX workbook",
            [_param("ext", "path", {"type": "string", "enum": ["xlsx"]}, "file format"),
             VINTAGE_A, VINTAGE_B],
            {"200": {"description": "the file", "content": {xlsx: {}}}}, 400, 401, 403, 404),
        "/scenarios/builtin": _get("Built-in scenarios of every built vintage", [],
                                   _ok("built-in scenarios"), 401, 403),
        "/scenarios/builtin/{key}/evaluation": _get(
            "A built-in scenario (e.g. 2027-mergers) evaluated, with its groups, every rule "
            "and the strategic authority alignment before and after",
            [_param("key", "path", STR, "the scenario's key, e.g. 2027-mergers"), VINTAGE,
             *RULES], _ok("the evaluation"), 400, 401, 403, 404),
        "/healthz": _get("Store loaded and database reachable (503 otherwise)", [],
                         _ok("status")),
        "/openapi.json": _get("This document", [], _ok("OpenAPI 3.0")),
        "/admin/tokens": {
            **_get("API tokens (admin)", [], _ok("tokens, never their secrets"), 401, 403),
            "post": {"summary": "Create a token (admin); the secret is returned once",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"type": "object", "required": ["name", "role"],
                                    "properties": {"name": STR,
                                                   "role": {"type": "string",
                                                            "enum": list(ROLES)}}}}}},
                     "responses": {"201": {"description": "the token with its secret"},
                                   **_errors(400, 401, 403)}},
        },
        "/admin/tokens/{token_id}": {
            "delete": {"summary": "Revoke a token (admin)",
                       "parameters": [_param("token_id", "path", {"type": "integer"},
                                             "token id")],
                       "responses": {**_ok("revoked"), **_errors(401, 403, 404)}},
        },
        "/admin/audit": _get("The audit log of writes, newest first (admin)",
                             [_param("limit", "query", {"type": "integer", "minimum": 1,
                                                        "maximum": 10000, "default": 100},
                                     "how many")],
                             _ok("entries"), 400, 401, 403),
    }  # fmt: skip
    paths.update(_scenario_paths())
    paths.update(_place_paths())
    paths.update(_pcn_paths())
    from .proposals import proposal_paths

    paths.update(proposal_paths(_errors))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Boundary Lab API",
            "version": __version__,
            "description": "Population splits of English councils across ICBs, SICBLs and "
            "other layers, from LSOA building blocks. Reads follow the read policy "
            "(anonymous by default); admin paths need an admin token.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "details"],
                            "properties": {
                                "code": STR,
                                "message": STR,
                                "details": {"type": "object"},
                            },
                        }
                    },
                }
            },
        },  # fmt: skip
        "security": [{}, {"bearer": []}],
    }


SCENARIO_ID = _param("scenario_id", "path", {"type": "integer"}, "scenario id")
RULES = [
    _param("utla_within_one_icb", "query", {"type": "boolean", "default": True},
           "rule: every upper-tier LA within one ICB"),
    _param("min_icb_population", "query", {"type": "number", "minimum": 0,
                                           "default": 1000000}, "rule: smallest ICB"),
    _param("max_icb_population", "query", {"type": "number", "minimum": 0},
           "rule: largest ICB"),
    _param("contiguous", "query", {"type": "boolean", "default": True},
           "rule: no exclaves (islands allowed)"),
    _param("sa_within_one_icb", "query", {"type": "boolean", "default": True},
           "rule: no strategic authority split between ICBs (vintages with them)"),
    SA_STATUS,
]  # fmt: skip
MOVE = {
    "type": "object",
    "required": ["unit_layer", "code", "to_icb"],
    "properties": {
        "unit_layer": {
            "type": "string",
            "enum": ["lsoa", "ltla", "utla", "sicbl", "pcn", "place"],
        },
        "code": STR,
        "to_icb": {"type": "string", "description": "an ICB code, or a new ICB's name"},
    },
}
SCENARIO_BODY = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": STR,
        "vintage": STR,
        "description": STR,
        "moves": {"type": "array", "items": MOVE},
        "blocks": {
            "type": "array",
            "items": {"type": "array", "items": STR, "minItems": 2, "maxItems": 2},
        },
        "parent": {"type": "integer", "description": "make a new version of this"},
        "place_set": {
            "type": "string",
            "description": "the place set (id or builtin-…) whose places `place` moves name",
        },
    },
}
UPLOAD_BODY = {"type": "object", "required": ["file"],
               "properties": {"file": {"type": "string", "format": "binary",
                                       "description": "CSV (LSOA code, ICB code) or candidate "
                                       "ICB boundaries: .geojson, .gpkg or zipped Shapefile"},
                              "name": STR, "vintage": STR, "description": STR,
                              "label": {"type": "string",
                                        "description": "property naming each feature's ICB"},
                              "parent": STR}}  # fmt: skip


def _scenario_paths() -> dict[str, Any]:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    csv = {"200": {"description": "CSV", "content": {"text/csv": {}}}}
    return {
        "/scenarios": {
            **_get("Saved scenarios, newest first", [], _ok("scenarios"), 401, 403),
            "post": {
                "summary": "Create a scenario (analyst): JSON moves/blocks, or a file upload "
                "(CSV blocks, or candidate boundaries best-fitted to LSOAs)",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": SCENARIO_BODY},
                    "multipart/form-data": {"schema": UPLOAD_BODY}}},
                "responses": {"201": {"description": "the saved scenario"},
                              **_errors(400, 401, 403, 404, 413),
                              "422": {"description": "the upload cannot be used",
                                      "content": {"application/json": {"schema": ERROR}}}},
            },
        },
        "/scenarios/{scenario_id}": _get("A scenario with its versions", [SCENARIO_ID],
                                         _ok("the scenario"), 401, 403, 404),
        "/scenarios/{scenario_id}/evaluation": _get(
            "Every metric and design rule against the baseline", [SCENARIO_ID, *RULES],
            _ok("the evaluation"), 400, 401, 403, 404),
        "/scenarios/{scenario_id}/report.{ext}": _get(
            "The evaluation as CSV (ICB table) or XLSX (all tables, About sheet)",
            [SCENARIO_ID, EXT, *RULES],
            _file_ok(xlsx),
            400, 401, 403, 404),
        "/scenarios/{scenario_id}/boundaries.geojson": _get(
            "The scenario's ICB outlines dissolved from LSOAs (EPSG:4326)",
            [SCENARIO_ID, _param("simplify", "query", {"type": "number", "minimum": 0,
                                                        "maximum": 5000, "default": 100},
                                 "tolerance in metres")],
            _ok("FeatureCollection", "application/geo+json"), 400, 401, 403, 404),
        "/scenarios/{scenario_id}/boundaries.gpkg": _get(
            "A GeoPackage for QGIS or ArcGIS: the scenario's ICBs, every LSOA's ICB before "
            "and after, any uploaded boundaries, and an about table", [SCENARIO_ID],
            {"200": {"description": "the file",
                     "content": {"application/geopackage+sqlite3": {}}}},
            401, 403, 404),
        "/scenarios/{scenario_id}/statutory.csv": _get(
            "ICB areas as the Establishment Order describes them: whole lower-tier areas, "
            "plus LSOAs of part-included ones", [SCENARIO_ID], csv, 401, 403, 404),
        "/scenarios/{scenario_id}/blocks.csv": _get(
            "Block assignment (LSOA code, ICB code) for other redistricting tools",
            [SCENARIO_ID], csv, 401, 403, 404),
        "/scenarios/compare": _get(
            "Two scenarios side by side (ids, or 'baseline')",
            [_param("a", "query", STR, "scenario id or 'baseline'", True),
             _param("b", "query", STR, "scenario id or 'baseline'", True), VINTAGE, *RULES],
            _ok("the comparison"), 400, 401, 403, 404),
    }  # fmt: skip


SET_REF = _param("ref", "path", STR, "a place set id, or builtin-sicbl / builtin-utla-in-icb")
PLACE_SET_BODY = {"type": "object", "required": ["name", "places"], "properties": {
    "name": STR, "vintage": STR, "description": STR, "allow_overlaps": {"type": "boolean"},
    "icbs": {"type": "array", "items": STR}, "parent": {"type": "integer"},
    "places": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["name", "blocks"], "properties": {
            "name": STR, "code": STR,
            "blocks": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["layer", "code"], "properties": {
                    "layer": {"type": "string",
                              "enum": ["utla", "ltla", "sicbl", "lsoa", "pcn"]},
                    "code": STR}}}}}}}}  # fmt: skip


def _place_paths() -> dict[str, Any]:
    return {
        "/places/sets": {
            **_get("Built-in and saved place sets", [VINTAGE], _ok("sets"), 401, 403),
            "post": {"summary": "Save a place set (analyst); refused if a block is unknown, a "
                     "place is empty, or places overlap where the set forbids it",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": PLACE_SET_BODY}}},
                     "responses": {"201": {"description": "the saved set"},
                                   **_errors(400, 401, 403, 404)}},
        },
        "/places/sets/{ref}": {
            **_get("A place set", [SET_REF, VINTAGE], _ok("the set"), 401, 403, 404),
            "delete": {"summary": "Delete a saved place set, every version (its author or an "
                       "admin)", "parameters": [SET_REF],
                       "responses": {**_ok("deleted"), **_errors(400, 401, 403, 404)}},
        },
        "/places/sets/{ref}/checks": _get(
            "Population of each place and the spread; places crossing ICB or UTLA lines; "
            "gaps and overlaps; PCNs straddling places",
            [SET_REF, VINTAGE, _param("icb", "query", STR, "only the places of this ICB")],
            _ok("the checks"), 400, 401, 403, 404),
        "/places/sets/{ref}/splits": _get(
            "Splits of a layer across the set's places", [SET_REF, VINTAGE,
            _param("by", "query", {**AREA_LAYER, "default": "utla"}, "layer"), AREA],
            _ok("rows"), 400, 401, 403, 404),
        "/places/sets/{ref}/boundaries.geojson": _get(
            "Place outlines dissolved from LSOAs (EPSG:4326)", [SET_REF, VINTAGE,
            _param("simplify", "query", {"type": "number", "minimum": 0, "maximum": 5000,
                                         "default": 100}, "tolerance in metres")],
            _ok("FeatureCollection", "application/geo+json"), 400, 401, 403, 404),
    }  # fmt: skip


def _pcn_paths() -> dict[str, Any]:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    files = {
        "200": {"description": "the file", "content": {"text/csv": {}, xlsx: {}, "text/plain": {}}}
    }
    icb = _param("icb", "query", STR, "only what meets this ICB")
    geo = _ok("FeatureCollection", "application/geo+json")
    return {
        "/pcns": _get("Each PCN's estimated population (apportioned; PCNs have no official "
                      "footprint) and notes on source mismatches", [VINTAGE], _ok("rows"),
                      401, 403, 404),
        "/pcns/splits": _get(
            "PCNs split across councils, ICBs or SICBLs, with shares",
            [VINTAGE, _param("across", "query", {**AREA_LAYER, "default": "utla"}, "layer"),
             _param("all", "query", {"type": "boolean", "default": False},
                    "every PCN, not only split ones")], _ok("rows"), 400, 401, 403, 404),
        "/pcns/area/{code}": _get("The PCNs serving one area, with shares of the area and "
                                  "of each PCN", [_param("code", "path", STR, "GSS code"),
                                                  VINTAGE], _ok("rows"), 401, 403, 404),
        "/pcns/mismatches": _get("PCNs in one source and not another (never dropped)",
                                 [VINTAGE], _ok("rows"), 401, 403, 404),
        "/reports/pcns.{ext}": _get("PCN populations as CSV or XLSX", [EXT, VINTAGE], files,
                                    401, 403, 404),
        "/reports/pcn-splits.{ext}": _get(
            "PCN splits as CSV or XLSX", [EXT, VINTAGE,
            _param("across", "query", {**AREA_LAYER, "default": "utla"}, "layer")], files,
            400, 401, 403, 404),
        "/pcns/catchments.geojson": _get(
            "2020 PCN catchments (they overlap)", [VINTAGE, icb,
            _param("simplify", "query", {"type": "number", "minimum": 0, "maximum": 5000,
                                         "default": 50}, "tolerance in metres")],
            geo, 400, 401, 403, 404),
        "/pcns/practices.geojson": _get("Member practices as points", [VINTAGE, icb], geo,
                                        400, 401, 403, 404),
    }  # fmt: skip


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
