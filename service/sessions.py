"""Signing in from a browser: a token once on /sign-in, then a session cookie; CSRF
protection on every form; /sign-out.

- The session cookie is signed (Flask), HttpOnly, SameSite=Lax, Secure whenever the
  request came over HTTPS, and lasts ``SESSION_HOURS``. It holds the token's id, never its
  secret; a revoked token ends every session made with it.
- CSRF: every POST, PUT, PATCH and DELETE that does not carry an ``Authorization`` header
  (browsers never add one by themselves) must send the session's CSRF token, as the form
  field ``csrf_token`` (``{{ csrf_field() }}`` in a template) or the ``X-CSRF-Token``
  header, checked here in one place. Bearer-token API clients are not affected.
- With anonymous reads off, a page visit without a session goes to the sign-in page.
- Failed sign-ins are audited by address (never the token tried); after
  ``MAX_FAILED_SIGN_INS`` in ``SIGN_IN_WINDOW`` an address gets 429 until the window
  passes. The count is in the database, so every worker applies the same limit.
"""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from geodata.provenance import ATTRIBUTION

from .db import author_name

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Pages anyone may open with anonymous reads off: signing in, and what it needs.
PUBLIC_ENDPOINTS = frozenset(
    {"sign_in.form", "sign_in.sign_in", "maps.asset", "static", "chrome.switch_vintage"}
)

#: Failed sign-ins an address may make in a window before it must wait (tokens are 32
#: random bytes, so this is against noise and log flooding more than guessing).
MAX_FAILED_SIGN_INS = 10
SIGN_IN_WINDOW = timedelta(minutes=15)
FAILED_SIGN_IN = "session.sign_in_failed"

sign_in_pages = Blueprint("sign_in", __name__)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure on every response to an HTTPS request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Most requests (API clients, anonymous readers) carry no cookie: skip building
        # the signing serializer for them (a third of a cached read's time).
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class() if app.secret_key else None
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:  # nothing to keep, no cookie to delete
            if session.accessed:  # the page may differ when signed in (as Flask does)
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def shared_secret(data_dir: str | Path) -> str | None:
    """The secret kept in the data folder, made once (every worker on this data folder
    shares it, so a session made by one is valid in all); None when the folder is
    read-only."""
    path = Path(data_dir) / ".session-secret"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        return secret or None
    except OSError:
        return None
    with os.fdopen(fd, "w", encoding="ascii") as file:
        secret = secrets.token_hex(32)
        file.write(secret)
    return secret


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token())


def _sent_csrf(req: Request) -> str:
    if req.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return req.form.get("csrf_token", "") or req.headers.get("X-CSRF-Token", "")
    return req.headers.get("X-CSRF-Token", "")


def check_csrf() -> None:
    from .errors import ApiError

    if request.method not in UNSAFE_METHODS or "Authorization" in request.headers:
        return
    signed_in = "token_id" in session
    if not signed_in and request.path.startswith("/api/"):
        return  # an anonymous API call carries no credentials to misuse
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(expected), _sent_csrf(request)):
        raise ApiError(
            400,
            "csrf_failed",
            "This form has expired or was not sent from a Boundary Lab page: reload the page "
            "and try again.",
            {"how": "send the csrf_token form field, or the X-CSRF-Token header, of your session"},
        )


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("web.index")


def require_sign_in() -> BaseResponse | None:
    """With anonymous reads off, a page visit without a session goes to /sign-in."""
    from .auth import identity

    if current_app.config["ANONYMOUS_READ"] or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.path.startswith("/api/") or request.method != "GET":
        return None  # the API answers 401 itself
    if identity().role is None:
        return redirect(url_for("sign_in.form", next=request.full_path.rstrip("?")), 303)
    return None


def _page(status: int = 200, error: str | None = None, **context: Any) -> tuple[str, int]:
    target = _safe_next(request.values.get("next"))
    page = render_template("sign_in.html", error=error, attribution=ATTRIBUTION, next=target,
                           **context)  # fmt: skip
    return page, status


@sign_in_pages.get("/sign-in")
def form() -> tuple[str, int]:
    return _page()


@sign_in_pages.post("/sign-in")
def sign_in() -> BaseResponse | tuple[str, int] | tuple[str, int, dict[str, str]]:
    from .context import services

    db = services().db
    address = f"address:{request.remote_addr or 'unknown'}"
    if db.count_audit(FAILED_SIGN_IN, address, datetime.now(UTC) - SIGN_IN_WINDOW) >= (
        MAX_FAILED_SIGN_INS
    ):
        minutes = int(SIGN_IN_WINDOW.total_seconds() // 60)
        message = (f"Too many failed sign-ins from this address: try again in {minutes} "
                   "minutes, or ask an admin for a new token.")  # fmt: skip
        page, status = _page(429, message)
        return page, status, {"Retry-After": str(int(SIGN_IN_WINDOW.total_seconds()))}
    token = db.verify_token(request.form.get("token", "").strip())
    if token is None:
        db.audit(address, FAILED_SIGN_IN, "session", {})
        return _page(401, "That token is unknown or revoked. Ask an admin for one.")
    session.clear()  # a new session (and CSRF token) for the new identity
    session.permanent = True
    session["token_id"] = token.id
    db.audit(f"token:{token.id}:{token.name}", "session.sign_in",
                        f"token:{token.id}", {})  # fmt: skip
    return redirect(_safe_next(request.form.get("next")), 303)


@sign_in_pages.post("/sign-out")
def sign_out() -> BaseResponse:
    session.clear()
    return redirect(url_for("web.index"), 303)


def register_sessions(app: Flask) -> None:
    if not app.config["SECRET_KEY"]:
        # Shared by every worker on the data folder; per process only if it is read-only.
        app.config["SECRET_KEY"] = shared_secret(app.config["DATA_DIR"]) or secrets.token_hex(32)
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="boundary_lab_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["SESSION_HOURS"]),
    )
    from .auth import identity

    app.jinja_env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token,
                                 current_user=identity)  # fmt: skip
    app.jinja_env.filters["author"] = author_name
    app.before_request(check_csrf)
    app.before_request(require_sign_in)
    app.register_blueprint(sign_in_pages)
