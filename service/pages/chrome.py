"""What every page shares: the header with the service name, the navigation, the vintage
switcher and the footer; the reader's chosen vintage, kept across pages.

The vintage is chosen with a plain form (no script): ``/vintage`` remembers it in a
cookie and sends the reader back where they were, the choice in the address too, so a
copied link opens the same vintage. Every page reads the choice through
``chosen_vintage``: the address first, then the cookie, else the store's default.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from geodata.output import short_name
from geodata.provenance import ATTRIBUTION

from ..context import services
from ..errors import bad_request

chrome = Blueprint("chrome", __name__)

COOKIE = "bl_vintage"
ONE_YEAR = 365 * 24 * 3600

#: The navigation, in reading order: (key, label, endpoint or path). The editor's page
#: (/edit) is linked by path: another part of the service owns it.
NAV: tuple[tuple[str, str, str], ...] = (
    ("home", "Home", "web.index"),
    ("map", "Map of England", "maps.overview"),
    ("splits", "Council splits", "web.splits"),
    ("redraw", "Redraw", "/edit"),
    ("scenarios", "Scenarios", "scenario_pages.index"),
    ("places", "Places", "place_pages.index"),
    ("reports", "Reports", "web.reports"),
)


def chosen_vintage() -> str | None:
    """The vintage the reader chose (address, then cookie), if it is built; else None
    (the store's default). A vintage in the address that is not built is left for the
    page to refuse with its own message."""
    asked = (request.args.get("vintage") or "").strip()
    if asked:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    return remembered if remembered in services().usable() else None


def show_vintage(name: str) -> None:
    """This page shows one vintage whatever the reader chose (a saved scenario or place
    set belongs to one): the header names it, not the reader's choice."""
    g.page_vintage = name


def current_vintage() -> str | None:
    """The vintage the header names: the page's own (``show_vintage``), else the reader's
    choice, else the store's default."""
    if g.get("page_vintage"):
        return str(g.page_vintage)
    chosen = chosen_vintage()
    built = services().usable()
    if chosen in built:
        return chosen
    return services().default_vintage() if built else None


def _href(target: str) -> str:
    return target if target.startswith("/") else url_for(target)


def _section() -> str:
    """Which navigation entry the current page belongs to."""
    endpoint = request.endpoint or ""
    path = request.path
    if endpoint in ("maps.split", "web.splits"):
        return "splits"
    if endpoint.startswith("maps.") and endpoint not in ("maps.scenario", "maps.places"):
        return "map"
    if path.startswith("/scenarios") or endpoint == "maps.scenario":
        return "scenarios"
    if path.startswith("/places") or endpoint == "maps.places":
        return "places"
    if path.startswith("/edit"):
        return "redraw"
    return {"web.index": "home", "web.reports": "reports"}.get(endpoint, "")


def chrome_context() -> dict[str, Any]:
    """What layout.html and the map pages' header need."""
    return {
        "nav": [(key, label, _href(target)) for key, label, target in NAV],
        "section": _section(),
        "vintages": list(reversed(services().usable())),
        "vintage": current_vintage(),
        "here": _here(),
        "attribution": ATTRIBUTION,
        "stylesheet": url_for("static", filename="boundary-lab.css"),
    }


def compact_header() -> str:
    """The header for a map page's sidebar: the same links and switcher, smaller."""
    return render_template("_compact_header.html", chrome=chrome_context())


def _here() -> str:
    """This page's address without its vintage: where the switcher sends the reader back."""
    args = MultiDict(request.args)
    args.pop("vintage", None)
    query = urlencode(list(args.items(multi=True)))
    return request.path + (f"?{query}" if query else "")


def _safe_next(target: str) -> str:
    """Only a path on this site: never another host (an open redirect)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:  # fmt: skip
        return url_for("web.index")
    return target


@chrome.get("/vintage")
def switch_vintage() -> BaseResponse:
    """The vintage switcher's form: remember the choice, go back with it in the address."""
    store = services().store
    wanted = (request.args.get("vintage") or "").strip()
    back = _safe_next(request.args.get("next") or url_for("web.index"))
    if wanted not in store.built():
        raise bad_request(f"vintage must be one of {', '.join(store.built())}, got {wanted!r}",
                          parameter="vintage", valid=list(store.built()))  # fmt: skip
    joiner = "&" if "?" in back else "?"
    response = redirect(f"{back}{joiner}{urlencode({'vintage': wanted})}", 303)
    response.set_cookie(COOKIE, wanted, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=request.is_secure)  # fmt: skip
    return response


@chrome.app_context_processor
def _inject() -> dict[str, Any]:
    return {"chrome": chrome_context()} if request else {}


@chrome.app_template_filter("short")
def _short(name: str) -> str:
    """'NHS Frimley Integrated Care Board' -> 'Frimley ICB': tables stay narrow."""
    return short_name(name)


@chrome.app_template_filter("people")
def _people(value: float) -> str:
    return f"{value:,.0f}"
