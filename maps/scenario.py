"""A what-if redraw: the scenario's ICBs in their stable colours, the LSOAs that move
picked out, the ICB borders before and after both drawn on top, any uploaded boundaries,
and the detached parts where an ICB falls apart."""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd

from geodata.output import short_name
from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .layer import GeoJsonLayer
from .style import LayerStyle, icb_colour

BASELINE_STYLE = LayerStyle("ICB borders before", "#d4351c", 2.5, "7 5")
SCENARIO_STYLE = LayerStyle("ICB borders after", "#0b0c0c", 2.0)
UPLOADED_STYLE = LayerStyle("Uploaded boundaries", "#6a3d9a", 2.5, "2 5")
DETACHED_STYLE = LayerStyle("Detached parts (the ICB falls apart)", "#d4351c", 3.5)


def scenario_map(
    name: str,
    baseline: gpd.GeoDataFrame,
    scenario: gpd.GeoDataFrame,
    moved: gpd.GeoDataFrame,
    provenance: Provenance,
    options: MapOptions,
    uploaded: gpd.GeoDataFrame | None = None,
    detached: gpd.GeoDataFrame | None = None,
    back: tuple[str, str] | None = None,
) -> folium.Map:
    """``baseline``/``scenario``: ICB outlines (code, name, population); ``moved``: LSOAs
    with code, name, from_name, to_code, to_name, population; ``uploaded``: polygons as
    uploaded (code, name); ``detached``: exclaves of the scenario's ICBs (code, name,
    icb_name); all EPSG:27700. ``back``: (address, text) of the scenario's own page."""
    focus = moved if len(moved) else scenario
    fmap = new_map(name, focus, provenance, options)
    link = f"{options.maps_url}/area/{{code}}?vintage={provenance.vintage}"
    icb_tooltip = {"label": "ICB", "code": "Code", "people": "Population after"}
    fills = [icb_colour(c) for c in scenario["code"]]
    after_fill = geojson_layer(_labelled(scenario), "ICBs after (filled)",
                               {"stroke": False, "fill": True, "fillOpacity": 0.35}, fills,
                               icb_tooltip, labels_from_zoom=8.0)  # fmt: skip
    layers: list[GeoJsonLayer] = [after_fill]
    if len(moved):
        moved = moved.assign(
            label=[text.name(n) for n in moved["name"]],
            people=[text.people(p) for p in moved["population"]],
            route=[text.name(f"{short_name(a)} → {short_name(b)}")
                   for a, b in zip(moved["from_name"], moved["to_name"], strict=True)],
        )  # fmt: skip
        style = {"color": "#0b0c0c", "weight": 0.4, "fillOpacity": 0.8, "fill": True}
        layers.append(geojson_layer(
            moved, "Moved LSOAs", style, [icb_colour(c) for c in moved["to_code"]],
            tooltip={"label": "LSOA", "code": "Code", "people": "People", "route": "Moves"},
        ))  # fmt: skip
    layers.append(geojson_layer(_labelled(baseline), BASELINE_STYLE.label,
                                BASELINE_STYLE.outline(False) | {"fill": False},
                                tooltip={"label": "ICB before", "people": "Population before"},
                                link=link))  # fmt: skip
    layers.append(geojson_layer(_labelled(scenario), SCENARIO_STYLE.label,
                                SCENARIO_STYLE.outline(False) | {"fill": False},
                                tooltip={"label": "ICB after",
                                         "people": "Population after"}))  # fmt: skip
    if uploaded is not None and len(uploaded):
        named = uploaded.assign(label=[text.name(n) for n in uploaded["name"]])
        layers.append(geojson_layer(named, UPLOADED_STYLE.label, UPLOADED_STYLE.outline(False),
                                    tooltip={"label": "Uploaded boundary"}))  # fmt: skip
    if detached is not None and len(detached):
        layers.append(geojson_layer(
            detached.assign(label=[text.name(n) for n in detached["icb_name"]]),
            DETACHED_STYLE.label, DETACHED_STYLE.outline() | {"fillOpacity": 0.25,
                                                              "fillColor": "#d4351c"},
            tooltip={"label": "Detached part of"}))  # fmt: skip
    return finish(fmap, layers, panel(name, provenance,
                                      _legend(scenario, moved, uploaded, detached, back),
                                      options))  # fmt: skip


def _legend(
    scenario: gpd.GeoDataFrame,
    moved: gpd.GeoDataFrame,
    uploaded: gpd.GeoDataFrame | None,
    detached: gpd.GeoDataFrame | None,
    back: tuple[str, str] | None,
) -> str:
    destinations = sorted(set(moved["to_code"])) if len(moved) else []
    names = scenario.set_index("code")["name"]
    swatches = "".join(
        f'<tr><td><span class="bl-swatch" style="background:{icb_colour(code)}"></span></td>'
        f"<td>{text.name(short_name(names.get(code, code)))}</td></tr>"
        for code in destinations
    )
    html = "<p>Nobody moves.</p>"
    if len(moved):
        html = (f"<p>{text.counted(len(moved), 'LSOA')} {'moves' if len(moved) == 1 else 'move'}"
                "; drawn strong in the colour of the ICB they join, every other ICB "
                "lighter.</p>")  # fmt: skip
    if swatches:
        html += f"<table><tr><th></th><th>ICBs gaining people</th></tr>{swatches}</table>"
    lines = [BASELINE_STYLE, SCENARIO_STYLE]
    if uploaded is not None and len(uploaded):
        lines.append(UPLOADED_STYLE)
    if detached is not None and len(detached):
        lines.append(DETACHED_STYLE)
    html += (
        "<table class='bl-key'>"
        + "".join(
            f"<tr><td>{style.legend_swatch()}</td><td>{escape(style.label)}</td></tr>"
            for style in lines
        )
        + "</table>"
    )
    if detached is not None and len(detached):
        icbs = detached["icb_name"].nunique()
        verb = "touches" if len(detached) == 1 else "touch"
        which = "that ICB is" if icbs == 1 else "those ICBs are"
        html += (f"<p>{text.counted(len(detached), 'detached part')} of 1 km² or more {verb} "
                 f"another ICB: {which} not contiguous.</p>")  # fmt: skip
    if back is not None:
        html += f'<p><a href="{escape(back[0])}">{escape(back[1])}</a></p>'
    return html


def _labelled(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.assign(label=[text.name(short_name(n)) for n in frame["name"]],
                        people=[text.people(p) for p in frame["population"]])  # fmt: skip
