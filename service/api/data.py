"""Vintages, layers, areas, splits, typology, health."""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Response, jsonify

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
from . import api
from .cache import cached_json
from .geojson import layer_geojson


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
    collection = layer_geojson(data, layer, tolerance, bbox)
    response = jsonify(collection)
    response.mimetype = "application/geo+json"
    return response


def _find_unit(data: VintageData, code: str) -> list[str]:
    return [layer for layer in data.layers if code in data.names[layer]]


def _layer_totals(data: VintageData, layer: str) -> dict[str, Any]:
    key = f"totals:{layer}"
    if key not in data.cache:
        grouped = data.table.groupby(code_column(layer), observed=True)["population"].sum()
        data.cache[key] = grouped.to_dict()
    return data.cache[key]


@api.get("/areas/<code>")
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


@api.get("/splits")
def split() -> Response:
    data = with_status(_vintage(), "sa", params.sa_status())
    result = splits(
        data,
        params.area_layer("by", "utla"),
        params.area_layer("across", "icb"),
        params.text("area"),
    )
    return jsonify(
        {
            "vintage": data.name,
            "by": result.by,
            "across": result.across,
            "provenance": result.provenance.as_dict(),
            "sa_status": params.sa_status(),
            "rows": records(result.frame),
        }
    )


def thresholds() -> Thresholds:
    defaults = Thresholds()
    la_in_icb = params.number("la_in_icb", 0, 1, default=defaults.la_in_icb)
    la_of_icb = params.number("la_of_icb", 0, 1, default=defaults.la_of_icb)
    assert la_in_icb is not None and la_of_icb is not None  # they have defaults
    return Thresholds(la_in_icb, la_of_icb, params.number("other_la_min_share", 0, 1))


def typology_by() -> str:
    by = params.text("by", "utla") or "utla"
    if by not in ("utla", "ltla"):
        raise bad_request(
            f"by must be utla or ltla, got {by!r}", parameter="by", valid=["utla", "ltla"]
        )
    return by


@api.get("/typology")
def typology_view() -> Response:
    data = _vintage()
    result = typology(data, thresholds(), la_layer=typology_by())
    return jsonify(
        {
            "vintage": data.name,
            "by": result.la_layer,
            "thresholds": vars(result.thresholds),
            "provenance": result.provenance.as_dict(),
            "rows": records(result.frame),
        }
    )


@api.get("/healthz")
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
