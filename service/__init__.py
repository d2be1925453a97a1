"""Boundary Lab's web service: a Flask app over the geodata store.

Importing this package is cheap (no Flask): ``create_app`` imports the app on call, so
the command line's table paths stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from .app import create_app as _create_app

    return _create_app(config)
