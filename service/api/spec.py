"""Operations described by pydantic models: one declaration both checks a request's query
and body and documents them in /api/v1/openapi.json, and names the models of its responses.

``@operation(...)`` goes between ``@api.get(...)`` and the view (below ``@requires``, so a
missing token is a 401 before a bad body is a 400). The query model's validators call the
checks in ``service.params``, so a bad value gets the same 400 message everywhere; the
checked values land in ``g.query``. A body goes through its model (bodies.py) and lands in
``g.body``; ``body_error`` turns pydantic's first error into the 400, saying where (the
JSON path), what was wrong and what is allowed, the latter read from the same JSON schema
the document shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import g, request
from pydantic import BaseModel, ValidationError

from ..errors import ApiError, bad_request
from ..params import figure
from .fields import REFUSED, REFUSED_WHOLE

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)

#: A response: a model (JSON), or media types of a file (no schema: bytes).
Body = type[BaseModel] | tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, Body]
    query: type[BaseModel] | None = None
    path: type[BaseModel] | None = None
    body: dict[str, type[BaseModel]] = field(default_factory=dict)  # media type -> model
    errors: tuple[int, ...] = (400, 404)
    public: bool = False  # no token needed, whatever the read policy


def operation(
    summary: str,
    *,
    ok: Body,
    status: int = 200,
    query: type[BaseModel] | None = None,
    path: type[BaseModel] | None = None,
    body: type[BaseModel] | dict[str, type[BaseModel]] | None = None,
    errors: tuple[int, ...] = (400, 404),
    also: dict[int, Body] | None = None,
    public: bool = False,
) -> Callable[[F], F]:
    bodies = body if isinstance(body, dict) else {"application/json": body} if body else {}
    spec = Operation(summary, {status: ok, **(also or {})}, query, path, bodies, errors, public)

    def wrap(view: F) -> F:
        if query is None and not bodies:
            view.openapi = spec  # type: ignore[attr-defined]
            return view

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                g.query = parse_query(query)
            if bodies:
                g.body = parse_body(bodies)
            return view(*args, **kwargs)

        checked.openapi = spec  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return wrap


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string through ``model``: blank values count as absent (their default),
    unknown names are ignored; a bad value is a 400 saying which, and what is allowed."""
    given = {name: value for name, value in request.args.items() if value.strip()}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise query_error(model, exc) from None


def query_error(model: type[BaseModel], exc: ValidationError) -> Exception:
    first = exc.errors(include_url=False)[0]
    name = ".".join(str(part) for part in first["loc"]) or "query"
    about = model.model_fields[name].description if name in model.model_fields else None
    if first["type"] == "missing":
        return bad_request(f"give {name}: {about or 'it is required'}", parameter=name)
    got = first.get("input")
    return bad_request(f"{name}: {first['msg'].lower()}, got {got!r}", parameter=name)


FORM = "multipart/form-data"


def parse_body(bodies: dict[str, type[BaseModel]]) -> BaseModel:
    """The request's body through the model of its media type: a multipart form (text
    fields, blank ones absent, and files) or a JSON object."""
    form = bodies.get(FORM)
    if form is not None and request.mimetype == FORM:
        return parse_form(form)
    model = bodies["application/json"]
    raw = request.get_json(silent=True)  # too deep a body is a 400 of its own (jsonbody.py)
    if raw is None:
        upload = " or a multipart upload with a file" if form is not None else ""
        raise bad_request(f"{_send_json(model)} (Content-Type: application/json){upload}; "
                          "see /api/v1/openapi.json", parameter="body")  # fmt: skip
    return validate_body(model, raw)


def parse_form(model: type[M]) -> M:
    """A multipart form through ``model``: its text fields (blank ones count as absent)
    and its files."""
    given: dict[str, Any] = {k: v for k, v in request.form.items() if v.strip()}
    return validate_body(model, {**given, **request.files.to_dict()})


def validate_body(model: type[M], raw: Any) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise body_error(model, exc) from None


def body_error(model: type[BaseModel], exc: ValidationError) -> ApiError:
    """The first of pydantic's errors as a 400: the JSON path (``moves[2].to_icb``), what is
    wrong and what is allowed, from ``model``'s JSON schema (the document's)."""
    schema = _schema(model)
    errors = exc.errors(include_url=False)
    first = errors[0]
    parts, node = _locate(schema, first["loc"])
    path = _json_path(parts)
    if first["type"] == "extra_forbidden":  # every unknown name of that object at once
        owner = first["loc"][:-1]
        owner_parts, owner_node = _locate(schema, owner)
        where = _json_path(owner_parts)
        valid = list(_resolve(schema, owner_node).get("properties", {}))
        unknown = sorted(str(e["loc"][-1]) for e in errors
                         if e["type"] == "extra_forbidden" and e["loc"][:-1] == owner)  # fmt: skip
        return bad_request(f"{where + ': ' if where else ''}unknown field(s) "
                           f"{', '.join(unknown)}; valid: {', '.join(valid)}",
                           parameter=where or "body", valid=valid)  # fmt: skip
    if first["type"] == REFUSED_WHOLE:
        return bad_request(first["msg"], parameter=path or "body")
    if not parts and first["type"] in OBJECT_TYPES:
        return bad_request(f"{_send_json(model)}, got {_shown(first['input'])}",
                           parameter="body")  # fmt: skip
    node = _resolve(schema, node)
    details: dict[str, Any] = {"parameter": path or "body"}
    if "enum" in node:
        details["valid"] = node["enum"]
    noun = next((p for p in reversed(parts) if isinstance(p, str)), "items")
    return bad_request(f"{path or 'the body'} {_wording(first, node, noun)}", **details)


#: pydantic's errors for "not an object".
OBJECT_TYPES = ("model_type", "model_attributes_type", "dict_type")


def _send_json(model: type[BaseModel]) -> str:
    return f"send JSON: an object {{{', '.join(model.model_fields)}}}"


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _wording(error: Any, node: dict[str, Any], noun: str) -> str:
    """What is wrong, said of the value: "must be a number from -90 to 90, got 100"."""
    kind, ctx, got = error["type"], error.get("ctx") or {}, _shown(error.get("input"))
    about = node.get("description")
    hint = f" ({about})" if about else ""
    if kind == REFUSED:
        return str(error["msg"])
    if kind == "missing":
        return f"is required{': ' + about if about else ''}"
    if kind in OBJECT_TYPES:
        return f"must be an object {{{', '.join(node.get('properties', {}))}}}, got {got}"
    pair = node.get("minItems") is not None and node.get("minItems") == node.get("maxItems")
    if kind in ("list_type", "too_short", "too_long") and pair:
        return f"must be a list of {node.get('minItems')}{hint}, got {got}"
    if kind == "list_type":
        return f"must be a list, got {got}"
    if kind == "too_long":
        return f"has {ctx['actual_length']:,} {noun}; at most {ctx['max_length']:,} {noun}"
    if kind == "too_short":
        return f"is empty; give at least {ctx['min_length']:,}{hint}"
    if kind in ("literal_error", "enum"):
        return f"must be one of {', '.join(map(str, node.get('enum', [])))}, got {got}{hint}"
    if kind == "string_type":
        return f"must be text, got {got}"
    if kind == "bool_type":
        return f"must be true or false, got {got}"
    if node.get("type") in ("integer", "number"):
        number = "a whole number" if node["type"] == "integer" else "a number"
        return f"must be {number}{_range(node)}, got {got}{hint}"
    return f"is not allowed: {str(error['msg']).lower()}, got {got}{hint}"


def _range(node: dict[str, Any]) -> str:
    low, high = node.get("minimum"), node.get("maximum")
    if low is not None and high is not None:
        return f" from {figure(low)} to {figure(high)}"
    bounds = [f"{word} {figure(node[key])}" for key, word in (
        ("minimum", "at least"), ("exclusiveMinimum", "more than"),
        ("maximum", "at most"), ("exclusiveMaximum", "below")) if key in node]  # fmt: skip
    return " " + " and ".join(bounds) if bounds else ""


def _shown(value: Any) -> str:
    """A value as a message quotes it: short, and JSON's words for JSON's values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value):,}"
    if isinstance(value, str):
        return repr(value[:80] + ("…" if len(value) > 80 else ""))
    return repr(value)[:80]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with its $ref followed and an optional (``X | None``) taken as ``X``."""
    while True:
        if "$ref" in node:
            target = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            continue
        options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            node = {**options[0], **{k: v for k, v in node.items() if k != "anyOf"}}
            continue
        return node


def _locate(schema: dict[str, Any], loc: tuple[Any, ...]) -> tuple[list[Any], dict[str, Any]]:
    """The JSON path of pydantic's ``loc`` and the schema there. A union's member name in
    ``loc`` (a tag, or a type) is no part of the JSON: it picks the member."""
    parts: list[Any] = []
    node = schema
    for i, part in enumerate(loc):
        node = _resolve(schema, node)
        if isinstance(part, int):
            parts.append(part)
            node = node.get("items", {})
        elif "properties" in node:
            parts.append(part)
            node = node["properties"].get(part, {})
        elif "oneOf" in node or "anyOf" in node:
            ahead = loc[i + 1] if i + 1 < len(loc) else None
            members = [_resolve(schema, m) for m in node.get("oneOf", node.get("anyOf", []))]
            node = next((m for m in members if ahead in m.get("properties", {})), node)
        else:
            parts.append(part)
            node = {}
    return parts, node


def _json_path(parts: list[Any]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path
