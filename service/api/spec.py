"""Operations described by pydantic models: one declaration both checks a request's query
and documents it in /api/v1/openapi.json, and names the models of its responses.

``@operation(...)`` goes between ``@api.get(...)`` and the view (above ``@requires``). The
query model's validators call the checks in ``service.params``, so a bad value gets the
same 400 message everywhere; the checked values land in ``g.query``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import g, request
from pydantic import BaseModel, ValidationError

from ..errors import bad_request

F = TypeVar("F", bound=Callable[..., Any])

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
        if query is None:
            view.openapi = spec  # type: ignore[attr-defined]
            return view

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            g.query = parse_query(query)
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
