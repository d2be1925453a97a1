"""Downloadable split and typology reports for reviewers (CSV, XLSX)."""

from __future__ import annotations

from typing import Any

from flask import Response

from geodata.reports import report_filename, to_csv_bytes, to_xlsx_bytes
from geodata.splits import splits
from geodata.typology import typology
from geodata.unit_status import with_status

from .. import params
from ..context import services
from ..errors import not_found
from . import api
from .data import thresholds, typology_by

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_format(ext: str) -> None:
    if ext not in MIMETYPES:
        raise not_found(f"reports come as {', '.join(MIMETYPES)}, not {ext!r}",
                        valid=list(MIMETYPES))  # fmt: skip


def attachment(body: bytes, filename: str, ext: str) -> Response:
    """A download named ``filename`` (with its extension) of type ``ext``."""
    disposition = f'attachment; filename="{filename}"'
    return Response(body, mimetype=MIMETYPES[ext], headers={"Content-Disposition": disposition})


def _download(kind: str, result: Any, ext: str) -> Response:
    check_format(ext)
    body = to_csv_bytes(result) if ext == "csv" else to_xlsx_bytes(result)
    return attachment(body, report_filename(kind, result, ext), ext)


@api.get("/reports/splits.<ext>")
def splits_report(ext: str) -> Response:
    data = with_status(services().vintage(params.text("vintage")), "sa", params.sa_status())
    result = splits(
        data,
        params.area_layer("by", "utla"),
        params.area_layer("across", "icb"),
        params.text("area"),
    )
    return _download("splits", result, ext)


@api.get("/reports/typology.<ext>")
def typology_report(ext: str) -> Response:
    data = services().vintage(params.text("vintage"))
    return _download("typology", typology(data, thresholds(), la_layer=typology_by()), ext)
