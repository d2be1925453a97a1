"""What the app holds for its requests: the read-only store and the database."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from geodata.store import Store, VintageData

from .db import Database


@dataclass
class Services:
    store: Store
    db: Database

    def vintage(self, name: str | None) -> VintageData:
        return self.store.load(name or None)


def services() -> Services:
    return current_app.extensions["boundary_lab"]
