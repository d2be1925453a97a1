"""England at a glance: ICBs, councils of both tiers, sub-ICB locations and strategic
authorities (where the vintage has them), switchable."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import folium
import geopandas as gpd

from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .layer import GeoJsonLayer, LazyGeoJsonLayer
from .screen import NATIONAL_PRECISION
from .style import LAYER_STYLES, icb_colour

#: The overview's layers, bottom to top, and whether each is on when the page opens. PCN
#: catchments come last, when the vintage has them: they overlap and are too many to put
#: in the page, so the layer is fetched from the API when a reader switches it on.
OVERVIEW_LAYERS: tuple[tuple[str, bool], ...] = (
    ("icb", True),
    ("utla", True),
    ("ltla", False),
    ("sicbl", False),
    ("sa", False),
)


def overview_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    provenance: Provenance,
    options: MapOptions,
    pcn_catchments: int = 0,
    areas: Mapping[str, str] | None = None,
) -> folium.Map:
    """``layers``: layer -> frame (EPSG:27700) of code, name, population and, for layers
    other than ICBs, optionally main_icb_name and main_icb_share (the ICB holding most of
    the unit's people). ICBs get their stable fill colours and borders drawn over every
    other layer; the other layers are outlines. ``areas``: code -> name for the search
    box's suggestions."""
    shown = [(layer, on) for layer, on in OVERVIEW_LAYERS if layer in layers]
    if not shown:
        raise ValueError(f"no overview layer in {sorted(layers)}")
    first = layers[shown[0][0]]
    fmap = new_map("England overview", first, provenance, options)
    link = f"{options.maps_url}/area/{{code}}?vintage={provenance.vintage}"
    drawn: list[GeoJsonLayer] = [_layer(layer, layers[layer], on, link) for layer, on in shown]
    if "icb" in layers:  # ICB borders over every council line, shown with the ICB layer
        drawn.append(icb_borders(layers["icb"], drawn[0], link))
    counts = [(layer, len(layers[layer])) for layer, _ in shown]
    if pcn_catchments:
        drawn.append(pcn_layer(provenance.vintage, options))
        counts.append(("pcn", pcn_catchments))
    legend = "".join(
        f"<tr><td>{LAYER_STYLES[layer].legend_swatch()}</td>"
        f"<td>{LAYER_STYLES[layer].label}</td><td class='num'>{count:,}</td></tr>"
        for layer, count in counts
    )
    body = (
        search_form(options, provenance.vintage, areas or {})
        + "<p>Hover over an area for its name, code, population and main ICB; click it for "
        "its own page. Switch layers on and off at the top right. Names appear as you zoom "
        "in.</p>"
        f"<table><tr><th></th><th>Layer</th><th class='num'>Units</th></tr>{legend}</table>"
        f'<p class="bl-sub"><a href="{escape(options.maps_url)}/typology?vintage='
        f'{escape(provenance.vintage)}">'
        "How each council relates to its ICS (typology)</a></p>"
    )
    if "sa" in layers:
        body += (
            "<p class='bl-sub'>Strategic authorities' edges lie under the ICB borders: where "
            "their dashes show, an authority's edge leaves the ICB borders. "
            f'<a href="{escape(options.maps_url)}/alignment?vintage='
            f'{escape(provenance.vintage)}">How ICBs and strategic authorities align</a></p>'
        )
    title = "England: ICBs, councils and sub-ICB locations"
    if "sa" in layers:
        title += ", strategic authorities"
    return finish(fmap, drawn, panel(title, provenance, body, options))


def pcn_layer(vintage: str, options: MapOptions) -> LazyGeoJsonLayer:
    style = LAYER_STYLES["pcn"].outline() | {"fillOpacity": 0.08}
    url = f"{options.api_url}/pcns/catchments.geojson?vintage={vintage}&simplify=200"
    tooltip = {"pcn_name": "PCN", "pcn_code": "Code", "population": "Population (apportioned)"}
    return LazyGeoJsonLayer(url, LAYER_STYLES["pcn"].label, style, tooltip)


def search_form(options: MapOptions, vintage: str, areas: Mapping[str, str]) -> str:
    """A search box for any council, ICB, sub-ICB location or strategic authority: opens
    its page."""
    suggestions = "".join(
        f'<option value="{escape(name)} ({escape(code)})">'
        for code, name in sorted(areas.items(), key=lambda item: item[1])
    )
    return (
        f'<form class="bl-search" action="{escape(options.maps_url)}/find" method="get" '
        'role="search"><label for="bl-q">Find a council, ICB, sub-ICB location or strategic '
        "authority</label>"
        '<span class="bl-search-row"><input id="bl-q" name="q" type="search" list="bl-areas" '
        'required autocomplete="off">'
        f'<input type="hidden" name="vintage" value="{escape(vintage)}">'
        '<button type="submit">Find</button></span></form>'
        f'<datalist id="bl-areas">{suggestions}</datalist>'
    )


def icb_borders(frame: gpd.GeoDataFrame, fills: GeoJsonLayer, link: str) -> GeoJsonLayer:
    """ICB outlines over every council and sub-ICB line, hovered and clicked on the line."""
    style = LAYER_STYLES["icb"]
    frame = frame.assign(label=[text.name(n) for n in frame["name"]],
                         people=[text.people(p) for p in frame["population"]])  # fmt: skip
    tooltip = {"label": "ICB", "code": "Code", "people": "Population"}
    paint = style.outline(interactive=False)
    return geojson_layer(frame, "ICB borders", paint, None, tooltip, True, NATIONAL_PRECISION,
                         link=link, follows=fills)  # fmt: skip


#: Zoom from which each layer's names are written on the map (England fills the window
#: at about 6.5; a county at 9).
LABEL_ZOOM = {"icb": 7.5, "utla": 9.0, "ltla": 10.0, "sicbl": 9.5, "sa": 8.0}


def _layer(layer: str, frame: gpd.GeoDataFrame, show: bool, link: str) -> GeoJsonLayer:
    style = LAYER_STYLES[layer]
    frame = frame.assign(
        label=[text.name(n) for n in frame["name"]],
        people=[text.people(p) for p in frame["population"]],
    )
    tooltip = {"label": "Name", "code": "Code", "people": "Population"}
    if "main_icb_name" in frame:
        frame["main_icb"] = [
            f"{text.name(n)} ({text.percent(s)})"
            for n, s in zip(frame["main_icb_name"], frame["main_icb_share"], strict=True)
        ]
        tooltip["main_icb"] = "Main ICB"
    fills = [icb_colour(c) for c in frame["code"]] if layer == "icb" else None
    paint = style.outline() | ({"fillOpacity": 0.55, "weight": 0} if fills else {})
    return geojson_layer(frame, style.label, paint, fills, tooltip, show, NATIONAL_PRECISION,
                         link=link, labels_from_zoom=LABEL_ZOOM.get(layer))  # fmt: skip
