"""How each layer looks on every map, and colours that keep neighbours apart."""

from __future__ import annotations

import colorsys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd


@dataclass(frozen=True)
class LayerStyle:
    """An outline style; ``dash`` is an SVG dash pattern, empty for a solid line."""

    label: str
    colour: str
    weight: float
    dash: str = ""

    def outline(self, interactive: bool = True) -> dict[str, Any]:
        """Leaflet path options. A transparent fill still catches the mouse, so hovering
        anywhere inside an outline shows its tooltip."""
        style: dict[str, Any] = {
            "color": self.colour,
            "weight": self.weight,
            "opacity": 0.9,
            "fill": interactive,
            "fillOpacity": 0.0,
        }
        if self.dash:
            style["dashArray"] = self.dash
        return style

    def legend_swatch(self) -> str:
        border = "dashed" if self.dash else "solid"
        width = max(2, round(self.weight))
        return f'<span class="bl-line" style="border-top:{width}px {border} {self.colour}"></span>'


#: Line colours differ in hue and the lower tiers are dashed, so they stay apart for
#: readers with a colour vision deficiency too.
LAYER_STYLES: dict[str, LayerStyle] = {
    "icb": LayerStyle("Integrated Care Boards (ICB)", "#1d3557", 3.5),
    "utla": LayerStyle("Councils, upper tier (UTLA)", "#c1121f", 1.2),
    "ltla": LayerStyle("Councils, lower tier (LTLA)", "#e76f00", 1.0, "5 4"),
    "sicbl": LayerStyle("Sub-ICB locations (SICBL)", "#6a3d9a", 1.3, "2 4"),
    "region": LayerStyle("Regions", "#2b2b2b", 3.0, "10 5"),
    "sa": LayerStyle("Strategic authorities", "#0b7a3e", 2.5, "12 4"),
    "pcn": LayerStyle("PCN catchments (2020; overlapping)", "#2a9d8f", 0.8),
}

#: The unit a page is about: drawn over everything else.
FOCUS_STYLE = LayerStyle("This area", "#000000", 3.5)
#: ICB outlines drawn for context over coloured blocks.
CONTEXT_ICB_STYLE = LayerStyle("ICB outlines", "#1d3557", 2.0, "8 5")

#: Strong, distinct fills for the few units an LA is split between (Tableau 10).
CATEGORY_COLOURS = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1",
    "#edc948", "#76b7b2", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip

#: Light fills for a whole layer under outlines (ColorBrewer Pastel1 and Set3).
PASTEL_COLOURS = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fdb462", "#b3de69",
    "#fccde5", "#80b1d3", "#d9d9d9", "#ccebc5",
)  # fmt: skip

#: Coterminosity types: green when coterminous, blues for sharing an ICS (darker: with
#: more LAs), orange when split over several ICSs.
TYPE_COLOURS = {1: "#1b9e77", 2: "#9ecae1", 3: "#3182bd", 4: "#e6550d"}


def neighbour_colours(frame: gpd.GeoDataFrame, palette: tuple[str, ...]) -> list[str]:
    """A colour per polygon so that polygons that touch get different colours.

    Greedy colouring, most-connected first; a map needs at most four colours, greedy
    rarely more than six, and if the palette runs out a colour is reused.
    """
    left, right = frame.sindex.query(frame.geometry.to_numpy(), predicate="intersects")
    neighbours: list[set[int]] = [set() for _ in range(len(frame))]
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    chosen = [-1] * len(frame)
    for i in sorted(range(len(frame)), key=lambda i: -len(neighbours[i])):
        taken = {chosen[j] for j in neighbours[i]}
        free = [c for c in range(len(palette)) if c not in taken]
        chosen[i] = free[0] if free else i % len(palette)
    return [palette[c] for c in chosen]


#: ICB fills: hues spread round the colour wheel, light enough that outlines and labels
#: stay readable on top; two lightness steps separate near hues further.
ICB_SATURATION, ICB_LIGHTNESS = 0.55, (0.66, 0.76)
_GOLDEN = 0.618033988749895


def icb_colour(code: str) -> str:
    """One fill colour per ICB code, the same on every map, page and process.

    Derived from the code alone, so a scenario's ICBs keep their colours from one
    scenario to the next and the editor draws them as the maps do. ONS ICB codes
    (``E54`` + serial) take the serial's place in the golden-ratio sequence, which spreads
    consecutive serials evenly round the wheel; any other code (a scenario's new ICB)
    takes its CRC-32 (not Python's salted ``hash``). Neighbours may share a hue now and
    then: outlines and labels tell them apart, and stability matters more to a reader
    comparing two maps.
    """
    serial = code[3:] if code.startswith("E54") else ""
    number = int(serial) if serial.isdigit() else zlib.crc32(code.encode("utf-8"))
    hue = (number * _GOLDEN) % 1.0
    lightness = ICB_LIGHTNESS[number % 2]
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, ICB_SATURATION)
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (red, green, blue)))


def icb_colours(codes: Iterable[str]) -> dict[str, str]:
    """``icb_colour`` for each code."""
    return {code: icb_colour(code) for code in codes}
