"""Complete map pages from a loaded vintage: take the geodata results, build, render."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geodata.errors import UnknownNameError
from geodata.geometry import simplify_coverage
from geodata.pcn.layer import PcnLayer, has_pcn_layer, load_pcn_layer
from geodata.pcn.reports import method_text, pcn_populations
from geodata.places import Membership
from geodata.provenance import Provenance
from geodata.scenarios import Scenario, resolve
from geodata.scenarios.shapes import detached_parts, icb_shapes
from geodata.splits import splits
from geodata.store import VintageData
from geodata.typology import typology

from . import text
from .area import area_map
from .base import MapOptions, render_page
from .overview import OVERVIEW_LAYERS, overview_map
from .pcns import pcn_map
from .places import places_map
from .scenario import scenario_map
from .screen import (
    LOCAL_TOLERANCE_M,
    NATIONAL_TOLERANCE_M,
    area_overlaps,
    local_blocks,
    main_unit,
    outlines,
)
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
    catchments = len(load_pcn_layer(data).catchments()) if has_pcn_layer(data) else 0
    areas = {code: name for layer in ("icb", "sicbl", "ltla", "utla", "sa") if layer in data.names
             for code, name in data.names[layer].items()}  # fmt: skip
    provenance = Provenance.of(data.meta)
    return render_page(overview_map(frames, provenance, options, catchments, areas))


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


def scenario_page(
    data: VintageData,
    scenario: Scenario,
    options: MapOptions,
    uploaded_geojson: str | None = None,
    back: tuple[str, str] | None = None,
) -> str:
    """The scenario's ICBs, the LSOAs that move, borders before and after, uploaded
    boundaries (GeoJSON text as stored), and the detached parts of ICBs that fall apart."""
    assignment = resolve(data, scenario)
    shapes = icb_shapes(data, assignment.icb)
    population = data.table.groupby(assignment.icb)["population"].sum()
    after = gpd.GeoDataFrame(
        {"code": list(shapes), "name": [assignment.names[c] for c in shapes],
         "population": [int(population[c]) for c in shapes]},
        geometry=[s.outline for s in shapes.values()], crs="EPSG:27700",
    )  # fmt: skip
    after = simplify_coverage(after, NATIONAL_TOLERANCE_M)
    before = data.table["icb_code"].to_numpy()
    changed = np.flatnonzero(assignment.icb != before)
    moved = gpd.GeoDataFrame(
        {"code": data.table["lsoa_code"].to_numpy()[changed],
         "name": data.table["lsoa_name"].to_numpy()[changed],
         "population": data.table["population"].to_numpy()[changed],
         "from_name": [data.names["icb"][c] for c in before[changed]],
         "to_code": assignment.icb[changed],
         "to_name": [assignment.names[c] for c in assignment.icb[changed]]},
        geometry=data.geometry().geometry.to_numpy()[changed], crs="EPSG:27700",
    )  # fmt: skip
    moved = simplify_coverage(moved, LOCAL_TOLERANCE_M) if len(moved) else moved
    detached = _detached(data, assignment, shapes)
    uploaded = None
    if uploaded_geojson:
        features = json.loads(uploaded_geojson).get("features", [])
        if features:
            frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326").to_crs(27700)
            label = next((c for c in ("name", "icb_name", "label") if c in frame), None)
            uploaded = gpd.GeoDataFrame(
                {"code": [str(i) for i in range(len(frame))],
                 "name": frame[label].astype(str) if label else "uploaded boundary"},
                geometry=frame.geometry.to_numpy(), crs=frame.crs,
            )  # fmt: skip
    return render_page(scenario_map(scenario.name, outlines(data, "icb"), after, moved,
                                    Provenance.of(data.meta), options, uploaded, detached,
                                    back))  # fmt: skip


def _detached(data: VintageData, assignment: Any, shapes: dict[str, Any]) -> gpd.GeoDataFrame:
    """The exclaves of every ICB that has any: where the scenario makes an ICB fall apart."""
    rows: list[tuple[str, str, Any]] = []
    for code, shape in shapes.items():
        if shape.exclaves:
            parts = detached_parts(data, code, shape.outline, assignment.icb)["exclave"]
            rows += [(code, assignment.names[code], part) for part in parts]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "icb_name": [r[1] for r in rows]},
        geometry=[r[2] for r in rows], crs="EPSG:27700",
    )  # fmt: skip


def pcn_page(data: VintageData, layer: PcnLayer, icb_code: str, options: MapOptions) -> str:
    """One ICB's PCN catchments (semi-transparent) and member practices."""
    icbs = outlines(data, "icb")
    icb = icbs.loc[icbs["code"] == icb_code]
    outline = icb.geometry.iloc[0]
    populations = pcn_populations(data, layer).frame.set_index("pcn_code")["population"]
    catchments = layer.catchments()
    catchments = catchments.loc[catchments.intersects(outline)]
    catchments = gpd.GeoDataFrame(
        {"code": catchments["pcn_code"].to_numpy(), "name": catchments["pcn_name"].to_numpy(),
         "population": catchments["pcn_code"].map(populations).fillna(0).to_numpy()},
        geometry=catchments.geometry.simplify(LOCAL_TOLERANCE_M).to_numpy(), crs="EPSG:27700",
    )  # fmt: skip
    practices = layer.practices
    points = gpd.GeoDataFrame(
        {"code": practices["practice_code"].to_numpy(),
         "name": practices["practice_name"].to_numpy(),
         "pcn_name": practices["pcn_code"].map(layer.pcns.set_index("pcn_code")["pcn_name"])
         .fillna("").to_numpy()},
        geometry=gpd.points_from_xy(practices["x"], practices["y"]), crs="EPSG:27700",
    )  # fmt: skip
    points = points.loc[points.within(outline)]
    provenance = Provenance.of(data.meta, method_text(layer))
    return render_page(pcn_map(icb, catchments, points, provenance, options))


def places_page(data: VintageData, membership: Membership, options: MapOptions) -> str:
    """The places of a set, dissolved from their LSOAs, within their ICBs' outlines."""
    polygons = data.geometry().geometry.to_numpy()
    population = data.table["population"].to_numpy()
    codes = membership.codes
    places = gpd.GeoDataFrame(
        {"code": codes, "name": [membership.names[c] for c in codes],
         "population": [int(population[membership.rows[c]].sum()) for c in codes]},
        geometry=[shapely.coverage_union_all(polygons[membership.rows[c]]) for c in codes],
        crs="EPSG:27700",
    )  # fmt: skip
    if not (membership.count > 1).any():
        places = simplify_coverage(places, LOCAL_TOLERANCE_M)
    touched = set(data.table["icb_code"].to_numpy()[membership.count > 0])
    icbs = outlines(data, "icb")
    icbs = icbs.loc[icbs["code"].isin(touched)]
    name = membership.place_set.name
    return render_page(places_map(name, places, icbs, Provenance.of(data.meta), options))


def alignment_page(data: VintageData, status: str, tolerance: float, options: MapOptions) -> str:
    """ICBs coloured by their alignment class, strategic authority outlines over them."""
    from geodata.alignment import alignment
    from geodata.unit_status import with_status

    from .review import alignment_map

    result = alignment(data, status, tolerance)
    authorities = outlines(with_status(data, "sa", status), "sa")
    return render_page(alignment_map(outlines(data, "icb"), authorities, result, options))


def vintage_compare_page(a: VintageData, b: VintageData, options: MapOptions) -> str:
    """Both vintages' ICB outlines and the areas whose ICB changed (by from -> to)."""
    from geodata.vintage_compare import compare_vintages

    from .review import vintage_compare_map

    result = compare_vintages(a, b)
    changed = result.lsoa_icbs.loc[result.lsoa_icbs["moved"]]
    rows = changed.index.to_numpy()
    polygons = b.geometry().geometry.to_numpy()
    people = b.table["population"].to_numpy()
    groups = changed.groupby(["icb_a", "icb_b"]).indices
    moved = gpd.GeoDataFrame(
        {"code": [f"{x}-{y}" for x, y in groups],
         "label": [f"{text.name(a.names['icb'][x])} to {text.name(b.names['icb'][y])}"
                   for x, y in groups],
         "lsoas": [f"{len(i):,}" for i in groups.values()],
         "people": [text.people(people[rows[i]].sum()) for i in groups.values()]},
        geometry=[shapely.coverage_union_all(polygons[rows[i]]) for i in groups.values()],
        crs="EPSG:27700",
    )  # fmt: skip
    moved = simplify_coverage(moved, NATIONAL_TOLERANCE_M) if len(moved) else moved
    provenance = Provenance.of(b.meta, "ICBs of two vintages on the same LSOA building blocks.")
    return render_page(vintage_compare_map(outlines(a, "icb"), outlines(b, "icb"), moved,
                                           result.summary, a.name, b.name, provenance,
                                           options))  # fmt: skip
