"""Vintages, layers, areas, splits, typology, health."""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Response, jsonify

from geodata.errors import BoundaryLabError
from geodata.layers import LAYERS, code_column
from geodata.output import records
from geodata.provenance import Provenance
from geodata.splits import split_table, splits
from geodata.store import VintageData
from geodata.typology import Thresholds, typology
from geodata.unit_status import with_status

from .. import params
from ..context import services
from ..errors import bad_request, not_found
from ..health import check_files
from . import api, responses, schemas
from .cache import cached_json
from .geojson import layer_geojson
from .spec import operation


def _vintage() -> VintageData:
    return services().vintage(params.text("vintage"))


def _vintage_summary(data: VintageData) -> dict[str, Any]:
    meta = data.meta
    return {
        "name": data.name,
        "title": meta.get("title"),
        "boundaries": meta.get("boundaries"),
        "population_source": meta["population_source"],
        "population_total": meta["population_total"],
        "lsoas": meta["lsoas"],
        "layers": {"lsoa": meta["lsoas"], **meta["layers"]},
        "built_at": meta.get("built_at"),
        "note": meta.get("note") or "",
    }


@api.get("/vintages")
@operation("Built vintages with provenance and unit counts", ok=responses.Vintages, errors=())
def vintages() -> Response:
    store = services().store
    built = services().usable()
    return jsonify(
        {
            "default": services().default_vintage() if built else None,
            "vintages": [_vintage_summary(store.load(n)) for n in built],
        }
    )


@api.get("/layers")
@operation("Layers of each vintage with unit counts", ok=responses.Layers, errors=())
def layers() -> Response:
    store = services().store
    return jsonify(
        {
            name: [
                {"layer": key, "label": LAYERS[key].label, "units": count}
                for key, count in _vintage_summary(store.load(name))["layers"].items()
            ]
            for name in services().usable()
        }
    )


@api.get("/layers/<layer>")
@operation(
    "Boundaries of a layer as GeoJSON (EPSG:4326), dissolved from LSOAs",
    ok=responses.FeatureCollection,
    query=schemas.LayerQuery,
    path=schemas.LayerPath,
)
def layer_boundaries(layer: str) -> Response:
    data = _vintage()
    if layer not in data.layers:
        raise not_found(
            f"unknown layer {layer!r}; valid: {', '.join(data.layers)}", valid=data.layers
        )
    tolerance = params.number("simplify", 0, 5000, default=0.0) or 0.0
    bbox = params.bbox()
    if layer == "lsoa" and bbox is None:
        raise bad_request(
            "the lsoa layer is too large to send whole; give a bbox", parameter="bbox"
        )
    return cached_json(data, ("layer", layer, tolerance, bbox),
                       lambda: layer_geojson(data, layer, tolerance, bbox),
                       mimetype="application/geo+json")  # fmt: skip


def _find_unit(data: VintageData, code: str) -> list[str]:
    return [layer for layer in data.layers if code in data.names[layer]]


def _layer_totals(data: VintageData, layer: str) -> dict[str, Any]:
    key = f"totals:{layer}"
    if key not in data.cache:
        grouped = data.table.groupby(code_column(layer), observed=True)["population"].sum()
        data.cache[key] = grouped.to_dict()
    return data.cache[key]


@api.get("/areas/<code>")
@operation(
    "A unit: name, layer, population and its overlaps with every other layer",
    ok=responses.Area,
    query=schemas.VintageQuery,
    path=schemas.CodePath,
)
def area(code: str) -> Response:
    data = _vintage()
    code = code.strip().upper()
    layers = _find_unit(data, code)
    if not layers:
        raise not_found(
            f"no unit has the code {code!r} in vintage {data.name}; codes look like "
            + ", ".join(f"{LAYERS[k].example} ({k})" for k in data.layers),
            code=code, vintage=data.name,
        )  # fmt: skip
    layer = layers[-1] if "utla" in layers else layers[0]  # a unitary reads as an upper tier
    return cached_json(data, ("area", code), lambda: _area_body(data, code, layer, layers))


def _area_body(data: VintageData, code: str, layer: str, layers: list[str]) -> dict[str, Any]:
    table = data.table.loc[data.table[code_column(layer)] == code]
    population = table["population"].sum()
    overlaps: dict[str, list[dict[str, Any]]] = {}
    for other in data.area_layers:
        if other == layer:
            continue
        part = split_table(table, layer, other, (data.names[layer], data.names[other]))
        totals = _layer_totals(data, other)
        overlaps[other] = [
            {
                "code": row["across_code"],
                "name": row["across_name"],
                "population": row["population"],
                "share": row["share"],
                # Blocks in no unit of a nullable layer (strategic authorities) are "none".
                "share_of_unit": float(row["population"] / totals[row["across_code"]])
                if row["across_code"] is not None
                else None,
            }
            for row in records(part)
        ]
    return {
        "code": code,
        "name": data.names[layer][code],
        "layer": layer,
        "layers": layers,
        "vintage": data.name,
        "population": int(population)
        if np.issubdtype(type(population), np.integer)
        else float(population),
        "lsoas": len(table),
        "overlaps": overlaps,
        "provenance": Provenance.of(data.meta).as_dict(),
    }


def _area_key(data: VintageData, layer: str, area: str | None) -> str | None:
    """An area by its code, so its names and spellings share one cache entry; as given
    when it is not found (the split itself then refuses it)."""
    if area is None:
        return None
    try:
        return data.find_area(layer, area)
    except BoundaryLabError:
        return f"as given: {area}"


@api.get("/splits")
@operation(
    "Population of each unit of `by` in each unit of `across`",
    ok=responses.Splits,
    query=schemas.SplitsQuery,
)
def split() -> Response:
    base = _vintage()
    status = params.sa_status()
    by = params.area_layer("by", "utla", params.SPLIT_EXTRA)
    across = params.area_layer("across", "icb", params.SPLIT_EXTRA)
    area = params.text("area")

    def body() -> dict[str, Any]:
        data = with_status(base, "sa", status)  # on a miss only: it filters with pandas
        result = splits(data, by, across, area)
        return {
            "vintage": base.name,
            "by": result.by,
            "across": result.across,
            "provenance": result.provenance.as_dict(),
            "sa_status": status,
            "rows": records(result.frame),
        }

    # The area's code in the whole vintage: one the status filter leaves out is refused
    # by the split itself (and errors are never cached).
    return cached_json(base, ("splits", by, across, _area_key(base, by, area), status), body)


def thresholds() -> Thresholds:
    defaults = Thresholds()
    la_in_icb = params.number("la_in_icb", 0, 1, default=defaults.la_in_icb)
    la_of_icb = params.number("la_of_icb", 0, 1, default=defaults.la_of_icb)
    assert la_in_icb is not None and la_of_icb is not None  # they have defaults
    return Thresholds(la_in_icb, la_of_icb, params.number("other_la_min_share", 0, 1))


def typology_by() -> str:
    return params.check_choice("by", params.text("by", "utla") or "utla", params.TYPOLOGY_TIERS)


@api.get("/typology")
@operation(
    "Coterminosity type 1-4 of every LA with the shares behind it",
    ok=responses.Typology,
    query=schemas.TypologyQuery,
)
def typology_view() -> Response:
    data = _vintage()
    limits, by = thresholds(), typology_by()

    def body() -> dict[str, Any]:
        result = typology(data, limits, la_layer=by)
        return {
            "vintage": data.name,
            "by": result.la_layer,
            "thresholds": vars(result.thresholds),
            "provenance": result.provenance.as_dict(),
            "rows": records(result.frame),
        }

    return cached_json(data, ("typology", by, limits), body)


@api.get("/healthz")
@operation(
    "Store loaded and database reachable (503 with the reasons otherwise)",
    ok=responses.Health,
    also={503: responses.Health},
    errors=(),
    public=True,
)
def healthz() -> tuple[Response, int]:
    """200 when the database answers and every built vintage is served; else 503 with
    the reasons. Answers within about 2 s whatever the database does."""
    svc = services()
    problems = {name: reason for name, reason in svc.disabled.items()}
    for name in svc.usable():  # a file broken since start-up (footers only: quick)
        try:
            check_files(svc.store.load(name))
        except ValueError as exc:
            problems[name] = str(exc)
    database = svc.db.ping()
    reasons = [f"database: {database}"] if database else []
    reasons += [f"vintage {name}: {reason}" for name, reason in sorted(problems.items())]
    if not svc.store.built():
        reasons.append(f"no vintage is built in {svc.store.root}: run boundary-lab build")
    body = {
        "status": "unavailable" if reasons else "ok",
        "reasons": reasons,
        "store": {
            "path": str(svc.store.root),
            "vintages": svc.usable(),
            "disabled": problems,
        },  # fmt: skip
        "database": {"ok": database is None, "dialect": svc.db.dialect, "reason": database},
    }
    return jsonify(body), 503 if reasons else 200
