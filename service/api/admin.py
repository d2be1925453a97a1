"""Admin: API tokens and the audit log. Every write is audited."""

from __future__ import annotations

from flask import Response, g, jsonify

from ..auth import identity, requires
from ..context import services
from ..db import Token
from ..errors import not_found
from . import api, bodies, responses, schemas
from .spec import operation


def _token_json(token: Token) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role,
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@api.get("/admin/tokens")
@requires("admin")
@operation("API tokens (admin), never their secrets", ok=responses.Tokens, errors=())
def list_tokens() -> Response:
    return jsonify([_token_json(t) for t in services().db.list_tokens()])


@api.post("/admin/tokens")
@requires("admin")
@operation(
    "Create a token (admin); the secret is returned once",
    ok=responses.NewToken,
    status=201,
    body=bodies.TokenBody,
    errors=(400,),
)
def create_token() -> tuple[Response, int]:
    body: bodies.TokenBody = g.body
    token, secret = services().db.create_token(body.name, body.role, identity().actor)
    return jsonify(
        {**_token_json(token), "token": secret, "note": "the token is shown once; keep it safe"}
    ), 201


@api.delete("/admin/tokens/<int:token_id>")
@requires("admin")
@operation("Revoke a token (admin)", ok=responses.Revoked, errors=(404,))
def revoke_token(token_id: int) -> Response:
    if not services().db.revoke_token(token_id, identity().actor):
        raise not_found(f"no live token with id {token_id}")
    return jsonify({"revoked": token_id})


@api.get("/admin/audit")
@requires("admin")
@operation(
    "The audit log of writes, newest first (admin)",
    ok=responses.Audit,
    query=schemas.AuditQuery,
    errors=(400,),
)
def audit() -> Response:
    from .. import params

    limit = int(params.number("limit", 1, 10_000, default=100) or 100)
    return jsonify(
        [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "details": e.details,
            }
            for e in services().db.audit_entries(limit)
        ]
    )
