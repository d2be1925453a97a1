"""PCNs of one ICB: the 2020 catchments drawn semi-transparent (they overlap), member
practices as points, the ICB outline for context."""

from __future__ import annotations

import folium
import geopandas as gpd

from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .style import FOCUS_STYLE, neighbour_colours

PASTELS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf")


def pcn_map(
    icb: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    practices: gpd.GeoDataFrame,
    provenance: Provenance,
    options: MapOptions,
) -> folium.Map:
    """``icb``: one outline (code, name); ``catchments``: code, name, population;
    ``practices``: code, name, pcn_name (points). All EPSG:27700."""
    title = text.plain(icb["name"].iloc[0])
    fmap = new_map(title, icb, provenance, options)
    fills = neighbour_colours(catchments, PASTELS) if len(catchments) else []
    catchments = catchments.assign(
        label=[text.name(n) for n in catchments["name"]],
        people=[text.people(p) for p in catchments["population"]],
    )
    practices = practices.assign(label=[text.name(n) for n in practices["name"]],
                                 pcn=[text.name(n) for n in practices["pcn_name"]])  # fmt: skip
    layers = [
        geojson_layer(catchments, "PCN catchments (2020; they overlap)",
                      {"color": "#555555", "weight": 1, "fill": True, "fillOpacity": 0.15},
                      fills=fills, tooltip={"label": "PCN", "code": "Code",
                                            "people": "Estimated population"}),
        geojson_layer(practices, "GP practices",
                      {"color": "#222222", "weight": 1, "fillColor": "#ffffff",
                       "fillOpacity": 1, "fill": True},
                      tooltip={"label": "Practice", "code": "Code", "pcn": "PCN"},
                      point_radius=4),
        geojson_layer(icb, "ICB outline", FOCUS_STYLE.outline(False)),
    ]  # fmt: skip
    body = (f"<p>{len(catchments):,} PCN catchments meet this ICB and {len(practices):,} "
            "member practices lie in it. Catchments overlap, so PCN populations are "
            "estimates apportioned from LSOAs, not areas.</p>")  # fmt: skip
    return finish(fmap, layers, panel(title, provenance, body, options))
