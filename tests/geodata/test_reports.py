"""CSV and XLSX reports on hand-made results: names, round trips, formats, About sheet."""

from __future__ import annotations

import copy
import io
from datetime import UTC, datetime, timedelta, timezone

import openpyxl
import pandas as pd
import pytest

from geodata import __version__
from geodata.provenance import Provenance
from geodata.reports import (
    about_text_bytes,
    report_filename,
    report_table,
    report_title,
    to_csv_bytes,
    to_xlsx_bytes,
)
from geodata.splits import SplitResult
from geodata.typology import Thresholds, TypologyResult

PROVENANCE = Provenance(
    vintage="2022",
    title="July 2022 ICBs on 2011 LSOAs",
    boundaries="LSOA 2011; ICB July 2022",
    population_source="ONS mid-2020 estimates, persons",
    method="LSOA building blocks, counted whole; exact bookkeeping.",
)
WHEN = datetime(2024, 5, 1, 13, 30, tzinfo=timezone(timedelta(hours=1)))  # 12:30 UTC

ESSEX = pd.DataFrame(
    {
        "by_code": ["E10000012"] * 3,
        "by_name": ["Essex"] * 3,
        "across_code": ["E54000026", "E54000023", "E54000025"],
        "across_name": [
            "NHS Mid and South Essex Integrated Care Board",
            "NHS Suffolk and North East Essex Integrated Care Board",
            "NHS Hertfordshire and West Essex Integrated Care Board",
        ],
        "population": [840_992, 344_553, 312_214],
        "share": [840_992 / 1_497_759, 344_553 / 1_497_759, 312_214 / 1_497_759],
        "by_population": [1_497_759] * 3,
    }
)


def essex() -> SplitResult:
    return SplitResult("utla", "icb", ESSEX.copy(), PROVENANCE)


def two_las() -> SplitResult:
    extra = ESSEX.iloc[:1].assign(by_code="E06000033", by_name="Southend-on-Sea", share=1.0)
    return SplitResult("utla", "icb", pd.concat([ESSEX, extra], ignore_index=True), PROVENANCE)


def typology_result() -> TypologyResult:
    frame = pd.DataFrame(
        {
            "code": ["E06000052", "E10000012"],
            "name": ["Cornwall", "Essex"],
            "type": [1, 4],
            "type_label": ["coterminous", "split over several ICSs"],
            "main_icb_code": ["E54000036", "E54000026"],
            "main_icb_name": [
                "NHS Cornwall and the Isles of Scilly Integrated Care Board",
                "NHS Mid and South Essex Integrated Care Board",
            ],
            "main_share": [1.0, 0.5615],
            "share_of_icb": [0.996, 0.7012],
            "other_las": [0, 2],
            "other_la_names": [[], ["Southend-on-Sea", "Thurrock"]],
            "icb_count": [1, 3],
            "elsewhere": [
                [],
                [
                    {"icb_code": "E54000023", "icb_name": ESSEX.across_name[1], "share": 0.23},
                    {"icb_code": "E54000025", "icb_name": ESSEX.across_name[2], "share": 0.2084},
                ],
            ],
            "population": [570_305, 1_497_759],
            "notes": [["near-coterminous"], []],
        }
    )
    return TypologyResult("utla", frame, Thresholds(), PROVENANCE)


def test_file_names_say_what_they_hold() -> None:
    assert report_filename("splits", two_las(), "xlsx") == "splits_utla_by_icb_2022.xlsx"
    assert report_filename("splits", essex(), ".csv") == "splits_utla_by_icb_E10000012_2022.csv"
    assert report_filename("typology", typology_result(), "CSV") == "typology_utla_2022.csv"
    odd = SplitResult("utla", "icb", ESSEX, Provenance("2026 Apr/../x", "", "", "", ""))
    assert report_filename("splits", odd, "csv") == "splits_utla_by_icb_E10000012_2026-Apr-..-x.csv"


def test_titles() -> None:
    assert report_title(two_las()) == "Population of each upper-tier LA by ICB"
    assert report_title(essex()) == "Population of Essex (E10000012) by ICB"
    assert report_title(typology_result()) == "Coterminosity typology of upper-tier LAs and ICSs"
    assert report_title(SplitResult("ltla", "sicbl", ESSEX.iloc[:0], PROVENANCE)) == (
        "Population of each lower-tier LA by sub-ICB location"
    )


def test_split_table_headers_and_kinds() -> None:
    table, kinds = report_table(essex())
    assert list(kinds.items()) == [
        ("Upper-tier LA code", "text"),
        ("Upper-tier LA name", "text"),
        ("ICB code", "text"),
        ("ICB name", "text"),
        ("Population", "int"),
        ("Share of upper-tier LA population", "percent"),
        ("Upper-tier LA population", "int"),
        ("Upper-tier LA split?", "text"),
    ]
    assert list(table.columns) == list(kinds)
    assert table["Upper-tier LA split?"].tolist() == ["yes"] * 3
    # Southend-on-Sea, in one ICB, is not split; Essex's rows still say it is
    both, _ = report_table(two_las())
    assert both["Upper-tier LA split?"].tolist() == ["yes", "yes", "yes", "no"]
    assert table["Share of upper-tier LA population"].tolist() == ESSEX["share"].tolist()


def test_csv_is_the_table_alone_and_its_companion_says_what_it_is() -> None:
    data = to_csv_bytes(essex(), generated_at=WHEN)
    assert data.startswith(b"\xef\xbb\xbfUpper-tier LA code,Upper-tier LA name,")
    assert b"\n#" not in data and not data.decode("utf-8-sig").startswith("#")
    back = pd.read_csv(io.BytesIO(data))  # no comment= needed: nothing but the table
    table, _ = report_table(essex())
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    assert back["Share of upper-tier LA population"].tolist() == ESSEX["share"].tolist()
    about = about_text_bytes(essex(), generated_at=WHEN).decode("utf-8").splitlines()
    for expected in [
        "Title: Population of Essex (E10000012) by ICB",
        "Vintage: 2022",
        f"Boundaries: {PROVENANCE.boundaries}",
        f"Population source: {PROVENANCE.population_source}",
        f"Method: {PROVENANCE.method}",
        "Generated (UTC): 2024-05-01T12:30:00Z",
        f"Attribution: {PROVENANCE.attribution}",
    ]:
        assert expected in about


def test_split_summary_sheet_lists_the_split_units_only() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(two_las(), generated_at=WHEN)))
    assert book.sheetnames == ["Summary", "Splits", "About"]
    rows = list(book["Summary"].iter_rows(values_only=True))
    assert rows[0] == ("Upper-tier LA code", "Upper-tier LA name", "Upper-tier LA population",
                       "Number of ICBs", "Main ICB", "Share in main ICB",
                       "People outside main ICB", "Other ICBs (people)")  # fmt: skip
    # Essex only (Southend-on-Sea is in one ICB); worked out from the fixture by hand
    assert rows[1:] == [("E10000012", "Essex", 1_497_759, 3,
                         "NHS Mid and South Essex Integrated Care Board",
                         pytest.approx(840_992 / 1_497_759), 344_553 + 312_214,
                         "NHS Suffolk and North East Essex Integrated Care Board (344,553); "
                         "NHS Hertfordshire and West Essex Integrated Care Board "
                         "(312,214)")]  # fmt: skip


def test_small_counts_suppressed_on_request() -> None:
    from geodata.splits import suppress_small

    kept = suppress_small(essex(), 320_000)  # Herts and West Essex (312,214) is withheld
    assert kept.frame["across_code"].tolist() == ["E54000026", "E54000023"]
    assert kept.frame["by_population"].tolist() == [1_497_759] * 2  # totals stay whole
    assert "1 part(s) of fewer than 320,000 people (312,214 people in all)" in (
        kept.provenance.method)
    assert "OHID" in kept.provenance.method
    # the largest part is kept however high the bar
    assert suppress_small(essex(), 10**9).frame["across_code"].tolist() == ["E54000026"]
    assert suppress_small(essex(), 0) is not None and len(suppress_small(essex(), 0).frame) == 3


def test_xlsx_data_sheet_formats() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(essex(), generated_at=WHEN)))
    assert book.sheetnames == ["Summary", "Splits", "About"]
    sheet = book["Splits"]
    headers = [c.value for c in sheet[1]]
    assert headers == list(report_table(essex())[1])
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"
    share = sheet.cell(2, headers.index("Share of upper-tier LA population") + 1)
    population = sheet.cell(2, headers.index("Population") + 1)
    assert "%" in share.number_format and share.value == pytest.approx(0.5615002146540264)
    assert population.number_format == "#,##0" and population.value == 840_992
    assert sheet.column_dimensions["D"].width > len(ESSEX.across_name[1])


def test_xlsx_about_sheet() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(essex(), generated_at=WHEN)))
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Title"] == "Population of Essex (E10000012) by ICB"
    assert about["Vintage"] == "2022"
    assert about["Population source"] == PROVENANCE.population_source
    assert about["Method"] == PROVENANCE.method
    assert about["Generated (UTC)"] == "2024-05-01T12:30:00Z"
    assert about["Generated by"] == f"Boundary Lab {__version__}"
    assert about["Attribution"] == PROVENANCE.attribution
    assert "Thresholds" not in about
    assert book["About"]["B1"].alignment.wrap_text
    assert book["About"].column_dimensions["B"].width >= 80


def test_typology_xlsx_flattens_lists_and_lists_thresholds() -> None:
    result = typology_result()
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(result, generated_at=WHEN)))
    assert book.sheetnames == ["Typology", "About"]
    rows = list(book["Typology"].iter_rows(values_only=True))
    essex_row = dict(zip(rows[0], rows[2], strict=True))
    assert essex_row["Other LA names"] == "Southend-on-Sea; Thurrock"
    assert essex_row["Shares in other ICBs"] == (
        "Suffolk and North East Essex ICB: 23.0%; Hertfordshire and West Essex ICB: 20.8%"
    )
    assert essex_row["Type"] == 4 and essex_row["Number of ICBs"] == 3
    assert dict(zip(rows[0], rows[1], strict=True))["Notes"] == "near-coterminous"
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert "la_in_icb = 0.95" in about["Thresholds"]
    assert "other LAs: an LA counts when it lies mostly within that ICS" in about["Thresholds"]


def test_typology_csv_round_trip() -> None:
    back = pd.read_csv(io.BytesIO(to_csv_bytes(typology_result())))
    assert back["Population"].tolist() == [570_305, 1_497_759]
    assert back["Share of upper-tier LA in main ICB"].tolist() == [1.0, 0.5615]
    assert back["Other LA names"].fillna("").tolist() == ["", "Southend-on-Sea; Thurrock"]


def test_generated_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    line = next(
        line
        for line in about_text_bytes(essex()).decode("utf-8").splitlines()
        if line.startswith("Generated (UTC): ")
    )
    stamp = datetime.fromisoformat(line.removeprefix("Generated (UTC): "))
    assert before <= stamp <= datetime.now(UTC)


def test_results_are_not_mutated() -> None:
    for result in (essex(), typology_result()):
        before = copy.deepcopy(result.frame)
        report_table(result)
        to_csv_bytes(result)
        to_xlsx_bytes(result)
        pd.testing.assert_frame_equal(result.frame, before)


def test_text_that_looks_like_a_formula_stays_text() -> None:
    frame = ESSEX.assign(by_name="=HYPERLINK(1)")
    result = SplitResult("utla", "icb", frame, PROVENANCE)
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(result)))["Splits"]
    # Neutralised as OWASP says: an apostrophe first, stored as text.
    assert sheet["B2"].value == "'=HYPERLINK(1)" and sheet["B2"].data_type == "s"
