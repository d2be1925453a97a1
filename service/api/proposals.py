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

from ..auth import identity, requires
from ..context import services
from ..errors import ApiError, bad_request, not_found
from . import api
from .scenarios import _record_json

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
def create_proposal() -> tuple[Response, int]:
    body = _body()
    rules = ProposalRules.from_dict(body.get("rules") or {})
    settings = _settings(body.get("solver"))
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 200):
        raise bad_request("name must be text of 1 to 200 characters")
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


RULES_SCHEMA = {
    "type": "object",
    "properties": {
        "units": {
            "type": "string",
            "enum": ["ltla", "utla", "sicbl", "sa"],
            "default": "ltla",
            "description": "building units: districts, upper-tier councils, sub-ICB "
            "locations, or strategic authorities plus the districts outside them",
        },
        "council_within_one_icb": {"type": "boolean", "default": True},
        "sa_within_one_icb": {"type": "boolean", "default": False},
        "sa_status": {"type": "string", "enum": ["all", "established"], "default": "all"},
        "min_icb_population": {"type": "number", "nullable": True, "minimum": 0},
        "max_icb_population": {"type": "number", "nullable": True, "minimum": 0},
        "contiguous": {"type": "boolean", "default": True},
        "link_islands": {"type": "boolean", "default": True},
        "max_icbs": {"type": "integer", "nullable": True, "minimum": 1},
        "exact_icbs": {"type": "integer", "nullable": True, "minimum": 1},
        "locked_icbs": {"type": "array", "items": {"type": "string"}},
        "weight_icbs": {
            "type": "number",
            "minimum": 0,
            "default": 0,
            "description": "people added to the objective per ICB used",
        },
        "weight_compactness": {
            "type": "number",
            "minimum": 0,
            "default": 0,
            "description": "people per km of boundary between ICBs",
        },
    },
}
SOLVER_SCHEMA = {
    "type": "object",
    "properties": {
        "time_limit_s": {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": MAX_HTTP_TIME_LIMIT_S,
            "default": DEFAULT_HTTP_TIME_LIMIT_S,
        },
        "seed": {"type": "integer", "minimum": 0, "default": 0},
        "threads": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1},
        "mip_rel_gap": {"type": "number", "minimum": 0, "maximum": 1, "default": 0},
        "reach": {"type": "integer", "nullable": True, "minimum": 0},
    },
}


def proposal_paths(errors: Any) -> dict[str, Any]:
    body = {
        "type": "object",
        "properties": {
            "vintage": {"type": "string"},
            "base": {
                "oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^builtin-"}],
                "description": "a saved scenario id, or a built-in scenario (builtin-…)",
            },
            "name": {"type": "string", "maxLength": 200},
            "rules": RULES_SCHEMA,
            "solver": SOLVER_SCHEMA,
            "save": {"type": "boolean", "default": True},
        },
    }
    return {
        "/proposals": {
            "post": {
                "summary": "Propose a redraw (analyst): the fewest people moved from the base "
                "that meets the rules, solved exactly (HiGHS); saved as a scenario named after "
                "its rules",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                },
                "responses": {
                    "201": {
                        "description": "the saved scenario, the proposal (objective, "
                        "proven_optimal, gap, solve_seconds, rules, solver) and its evaluation"
                    },
                    "200": {"description": "with save: false, the same without saving"},
                    **errors(400, 401, 403, 404, 413),
                    "422": {
                        "description": "the rules admit no redraw: details list the conflicts "
                        "and the nearest feasible relaxation",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                },
            }
        }
    }
