"""Schemathesis against the app on the tiny synthetic store: every operation of the
generated OpenAPI document, with valid and invalid requests drawn from its own schemas,
answers without a server error and as the document says (status, body schema)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_token
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
#: Examples per operation (half valid, half not): ~50 operations in well under two minutes.
EXAMPLES = 30
#: Solves run for up to minutes by design; test_proposals_api covers them.
SKIPPED = {"POST /proposals"}
#: What the tiny store cannot answer with a 2xx (no PCN or strategic authority layer, one
#: vintage only); tests/integration/test_schemathesis_real.py runs them on the bundle.
NEEDS_REAL_DATA = {
    "GET /alignment",
    "GET /reports/alignment.{ext}",
    "GET /pcns",
    "GET /pcns/area/{code}",
    "GET /pcns/catchments.geojson",
    "GET /pcns/mismatches",
    "GET /pcns/practices.geojson",
    "GET /pcns/splits",
    "GET /reports/pcn-splits.{ext}",
    "GET /reports/pcns.{ext}",
    "GET /vintages/compare",
    "GET /reports/vintages-compare.{ext}",
    "GET /scenarios/builtin/{key}/evaluation",
    "POST /places/sets",
}  # fmt: skip (a random body names no real unit; seed())
#: Values naming records that exist (seeded below, or in the tiny store): random ids and
#: codes almost never do. Deletes get records of their own, so the others stay.
KNOWN = {"scenario_id": 1, "ref": "1", "code": "E10000001", "ltla": "E07000002",
         "lsoa": "E01000001", "a": "baseline", "b": "1", "icb": "E54000001"}  # fmt: skip
KNOWN_FOR_DELETE = {"ref": "2", "token_id": 2}


def seed(client: FlaskClient, headers: dict[str, str]) -> None:
    """A saved scenario and place set with id 1, so id paths find a record sometimes."""
    move = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
    made = client.post("/api/v1/scenarios", json={"name": "seed", "moves": [move]},
                       headers=headers)  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
    places = {"name": "seed", "places": [
        {"name": "County", "blocks": [{"layer": "utla", "code": "E10000001"}]}]}  # fmt: skip
    for _ in range(2):  # the second for DELETE to remove
        made = client.post("/api/v1/places/sets", json=places, headers=headers)
        assert made.status_code == 201, made.get_data(as_text=True)
    spare = {"name": "to revoke", "role": "viewer"}
    assert client.post("/api/v1/admin/tokens", json=spare, headers=headers).status_code == 201


def known(operation: Any, document: dict[str, Any]) -> st.SearchStrategy:
    """Valid requests on records that exist: the KNOWN values of the operation's
    parameters, the rest drawn from the schema."""
    method = operation.method.lower()
    declared = document["paths"][operation.path][method].get("parameters", [])
    values = {**KNOWN, **(KNOWN_FOR_DELETE if method == "delete" else {})}
    given = {where: {p["name"]: values[p["name"]] for p in declared
                     if p["in"] == where and p["name"] in values}
             for where in ("path", "query")}  # fmt: skip
    required = {p["name"] for p in declared if p["in"] == "query" and p["required"]}

    def only_known(case: schemathesis.Case) -> schemathesis.Case:
        case.query = {k: v for k, v in (case.query or {}).items()
                      if k in given["query"] or k in required}  # fmt: skip
        return case

    strategy = operation.as_strategy(GenerationMode.POSITIVE,
                                     path_parameters=given["path"] or None,
                                     query=given["query"] or None)  # fmt: skip
    return strategy.map(only_known)


def explore(cases: st.SearchStrategy, examples: int, headers: dict[str, str],
            seen: set[int]) -> None:  # fmt: skip
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=cases)
    def run(case: schemathesis.Case) -> None:
        seen.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    run()


def conformance_run(
    app: Flask, examples: int, skipped: set[str]
) -> tuple[list[str], dict[str, set[int]]]:
    """Failures (one entry per failing operation) and the statuses each operation gave."""
    # admin holds every role; the WSGI transport does not undo gzip (the editor's bodies)
    headers = {**make_token(app, "admin"), "Accept-Encoding": "identity"}
    seed(app.test_client(), headers)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    failures: list[str] = []
    statuses: dict[str, set[int]] = defaultdict(set)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletes last (a random id may name a seeded record), revoking tokens (ours too) last of all.
    operations.sort(key=lambda op: (op.method == "delete", "/admin/" in op.path))
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        if label in skipped:
            continue
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE),
                          known(operation, document))  # fmt: skip

        try:
            explore(cases, examples, headers, statuses[label])
        except BaseException as exc:  # noqa: B036 - report every failing operation at once
            failures.append(f"{label}: {str(exc)[:2000]}")
    return failures, statuses


def test_every_operation_conforms_to_the_document(app: Flask) -> None:
    failures, statuses = conformance_run(app, EXAMPLES, SKIPPED)
    assert not failures, "\n\n".join(failures)
    # The run reached the views, not only the checks in front of them.
    answered = {label for label, codes in statuses.items() if any(c < 300 for c in codes)}
    answered |= NEEDS_REAL_DATA
    never = "\n".join(f"{k}: {sorted(statuses[k])}" for k in sorted(set(statuses) - answered))
    assert answered >= set(statuses), f"never answered 2xx:\n{never}"


@pytest.mark.parametrize("path", ["/api/v1/splits", "/api/v1/vintages"])
def test_a_wrong_method_names_the_allowed_ones(client: FlaskClient, path: str) -> None:
    response = client.delete(path)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
