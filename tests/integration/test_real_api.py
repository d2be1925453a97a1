"""The API on the real bundle: the worked Essex example, end to end over HTTP."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from geodata.store import Store
from service import create_app


@pytest.fixture(scope="module")
def real_client(real_store: Store, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    db = tmp_path_factory.mktemp("db") / "db.sqlite3"
    app = create_app({"DATA_DIR": str(real_store.root), "DATABASE_URL": f"sqlite:///{db}"})
    yield app.test_client()
    app.extensions["boundary_lab"].db.dispose()


def test_essex_split_over_http(real_client) -> None:  # noqa: ANN001
    rows = real_client.get("/api/v1/splits?area=Essex&vintage=2022").get_json()["rows"]
    assert [round(r["share"], 2) for r in rows] == [0.56, 0.23, 0.21]


def test_chelmsford_lookup_and_essex_area(real_client) -> None:  # noqa: ANN001
    units = real_client.get("/api/v1/lookup?lat=51.7356&lon=0.4685&vintage=2022").get_json()[
        "units"]
    assert units["ltla"]["name"] == "Chelmsford" and units["utla"]["code"] == "E10000012"
    assert units["icb"]["code"] == "E54000026"
    area = real_client.get("/api/v1/areas/E10000012?vintage=2022").get_json()
    assert {r["code"] for r in area["overlaps"]["icb"]} == {"E54000023", "E54000025",
                                                            "E54000026"}
    assert len(area["overlaps"]["ltla"]) == 12


def test_essex_xlsx_report(real_client, tmp_path: Path) -> None:  # noqa: ANN001
    response = real_client.get("/api/v1/reports/splits.xlsx?area=E10000012&vintage=2022")
    assert "splits_utla_by_icb_E10000012_2022.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Splits", "About"]
    summary = book["Summary"]
    assert summary.cell(row=2, column=2).value == "Essex"
    assert summary.cell(row=2, column=4).value == 3  # split three ways
    sheet = book["Splits"]
    shares = [row[5].value for row in sheet.iter_rows(min_row=2) if row[5].value is not None]
    assert [round(s, 2) for s in shares] == [0.56, 0.23, 0.21]
    assert "%" in sheet.cell(row=2, column=6).number_format
    assert [row[7].value for row in sheet.iter_rows(min_row=2, max_row=4)] == ["yes"] * 3


def test_icb_outlines_geojson(real_client, real_store: Store) -> None:  # noqa: ANN001
    body = real_client.get("/api/v1/layers/icb?vintage=2022&simplify=200").get_json()
    assert len(body["features"]) == 42
    total = sum(f["properties"]["population"] for f in body["features"])
    assert total == real_store.load("2022").meta["population_total"]
