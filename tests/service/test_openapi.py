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


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, item in document["paths"].items()
            for method, op in item.items()]  # fmt: skip


def test_every_operation_describes_a_successful_response_with_a_schema(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, method, operation in operations(document):
        ok = [code for code in operation["responses"] if code.startswith("2")]
        assert ok, (path, method)
        for code in ok:
            content = operation["responses"][code]["content"]
            assert content and all("schema" in media for media in content.values()), (path, code)


def test_every_parameter_says_what_it_allows(app: Flask) -> None:
    """Each parameter has a type, and every name naming a choice lists the choices."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    choices = {"vintage", "by", "across", "sa_status", "ext", "layer"}
    for path, method, operation in operations(document):
        for parameter in operation["parameters"]:
            schema = parameter["schema"]
            assert schema.get("type") or schema.get("enum"), (path, method, parameter)
            if parameter["name"] in choices:
                assert schema.get("enum") or "const" in schema, (path, method, parameter["name"])


def test_vintage_is_one_of_the_built_vintages(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    built = app.extensions["boundary_lab"].usable()
    assert built == ["tiny"]  # the fixture's one vintage (tests/synthetic.py)
    seen = 0
    for _, _, operation in operations(document):
        for parameter in operation["parameters"]:
            if parameter["name"] == "vintage":
                assert parameter["schema"]["enum"] == built
                seen += 1
    assert seen > 30  # nearly every read takes one


def test_bounds_and_ids_come_from_the_checks(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    lat = next(p for p in paths["/lookup"]["get"]["parameters"] if p["name"] == "lat")
    assert (lat["schema"]["minimum"], lat["schema"]["maximum"]) == (-90, 90)
    scenario_id = paths["/scenarios/{scenario_id}"]["get"]["parameters"][0]["schema"]
    assert scenario_id == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    by = next(p for p in paths["/splits"]["get"]["parameters"] if p["name"] == "by")
    assert by["schema"]["enum"] == ["ltla", "utla", "icb", "sicbl", "region", "sa", "pcn"]
    assert by["schema"]["default"] == "utla"


def test_health_documents_its_503_and_errors_their_shape(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    health = document["paths"]["/healthz"]["get"]
    assert set(health["responses"]) == {"200", "503"} and health["security"] == []
    schema = health["responses"]["503"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Health"}
    splits = document["paths"]["/splits"]["get"]["responses"]
    assert {"400", "401", "403", "404", "503"} <= set(splits)
    assert splits["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "csrf_failed" not in splits["400"]["description"]  # reads need no CSRF token
    revoke = document["paths"]["/admin/tokens/{token_id}"]["delete"]["responses"]
    assert "csrf_failed" in revoke["400"]["description"]


def test_a_bad_query_value_is_refused_by_the_documented_check(client) -> None:  # noqa: ANN001
    """The query models refuse what the document disallows, with the checks' messages."""
    cases = [
        ("/api/v1/splits?by=ward", "unknown layer 'ward' for by; valid: ltla, utla"),
        ("/api/v1/typology?la_in_icb=2", "la_in_icb must be a number from 0 to 1, got '2'"),
        ("/api/v1/pcns/splits?all=maybe", "all must be true or false, got 'maybe'"),
        ("/api/v1/editor/lsoas", "give ltla: district codes, comma-separated"),
        ("/api/v1/editor/units?scenario=x1", "scenario must be a scenario id, got 'x1'"),
    ]
    for url, message in cases:
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in response.get_json()["error"]["message"], url
