"""One council's LSOAs coloured by the ICB (or sub-ICB location) they fall in."""

from __future__ import annotations

import folium
import pandas as pd

from geodata.layers import code_column
from geodata.splits import SplitResult

from . import text
from .base import MapOptions, finish, geojson_layer, new_map, panel
from .screen import LocalBlocks
from .style import CATEGORY_COLOURS, CONTEXT_ICB_STYLE, FOCUS_STYLE

#: The layers a council can be split across on this map, as a title names their units.
SPLIT_ACROSS = {"icb": "ICB", "sicbl": "sub-ICB location"}


def split_map(local: LocalBlocks, result: SplitResult, options: MapOptions) -> folium.Map:
    """``local``: the LA's LSOAs (with a ``<across>_code`` column), its outline and the
    ICB outlines around it; ``result``: the split of that LA across ``result.across``.
    Units get colours in order of size, so the largest is always blue."""
    across = result.across
    if across not in SPLIT_ACROSS:
        raise ValueError(f"across must be one of {', '.join(SPLIT_ACROSS)}, got {across!r}")
    unit = local.outline.iloc[0]
    split = result.frame
    colours = {
        code: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
        for i, code in enumerate(split["across_code"])
    }
    names = dict(zip(split["across_code"], split["across_name"], strict=True))
    title = f"{text.plain(unit['name'])} by {SPLIT_ACROSS[across]}"
    fmap = new_map(title, local.outline, result.provenance, options)

    unit_codes = local.blocks[code_column(across)]
    blocks = local.blocks.assign(
        label=[text.name(n) for n in local.blocks["name"]],
        people=[text.people(p) for p in local.blocks["population"]],
        unit=[text.name(names[c]) for c in unit_codes],
    )
    block_style = {"color": "#ffffff", "weight": 0.5, "fillOpacity": 0.8}
    fills = [colours[c] for c in unit_codes]
    tooltip = {
        "label": "LSOA",
        "code": "Code",
        "people": "Population",
        "unit": SPLIT_ACROSS[across][0].upper() + SPLIT_ACROSS[across][1:],
    }
    layers = [
        geojson_layer(blocks, f"LSOAs by {SPLIT_ACROSS[across]}", block_style, fills, tooltip),
        geojson_layer(local.context, "ICB outlines", CONTEXT_ICB_STYLE.outline(False)),
        geojson_layer(local.outline, "Council outline", FOCUS_STYLE.outline(False)),
    ]
    legend = _legend(split, colours, unit, across, result.provenance.vintage, options)
    return finish(fmap, layers, panel(title, result.provenance, legend, options))


def _legend(
    split: pd.DataFrame,
    colours: dict[str, str],
    unit: pd.Series,
    across: str,
    vintage: str,
    options: MapOptions,
) -> str:
    rows = "".join(
        f'<tr><td><span class="bl-swatch" style="background:{colours[r.across_code]}"></span>'
        f"</td><td>{text.name(r.across_name)}</td>"
        f'<td class="num">{text.people(r.population)}</td>'
        f'<td class="num">{text.percent(r.share)}</td></tr>'
        for r in split.itertuples()
    )
    total = (
        f"<tr><td></td><td><b>{text.name(unit['name'])}</b></td>"
        f'<td class="num"><b>{text.people(unit["population"])}</b></td>'
        '<td class="num"><b>100%</b></td></tr>'
    )
    other = next(layer for layer in SPLIT_ACROSS if layer != across)
    base = f"{options.maps_url}/{{}}/{unit['code']}?vintage={vintage}"
    return (
        "<table><tr><th></th><th>Where its people live</th><th class='num'>Population</th>"
        f"<th class='num'>Share</th></tr>{rows}{total}</table>"
        f'<p class="bl-sub">{FOCUS_STYLE.legend_swatch()} the council&nbsp; '
        f"{CONTEXT_ICB_STYLE.legend_swatch()} the ICBs it overlaps.<br>"
        "Each LSOA counts whole in the unit the ONS lookup assigns it to.</p>"
        f'<p class="bl-sub"><a href="{base.format("split")}&amp;across={other}">'
        f"Split by {SPLIT_ACROSS[other]}</a> · "
        f'<a href="{base.format("area")}">Everything it overlaps</a></p>'
    )
