"""The application factory."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask

from geodata.store import Store

from .context import Services
from .db import Database, default_url
from .errors import register_error_handlers
from .security import register_security_headers
from .settings import load_settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Settings from defaults, the environment, then ``config``; loads every built vintage
    once (read-only, shared by all requests) and migrates the database."""
    settings = load_settings(config)
    app = Flask("service")
    app.config.from_mapping(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_MB"] * 1024 * 1024
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if not app.config["SECRET_KEY"]:
        # Per process: fine for one local server; set BOUNDARY_LAB_SECRET for several.
        app.config["SECRET_KEY"] = secrets.token_hex(32)

    store = Store(app.config["DATA_DIR"])
    for name in store.built():
        store.load(name)
    database = Database(app.config["DATABASE_URL"] or default_url(app.config["DATA_DIR"]))
    app.extensions["boundary_lab"] = Services(store=store, db=database)

    register_error_handlers(app)
    register_security_headers(app)
    from .api import api
    from .pages import register_pages

    app.register_blueprint(api)
    register_pages(app)
    return app
