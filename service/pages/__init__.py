"""Pages for people (HTML): the index, the map pages, scenario and place-set pages.

Each module is one blueprint; ``register_pages`` is the one place that mounts them.
"""

from __future__ import annotations

from flask import Flask


def register_pages(app: Flask) -> None:
    from .index import web
    from .places import place_pages
    from .review import review
    from .scenarios import scenario_pages

    app.register_blueprint(web)
    app.register_blueprint(scenario_pages)
    app.register_blueprint(place_pages)
    app.register_blueprint(review)
