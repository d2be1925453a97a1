"""What the app holds for its requests: the read-only store and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from geodata.errors import BoundaryLabError, UnknownNameError
from geodata.places import PlaceSet, builtin_sets, resolve_places, with_places
from geodata.scenarios import Scenario
from geodata.store import Store, VintageData

from .db import Database, parse_id
from .errors import ApiError

BUILTIN_PREFIX = "builtin-"


@dataclass
class Services:
    store: Store
    db: Database
    #: Built vintages that failed their start-up check: name -> reason (see health.py).
    disabled: dict[str, str] = field(default_factory=dict)

    def usable(self) -> list[str]:
        """The built vintages that are served, oldest first."""
        return [name for name in self.store.built() if name not in self.disabled]

    def default_vintage(self) -> str:
        """The store's default vintage; the newest usable one when that is disabled."""
        chosen = self.store.default_vintage()
        usable = self.usable()
        return usable[-1] if chosen in self.disabled and usable else chosen

    def vintage(self, name: str | None) -> VintageData:
        name = name or self.default_vintage()
        if name in self.disabled:
            raise ApiError(503, "vintage_unavailable",
                           f"vintage {name} is disabled: {self.disabled[name]}; rebuild it with "
                           f"boundary-lab build --vintage {name}",
                           {"vintage": name, "usable": self.usable()})  # fmt: skip
        return self.store.load(name)

    def place_set(self, ref: str, data: VintageData) -> tuple[PlaceSet, dict[str, Any]]:
        """A place set by id, or ``builtin-sicbl`` / ``builtin-utla-in-icb`` of ``data``."""
        if ref.startswith(BUILTIN_PREFIX):
            sets = builtin_sets(data)
            key = ref.removeprefix(BUILTIN_PREFIX)
            if key not in sets:
                raise UnknownNameError("place set", ref, [BUILTIN_PREFIX + k for k in sets])
            return sets[key], {"id": ref, "builtin": True}
        set_id = parse_id(ref)
        if set_id is None:
            raise UnknownNameError("place set", ref, [], hint="an id, or builtin-…")
        try:
            return self.saved_place_set(set_id)
        except LookupError as exc:
            raise UnknownNameError("place set", ref, [], hint=str(exc)) from None

    def saved_place_set(self, set_id: int) -> tuple[PlaceSet, dict[str, Any]]:
        """A saved place set and its record's details; LookupError when there is none."""
        record = self.db.get_place_set(set_id)
        meta = {"id": record.id, "builtin": False, "family": record.family,
                "version": record.version, "author": record.author,
                "created_at": record.created_at.isoformat()}  # fmt: skip
        return PlaceSet.from_dict(record.spec), meta

    def scenario_data(self, scenario: Scenario) -> VintageData:
        """The scenario's vintage, with its place set as a ``place`` layer when it moves
        places (made once per set and process)."""
        data = self.vintage(scenario.vintage)
        if not scenario.place_set:
            return data
        key = f"with_places:{scenario.place_set}"
        if key not in data.cache:
            place_set, _ = self.place_set(scenario.place_set, data)
            if place_set.vintage != data.name:
                raise BoundaryLabError(
                    f"place set {scenario.place_set} is on vintage "
                    f"{place_set.vintage}, the scenario on {data.name}"
                )
            data.cache[key] = with_places(data, resolve_places(data, place_set))
        return data.cache[key]


def services() -> Services:
    return current_app.extensions["boundary_lab"]
