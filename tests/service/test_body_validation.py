"""Request bodies are checked by the pydantic models the OpenAPI document is generated from.

Bad bodies get a 400 that names the JSON path and says what is allowed; and for every JSON
body, a value that breaks only one bound the served document states (maxLength, maxItems,
minimum, enum, type, additionalProperties...) is refused with a 400 naming that path. The
violating values are read from the document itself, so the test follows the schema."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from service_fixtures import make_token

MAX_ID = 2**31 - 1
MOVE = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
PLACE = {"name": "County", "code": "county", "blocks": [{"layer": "utla", "code": "E10000001"}]}

#: (path, body, the message, its ``parameter``): written out here, not from the code.
BAD_BODIES: list[tuple[str, Any, str, str]] = [
    ("/lookup", {"points": [{"lat": 100, "lon": 0}]},
     "points[0].lat must be a number from -90 to 90, got 100", "points[0].lat"),
    ("/lookup", {"points": [{"lat": 51.5, "lon": 0}, {"easting": 800_000, "northing": 1}]},
     "points[1].easting must be a number from 0 to 700,000, got 800000", "points[1].easting"),
    ("/lookup", {"points": [{"lat": "51.5", "lon": 0}]},
     "points[0].lat must be a number from -90 to 90, got '51.5'", "points[0].lat"),
    ("/lookup", {"points": [{"x": 1}]}, "points[0] must be {lat, lon} in degrees or "
     "{easting, northing} in British National Grid metres", "points[0]"),
    ("/lookup", {"points": [{"easting": 500_000}]}, "points[0].northing is required",
     "points[0].northing"),
    ("/lookup", {"points": []}, "points is empty; give at least 1", "points"),
    ("/scenarios", {"moves": [MOVE, MOVE, {**MOVE, "to_icb": "x" * 151}]},
     "moves[2].to_icb is 151 characters long; at most 150", "moves[2].to_icb"),
    ("/scenarios", {"moves": [{**MOVE, "unit_layer": "county"}]},
     "moves[0].unit_layer must be one of lsoa, ltla, utla, sicbl, pcn, place, got 'county'",
     "moves[0].unit_layer"),
    ("/scenarios", {"moves": [{**MOVE, "new_icb": "Essex"}]}, "moves[0] gives new_icb (a new "
     "ICB's name) or to_icb (an existing ICB), not both", "moves[0]"),
    ("/scenarios", {"blocks": [["E01000001", "E54000001"], ["E01000002", "E54000001", "x"]]},
     "blocks[1] must be a list of 2 ([LSOA code, ICB code or name]), got a list of 3",
     "blocks[1]"),
    ("/scenarios", {"moves": [MOVE], "parent": True},
     f"parent must be a scenario id (1 to {MAX_ID}), got true", "parent"),
    ("/scenarios", {"moves": [MOVE], "description": "a\x00b"},
     "description has a NUL character (U+0000) at character 2; line breaks and tabs are the "
     "only control characters allowed", "description"),
    ("/scenarios", {"moves": [MOVE], "notes": ["mine"]},
     "notes are written by the service (e.g. an upload's warnings); put your own text in "
     "description", "body"),
    ("/scenarios/evaluate", {"moves": [{**MOVE, "code": 5}]},
     "moves[0].code must be text, got int", "moves[0].code"),
    ("/scenarios/evaluate", {"place_set": 3}, "place_set must be text, got int", "place_set"),
    ("/places/sets", {"name": "s", "places": [PLACE], "allow_overlaps": "yes"},
     "allow_overlaps must be true or false, got 'yes'", "allow_overlaps"),
    ("/places/sets", {"name": "s", "places": [PLACE], "icbs": ["E54000001"] * 101},
     "icbs has 101 icbs; at most 100 icbs", "icbs"),
    ("/places/sets", {"name": "s", "places": [{**PLACE, "blocks": ["E10000001"]}]},
     "places[0].blocks[0] must be an object {layer, code}, got 'E10000001'",
     "places[0].blocks[0]"),
    ("/places/sets", {"places": [PLACE]}, "name is required: one printable line", "name"),
    ("/places/sets", {"name": "s", "places": [PLACE], "parent": "1"},
     f"parent must be a place set id (1 to {MAX_ID}), got '1'", "parent"),
    ("/admin/tokens", {"name": "t", "role": "boss"},
     "role must be one of viewer, analyst, reviewer, admin, got 'boss'", "role"),
    ("/admin/tokens", {"name": "  ", "role": "viewer"}, "name is empty; give some text", "name"),
    ("/proposals", {"solver": {"threads": 65}},
     "solver.threads must be a whole number from 1 to 64, got 65", "solver.threads"),
    ("/proposals", {"solver": {"mip_rel_gap": 1}},
     "solver.mip_rel_gap must be a number at least 0 and below 1, got 1", "solver.mip_rel_gap"),
    ("/proposals", {"solver": {"time_limit_s": 0}},
     "solver.time_limit_s must be a number more than 0 and at most 300, got 0",
     "solver.time_limit_s"),
    ("/proposals", {"rules": {"colour": "red", "units": "ltla", "shape": 1}},
     "rules: unknown field(s) colour, shape; valid: units, council_within_one_icb", "rules"),
    ("/proposals", {"base": "abc"}, f"base must be a saved scenario's id (1 to {MAX_ID}) or a "
     "built-in scenario (builtin-…), got 'abc'", "base"),
    ("/proposals", {"save": 1}, "save must be true or false, got 1", "save"),
    ("/proposals", {"rules": {"max_icbs": 2.5}},
     "rules.max_icbs must be a whole number at least 1, got 2.5", "rules.max_icbs"),
]  # fmt: skip


@pytest.fixture
def admin(app: Flask) -> dict[str, str]:
    return make_token(app, "admin")  # every role: each write is allowed, only the body fails


@pytest.mark.parametrize(("path", "body", "message", "parameter"), BAD_BODIES,
                         ids=[f"{c[0]}:{c[3]}" for c in BAD_BODIES])  # fmt: skip
def test_a_bad_body_is_a_400_naming_where_and_what_is_allowed(
    client: FlaskClient, admin: dict[str, str], path: str, body: Any, message: str,
    parameter: str,
) -> None:  # fmt: skip
    response = client.post(f"/api/v1{path}", json=body, headers=admin)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert message in error["message"], error
    assert error["details"]["parameter"] == parameter, error
    assert client.get("/api/v1/scenarios").get_json() == []


def test_a_role_outside_the_enum_lists_the_roles_in_the_details(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    response = client.post("/api/v1/admin/tokens", json={"name": "t", "role": "boss"},
                           headers=admin)  # fmt: skip
    assert response.get_json()["error"]["details"]["valid"] == [
        "viewer", "analyst", "reviewer", "admin"]  # fmt: skip


def test_json_that_is_not_a_number_is_refused(client: FlaskClient, admin: dict[str, str]) -> None:
    """Python's JSON parser takes NaN and Infinity; the bounds refuse them."""
    for raw in ('{"rules": {"min_icb_population": NaN}}', '{"solver": {"seed": Infinity}}'):
        response = client.post("/api/v1/proposals", data=raw, headers=admin,
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400, raw
    message = response.get_json()["error"]["message"]
    assert message.startswith("solver.seed must be a whole number from 0 to 2,147,483,647, "
                              "got inf")  # fmt: skip


def test_the_upload_form_goes_through_its_model(client: FlaskClient, admin: dict[str, str]) -> None:
    csv = b"E01000001,E54000002\n"
    bad = client.post("/api/v1/scenarios", headers=admin,
                      data={"file": (io.BytesIO(csv), "b.csv"), "parent": "first"})  # fmt: skip
    assert bad.status_code == 400
    assert bad.get_json()["error"]["message"] == (
        f"parent must be a scenario id (1 to {MAX_ID}), got 'first'")  # fmt: skip
    made = client.post("/api/v1/scenarios", headers=admin, data={
        "file": (io.BytesIO(csv), "b.csv"), "name": "  ", "description": "from a CSV"})  # fmt: skip
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["name"] == "b.csv"  # a blank field counts as absent
    assert made.get_json()["spec"]["description"] == "from a CSV"


# ---- the document and the checks are one ------------------------------------------------

#: A valid body per operation, holding an item in each list so the items' bounds are tried.
VALID = {
    "/lookup": {"points": [{"lat": 51.5, "lon": -0.1}, {"easting": 502_500,
                                                        "northing": 200_500}]},
    "/scenarios": {"name": "n", "vintage": "tiny", "moves": [MOVE],
                   "blocks": [["E01000001", "E54000002"]]},
    "/scenarios/evaluate": {"vintage": "tiny", "moves": [MOVE],
                            "blocks": [["E01000001", "E54000002"]]},
    "/places/sets": {"name": "s", "vintage": "tiny", "icbs": ["E54000001"], "places": [PLACE]},
    "/admin/tokens": {"name": "t", "role": "viewer"},
    "/proposals": {"vintage": "tiny", "name": "p", "save": False,
                   "rules": {"locked_icbs": ["E54000001"]}, "solver": {"time_limit_s": 5}},
}  # fmt: skip
WRONG_TYPE = {"string": 12345, "integer": 1.5, "number": "1", "boolean": "true",
              "array": "x", "object": "x"}  # fmt: skip


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while True:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = {**document["components"]["schemas"][name],
                      **{k: v for k, v in schema.items() if k != "$ref"}}  # fmt: skip
            continue
        options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            schema = {**options[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
            continue
        return schema


def _breaking(schema: dict[str, Any], valid: Any) -> Iterator[tuple[str, Any]]:
    """(bound, a value breaking only it) for each bound ``schema`` states."""
    kind = schema.get("type")
    if kind in WRONG_TYPE:
        yield "type", WRONG_TYPE[kind]
    if "enum" in schema:
        yield "enum", "zz-not-allowed"
    if "maxLength" in schema:
        yield "maxLength", "x" * (schema["maxLength"] + 1)
    if schema.get("minLength"):
        yield "minLength", ""
    step = 1 if kind == "integer" else 0.5
    for bound, value in (("maximum", schema.get("maximum")), ("minimum", schema.get("minimum"))):
        if value is not None:
            yield bound, value + step if bound == "maximum" else value - step
    for bound in ("exclusiveMaximum", "exclusiveMinimum"):
        if bound in schema:
            yield bound, schema[bound]
    if "maxItems" in schema and isinstance(valid, list) and valid:
        yield "maxItems", [valid[0]] * (schema["maxItems"] + 1)
    if schema.get("minItems"):
        yield "minItems", []
    if schema.get("additionalProperties") is False and isinstance(valid, dict):
        yield "additionalProperties", {**valid, "zz_unknown": 1}


def _cases(document: dict[str, Any], schema: dict[str, Any], valid: Any,
           path: list[Any]) -> Iterator[tuple[list[Any], str, Any]]:  # fmt: skip
    """(where, bound, value) for ``schema`` and, within the valid body, what it holds."""
    schema = _resolve(document, schema)
    members = schema.get("oneOf") or schema.get("anyOf")
    if members:  # a union: the member the valid value is; a leaf union is not tried
        if not isinstance(valid, dict):
            return
        schema = next(m for m in (_resolve(document, m) for m in members)
                      if set(valid) <= set(m.get("properties", {})))  # fmt: skip
    if path:
        for bound, value in _breaking(schema, valid):
            yield path, bound, value
    if "properties" in schema and isinstance(valid, dict):
        if not path and schema.get("additionalProperties") is False:
            yield path, "additionalProperties", {**valid, "zz_unknown": 1}
        for name, field in schema["properties"].items():
            given = valid.get(name)
            yield from _cases(document, field, given, [*path, name])
    if "items" in schema and isinstance(valid, list):
        for i, item in enumerate(valid):
            yield from _cases(document, schema["items"], item, [*path, i])


def _put(body: Any, where: list[Any], value: Any) -> Any:
    if not where:
        return value
    out = copy.deepcopy(body)
    target = out
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    return out


def _json_path(where: list[Any]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def test_every_bound_the_document_states_is_checked(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operations = {path: item["post"]["requestBody"]["content"]["application/json"]["schema"]
                  for path, item in document["paths"].items()
                  if "application/json" in item.get("post", {}).get("requestBody", {}).get(
                      "content", {})}  # fmt: skip
    assert set(operations) == set(VALID)  # a new JSON body needs a valid example here
    tried: dict[str, set[str]] = {path: set() for path in operations}
    for path, schema in operations.items():
        for where, bound, value in _cases(document, schema, VALID[path], []):
            body = _put(VALID[path], where, value)
            response = client.post(f"/api/v1{path}", data=json.dumps(body), headers=admin,
                                   content_type="application/json")  # fmt: skip
            label = f"{path} {_json_path(where) or 'body'} {bound}"
            assert response.status_code == 400, (label, response.get_json())
            error = response.get_json()["error"]
            expected = _json_path(where) or "body"
            if error["details"].get("parameter") != expected:  # the vintage: a 400 of its own
                assert bound == "enum" and where == ["vintage"], (label, error)
                assert error["message"].startswith("unknown vintage 'zz-not-allowed'"), error
            tried[path].add(bound)
    # Each body had bounds to try, and the kinds that matter were met somewhere.
    assert all(tried.values()), tried
    met = set().union(*tried.values())
    assert met >= {"type", "enum", "maxLength", "minLength", "maximum", "minimum",
                   "exclusiveMinimum", "exclusiveMaximum", "maxItems", "minItems",
                   "additionalProperties"}, met  # fmt: skip
    # The valid bodies themselves are taken (a solve is left to test_proposals_api).
    for path, body in VALID.items():
        if path != "/proposals":
            response = client.post(f"/api/v1{path}", json=body, headers=admin)
            assert response.status_code in (200, 201), (path, response.get_json())
