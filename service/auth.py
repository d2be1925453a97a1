"""Bearer tokens and roles. 401: who are you? (no, unknown or revoked token);
403: known, but your role is too low for this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, request, session

from .context import services
from .errors import ApiError
from .roles import ROLES, at_least

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Identity:
    name: str
    role: str | None  # None: anonymous
    token_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is not None and at_least(self.role, "admin")

    @property
    def actor(self) -> str:
        return f"token:{self.token_id}:{self.name}" if self.token_id else self.name


ANONYMOUS = Identity("anonymous", None)


def _unauthorized(message: str) -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        message,
        {
            "how": "send 'Authorization: Bearer <token>'; an admin creates tokens "
            "with: boundary-lab tokens create --role analyst --name …"
        },
    )


def identity() -> Identity:
    """Who is asking, from the Authorization header (cached for the request)."""
    if "identity" in g:
        return g.identity
    header = request.headers.get("Authorization", "")
    if not header:
        g.identity = _session_identity()
        return g.identity
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized("the Authorization header must be 'Bearer <token>'")
    token = services().db.verify_token(secret.strip())
    if token is None:
        raise _unauthorized("the token is unknown or revoked")
    g.identity = Identity(token.name, token.role, token.id)
    return g.identity


def _session_identity() -> Identity:
    """The signed-in browser's identity (see sessions.py); anonymous without a session or
    when its token has been revoked since."""
    token_id = session.get("token_id")
    if not isinstance(token_id, int):
        return ANONYMOUS
    token = services().db.live_token(token_id)
    if token is None:
        session.clear()
        return ANONYMOUS
    return Identity(token.name, token.role, token.id)


def form_writer() -> Identity:
    """A web form's author: the signed-in user (401 with a sign-in hint when nobody is
    signed in, 403 below ``analyst``)."""
    if identity().role is None:
        raise ApiError(401, "unauthorized", "Sign in first (top right), with an analyst's "
                       "token.", {"sign_in": "/sign-in"})  # fmt: skip
    return check_access("analyst")


def check_access(required: str) -> Identity:
    who = identity()
    if who.role is None:
        if required == "viewer" and current_app.config["ANONYMOUS_READ"]:
            return who
        raise _unauthorized(f"this needs a token with the role {required} or higher")
    if not at_least(who.role, required):
        raise ApiError(
            403,
            "forbidden",
            f"your role {who.role} cannot do this; it needs {required} or higher",
            {"role": who.role, "required": required, "roles": list(ROLES)},
        )
    return who


def requires(role: str) -> Callable[[F], F]:
    """Mark a view with the lowest role that may call it (default for the API: viewer)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def mark(view: F) -> F:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return mark
