"""A place set: each place filled, with the ICB outlines it sits in for context."""

from __future__ import annotations

import folium
import geopandas as gpd

from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .style import CONTEXT_ICB_STYLE, PASTEL_COLOURS, neighbour_colours


def places_map(
    name: str,
    places: gpd.GeoDataFrame,
    icbs: gpd.GeoDataFrame,
    provenance: Provenance,
    options: MapOptions,
) -> folium.Map:
    """``places``: code, name, population; ``icbs``: the ICB outlines to draw (27700)."""
    fmap = new_map(name, places, provenance, options)
    places = places.assign(label=[text.name(n) for n in places["name"]],
                           people=[text.people(p) for p in places["population"]])  # fmt: skip
    fills = neighbour_colours(places, PASTEL_COLOURS)
    style = {"color": "#333333", "weight": 1.2, "fill": True, "fillOpacity": 0.55}
    icbs = icbs.assign(label=[text.name(n) for n in icbs["name"]])
    layers = [
        geojson_layer(places, "Places", style, fills,
                      {"label": "Place", "code": "Code", "people": "Population"}),
        geojson_layer(icbs, "ICB outlines", CONTEXT_ICB_STYLE.outline(False)),
    ]  # fmt: skip
    rows = "".join(
        f"<tr><td>{text.name(n)}</td><td class='num'>{text.people(p)}</td></tr>"
        for n, p in zip(places["name"], places["population"], strict=True)
    )
    body = f"<table><tr><th>Place</th><th class='num'>People</th></tr>{rows}</table>"
    return finish(fmap, layers, panel(name, provenance, body, options))
