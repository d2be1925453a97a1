"""Schemathesis over the generated OpenAPI document: every operation, with valid and
invalid requests drawn from its own schemas (and valid ones on records that exist), must
answer without a server error and as the document says (status, body schema)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

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


def known(operation: Any, document: dict[str, Any], values: dict[str, Any]) -> st.SearchStrategy:
    """Valid requests on records that exist: ``values`` of the operation's parameters
    (``delete:`` names for deletes), and none of its other optional query parameters."""
    method = operation.method.lower()
    declared = document["paths"][operation.path][method].get("parameters", [])
    values = {**values, **{k.removeprefix("delete:"): v for k, v in values.items()
                           if method == "delete" and k.startswith("delete:")}}  # fmt: skip
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


@dataclass(frozen=True)
class Seed:
    """Records made before the run, so id paths find one sometimes: scenario 1 (``move``),
    place sets 1 and 2 (one place of ``county``; the second for DELETE to remove), and a
    spare viewer token (for DELETE to revoke)."""

    move: dict[str, str]
    county: str

    def __call__(self, client: FlaskClient, headers: dict[str, str]) -> None:
        made = client.post("/api/v1/scenarios", json={"name": "seed", "moves": [self.move]},
                           headers=headers)  # fmt: skip
        assert made.status_code == 201, made.get_data(as_text=True)
        places = {"name": "seed", "places": [
            {"name": "County", "blocks": [{"layer": "utla", "code": self.county}]}]}  # fmt: skip
        for _ in range(2):
            made = client.post("/api/v1/places/sets", json=places, headers=headers)
            assert made.status_code == 201, made.get_data(as_text=True)
        spare = {"name": "to revoke", "role": "viewer"}
        assert client.post("/api/v1/admin/tokens", json=spare, headers=headers).status_code == 201


def conformance_run(
    app: Flask,
    examples: int,
    skipped: set[str],
    values: dict[str, Any],
    seed: Seed | None = None,
) -> tuple[list[str], dict[str, set[int]]]:
    """Failures (one entry per failing operation) and the statuses each operation gave."""
    # admin holds every role; the WSGI transport does not undo gzip (the editor's bodies)
    headers = {**make_token(app, "admin"), "Accept-Encoding": "identity"}
    if seed is not None:
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
                          known(operation, document, values))  # fmt: skip

        try:
            explore(cases, examples, headers, statuses[label])
        except BaseException as exc:  # noqa: B036 - report every failing operation at once
            failures.append(f"{label}: {str(exc)[:2000]}")
    return failures, statuses
