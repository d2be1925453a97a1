"""Complete map pages from a loaded vintage: take the geodata results, build, render."""

from __future__ import annotations

from geodata.errors import UnknownNameError
from geodata.provenance import Provenance
from geodata.splits import splits
from geodata.store import VintageData
from geodata.typology import typology

from .area import area_map
from .base import MapOptions, render_page
from .overview import OVERVIEW_LAYERS, overview_map
from .screen import area_overlaps, local_blocks, main_unit, outlines
from .split import split_map
from .typology import typology_map


def overview_page(data: VintageData, options: MapOptions) -> str:
    frames = {}
    for layer, _ in OVERVIEW_LAYERS:
        if layer not in data.layers:
            continue
        frame = outlines(data, layer)
        if layer != "icb":
            main = main_unit(data, layer, "icb").loc[frame["code"]]
            frame = frame.assign(
                main_icb_name=main["across_name"].to_numpy(),
                main_icb_share=main["share"].to_numpy(),
            )
        frames[layer] = frame
    return render_page(overview_map(frames, Provenance.of(data.meta), options))


def split_page(data: VintageData, council: str, across: str, options: MapOptions) -> str:
    layer, code = find_council(data, council)
    result = splits(data, layer, across, code)
    return render_page(split_map(local_blocks(data, layer, code), result, options))


def typology_page(data: VintageData, options: MapOptions) -> str:
    result = typology(data)
    councils = outlines(data, result.la_layer)
    return render_page(typology_map(councils, result, outlines(data, "icb"), options))


def area_page(data: VintageData, code: str, options: MapOptions) -> str:
    return render_page(area_map(area_overlaps(data, code), Provenance.of(data.meta), options))


def find_council(data: VintageData, query: str) -> tuple[str, str]:
    """(layer, code) of a council from its code or name, upper tier first."""
    try:
        return "utla", data.find_area("utla", query)
    except UnknownNameError as upper_error:
        try:
            return "ltla", data.find_area("ltla", query)
        except UnknownNameError:
            raise upper_error from None
