"""The 2026 review on maps: ICBs coloured by how they align with strategic authorities,
and what changed between two vintages."""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import pandas as pd

from geodata.alignment import CLASSES, Alignment
from geodata.provenance import Provenance

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .screen import NATIONAL_PRECISION
from .style import CATEGORY_COLOURS, LAYER_STYLES, LayerStyle, neighbour_colours

#: One colour per alignment class: greens for aligned, amber with none, red for a cut.
CLASS_COLOURS = {
    CLASSES[0]: "#1a9850",  # coterminous with one authority
    CLASSES[1]: "#91cf60",  # union of whole authorities
    CLASSES[2]: "#fee08b",  # whole authorities plus areas with none
    CLASSES[3]: "#d73027",  # cuts an authority
    CLASSES[4]: "#bdbdbd",  # no strategic authority
}
SA_STYLE = LayerStyle("Strategic authorities", "#542788", 3.0, "8 4")
OLD_ICB_STYLE = LayerStyle("ICBs before", "#c1121f", 2.0, "6 4")

ICB_TOOLTIP = {"label": "ICB", "code": "Code", "class": "Alignment", "held": "Authorities",
               "none_text": "In no authority", "cuts": "Cuts"}  # fmt: skip
SA_TOOLTIP = {"label": "Strategic authority", "code": "Code", "kind": "Type and status",
              "icbs_text": "ICBs"}  # fmt: skip


def alignment_map(
    icbs: gpd.GeoDataFrame, authorities: gpd.GeoDataFrame, result: Alignment,
    options: MapOptions,
) -> folium.Map:  # fmt: skip
    """``icbs``, ``authorities``: outlines (EPSG:27700) with code and name."""
    rows = result.icbs.set_index("code")
    frame = icbs[["code", icbs.geometry.name]].copy()
    row = rows.loc[frame["code"]]
    frame["label"] = [text.name(n) for n in row["name"]]
    frame["class"] = [escape(c) for c in row["class"]]
    frame["held"] = [
        text.listing(
            [f"{text.name(p['name'])} ({text.percent(p['share_of_sa'])} of it)" for p in parts]
        )
        for parts in row["authority_parts"]
    ]
    frame["none_text"] = [f"{text.percent(s)} of its people" for s in row["none_share"]]
    frame["cuts"] = [text.listing([escape(c) for c in cuts]) for cuts in row["cut_authorities"]]
    fills = [CLASS_COLOURS[c] for c in row["class"]]
    sa_rows = result.authorities.set_index("code")
    sa = authorities.loc[authorities["code"].isin(sa_rows.index), ["code", "geometry"]].copy()
    sa_row = sa_rows.loc[sa["code"]]
    sa["label"] = [text.name(n) for n in sa_row["name"]]
    sa["kind"] = [escape(f"{t or ''}, {s or ''}" + (f" {e}" if e else ""))
                  for t, s, e in zip(sa_row["type"], sa_row["status"], sa_row["established"],
                                     strict=True)]  # fmt: skip
    sa["icbs_text"] = [text.listing([f"{text.name(p['name'])} {text.percent(p['share'])}"
                                     for p in parts]) for parts in sa_row["icb_parts"]]  # fmt: skip
    title = "ICBs and strategic authorities"
    fmap = new_map(title, icbs, result.provenance, options)
    paint = {"color": "#ffffff", "weight": 1.0, "fillOpacity": 0.8}
    layers = [
        geojson_layer(frame, "ICBs by alignment", paint, fills, ICB_TOOLTIP,
                      precision=NATIONAL_PRECISION),
        geojson_layer(sa, SA_STYLE.label, SA_STYLE.outline(True), None, SA_TOOLTIP,
                      precision=NATIONAL_PRECISION),
    ]  # fmt: skip
    return finish(fmap, layers, panel(title, result.provenance, _legend(result), options))


def _legend(result: Alignment) -> str:
    counts = result.counts()
    rows = "".join(
        f'<tr><td><span class="bl-swatch" style="background:{CLASS_COLOURS[c]}"></span></td>'
        f"<td>{escape(c)}</td><td class='num'>{counts[c]}</td></tr>"
        for c in CLASSES
    )
    return (
        f"<table><tr><th></th><th>ICB</th><th class='num'>ICBs</th></tr>{rows}</table>"
        f"<p class='bl-sub'>{escape(result.status_line)}. {SA_STYLE.legend_swatch()} "
        "strategic authority outlines. Hover over an ICB or an authority for the shares.</p>"
    )


MOVE_TOOLTIP = {"label": "Moved", "lsoas": "LSOAs", "people": "People"}


def vintage_compare_map(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, moved: gpd.GeoDataFrame,
    summary: pd.DataFrame, a: str, b: str, provenance: Provenance, options: MapOptions,
) -> folium.Map:  # fmt: skip
    """ICB outlines of ``b`` (solid) over those of ``a`` (dashed), and the areas whose ICB
    changed, one fill per from -> to pair. Frames in EPSG:27700."""
    title = f"ICBs: vintage {a} to {b}"
    fmap = new_map(title, after, provenance, options)
    names_after = after.assign(label=[text.name(n) for n in after["name"]],
                               people=[text.people(p) for p in after["population"]])  # fmt: skip
    names_before = before.assign(label=[text.name(n) for n in before["name"]])
    layers = []
    if len(moved):
        fills = (neighbour_colours(moved, CATEGORY_COLOURS) if len(moved) > len(CATEGORY_COLOURS)
                 else list(CATEGORY_COLOURS[: len(moved)]))  # fmt: skip
        layers.append(geojson_layer(moved, "Areas that changed ICB",
                                    {"color": "#333333", "weight": 0.5, "fillOpacity": 0.6},
                                    fills, MOVE_TOOLTIP, precision=NATIONAL_PRECISION))  # fmt: skip
    layers.append(geojson_layer(names_before, f"ICBs {a}", OLD_ICB_STYLE.outline(False),
                                precision=NATIONAL_PRECISION))  # fmt: skip
    layers.append(geojson_layer(names_after, f"ICBs {b}", LAYER_STYLES["icb"].outline(True),
                                None, {"label": "ICB", "code": "Code", "people": "People"},
                                precision=NATIONAL_PRECISION))  # fmt: skip
    rows = "".join(
        f"<tr><td>{escape(str(r.metric))}</td><td class='num'>{_cell(r.a)}</td>"
        f"<td class='num'>{_cell(r.b)}</td></tr>"
        for r in summary.itertuples()
    )
    body = (
        f"<table><tr><th></th><th class='num'>{escape(a)}</th><th class='num'>{escape(b)}"
        f"</th></tr>{rows}</table><p class='bl-sub'>{OLD_ICB_STYLE.legend_swatch()} ICBs "
        f"{escape(a)}; {LAYER_STYLES['icb'].legend_swatch()} ICBs {escape(b)}. Filled: areas "
        "whose ICB changed (an ICB that only changed its ONS code is a recode, not filled)."
        "</p>"
    )
    return finish(fmap, layers, panel(title, provenance, body, options))


def _cell(value: object) -> str:
    if isinstance(value, (int, float)):
        return text.people(value)
    return escape("" if value is None else str(value))
