"""Pages for people: the landing page, the split councils and the reports to download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for

from geodata.pcn.layer import has_pcn_layer
from geodata.splits import split_table
from geodata.store import VintageData

from .. import params
from ..context import services
from ..errors import bad_request
from .chrome import chosen_vintage, chrome
from .maps import SEARCH_LAYERS, maps

web = Blueprint("web", __name__)
# The map pages come with the index that links them, and every page with the header and
# switcher: registering ``web`` on an app registers ``maps`` and ``chrome`` beside it.
web.record_once(lambda state: state.app.register_blueprint(maps))
web.record_once(lambda state: state.app.register_blueprint(chrome))

#: Councils the split page lists.
SPLIT_LAYERS = {"utla": "Upper-tier council", "ltla": "Lower-tier council"}


def _data() -> VintageData | None:
    store = services().store
    return services().vintage(chosen_vintage()) if store.built() else None


@web.get("/")
def index() -> str:
    data = _data()
    store = services().store
    context: dict[str, Any] = {"data": data}
    if data is not None:
        context |= {
            "areas": _search_suggestions(data),
            "counts": {layer: len(data.names[layer]) for layer in data.area_layers},
            "split_count": len(split_councils(data, "utla")),
            "has_pcns": has_pcn_layer(data),
            "review_vintages": [
                store.load(name)
                for name in reversed(services().usable())
                if "sa" in store.load(name).layers
            ],
            "vintage_names": set(services().usable()),
        }
    return render_template("index.html", **context)


@web.get("/splits")
def splits() -> str:
    data = services().vintage(chosen_vintage())
    by = params.text("by", "utla") or "utla"
    if by not in SPLIT_LAYERS:
        raise bad_request(f"by must be one of {', '.join(SPLIT_LAYERS)}, got {by!r}",
                          parameter="by", valid=list(SPLIT_LAYERS))  # fmt: skip
    return render_template("splits.html", data=data, by=by, label=SPLIT_LAYERS[by],
                           layers=list(SPLIT_LAYERS.items()), rows=split_councils(data, by),
                           total=len(data.names[by]))  # fmt: skip


def split_councils(data: VintageData, by: str) -> list[dict[str, Any]]:
    """Councils of ``by`` with people in more than one ICB, most people outside first."""
    pairs = split_table(data.table, by, "icb", (data.names[by], data.names["icb"]))
    rows = []
    for code, group in pairs.groupby("by_code", sort=False):
        if len(group) < 2:
            continue
        rows.append({
            "code": code, "name": group["by_name"].iloc[0],
            "population": int(group["by_population"].iloc[0]),
            "main": group["across_name"].iloc[0], "main_share": float(group["share"].iloc[0]),
            "others": [(n, int(p)) for n, p in zip(group["across_name"].iloc[1:],
                                                    group["population"].iloc[1:], strict=True)],
        })  # fmt: skip
    return sorted(rows, key=lambda r: (r["main_share"], r["name"]))


@web.get("/reports")
def reports() -> str:
    data = services().vintage(chosen_vintage())
    return render_template("reports.html", data=data, reports=report_list(data))


def report_list(data: VintageData) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(title, what it shows, [(format, address)]) of every report of a vintage."""
    v = data.name

    def formats(
        path: str, query: str = "", kinds: tuple[str, ...] = ("xlsx", "csv")
    ) -> list[tuple[str, str]]:
        extra = f"&{query}" if query else ""
        return [(kind.upper(), f"/api/v1/reports/{path}.{kind}?vintage={v}{extra}")
                for kind in kinds]  # fmt: skip

    out = [
        ("Upper-tier councils by ICB", "Every upper-tier council's population in each ICB, "
         "with a summary of the councils that are split", formats("splits", "by=utla&across=icb")),
        ("Lower-tier councils by ICB", "The same for districts and unitary councils",
         formats("splits", "by=ltla&across=icb")),
        ("Upper-tier councils by sub-ICB location", "Each council's population in each "
         "sub-ICB location", formats("splits", "by=utla&across=sicbl")),
        ("Typology", "How each council relates to its ICS: coterminous, sharing, or split",
         formats("typology")),
        ("Boundaries", "Every layer's boundaries and the LSOA lookup, for QGIS or ArcGIS",
         [("GeoPackage", f"/api/v1/reports/boundaries.gpkg?vintage={v}")]),
        ("Statutory description", "The ICBs as the Establishment Order lists them",
         [("Page", url_for("scenario_pages.baseline_statutory", vintage=v))]),
    ]  # fmt: skip
    if has_pcn_layer(data):
        out[3:3] = [
            ("PCNs by ICB", "Each PCN's apportioned population in each ICB",
             formats("splits", "by=pcn&across=icb")),
            ("PCN populations", "Each PCN's apportioned population", formats("pcns")),
            ("PCNs split across councils", "PCNs whose people live in more than one council",
             formats("pcn-splits", kinds=("xlsx",))),
        ]  # fmt: skip
    return out


def _search_suggestions(data: VintageData) -> list[tuple[str, str]]:
    """(name, code) of every unit the map search finds, once each."""
    seen: dict[str, str] = {}
    for layer in (layer for layer in SEARCH_LAYERS if layer in data.layers):
        for code, name in data.names[layer].items():
            seen.setdefault(code, name)
    return sorted((name, code) for code, name in seen.items())
