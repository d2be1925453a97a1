"""One unit of any layer with the units of every other layer that overlap it."""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import pandas as pd

from geodata.layers import LAYERS
from geodata.output import short_name
from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .layer import GeoJsonLayer
from .screen import AreaOverlaps, breakdown_layer
from .style import (
    CATEGORY_COLOURS,
    FOCUS_STYLE,
    LAYER_STYLES,
    PASTEL_COLOURS,
    icb_colour,
    neighbour_colours,
)

__all__ = ["area_map", "breakdown_layer", "fill_colours"]

#: Overlapping layers, bottom to top; ICBs and UTLAs are on when the page opens.
AREA_LAYERS = ("region", "icb", "sicbl", "utla", "ltla")
SHOWN = ("icb", "utla")
#: Units of the breakdown listed in the sidebar; the rest are counted.
LISTED = 8


def area_map(area: AreaOverlaps, provenance: Provenance, options: MapOptions) -> folium.Map:
    """``area``: the unit and its overlaps, each frame in order of people in the area."""
    unit = area.outline.iloc[0]
    title = text.plain(unit["name"])
    fmap = new_map(title, area.outline, provenance, options)
    order = [layer for layer in AREA_LAYERS if layer in area.overlaps]
    breakdown = breakdown_layer(area.layer)
    colours = {
        layer: fill_colours(area.overlaps[layer], layer) if layer == breakdown else None
        for layer in order
    }
    link = f"{options.maps_url}/area/{{code}}?vintage={provenance.vintage}"
    layers = []
    if area.pieces is not None and colours.get(breakdown):
        # Fill only the part of each unit that lies in this area: its LSOAs here.
        fills = colours[breakdown]
        assert fills is not None
        label = f"{LAYERS[breakdown].label}: part in this area"
        style = {"stroke": False, "fill": True, "fillOpacity": 0.55}
        layers.append(geojson_layer(area.pieces, label, style, fills))
    layers += [_overlap_layer(layer, area.overlaps[layer], unit["name"], link) for layer in order]
    layers.append(geojson_layer(area.outline, "This area", FOCUS_STYLE.outline(False)))
    legend = _legend(area, order, colours.get(breakdown), provenance.vintage, options)
    return finish(fmap, layers, panel(title, provenance, legend, options))


def fill_colours(frame: gpd.GeoDataFrame, layer: str = "") -> list[str]:
    """ICBs in their stable colours; other units a distinct colour each for a few,
    largest first, and for many, colours that differ between neighbours."""
    if layer == "icb":
        return [icb_colour(code) for code in frame["code"]]
    if len(frame) <= len(CATEGORY_COLOURS):
        return list(CATEGORY_COLOURS[: len(frame)])
    return neighbour_colours(frame, PASTEL_COLOURS)


def _overlap_layer(layer: str, frame: gpd.GeoDataFrame, area_name: str, link: str) -> GeoJsonLayer:
    style = LAYER_STYLES[layer]
    frame = frame.assign(
        label=[text.name(n) for n in frame["name"]],
        people=[text.people(p) for p in frame["population"]],
        of_area=[text.percent(s) for s in frame["share_of_area"]],
        of_unit=[text.percent(s) for s in frame["share_of_unit"]],
    )
    tooltip = {
        "label": "Name",
        "code": "Code",
        "people": "People in this area",
        "of_area": f"Share of {short_name(area_name)}",  # labels are escaped by the layer
        "of_unit": "Share of its own people",
    }
    return geojson_layer(frame, style.label, style.outline(), None, tooltip,
                         show=layer in SHOWN, link=link)  # fmt: skip


def _legend(
    area: AreaOverlaps,
    order: list[str],
    fills: list[str] | None,
    vintage: str,
    options: MapOptions,
) -> str:
    unit = area.outline.iloc[0]
    layer = breakdown_layer(area.layer)
    html = (
        f"<p>{LAYERS[area.layer].label} · code {escape(str(unit['code']))}<br>"
        f"Population {text.people(unit['population'])}</p>"
    )
    if fills is not None:
        html += _breakdown_table(area.overlaps[layer], fills, LAYERS[layer].label)
    counts = "".join(
        f"<tr><td>{LAYER_STYLES[other].legend_swatch()}</td><td>{LAYERS[other].label}</td>"
        f'<td class="num">{len(area.overlaps[other])}</td></tr>'
        for other in order
    )
    html += (
        "<table><tr><th></th><th>Overlapping units</th><th class='num'>Count</th></tr>"
        f"{counts}</table>"
        f'<p class="bl-sub">{FOCUS_STYLE.legend_swatch()} this area. Coloured: the part of '
        "each unit that lies in this area. Hover over a unit for how many of its people "
        "live here; click it for its own page.</p>"
    )
    if area.layer in ("utla", "ltla"):
        split_url = f"{options.maps_url}/split/{unit['code']}?vintage={vintage}"
        html += f'<p class="bl-sub"><a href="{split_url}">Its LSOAs by ICB</a></p>'
    return html


def _breakdown_table(parts: pd.DataFrame, fills: list[str], label: str) -> str:
    rows = "".join(
        f'<tr><td><span class="bl-swatch" style="background:{fill}"></span></td>'
        f"<td>{text.name(r.name)}</td><td class='num'>{text.people(r.population)}</td>"
        f"<td class='num'>{text.percent(r.share_of_area)}</td></tr>"
        for r, fill in zip(parts.head(LISTED).itertuples(), fills, strict=False)
    )
    more = len(parts) - LISTED
    if more > 0:
        rows += f"<tr><td></td><td colspan='3'>and {more} more</td></tr>"
    return (
        f"<table><tr><th></th><th>{label}</th><th class='num'>People</th>"
        f"<th class='num'>Share</th></tr>{rows}</table>"
    )
