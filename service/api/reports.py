"""Downloadable split and typology reports for reviewers (CSV, XLSX)."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from geodata.geopackage import vintage_geopackage
from geodata.reports import about_text_bytes, report_filename, to_csv_bytes, to_xlsx_bytes
from geodata.splits import splits, suppress_small
from geodata.typology import typology
from geodata.unit_status import with_status

from .. import params
from ..context import services
from ..errors import not_found
from . import api, responses, schemas
from .data import thresholds, typology_by
from .spec import operation

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    # the companion of a CSV: what it is (vintage, sources, method, attribution)
    "txt": "text/plain; charset=utf-8",
}
#: Boundaries for GIS users; not a report format (reports are tables).
GPKG_MIMETYPE = "application/geopackage+sqlite3"


def check_format(ext: str) -> None:
    if ext not in MIMETYPES:
        raise not_found(f"reports come as {', '.join(MIMETYPES)}, not {ext!r}",
                        valid=list(MIMETYPES))  # fmt: skip


def attachment(body: bytes, filename: str, ext: str) -> Response:
    """A download named ``filename`` (with its extension) of type ``ext``."""
    disposition = f'attachment; filename="{filename}"'
    mimetype = GPKG_MIMETYPE if ext == "gpkg" else MIMETYPES[ext]
    headers = {"Content-Disposition": disposition}
    if ext == "csv" and request:  # where to read what the table is
        about = request.path.removesuffix(".csv") + ".txt"
        query = request.query_string.decode("latin-1")
        headers["Link"] = f'<{about}{"?" + query if query else ""}>; rel="describedby"'
    return Response(body, mimetype=mimetype, headers=headers)


def _download(kind: str, result: Any, ext: str) -> Response:
    check_format(ext)
    if ext == "txt":
        body = about_text_bytes(result)
    else:
        body = to_csv_bytes(result) if ext == "csv" else to_xlsx_bytes(result)
    return attachment(body, report_filename(kind, result, ext), ext)


@api.get("/reports/splits.<ext>")
@operation(
    "Splits as a CSV or XLSX download with an About sheet",
    ok=responses.TABLE_FILES,
    query=schemas.SplitsReportQuery,
    path=schemas.ExtPath,
)
def splits_report(ext: str) -> Response:
    data = with_status(services().vintage(params.text("vintage")), "sa", params.sa_status())
    result = splits(
        data,
        params.area_layer("by", "utla", params.SPLIT_EXTRA),
        params.area_layer("across", "icb", params.SPLIT_EXTRA),
        params.text("area"),
    )
    below = params.number("suppress", 0, 1_000_000)
    if below:
        result = suppress_small(result, int(below))
    return _download("splits", result, ext)


@api.get("/reports/typology.<ext>")
@operation(
    "Typology as a CSV or XLSX download with an About sheet",
    ok=responses.TABLE_FILES,
    query=schemas.TypologyQuery,
    path=schemas.ExtPath,
)
def typology_report(ext: str) -> Response:
    data = services().vintage(params.text("vintage"))
    return _download("typology", typology(data, thresholds(), la_layer=typology_by()), ext)


@api.get("/reports/boundaries.gpkg")
@operation(
    "A GeoPackage for QGIS or ArcGIS: every area layer of a vintage, its LSOAs, an about table",
    ok=responses.GPKG,
    query=schemas.VintageQuery,
)
def boundaries_geopackage() -> Response:
    """Every layer of a vintage and its LSOA lookup, for QGIS or ArcGIS."""
    data = services().vintage(params.text("vintage"))
    return attachment(vintage_geopackage(data), f"boundaries_{data.name}.gpkg", "gpkg")
