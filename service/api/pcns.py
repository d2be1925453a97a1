"""Primary Care Networks: estimated populations, splits across councils and ICBs, an
area's PCNs, source mismatches, downloads, and catchments and practices for maps."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from flask import Response, jsonify

from geodata.geometry import to_geojson
from geodata.output import records
from geodata.pcn.layer import PcnLayer, has_pcn_layer, load_pcn_layer
from geodata.pcn.reports import PcnReport, area_pcns, pcn_populations, pcn_splits
from geodata.pcn.reports import source_mismatches as mismatches
from geodata.reports import frame_about_bytes, frame_csv_bytes, frame_xlsx_bytes
from geodata.store import VintageData

from .. import params
from ..context import services
from ..errors import ApiError, bad_request, not_found
from . import api, responses, schemas
from .cache import cached_json
from .reports import attachment, check_format
from .spec import operation


def _layer() -> tuple[VintageData, PcnLayer]:
    data = services().vintage(params.text("vintage"))
    if not has_pcn_layer(data):
        raise ApiError(404, "not_found", f"vintage {data.name} has no PCN layer; build it with: "
                       f"boundary-lab build --vintage {data.name}")  # fmt: skip
    return data, load_pcn_layer(data)


def _report_json(data: VintageData, report: PcnReport) -> dict[str, object]:
    return {"vintage": data.name, "provenance": report.provenance.as_dict(),
            "rows": records(report.frame)}  # fmt: skip


@api.get("/pcns")
@operation(
    "Each PCN's estimated population (apportioned; PCNs have no official footprint)",
    ok=responses.Report,
    query=schemas.VintageQuery,
)
def pcns() -> Response:
    data, layer = _layer()
    return cached_json(data, ("pcns",), lambda: _report_json(data, pcn_populations(data, layer)))


def _splits() -> tuple[VintageData, str, PcnReport]:
    data, layer, across, split_only = _split_params()
    return data, across, pcn_splits(data, layer, across, split_only=split_only)


def _split_params() -> tuple[VintageData, PcnLayer, str, bool]:
    data, layer = _layer()
    across = params.area_layer("across", "utla")
    split_only = not params.check_flag("all", params.text("all", "false") or "false")
    return data, layer, across, split_only


@api.get("/pcns/splits")
@operation(
    "PCNs split across councils, ICBs or SICBLs, with shares",
    ok=responses.PcnSplits,
    query=schemas.PcnSplitsQuery,
)
def pcn_split_view() -> Response:
    data, layer, across, split_only = _split_params()
    return cached_json(data, ("pcn-splits", across, split_only), lambda: {
        "across": across,
        **_report_json(data, pcn_splits(data, layer, across, split_only=split_only))})  # fmt: skip


@api.get("/pcns/area/<code>")
@operation(
    "The PCNs serving one area, with shares of the area and of each PCN",
    ok=responses.PcnArea,
    query=schemas.VintageQuery,
    path=schemas.CodePath,
)
def pcns_of_area(code: str) -> Response:
    data, layer = _layer()
    code = code.strip().upper()
    layers = [k for k in data.area_layers if code in data.names[k]]
    if not layers:
        raise not_found(f"no council, ICB, SICBL or region has the code {code!r}")
    by = "utla" if "utla" in layers else layers[0]
    return cached_json(data, ("pcn-area", code), lambda: {
        "code": code, "layer": by,
        **_report_json(data, area_pcns(data, layer, by, code))})  # fmt: skip


@api.get("/pcns/mismatches")
@operation(
    "PCNs in one source and not another (never dropped)",
    ok=responses.PcnMismatches,
    query=schemas.VintageQuery,
)
def pcn_mismatches() -> Response:
    data, layer = _layer()
    return cached_json(data, ("pcn-mismatches",), lambda: {
        "vintage": data.name, "rows": records(mismatches(layer))})  # fmt: skip


def _download(title: str, sheet: str, report: PcnReport, filename: str, ext: str) -> Response:
    check_format(ext)
    if ext == "txt":
        body = frame_about_bytes(title, report.provenance)
    elif ext == "csv":
        body = frame_csv_bytes(title, report.frame, report.provenance)
    else:
        body = frame_xlsx_bytes(title, sheet, report.frame, report.provenance)
    return attachment(body, f"{filename}.{ext}", ext)


@api.get("/reports/pcns.<ext>")
@operation(
    "PCN populations as CSV or XLSX (txt: what the CSV holds)",
    ok=responses.TABLE_FILES,
    query=schemas.VintageQuery,
    path=schemas.ExtPath,
)
def pcns_report(ext: str) -> Response:
    data, layer = _layer()
    return _download("Estimated population of each PCN", "PCNs", pcn_populations(data, layer),
                     f"pcn_populations_{data.name}", ext)  # fmt: skip


@api.get("/reports/pcn-splits.<ext>")
@operation(
    "PCN splits as CSV or XLSX (txt: what the CSV holds)",
    ok=responses.TABLE_FILES,
    query=schemas.PcnSplitsQuery,
    path=schemas.ExtPath,
)
def pcn_splits_report(ext: str) -> Response:
    data, across, report = _splits()
    return _download(f"PCNs split across {across.upper()}s", "PCN splits", report,
                     f"pcn_splits_by_{across}_{data.name}", ext)  # fmt: skip


def _icb_filter(frame: gpd.GeoDataFrame, data: VintageData) -> gpd.GeoDataFrame:
    icb = params.text("icb")
    if icb is None:
        return frame
    icb = icb.upper()
    if icb not in data.names["icb"]:
        raise bad_request(f"unknown ICB {icb!r} in vintage {data.name}")
    outline = data.cache.get(f"icb_outline:{icb}")
    if outline is None:
        from geodata.geometry import dissolve

        icbs = dissolve(data, "icb")
        outline = icbs.loc[icbs["code"] == icb].geometry.iloc[0]
        data.cache[f"icb_outline:{icb}"] = outline
    return frame.loc[frame.intersects(outline)]


def cached_pcn_populations(data: VintageData, layer: PcnLayer) -> pd.Series:
    """PCN code -> apportioned population, once per loaded vintage."""
    key = "pcn:populations"
    if key not in data.cache:
        data.cache[key] = pcn_populations(data, layer).frame.set_index("pcn_code")["population"]
    series: pd.Series = data.cache[key]
    return series


@api.get("/pcns/catchments.geojson")
@operation(
    "2020 PCN catchments (they overlap)",
    ok=responses.FeatureCollection,
    query=schemas.CatchmentsQuery,
)
def pcn_catchments() -> Response:
    data, layer = _layer()
    frame = _icb_filter(layer.catchments(), data)
    # Each catchment carries its PCN's apportioned population (the figure every report
    # uses), so a map can show it on hover.
    populations = cached_pcn_populations(data, layer)
    frame = frame.assign(population=frame["pcn_code"].map(populations).fillna(0).astype("int64"))
    tolerance = params.number("simplify", 0, 5000, default=50.0) or 0.0
    frame = frame.set_geometry(frame.geometry.simplify(tolerance)) if tolerance else frame
    response = jsonify(to_geojson(frame))
    response.mimetype = "application/geo+json"
    return response


@api.get("/pcns/practices.geojson")
@operation(
    "Member practices as points", ok=responses.FeatureCollection, query=schemas.PracticesQuery
)
def pcn_practices() -> Response:
    data, layer = _layer()
    practices = layer.practices
    frame = gpd.GeoDataFrame(
        practices.drop(columns=[c for c in ("x", "y") if c in practices]),
        geometry=gpd.points_from_xy(practices["x"], practices["y"]), crs="EPSG:27700",
    )  # fmt: skip
    response = jsonify(to_geojson(_icb_filter(frame, data)))
    response.mimetype = "application/geo+json"
    return response
