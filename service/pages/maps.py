"""Map pages for people under /maps: parse, find the area, build (maps.pages), cache.

Built pages are kept per vintage and parameters, gzip-compressed (a national page is
about 2 MB of GeoJSON text and shrinks about fivefold), in a small LRU: area pages are
many, and each is rebuilt in well under a second when it has dropped out.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from geodata.errors import BoundaryLabError, UnknownNameError
from geodata.pcn.layer import has_pcn_layer, load_pcn_layer
from geodata.scenarios import Scenario
from geodata.store import VintageData
from maps import MapOptions
from maps.pages import (
    alignment_page,
    area_page,
    find_council,
    overview_page,
    pcn_page,
    places_page,
    scenario_page,
    split_page,
    typology_page,
    vintage_compare_page,
)
from maps.split import SPLIT_ACROSS

from .. import assets, params
from ..auth import check_access
from ..context import services
from ..errors import ApiError, bad_request, not_found
from ..security import allow_inline_scripts, inline_script_hashes
from .chrome import chosen_vintage, compact_header, show_vintage

maps = Blueprint("maps", __name__, url_prefix="/maps")

#: Layers the search box looks in, in the order matches are listed.
SEARCH_LAYERS = ("utla", "ltla", "icb", "sicbl", "region", "sa")
#: The code at the end of a suggestion, 'Essex (E10000012)' (proposed strategic
#: authorities have codes made from their names: 'SA-...').
SUGGESTED_CODE = re.compile(r"\((E\d{8}|SA-[A-Z0-9-]+)\)\s*$")
PAGES_PER_VINTAGE = 32


@maps.before_request
def _check_access() -> None:
    if request.endpoint != "maps.asset":  # Leaflet's files are public
        check_access("viewer")


@maps.get("/static/<slug>/<path:filename>")
def asset(slug: str, filename: str) -> Response:
    return assets.send_asset(slug, filename)


@maps.get("/")
def home() -> BaseResponse:
    return redirect(url_for("web.index"))


@maps.get("/overview")
def overview() -> Response:
    data = _vintage()
    return _page(data, ("overview",), lambda options: overview_page(data, options))


@maps.get("/typology")
def typology() -> Response:
    data = _vintage()
    return _page(data, ("typology",), lambda options: typology_page(data, options))


@maps.get("/split/<council>")
def split(council: str) -> BaseResponse:
    data = _vintage()
    across = params.text("across", "icb") or "icb"
    if across not in SPLIT_ACROSS:
        raise bad_request(
            f"across must be one of {', '.join(SPLIT_ACROSS)}, got {across!r}",
            parameter="across",
            valid=list(SPLIT_ACROSS),
        )
    _, code = find_council(data, council)
    if code != council:  # a name: send the reader to the page's lasting address
        return redirect(url_for("maps.split", council=code, **_query(data, across=across)))
    return _page(data, ("split", code, across), lambda o: split_page(data, code, across, o))


@maps.get("/split")
def split_choose() -> BaseResponse:
    """The split page's form: a council by name, code or 'Name (code)' as suggested."""
    data = _vintage()
    query = params.text("council")
    if query is None:
        raise bad_request("type a council's name or code", parameter="council")
    suggested = SUGGESTED_CODE.search(query)
    _, code = find_council(data, suggested.group(1) if suggested else query)
    return redirect(url_for("maps.split", council=code, **_query(data)))


@maps.get("/area/<code>")
def area(code: str) -> BaseResponse:
    data = _vintage()
    if not any(code in data.names[layer] for layer in data.area_layers):
        return redirect(url_for("maps.find", q=code, **_query(data)))
    return _page(data, ("area", code), lambda options: area_page(data, code, options))


@maps.get("/scenario/<int:scenario_id>")
def scenario(scenario_id: int) -> Response:
    try:
        record = services().db.get_scenario(scenario_id)
    except LookupError:
        raise not_found(f"There is no scenario {scenario_id}.") from None
    plan = Scenario.from_stored(record.spec)
    show_vintage(plan.vintage)
    data = services().scenario_data(plan)
    uploaded = None
    if record.upload_id is not None:
        uploaded = services().db.get_upload(record.upload_id).candidates_geojson
    back = (url_for("scenario_pages.show", scenario_id=scenario_id), "Back to the scenario's page")
    # Scenarios are immutable, so a page per id never goes stale.
    return _page(data, ("scenario", str(scenario_id)),
                 lambda o: scenario_page(data, plan, o, uploaded, back))  # fmt: skip


@maps.get("/alignment")
def alignment() -> Response:
    """ICBs by how they align with strategic authorities (?sa_status=, ?tolerance=)."""
    data = _vintage()
    status = params.sa_status()
    tolerance = params.number("tolerance", 0, 0.49, default=0.0) or 0.0
    return _page(data, ("alignment", status, str(tolerance)),
                 lambda o: alignment_page(data, status, tolerance, o))  # fmt: skip


@maps.get("/vintages")
def vintages_compare() -> Response:
    """What changed between two vintages on the same LSOAs (?a=2024&b=2026)."""
    a, b = params.text("a"), params.text("b")
    if not a or not b:
        raise bad_request("give two vintages as ?a=2024&b=2026")
    data_a, data_b = services().vintage(a), services().vintage(b)
    return _page(data_b, ("vintages", data_a.name),
                 lambda o: vintage_compare_page(data_a, data_b, o))  # fmt: skip


@maps.get("/pcns")
def pcns() -> Response:
    data = _vintage()
    if not has_pcn_layer(data):
        raise not_found(f"Vintage {data.name} has no PCN layer; build it with "
                        f"boundary-lab build --vintage {data.name}.")  # fmt: skip
    icb = (params.text("icb") or "").upper()
    if icb not in data.names["icb"]:
        choices = ", ".join(f"{c} ({n})" for c, n in sorted(data.names["icb"].items())[:3])
        raise bad_request(f"give ?icb= one of the vintage's ICB codes, e.g. {choices}")
    layer = load_pcn_layer(data)
    return _page(data, ("pcns", icb), lambda o: pcn_page(data, layer, icb, o))


@maps.get("/places/<ref>")
def places(ref: str) -> Response:
    from geodata.places import resolve_places

    from ..api.places import resolve_ref

    place_set, data, meta = resolve_ref(ref)
    show_vintage(place_set.vintage)
    membership = resolve_places(data, place_set)
    # Saved sets are immutable (a change is a new id); built-in ones follow the vintage.
    return _page(data, ("places", str(meta["id"])), lambda o: places_page(data, membership, o))


@maps.get("/find")
def find() -> BaseResponse | tuple[str, int]:
    """The index page's search box: one match opens its area map, several are listed."""
    data = _vintage()
    query = params.text("q")
    if query is None:
        raise bad_request("type part of a name or a code in the search box", parameter="q")
    matches = search(data, query)
    if len(matches) == 1:
        return redirect(url_for("maps.area", code=matches[0][1], **_query(data)))
    links = [(url_for("maps.area", code=code, **_query(data)), name, code, layer)
             for layer, code, name in matches[:50]]  # fmt: skip
    status = 200 if matches else 404
    page = render_template("find.html", query=query, links=links, total=len(matches),
                           home=url_for("web.index"))  # fmt: skip
    return page, status


def search(data: VintageData, query: str) -> list[tuple[str, str, str]]:
    """(layer, code, name) of the units whose code or name is ``query``, else those whose
    name contains it. 'Essex (E10000012)', as the index page suggests, is its code."""
    suggested = SUGGESTED_CODE.search(query)
    wanted = (suggested.group(1) if suggested else query).strip().casefold()
    exact: list[tuple[str, str, str]] = []
    partial: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for layer in (layer for layer in SEARCH_LAYERS if layer in data.layers):
        for code, name in data.names[layer].items():
            if code in seen:  # a unitary council is both tiers: list it once
                continue
            if wanted in (code.casefold(), name.casefold()):
                exact.append((layer, code, name))
            elif wanted in name.casefold():
                partial.append((layer, code, name))
            else:
                continue
            seen.add(code)
    return exact or partial


def _vintage() -> VintageData:
    return services().vintage(chosen_vintage())


def _query(data: VintageData, **extra: str) -> dict[str, Any]:
    """The query string to carry on: the vintage, when the reader chose one."""
    chosen = {"vintage": data.name} if chosen_vintage() else {}
    return chosen | extra


def _options() -> MapOptions:
    leaflet = assets.LEAFLET.slug
    return MapOptions(
        leaflet_js=url_for("maps.asset", slug=leaflet, filename="leaflet.js"),
        leaflet_css=url_for("maps.asset", slug=leaflet, filename="leaflet.css"),
        home_url=url_for("web.index"),
        maps_url=url_for("maps.home").rstrip("/"),
        api_url=url_for("api.vintages").removesuffix("/vintages"),
        tiles=current_app.config["TILES"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        header_html=compact_header(),
    )


class Page(NamedTuple):
    gzipped: bytes
    script_hashes: tuple[str, ...]  # for the Content Security Policy


class PageCache:
    """The most recently used pages of one vintage, gzip-compressed."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], str]) -> Page:
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        # Built outside the lock: two first requests may both build; both get a page.
        html = build()
        page = Page(gzip.compress(html.encode("utf-8"), compresslevel=6),
                    inline_script_hashes(html))  # fmt: skip
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page


def _page(data: VintageData, key: tuple[str, ...], build: Callable[[MapOptions], str]) -> Response:
    options = _options()
    cache = data.cache.setdefault("maps:pages", PageCache(PAGES_PER_VINTAGE))
    page = cache.get((*key, options), lambda: build(options))
    body = page.gzipped
    allow_inline_scripts(page.script_hashes)
    response = Response(mimetype="text/html")
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"]:  # its quality: 0 when absent or refused
        response.set_data(body)
        response.content_encoding = "gzip"
    else:
        response.set_data(gzip.decompress(body))
    return response


def _error_page(status: int, message: str) -> tuple[str, int]:
    headings = {400: "Check the address", 401: "Sign in needed", 403: "Not allowed"}
    heading = headings.get(status, "Not found" if status == 404 else "Something went wrong")
    home = url_for("web.index")
    page = render_template("error.html", status=status, heading=heading, message=message,
                           home=home)  # fmt: skip
    return page, status


@maps.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[str, int]:
    return _error_page(exc.status, exc.message)


@maps.errorhandler(BoundaryLabError)
def _domain_error(exc: BoundaryLabError) -> tuple[str, int]:
    status = 400
    if isinstance(exc, UnknownNameError) and (exc.kind.endswith("area") or exc.kind == "code"):
        status = 404
    return _error_page(status, str(exc))
