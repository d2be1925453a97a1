"""Proposals: the fewest-people-moved redraw meeting chosen rules (analyst), saved as an
ordinary scenario and returned with its evaluation. The editor calls this endpoint."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from geodata.propose.proposal import InfeasibleProposal, builtin_base, propose
from geodata.scenarios import Scenario
from geodata.scenarios.evaluate import evaluate
from geodata.scenarios.report import evaluation_data

from ..auth import identity, requires
from ..context import services
from ..errors import ApiError, not_found
from . import api, bodies, responses
from .scenarios import _record_json
from .spec import operation


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
    body: bodies.ProposalBody = g.body
    rules = (body.rules or bodies.ProposalRulesBody.model_validate({})).domain()
    settings = (body.solver or bodies.SolverBody.model_validate({})).domain()
    base = None
    if isinstance(body.base, str):  # builtin-…
        data = services().vintage(body.vintage or None)
        base = builtin_base(data, body.base)
    elif body.base is not None:
        try:
            base = Scenario.from_stored(services().db.get_scenario(body.base).spec)
        except LookupError:
            raise not_found(f"no scenario with id {body.base}") from None
        data = services().scenario_data(base)
    else:
        data = services().vintage(body.vintage or None)
    try:
        proposal = propose(data, rules, settings, base=base, name=body.name)
    except InfeasibleProposal as exc:
        raise ApiError(422, "infeasible", str(exc), exc.details()) from None
    evaluation = evaluate(
        services().vintage(data.name), proposal.scenario, rules.evaluation_rules()
    )
    out: dict[str, Any] = {
        "proposal": proposal.as_dict(),
        "evaluation": evaluation_data(evaluation),
    }
    if body.save:
        record = services().db.save_scenario(
            proposal.scenario.as_dict(), "proposal", identity().actor
        )
        out = {**_record_json(record), **out}
    else:
        out = {"id": None, "spec": proposal.scenario.as_dict(), **out}
    return jsonify(out), 201 if body.save else 200
