"""Proposals: the fewest-people-moved redraw meeting chosen rules (analyst), saved as an
ordinary scenario and returned with its evaluation. The editor calls this endpoint."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from geodata.propose.proposal import InfeasibleProposal, builtin_base, propose
from geodata.propose.rules import ProposalRules, SolverSettings
from geodata.scenarios import Scenario
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.report import evaluation_data
from geodata.validation import check_name

from ..auth import identity, requires
from ..context import services
from ..errors import ApiError, bad_request, not_found
from . import api, bodies, responses
from .scenarios import _record_json
from .spec import operation

#: A request waits for its answer: keep solves within what a browser will wait for.
MAX_HTTP_TIME_LIMIT_S = 300.0
DEFAULT_HTTP_TIME_LIMIT_S = 30.0
BODY_FIELDS = ("vintage", "base", "name", "rules", "solver", "save")


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request(
            'send JSON {"vintage", "base": scenario id, "name", "rules": {…}, '
            '"solver": {…}, "save": true}; see /api/v1/openapi.json'
        )
    unknown = sorted(set(body) - set(BODY_FIELDS))
    if unknown:
        raise bad_request(f"unknown field(s) {', '.join(unknown)}; valid: {', '.join(BODY_FIELDS)}")
    return body


def _settings(raw: Any) -> SolverSettings:
    raw = (
        {"time_limit_s": DEFAULT_HTTP_TIME_LIMIT_S, **(raw or {})}
        if isinstance(raw, dict | type(None))
        else raw
    )
    settings = SolverSettings.from_dict(raw)
    if settings.time_limit_s > MAX_HTTP_TIME_LIMIT_S:
        raise bad_request(
            f"solver.time_limit_s is at most {MAX_HTTP_TIME_LIMIT_S:g} seconds over "
            "HTTP; use boundary-lab propose for longer solves"
        )
    return settings


@api.post("/proposals")
@requires("analyst")
@operation(
    "Propose a redraw (analyst): the fewest people moved from the base that meets the "
    "rules, solved exactly (HiGHS); 201 saved, 200 with save: false",
    ok=responses.Proposal,
    status=201,
    also={200: responses.Proposal},
    body=bodies.ProposalBody,
    errors=(400, 404, 422),
)
def create_proposal() -> tuple[Response, int]:
    body = _body()
    rules = ProposalRules.from_dict(body.get("rules") or {})
    settings = _settings(body.get("solver"))
    name = body.get("name")
    if name is not None:
        name = check_name(name, "name")  # the one name check (geodata.validation)
    save = body.get("save", True)
    if not isinstance(save, bool):
        raise bad_request("save must be true or false")
    base = None
    base_id = body.get("base")
    if isinstance(base_id, str) and base_id.startswith("builtin-"):
        vintage = body.get("vintage")
        data = services().vintage(vintage if isinstance(vintage, str) else None)
        base = builtin_base(data, base_id)
    elif base_id is not None:
        if isinstance(base_id, bool) or not isinstance(base_id, int):
            raise bad_request(f"base must be a scenario id or builtin-…, got {base_id!r}")
        try:
            base = Scenario.from_stored(services().db.get_scenario(base_id).spec)
        except LookupError:
            raise not_found(f"no scenario with id {base_id}") from None
        data = services().scenario_data(base)
    else:
        vintage = body.get("vintage")
        if vintage is not None and not isinstance(vintage, str):
            raise bad_request("vintage must be text")
        data = services().vintage(vintage)
    try:
        proposal = propose(data, rules, settings, base=base, name=name.strip() if name else None)
    except InfeasibleProposal as exc:
        raise ApiError(422, "infeasible", str(exc), exc.details()) from None
    evaluation = evaluate(
        services().vintage(data.name), proposal.scenario, rules.evaluation_rules()
    )
    out: dict[str, Any] = {
        "proposal": proposal.as_dict(),
        "evaluation": evaluation_data(evaluation),
    }
    if save:
        record = services().db.save_scenario(
            proposal.scenario.as_dict(), "proposal", identity().actor
        )
        out = {**_record_json(record), **out}
    else:
        out = {"id": None, "spec": proposal.scenario.as_dict(), **out}
    return jsonify(out), 201 if save else 200
