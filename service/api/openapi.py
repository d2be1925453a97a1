"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json: generated from
the routes and their ``@operation`` declarations (pydantic models of the query, path,
body and responses), so it cannot drift from what the views check and answer."""

from __future__ import annotations

import re
from typing import Any, cast

from flask import Flask, Response, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import Rule

from geodata import __version__

from ..context import services
from ..db import MAX_ID
from . import api
from .responses import Error, Health, OpenApi
from .schemas import VINTAGE_ENUM
from .spec import Operation, operation

#: Writes from a signed-in browser session need its CSRF token (service/sessions.py).
CSRF = " (code csrf_failed: a signed-in session's write without its X-CSRF-Token)"
ERRORS = {
    400: "bad input: the message says what was wrong and what is allowed",
    401: "no, unknown or revoked token",
    403: "the token's role is too low for this",
    404: "unknown code, layer, id or format",
    409: "the record changed or is in use",
    413: "the body is larger than the limit",
    422: "the input is well formed but cannot be used (the message says why)",
    503: "the database is unavailable (with Retry-After)",
}
REF = "#/components/schemas/{model}"


def _models(ops: list[Operation]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """Every model with the mode it is read in: a response as it is written, a request
    body as it is checked (the two differ where a validator reads more than it writes)."""
    found: dict[str, tuple[type[BaseModel], JsonSchemaMode]] = {"Error": (Error, "serialization")}
    for op in ops:
        for model in op.responses.values():
            if isinstance(model, type):
                found.setdefault(model.__name__, (model, "serialization"))
        for model in op.body.values():
            found.setdefault(model.__name__, (model, "validation"))
    return list(found.values())


def _with_vintages(schema: Any, vintages: list[str]) -> Any:
    """Fill every field marked VINTAGE_ENUM with the built vintages' names."""
    if isinstance(schema, dict):
        out = {k: _with_vintages(v, vintages) for k, v in schema.items() if k != VINTAGE_ENUM}
        if schema.get(VINTAGE_ENUM):
            out["enum"] = vintages
        return out
    if isinstance(schema, list):
        return [_with_vintages(item, vintages) for item in schema]
    return schema


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: an absent value is no value, not null."""
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1 and "anyOf" in schema:
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **options[0]}
    if schema.get("default", 0) is None:
        schema = {k: v for k, v in schema.items() if k != "default"}
    return {k: v for k, v in schema.items() if k != "title"}


def _parameters(model: type[BaseModel] | None, where: str) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, field_schema in schema["properties"].items():
        plain = _plain(field_schema)
        out.append({"name": name, "in": where, "required": where == "path" or name in required,
                    "description": plain.pop("description", name), "schema": plain})  # fmt: skip
    return out


def _path_parameters(rule: Rule, op: Operation) -> list[dict[str, Any]]:
    """Declared path parameters, and ids (the ``int`` converter) from the rule itself."""
    declared = {p["name"]: p for p in _parameters(op.path, "path")}
    out = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
        if name in declared:
            out.append(declared[name])
        elif converter == "int":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            out.append({"name": name, "in": "path", "required": True, "description": "an id",
                        "schema": schema})  # fmt: skip
        else:
            out.append({"name": name, "in": "path", "required": True, "description": name,
                        "schema": {"type": "string", "minLength": 1}})  # fmt: skip
    return out


def _content(body: Any, refs: dict[type[BaseModel], Any]) -> dict[str, Any]:
    if isinstance(body, type):
        return {"application/json": {"schema": refs[body]}}
    return {media: {"schema": {"type": "string", "format": "binary"}} for media in body}


def _operation(rule: Rule, method: str, op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, body in op.responses.items():
        if isinstance(body, type):
            about = body.__doc__ or f"the answer ({body.__name__})"
        else:
            about = f"the file ({' or '.join(body)})"
        if status == 503 and body is Health:
            about = "unavailable: the reasons say what (database, vintages, store)"
        content = _content(body, refs)
        if isinstance(body, type) and body.__name__ == "FeatureCollection":
            content = {"application/geo+json": content["application/json"]}
        responses[str(status)] = {"description": about.strip().splitlines()[0],
                                  "content": content}  # fmt: skip
    errors = set(op.errors) | ({413} if op.body else set()) | ({400} if method != "get" else set())
    if not op.public:
        errors |= {401, 403, 503}
    for status in sorted(errors - set(op.responses)):
        csrf = CSRF if status == 400 and method != "get" else ""
        responses[str(status)] = {
            "description": ERRORS[status] + csrf,
            "content": {"application/json": {"schema": refs[Error]}},
        }
    out: dict[str, Any] = {
        "operationId": f"{method}_{rule.endpoint.removeprefix('api.')}",
        "summary": op.summary,
        "parameters": _path_parameters(rule, op) + _parameters(op.query, "query"),
        "responses": responses,
    }
    if op.body:
        out["requestBody"] = {"required": True, "content": {
            media: {"schema": refs[model]} for media, model in op.body.items()}}  # fmt: skip
    if op.public:
        out["security"] = []
    return out


def document(app: Flask) -> dict[str, Any]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            view = app.view_functions[rule.endpoint]
            routes.append((rule, cast(Any, view).openapi))  # set by @operation
    models = _models([op for _, op in routes])
    refs, defs = models_json_schema(models, ref_template=REF)
    by_model = {model: ref for (model, _), ref in refs.items()}
    paths: dict[str, Any] = {}
    for rule, op in sorted(routes, key=lambda r: r[0].rule):
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule, method.lower(), op, by_model
            )
    built = services().usable()
    return _with_vintages({
        "openapi": "3.1.0",
        "info": {
            "title": "Boundary Lab API",
            "version": __version__,
            "description": "Population splits of English councils across ICBs, SICBLs and "
            "other layers, from LSOA building blocks. Reads follow the read policy "
            "(anonymous by default); writes need an analyst token, admin paths an admin "
            "token. A signed-in browser session works too; its writes need the CSRF token "
            "(X-CSRF-Token).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": defs.get("$defs", {}),
        },
        "security": [{}, {"bearer": []}, {"session": []}],
    }, built)  # fmt: skip


@api.get("/openapi.json")
@operation("This document (OpenAPI 3.1)", ok=OpenApi, errors=(), public=True)
def openapi() -> Response:
    cached = current_app.extensions.setdefault("openapi_document", {})
    if "body" not in cached:  # the routes and vintages are fixed for the process's life
        cached["body"] = document(current_app._get_current_object())  # type: ignore[attr-defined]
    return jsonify(cached["body"])
