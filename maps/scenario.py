"""A what-if redraw: baseline and scenario ICB outlines, the moved LSOAs coloured by the
ICB they move to."""

from __future__ import annotations

import folium
import geopandas as gpd

from geodata.output import short_name
from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .style import CATEGORY_COLOURS, LayerStyle

BASELINE_STYLE = LayerStyle("Baseline ICBs", "#6c757d", 2.0, "6 4")
SCENARIO_STYLE = LayerStyle("Scenario ICBs", "#1d3557", 3.0)


def scenario_map(
    name: str,
    baseline: gpd.GeoDataFrame,
    scenario: gpd.GeoDataFrame,
    moved: gpd.GeoDataFrame,
    provenance: Provenance,
    options: MapOptions,
) -> folium.Map:
    """``baseline``/``scenario``: ICB outlines (code, name, population); ``moved``: LSOAs
    with code, name, from_name, to_code, to_name, population (all EPSG:27700)."""
    focus = moved if len(moved) else scenario
    fmap = new_map(name, focus, provenance, options)
    destinations = sorted(set(moved["to_code"])) if len(moved) else []
    colour = {code: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
              for i, code in enumerate(destinations)}  # fmt: skip
    icb_tooltip = {"label": "ICB", "code": "Code", "people": "Population"}
    layers = [
        geojson_layer(_labelled(baseline), BASELINE_STYLE.label, BASELINE_STYLE.outline(False)),
        geojson_layer(_labelled(scenario), SCENARIO_STYLE.label, SCENARIO_STYLE.outline(),
                      tooltip=icb_tooltip),
    ]  # fmt: skip
    if len(moved):
        moved = moved.assign(
            label=[text.name(n) for n in moved["name"]],
            people=[text.people(p) for p in moved["population"]],
            route=[text.name(f"{short_name(a)} → {short_name(b)}")
                   for a, b in zip(moved["from_name"], moved["to_name"], strict=True)],
        )  # fmt: skip
        style = {"color": "#333333", "weight": 0.5, "fillOpacity": 0.7, "fill": True}
        layers.append(
            geojson_layer(
                moved,
                "Moved LSOAs",
                style,
                fills=[colour[c] for c in moved["to_code"]],
                tooltip={"label": "LSOA", "code": "Code", "people": "People", "route": "Moves"},
            )
        )
    legend = "".join(
        f'<p><span class="bl-swatch" style="background:{colour[code]}"></span>'
        f"{text.name(short_name(scenario.set_index('code').loc[code, 'name']))}</p>"
        for code in destinations if code in set(scenario["code"])
    ) or "<p>Nobody moves.</p>"  # fmt: skip
    body = (f"<p>{len(moved):,} LSOAs move, coloured by the ICB they join:</p>{legend}"
            f"<p>{BASELINE_STYLE.legend_swatch()} baseline ICBs<br>"
            f"{SCENARIO_STYLE.legend_swatch()} scenario ICBs</p>")  # fmt: skip
    return finish(fmap, layers, panel(name, provenance, body, options))


def _labelled(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.assign(label=[text.name(short_name(n)) for n in frame["name"]],
                        people=[text.people(p) for p in frame["population"]])  # fmt: skip
