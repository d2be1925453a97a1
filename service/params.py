"""Query-parameter checks: each says what was expected and what arrived (a 400)."""

from __future__ import annotations

import math

from flask import request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from geodata.layers import AREA_LAYERS
from geodata.unit_status import STATUSES

from .db import MAX_ID, parse_id
from .errors import bad_request


def text(name: str, default: str | None = None) -> str | None:
    value = request.args.get(name)
    return value.strip() if value is not None and value.strip() else default


def number(name: str, low: float, high: float, default: float | None = None) -> float | None:
    """A finite number in [low, high]; ``None`` when absent and no default."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    return check_number(name, raw, low, high)


def figure(value: float) -> str:
    """A bound as a message shows it: '700,000', '0.5', never '7e+05'."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def check_number(name: str, raw: object, low: float, high: float) -> float:
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise bad_request(f"{name} must be a number, got {raw!r}", parameter=name) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise bad_request(
            f"{name} must be a number from {figure(low)} to {figure(high)}, got {raw!r}",
            parameter=name,
            minimum=low,
            maximum=high,
        )
    return value


def area_layer(name: str, default: str, extra: tuple[str, ...] = ()) -> str:
    """An area layer; ``extra``: other layers this parameter allows (e.g. "pcn")."""
    return check_layer(name, text(name, default) or default, (*AREA_LAYERS, *extra))


def check_layer(name: str, value: object, valid: tuple[str, ...]) -> str:
    if value not in valid:
        raise bad_request(
            f"unknown layer {value!r} for {name}; valid: {', '.join(valid)}",
            parameter=name,
            valid=list(valid),
        )
    return str(value)


def check_choice(name: str, value: object, valid: tuple[str, ...]) -> str:
    if value not in valid:
        allowed = " or ".join(valid) if len(valid) == 2 else f"one of {', '.join(valid)}"
        raise bad_request(
            f"{name} must be {allowed}, got {value!r}",
            parameter=name,
            valid=list(valid),
        )
    return str(value)


#: How a yes/no query parameter may be spelt.
FLAGS = {"true": True, "1": True, "false": False, "0": False}


def check_flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    spelt = str(value).strip().lower()
    if spelt not in FLAGS:
        raise bad_request(f"{name} must be true or false, got {spelt!r}", parameter=name)
    return FLAGS[spelt]


#: The LA tiers a typology may be by.
TYPOLOGY_TIERS = ("utla", "ltla")

#: What a split may be by or across: every area layer, and PCNs (apportioned populations).
SPLIT_EXTRA = ("pcn",)


def sa_status(name: str = "sa_status") -> str:
    """Which strategic authorities count: all (default) or established only."""
    return check_choice(name, text(name, "all") or "all", STATUSES)


def bbox(name: str = "bbox") -> tuple[float, float, float, float] | None:
    """min_lon,min_lat,max_lon,max_lat in degrees (EPSG:4326)."""
    raw = text(name)
    return None if raw is None else check_bbox(name, raw)


def check_bbox(name: str, raw: str) -> tuple[float, float, float, float]:
    parts = raw.split(",")
    if len(parts) != 4:
        raise bad_request(
            f"{name} must be min_lon,min_lat,max_lon,max_lat, got {raw!r}", parameter=name
        )
    lon0, lat0, lon1, lat1 = (
        check_number(f"{name}[{i}]", p, *limits)
        for i, (p, limits) in enumerate(
            zip(parts, [(-180, 180), (-90, 90), (-180, 180), (-90, 90)], strict=True)
        )
    )
    if lon0 >= lon1 or lat0 >= lat1:
        raise bad_request(f"{name} must have min below max, got {raw!r}", parameter=name)
    return lon0, lat0, lon1, lat1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: ASCII digits naming an id the databases can hold. A
    larger number names nothing (a 404 saying so), instead of overflowing a query."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise NotFound(f"no record has the id {value[:30]}; ids run from 1 to {MAX_ID}")
        return parsed
