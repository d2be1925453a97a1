"""England at a glance: ICBs, councils of both tiers and sub-ICB locations, switchable."""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd

from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .layer import GeoJsonLayer, LazyGeoJsonLayer
from .screen import NATIONAL_PRECISION
from .style import LAYER_STYLES, PASTEL_COLOURS, neighbour_colours

#: The overview's layers, bottom to top, and whether each is on when the page opens. PCN
#: catchments come last, when the vintage has them: they overlap and are too many to put
#: in the page, so the layer is fetched from the API when a reader switches it on.
OVERVIEW_LAYERS: tuple[tuple[str, bool], ...] = (
    ("icb", True),
    ("utla", True),
    ("ltla", False),
    ("sicbl", False),
)


def overview_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    provenance: Provenance,
    options: MapOptions,
    pcn_catchments: int = 0,
) -> folium.Map:
    """``layers``: layer -> frame (EPSG:27700) of code, name, population and, for layers
    other than ICBs, optionally main_icb_name and main_icb_share (the ICB holding most of
    the unit's people). ICBs get light fills that differ between neighbours; the other
    layers are outlines."""
    shown = [(layer, on) for layer, on in OVERVIEW_LAYERS if layer in layers]
    if not shown:
        raise ValueError(f"no overview layer in {sorted(layers)}")
    first = layers[shown[0][0]]
    fmap = new_map("England overview", first, provenance, options)
    drawn: list[GeoJsonLayer] = [_layer(layer, layers[layer], on) for layer, on in shown]
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
        "<p>Hover over an area for its name, code, population and main ICB. "
        "Switch layers on and off at the top right.</p>"
        f"<table><tr><th></th><th>Layer</th><th class='num'>Units</th></tr>{legend}</table>"
        f'<p class="bl-sub"><a href="{options.maps_url}/typology?vintage={provenance.vintage}">'
        "How each council relates to its ICS (typology)</a></p>"
    )
    title = "England: ICBs, councils and sub-ICB locations"
    return finish(fmap, drawn, panel(title, provenance, body, options))


def pcn_layer(vintage: str, options: MapOptions) -> LazyGeoJsonLayer:
    style = LAYER_STYLES["pcn"].outline() | {"fillOpacity": 0.08}
    url = f"{options.api_url}/pcns/catchments.geojson?vintage={vintage}&simplify=200"
    tooltip = {"pcn_name": "PCN", "pcn_code": "Code"}
    return LazyGeoJsonLayer(url, LAYER_STYLES["pcn"].label, style, tooltip)


def _layer(layer: str, frame: gpd.GeoDataFrame, show: bool) -> GeoJsonLayer:
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
    fills = neighbour_colours(frame, PASTEL_COLOURS) if layer == "icb" else None
    paint = style.outline() | ({"fillOpacity": 0.55} if fills else {})
    return geojson_layer(frame, style.label, paint, fills, tooltip, show, NATIONAL_PRECISION)
