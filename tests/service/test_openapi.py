"""The OpenAPI document describes exactly the routes the app serves."""

from __future__ import annotations

import re

from flask import Flask
from openapi_spec_validator import validate


def routed(app: Flask) -> set[tuple[str, str]]:
    pairs = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            pairs.add((path, method.lower()))
    return pairs


def test_document_is_valid_and_matches_the_routes(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert described == routed(app)


def test_every_operation_documents_its_errors_and_parameters(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), (path, method)
            assert operation["summary"]
