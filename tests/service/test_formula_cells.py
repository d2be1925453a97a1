"""Attack: names starting =, +, -, @ (or tab, CR) reached blocks.csv, statutory.csv and
report.csv unescaped, and the XLSX About sheet wrote the scenario's name as a live
formula. Every CSV and XLSX the service or CLI writes is opened here (csv module,
openpyxl) and every text cell checked."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from flask import Flask
from service_fixtures import make_token

from geodata.output import to_csv
from geodata.provenance import Provenance
from geodata.reports import frame_csv_bytes, frame_xlsx_bytes
from geodata.spreadsheet import comment_lines, neutralise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVIL = ['=HYPERLINK("http://x","y")', "+1+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def assert_csv_safe(body: bytes | str) -> list[list[str]]:
    text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            assert not (cell.startswith(FORMULA_STARTS) and not _is_number(cell)), (cell, row)
    return rows


def assert_xlsx_safe(body: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheets = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), (sheet.title, cell.value)
        sheets[sheet.title] = [tuple(c.value for c in r) for r in sheet.iter_rows()]
    return sheets


def test_neutralise_follows_the_owasp_rule() -> None:
    for text in EVIL:
        assert neutralise(text) == "'" + text
    for safe in ("Mid and South Essex ICB", "E54000026", "a=b", " =1", "", "'=1"):
        assert neutralise(safe) == safe
    assert neutralise(-3) == -3 and neutralise(1.5) == 1.5 and neutralise(None) is None
    lines = comment_lines([("Scenario", 'a,=1+1,"@x", -2'), ("Description", "one\n=two")])
    assert_csv_safe(lines)
    assert all(line.startswith("# ") for line in lines.splitlines())
    parsed = pd.read_csv(io.StringIO(lines + "a,b\n1,2\n"), comment="#")
    assert parsed.to_dict("list") == {"a": [1], "b": [2]}


def test_every_scenario_download_is_safe(app: Flask) -> None:
    client, headers = app.test_client(), make_token(app, "analyst")
    name = '=HYPERLINK("http://evil","click")'
    body = {"name": name, "description": "first line\n@SUM(1)\n-cmd, =2+2",
            "moves": [{"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"},
                      {"unit_layer": "ltla", "code": "E06000002",
                       "to_icb": "new_icb:+New ICB"}]}  # fmt: skip
    made = client.post("/api/v1/scenarios", json=body, headers=headers)
    assert made.status_code == 201, made.json
    sid = made.json["id"]
    for path in ("blocks.csv", "statutory.csv", "report.csv"):
        response = client.get(f"/api/v1/scenarios/{sid}/{path}")
        assert response.status_code == 200, path
        rows = assert_csv_safe(response.data)
        if path != "report.csv":
            assert any("'+New ICB" in cell or "new_icb:+New ICB" in cell
                       for row in rows for cell in row), path  # fmt: skip
    report = client.get(f"/api/v1/scenarios/{sid}/report.csv").data.decode("utf-8-sig")
    assert f"# Scenario: {name}" in report  # the name is still there, as a comment
    sheets = assert_xlsx_safe(client.get(f"/api/v1/scenarios/{sid}/report.xlsx").data)
    about = dict(row[:2] for row in sheets["About"])
    assert about["Scenario"] == "'" + name  # text, never a live formula
    assert about["Description"].startswith("first line")
    names = [row[1] for row in sheets["ICBs"][1:]]
    assert "'+New ICB" in names
    statutory = client.get("/scenarios/statutory.csv?vintage=tiny")
    assert statutory.status_code == 200
    assert_csv_safe(statutory.data)


def test_frame_writers_and_cli_csv_are_safe() -> None:
    frame = pd.DataFrame({"code": ["U00001", "U00002"], "name": ["@evil", "-2+2"],
                          "population": [-5, 10]})  # fmt: skip
    provenance = Provenance("tiny", "t", "b", "p", "m", "=attribution,@x")
    rows = assert_csv_safe(frame_csv_bytes("=title", frame, provenance))
    assert ["U00001", "'@evil", "-5"] in rows  # numbers are left as numbers
    sheets = assert_xlsx_safe(frame_xlsx_bytes("=title", "Sheet", frame, provenance))
    assert sheets["Sheet"][1] == ("U00001", "'@evil", -5)
    assert_csv_safe(to_csv(frame))


@pytest.mark.parametrize("kind", ["splits", "typology"])
def test_report_downloads_are_safe(app: Flask, kind: str) -> None:
    client = app.test_client()
    for ext in ("csv", "xlsx"):
        response = client.get(f"/api/v1/reports/{kind}.{ext}?vintage=tiny")
        assert response.status_code == 200
        (assert_csv_safe if ext == "csv" else assert_xlsx_safe)(response.data)
