"""Data for the boundary editor page (/edit): the block table in columns, national
outlines of the layers it picks by, and LSOA outlines by district. Read-only (viewer).

Responses are the same bytes for the life of a process (the store is read-only), so each
is kept gzip-compressed per vintage and sent compressed to browsers that accept it.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Hashable
from typing import Any

from flask import Response, current_app, request

from geodata.errors import BoundaryLabError
from geodata.scenarios import Scenario, resolve
from geodata.scenarios.editor import (
    NATIONAL_SIMPLIFY_M,
    PICK_LAYERS,
    check_districts,
    editor_units,
    lsoa_outlines,
    outlines,
)
from geodata.store import VintageData
from maps.style import icb_colours

from .. import params
from ..context import services
from ..errors import bad_request, not_found
from . import api, responses, schemas
from .spec import operation

OUTLINE_LAYERS = (*PICK_LAYERS, "icb")  # schemas.OutlinePath lists the same
MAX_CACHED = 64


def gzipped_json(data: VintageData, key: Hashable, build: Callable[[], Any]) -> Response:
    """``build()`` as JSON, made once per vintage and key and kept compressed."""
    cache: dict[Hashable, bytes] = data.cache.setdefault("editor:responses", {})
    body = cache.get(key)
    if body is None:
        text = current_app.json.dumps(build(), separators=(",", ":"))
        body = gzip.compress(text.encode("utf-8"), compresslevel=6)
        if len(cache) >= MAX_CACHED:
            cache.pop(next(iter(cache)))
        cache[key] = body
    response = current_app.response_class(mimetype="application/json")
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"]:
        response.set_data(body)
        response.content_encoding = "gzip"
    else:
        response.set_data(gzip.decompress(body))
    return response


def _vintage() -> VintageData:
    return services().vintage(params.text("vintage"))


def saved_scenario(text: str) -> tuple[Any, Scenario]:
    """The saved scenario an editor address names (``?scenario=``): the one id rule of the
    database, and the stored spec read as stored, older formats included."""
    from ..db import parse_id

    scenario_id = parse_id(text)
    if scenario_id is None:
        raise bad_request(f"scenario must be a scenario id, got {text!r}", parameter="scenario")
    try:
        record = services().db.get_scenario(scenario_id)
    except LookupError:
        raise not_found(f"There is no scenario {scenario_id}.") from None
    return record, Scenario.from_stored(record.spec)


@api.get("/editor/units")
@operation(
    "Every LSOA's population and unit indexes in each layer, for the editor page",
    ok=responses.EditorUnits,
    query=schemas.EditorUnitsQuery,
)
def editor_blocks() -> Response:
    """Every LSOA's population and units; with ``scenario``, that scenario's ICBs too."""
    scenario_id = params.text("scenario")
    if scenario_id is None:
        data = _vintage()
        return gzipped_json(data, ("units",), lambda: _units(data, None))
    record, plan = saved_scenario(scenario_id)
    data = services().scenario_data(plan)
    # Saved scenarios never change, so the id is a lasting key.
    return gzipped_json(data, ("units", record.id),
                        lambda: _units(data, plan, record.id))  # fmt: skip


def _units(data: VintageData, plan: Scenario | None, scenario_id: int | None = None) -> Any:
    units = editor_units(data, resolve(data, plan) if plan is not None else None)
    units["icb_colours"] = icb_colours(units["layers"]["icb"]["codes"])
    units["provenance"] = {key: data.meta.get(key) for key in ("title", "population_source")}
    if plan is not None:
        units["scenario"] = {"id": scenario_id, "name": plan.name,
                             "description": plan.description}  # fmt: skip
    return units


@api.get("/editor/outlines/<layer>")
@operation(
    "A layer's outlines nationally (100 m), with an inside point per feature",
    ok=responses.FeatureCollection,
    query=schemas.VintageQuery,
    path=schemas.OutlinePath,
)
def editor_outlines(layer: str) -> Response:
    data = _vintage()
    if layer not in OUTLINE_LAYERS:
        raise not_found(f"unknown editor layer {layer!r}; valid: {', '.join(OUTLINE_LAYERS)}",
                        valid=list(OUTLINE_LAYERS))  # fmt: skip
    try:
        return gzipped_json(data, ("outlines", layer),
                            lambda: outlines(data, layer, NATIONAL_SIMPLIFY_M))  # fmt: skip
    except BoundaryLabError as exc:
        raise not_found(str(exc)) from None


@api.get("/editor/lsoas")
@operation(
    "LSOA outlines of up to 40 districts",
    ok=responses.FeatureCollection,
    query=schemas.EditorLsoasQuery,
)
def editor_lsoas() -> Response:
    """LSOA outlines of up to 40 districts: ``?ltla=E07000071,E07000072``."""
    data = _vintage()
    raw = params.text("ltla")
    if not raw:
        raise bad_request("give ltla: one or more district codes, comma-separated",
                          parameter="ltla")  # fmt: skip
    districts = sorted({code.strip().upper() for code in raw.split(",") if code.strip()})
    try:
        check_districts(data, districts)
    except BoundaryLabError as exc:
        raise bad_request(str(exc), parameter="ltla") from None
    return gzipped_json(data, ("lsoas", *districts), lambda: lsoa_outlines(data, districts))
