"""The application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from geodata.store import Store

from .context import Services
from .db import Database, DatabaseUnavailable, default_url
from .errors import register_error_handlers
from .health import load_vintages
from .jsonbody import BoundedJSONProvider
from .params import IdConverter
from .security import register_security_headers
from .sessions import register_sessions
from .settings import load_settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Settings from defaults, the environment, then ``config``; loads every built vintage
    once (read-only, shared by all requests; a broken one is disabled, the rest served) and
    readies the database if it answers (else on first use: the app always starts)."""
    settings = load_settings(config)
    app = Flask("service")
    provider = BoundedJSONProvider(app)
    provider.sort_keys = False
    app.json = provider
    app.config.from_mapping(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_MB"] * 1024 * 1024
    app.config["SESSION_COOKIE_SECURE"] = app.config["SECURE_COOKIES"]
    if app.config["PROXY_HOPS"] > 0:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    store = Store(app.config["DATA_DIR"])
    disabled = load_vintages(store)
    database = Database(
        app.config["DATABASE_URL"] or default_url(app.config["DATA_DIR"]),
        auto_migrate=app.config["AUTO_MIGRATE"],
        connect_timeout=app.config["DB_CONNECT_TIMEOUT"],
        statement_timeout=app.config["DB_STATEMENT_TIMEOUT"],
    )
    try:  # now if it answers; a worker never fails to start because it does not
        database.ready()
    except DatabaseUnavailable as exc:
        app.logger.warning("%s; will retry on each request that needs it", exc)
    app.extensions["boundary_lab"] = Services(store=store, db=database, disabled=disabled)

    app.url_map.converters["int"] = IdConverter  # before any route is added
    register_error_handlers(app)
    register_security_headers(app)
    register_sessions(app)
    from .api import api
    from .pages import register_pages

    app.register_blueprint(api)
    register_pages(app)
    return app
