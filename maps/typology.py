"""Councils coloured by how they relate to their ICS (coterminosity types 1-4)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geodata.typology import TYPE_LABELS, TypologyResult

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .screen import NATIONAL_PRECISION
from .style import LAYER_STYLES, TYPE_COLOURS

TOOLTIP = {
    "label": "Council",
    "code": "Code",
    "type_text": "Type",
    "main_text": "Main ICB",
    "of_icb": "Council's share of that ICB",
    "others": "Other councils in that ICS",
    "elsewhere": "Elsewhere",
    "notes_text": "Notes",
}


def typology_map(
    councils: gpd.GeoDataFrame,
    result: TypologyResult,
    icbs: gpd.GeoDataFrame,
    options: MapOptions,
) -> folium.Map:
    """``councils``: outlines (EPSG:27700, code first) of the LAs ``result`` classifies;
    ``icbs``: ICB outlines drawn over them for context."""
    types = result.frame.set_index("code")
    missing = set(councils["code"]) - set(types.index)
    if missing:
        raise ValueError(f"councils without a type: {', '.join(sorted(missing)[:5])}")
    frame = councils[["code", councils.geometry.name]].join(_tooltip_columns(types), on="code")
    fills = [TYPE_COLOURS[kind] for kind in frame["type"]]
    paint = {"color": "#ffffff", "weight": 0.8, "fillOpacity": 0.85}
    label = "Councils by type" if result.la_layer == "utla" else "Districts by type"
    title = f"How each council relates to its ICS ({result.la_layer.upper()})"
    fmap = new_map(title, councils, result.provenance, options)
    layers = [
        geojson_layer(frame, label, paint, fills, TOOLTIP, precision=NATIONAL_PRECISION),
        geojson_layer(
            icbs,
            "ICB outlines",
            LAYER_STYLES["icb"].outline(False) | {"weight": 2},
            precision=NATIONAL_PRECISION,
        ),
    ]
    return finish(fmap, layers, panel(title, result.provenance, _legend(result), options))


def _tooltip_columns(types: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for code, row in types.iterrows():
        others = [text.name(n) for n in row["other_la_names"]]
        elsewhere = [
            f"{text.percent(part['share'])} in {text.name(part['icb_name'])}"
            for part in row["elsewhere"]
        ]
        rows[code] = {
            "type": int(row["type"]),
            "label": text.name(row["name"]),
            "type_text": f"{row['type']}: {TYPE_LABELS[row['type']]}",
            "main_text": f"{text.name(row['main_icb_name'])}: "
            f"{text.percent(row['main_share'])} of the council's people",
            "of_icb": text.percent(row["share_of_icb"]),
            "others": f"{len(others)}: {text.listing(others)}" if others else "none",
            "elsewhere": "; ".join(elsewhere) or "none",
            "notes_text": "; ".join(text.name(n) for n in row["notes"]) or "none",
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _legend(result: TypologyResult) -> str:
    counts = result.frame["type"].value_counts()
    rows = "".join(
        f'<tr><td><span class="bl-swatch" style="background:{TYPE_COLOURS[kind]}"></span></td>'
        f"<td>{kind}: {label}</td><td class='num'>{counts.get(kind, 0)}</td></tr>"
        for kind, label in TYPE_LABELS.items()
    )
    t = result.thresholds
    return (
        f"<table><tr><th></th><th>Type</th><th class='num'>Councils</th></tr>{rows}</table>"
        f'<p class="bl-sub">Type 1: {t.la_in_icb:.0%}+ of the council in one ICS and the '
        f"council {t.la_of_icb:.0%}+ of that ICS. Counting the other councils an ICS serves, "
        f"{t.other_la_rule()}. Hover over a council "
        "for the shares behind its type. "
        f"{LAYER_STYLES['icb'].legend_swatch()} ICB outlines.</p>"
    )
