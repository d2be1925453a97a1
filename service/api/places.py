"""Place sets: built-in and user-defined (analyst); checks, splits and outlines."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely
from flask import Response, g, jsonify

from geodata.errors import UnknownNameError
from geodata.geometry import simplify_coverage, to_geojson
from geodata.output import records
from geodata.places import PlaceSet, builtin_sets, resolve_places, with_places
from geodata.places.checks import check_places
from geodata.splits import splits
from geodata.store import VintageData

from .. import params
from ..auth import identity, requires
from ..context import BUILTIN_PREFIX, services
from ..db import MAX_ID, id_help, parse_id
from ..errors import bad_request, not_found
from . import api, bodies, responses, schemas
from .spec import operation


def resolve_ref(ref: str) -> tuple[PlaceSet, VintageData, dict[str, Any]]:
    """A place set by id, or ``builtin-sicbl`` / ``builtin-utla-in-icb`` (with ?vintage=)."""
    svc = services()
    if ref.startswith(BUILTIN_PREFIX):
        data = svc.vintage(params.text("vintage"))
        try:
            place_set, meta = svc.place_set(ref, data)
        except UnknownNameError as exc:  # a path that names nothing: 404
            raise not_found(str(exc), valid=exc.valid) from None
        return place_set, data, meta
    set_id = parse_id(ref)
    if set_id is None:
        raise not_found(f"{ref!r} is not a place set id (1 to {MAX_ID}) or a built-in set")
    try:
        place_set, meta = svc.saved_place_set(set_id)
    except LookupError as exc:
        raise not_found(str(exc)) from None
    return place_set, svc.vintage(place_set.vintage), meta


@api.get("/places/sets")
@operation("Built-in and saved place sets", ok=responses.PlaceSets, query=schemas.VintageQuery)
def list_place_sets() -> Response:
    data = services().vintage(params.text("vintage"))
    builtins = [{"id": BUILTIN_PREFIX + key, "builtin": True, "name": s.name,
                 "vintage": s.vintage, "places": len(s.places)}
                for key, s in builtin_sets(data).items()]  # fmt: skip
    saved = [{"id": r.id, "builtin": False, "name": r.name, "vintage": r.vintage,
              "version": r.version, "author": r.author, "places": len(r.spec["places"])}
             for r in services().db.list_place_sets()]  # fmt: skip
    return jsonify(builtins + saved)


@api.post("/places/sets")
@requires("analyst")
@operation(
    "Save a place set (analyst); refused if a block is unknown, a place is empty, or "
    "places overlap where the set forbids it",
    ok=responses.PlaceSet,
    status=201,
    body=bodies.PlaceSetBody,
    errors=(400, 404, 409),
)
def create_place_set() -> tuple[Response, int]:
    body: bodies.PlaceSetBody = g.body
    place_set = body.place_set(services().default_vintage())
    resolve_places(services().vintage(place_set.vintage), place_set)  # refuse before saving
    try:
        who = identity()
        record = services().db.save_place_set(place_set.as_dict(), who.actor, body.parent,
                                              admin=who.is_admin)  # fmt: skip
    except LookupError as exc:
        raise not_found(str(exc)) from None
    return jsonify({"id": record.id, "version": record.version, "family": record.family,
                    **record.spec}), 201  # fmt: skip


@api.get("/places/sets/<ref>")
@operation(
    "A place set", ok=responses.PlaceSet, query=schemas.VintageQuery, path=schemas.SetRefPath
)
def get_place_set(ref: str) -> Response:
    place_set, _, meta = resolve_ref(ref)
    return jsonify({**meta, **place_set.as_dict()})


@api.delete("/places/sets/<ref>")
@requires("analyst")
@operation(
    "Delete a saved place set, every version (its author or an admin)",
    ok=responses.Deleted,
    path=schemas.SetRefPath,
    errors=(400, 404, 409),
)
def delete_place_set(ref: str) -> Response:
    set_id = parse_id(ref)
    if set_id is None:
        raise bad_request(f"only saved place sets can be deleted, by id; {id_help('it')}, "
                          f"got {ref!r}")  # fmt: skip
    who = identity()
    deleted = services().db.delete_place_set(set_id, who.actor, admin=who.is_admin)
    if not deleted:
        raise not_found(f"no place set with id {set_id}")
    return jsonify({"deleted": set_id})


@api.get("/places/sets/<ref>/checks")
@operation(
    "Population of each place and the spread; gaps and overlaps; PCNs straddling places",
    ok=responses.PlaceChecks,
    query=schemas.PlaceChecksQuery,
    path=schemas.SetRefPath,
)
def place_set_checks(ref: str) -> Response:
    place_set, data, meta = resolve_ref(ref)
    icb = params.text("icb")
    if icb:
        icb = icb.upper()
        if icb not in data.names["icb"]:
            raise not_found(f"unknown ICB {icb!r} in vintage {data.name}")
        place_set = _only_icb(data, place_set, icb)
    checks = check_places(data, resolve_places(data, place_set))
    return jsonify({
        **meta, "name": place_set.name, "vintage": data.name, "spread": checks.spread,
        "places": records(checks.places), "gaps": {"lsoas": len(checks.gaps),
        "population": int(checks.gaps["population"].sum()), "rows": records(checks.gaps)},
        "overlaps": records(checks.overlaps),
        "pcns_straddling": None if checks.pcns_straddling is None
        else records(checks.pcns_straddling),
        "notes": checks.notes,
    })  # fmt: skip


def _only_icb(data: VintageData, place_set: PlaceSet, icb: str) -> PlaceSet:
    """The places that touch one ICB, with that ICB as the set's scope."""
    membership = resolve_places(data, place_set)
    icbs = data.table["icb_code"].to_numpy()
    keep = [p for p in place_set.places if (icbs[membership.rows[p.key()]] == icb).any()]
    return PlaceSet(place_set.name, place_set.vintage, tuple(keep), (icb,),
                    place_set.allow_overlaps, place_set.description)  # fmt: skip


@api.get("/places/sets/<ref>/splits")
@operation(
    "Splits of a layer across the set's places",
    ok=responses.Splits,
    query=schemas.PlaceSplitsQuery,
    path=schemas.SetRefPath,
)
def place_set_splits(ref: str) -> Response:
    place_set, data, _ = resolve_ref(ref)
    layered = with_places(data, resolve_places(data, place_set))
    by = params.text("by", "utla") or "utla"
    result = splits(layered, by, "place", params.text("area"))
    return jsonify({"vintage": data.name, "by": by, "across": "place",
                    "provenance": result.provenance.as_dict(),
                    "rows": records(result.frame)})  # fmt: skip


@api.get("/places/sets/<ref>/boundaries.geojson")
@operation(
    "Place outlines dissolved from LSOAs (EPSG:4326)",
    ok=responses.FeatureCollection,
    query=schemas.OutlineQuery,
    path=schemas.SetRefPath,
)
def place_set_boundaries(ref: str) -> Response:
    place_set, data, _ = resolve_ref(ref)
    membership = resolve_places(data, place_set)
    polygons = data.geometry().geometry.to_numpy()
    population = data.table["population"].to_numpy()
    frame = gpd.GeoDataFrame(
        {"code": membership.codes, "name": [membership.names[c] for c in membership.codes],
         "population": [int(population[membership.rows[c]].sum()) for c in membership.codes]},
        geometry=[shapely.coverage_union_all(polygons[membership.rows[c]])
                  for c in membership.codes], crs="EPSG:27700",
    )  # fmt: skip
    tolerance = params.number("simplify", 0, 5000, default=100.0) or 0.0
    if not place_set.allow_overlaps:
        frame = simplify_coverage(frame, tolerance)
    response = jsonify(to_geojson(frame))
    response.mimetype = "application/geo+json"
    return response
