"""Schemathesis against the app on the tiny synthetic store: every operation of the
generated OpenAPI document, with valid and invalid requests drawn from its own schemas,
answers without a server error and as the document says (status, body schema)."""

from __future__ import annotations

from collections import defaultdict

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


def seed(client: FlaskClient, headers: dict[str, str]) -> None:
    """A saved scenario and place set with id 1, so id paths find a record sometimes."""
    move = {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
    made = client.post("/api/v1/scenarios", json={"name": "seed", "moves": [move]},
                       headers=headers)  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
    places = {"name": "seed", "places": [
        {"name": "County", "blocks": [{"layer": "utla", "code": "E10000001"}]}]}  # fmt: skip
    made = client.post("/api/v1/places/sets", json=places, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)


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
    failures: list[str] = []
    statuses: dict[str, set[int]] = defaultdict(set)
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in skipped:
            continue
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))  # fmt: skip

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
    never = "\n".join(f"{k}: {sorted(statuses[k])}" for k in sorted(set(statuses) - answered))
    assert len(answered) >= 0.8 * len(statuses), f"never answered 2xx:\n{never}"


@pytest.mark.parametrize("path", ["/api/v1/splits", "/api/v1/vintages"])
def test_a_wrong_method_names_the_allowed_ones(client: FlaskClient, path: str) -> None:
    response = client.delete(path)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
