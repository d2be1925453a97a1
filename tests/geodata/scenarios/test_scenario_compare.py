"""Statutory descriptions, comparison of two scenarios, and the block-assignment CSV, on the
tiny vintage (picture in scenario_fixtures.py)."""

from __future__ import annotations

import pytest
from scenario_fixtures import ICB1, ICB2, LSOAS

from geodata.errors import BoundaryLabError
from geodata.scenarios import Move, Scenario, baseline, resolve
from geodata.scenarios.compare import compare, export_blocks, import_blocks, read_blocks_csv
from geodata.scenarios.statutory import COLUMNS, statutory_description, statutory_text
from geodata.store import VintageData


def test_statutory_description_of_the_baseline_is_whole_ltlas(tiny: VintageData) -> None:
    description = statutory_description(tiny, baseline(tiny))
    assert list(description.columns) == COLUMNS
    assert [tuple(r) for r in description[["icb_code", "kind", "code", "name"]].itertuples(
        index=False)] == [
        (ICB1, "ltla", "E07000001", "District 1"),
        (ICB2, "ltla", "E06000001", "Unitary 1"),
        (ICB2, "ltla", "E06000002", "Unitary 2"),
        (ICB2, "ltla", "E07000002", "District 2"),
    ]  # fmt: skip
    assert statutory_text(description) == (
        "ICB 1 (E54000001)\n"
        "  The areas of: District 1.\n"
        "\n"
        "ICB 2 (E54000002)\n"
        "  The areas of: Unitary 1, Unitary 2, District 2.\n"
    )


def test_statutory_description_lists_lsoas_of_a_part_included_ltla(tiny: VintageData) -> None:
    scenario = Scenario("tiny", "s").with_moves(Move("lsoa", "E01000002", "new_icb:Middle ICB"))
    description = statutory_description(tiny, resolve(tiny, scenario))
    assert [tuple(r) for r in description.itertuples(index=False)] == [
        (ICB1, "ICB 1", "lsoa", "E01000001", "Tiny 001A", "E07000001", "District 1"),
        (ICB2, "ICB 2", "ltla", "E06000001", "Unitary 1", "E06000001", "Unitary 1"),
        (ICB2, "ICB 2", "ltla", "E06000002", "Unitary 2", "E06000002", "Unitary 2"),
        (ICB2, "ICB 2", "ltla", "E07000002", "District 2", "E07000002", "District 2"),
        ("NEW-1", "Middle ICB", "lsoa", "E01000002", "Tiny 002A", "E07000001", "District 1"),
    ]  # fmt: skip
    assert statutory_text(description) == (
        "ICB 1 (E54000001)\n"
        "  In District 1, the lower layer super output areas: E01000001.\n"
        "\n"
        "ICB 2 (E54000002)\n"
        "  The areas of: Unitary 1, Unitary 2, District 2.\n"
        "\n"
        "Middle ICB (NEW-1)\n"
        "  In District 1, the lower layer super output areas: E01000002.\n"
    )


def test_compare_two_scenarios(tiny: VintageData) -> None:
    a = Scenario("tiny", "a").with_moves(Move("ltla", "E07000002", ICB1))  # [1, 1, 1, 2, 2]
    b = Scenario("tiny", "b").with_moves(Move("lsoa", "E01000002", ICB2))  # [1, 2, 2, 2, 2]
    result = compare(tiny, a, b)
    assert (result.lsoas_different, result.people_different) == (2, 500)
    assert [tuple(r) for r in result.moved.itertuples(index=False)] == [(ICB1, ICB2, 2, 500)]
    assert [tuple(r) for r in result.icbs.itertuples(index=False)] == [
        (ICB1, "ICB 1", 600, 100, -500), (ICB2, "ICB 2", 900, 1400, 500)]  # fmt: skip
    summary = {row.metric: (row.a, row.b, row.change) for row in result.summary.itertuples()}
    assert summary == {
        "ICB icbs": (2, 2, 0),
        "ICB min": (600, 100, -500),
        "ICB max": (900, 1400, 500),
        "ICB ratio_max_min": (1.5, 14.0, 12.5),
        "utla_icb_links": (3, 4, 1),
        "lsoas_moved": (1, 1, 0),
        "people_moved": (300, 200, -100),
        "split UTLAs": (0, 1, 1),
        "split LTLAs": (0, 1, 1),
        "rule utla_within_one_icb offenders": (0, 1, 1),
        "rule icb_population offenders": (2, 2, 0),
        "rule icb_contiguous offenders": (0, 0, 0),
    }
    assert result.a.scenario == a and result.b.scenario == b


def test_compare_a_scenario_with_the_baseline(tiny: VintageData) -> None:
    coast = Scenario("tiny", "a").with_moves(Move("ltla", "E06000002", "new_icb:Coast"))
    result = compare(tiny, Scenario("tiny", "baseline"), coast)
    assert (result.lsoas_different, result.people_different) == (1, 500)
    icbs = result.icbs.set_index("code")
    assert (icbs.loc["NEW-1", "name"], icbs.loc["NEW-1", "population_a"],
            icbs.loc["NEW-1", "population_b"]) == ("Coast", 0, 500)  # fmt: skip


def test_export_blocks(tiny: VintageData) -> None:
    assert export_blocks(tiny, baseline(tiny)) == (
        "lsoa_code,icb_code\nE01000001,E54000001\nE01000002,E54000001\nE01000003,E54000002\n"
        "E01000004,E54000002\nE01000005,E54000002\n"
    )


def test_csv_round_trip_with_a_new_icb(tiny: VintageData) -> None:
    scenario = Scenario("tiny", "s").with_moves(
        Move("ltla", "E06000002", "new_icb:Coastal ICB, East"), Move("lsoa", "E01000003", ICB1))
    assignment = resolve(tiny, scenario)
    text = export_blocks(tiny, assignment)
    assert '\nE01000005,"new_icb:Coastal ICB, East"\n' in text  # quoted: it has a comma
    imported = import_blocks(tiny, "imported", text)
    assert imported.vintage == "tiny" and imported.name == "imported"
    assert len(imported.blocks) == 5 and imported.moves == ()
    again = resolve(tiny, imported)
    assert list(again.icb) == list(assignment.icb)
    assert again.new_icbs == assignment.new_icbs
    assert export_blocks(tiny, again) == text


def test_partial_csv_keeps_the_baseline_elsewhere(tiny: VintageData) -> None:
    text = "\ufeffE01000004,e54000001\n\n e01000005 , new_icb:New ICB \n"
    scenario = import_blocks(tiny, "p", text)
    assert scenario.blocks == (("E01000004", "e54000001"), ("E01000005", "new_icb:New ICB"))
    assert list(resolve(tiny, scenario).icb) == [ICB1, ICB1, ICB2, ICB1, "NEW-1"]


def test_read_blocks_csv_header_is_optional() -> None:
    with_header = read_blocks_csv("LSOA11CD,ICB22CD\nE01000001,E54000002\n")
    assert with_header == read_blocks_csv("E01000001,E54000002") == {"E01000001": "E54000002"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "^the CSV is empty; expected rows of LSOA code, ICB code$"),
        ("lsoa_code,icb_code\n", "^the CSV has no rows of LSOA code, ICB code$"),
        ("lsoa_code,icb_code\nE01000001,E54000001\ne01000001,E54000002\n",
         "^the CSV, line 3: LSOA e01000001 appears twice$"),
        ("E01000001\nE01000002,\nE01000003,E54000001\n,E54000001\n",
         "^the CSV: lines 1, 2, 4 need two values, an LSOA code and an ICB code$"),
        ("E01000001,E54000001\n" * 100_001, "^the CSV has 100,001 rows; at most 100,000$"),
    ],
    ids=["empty", "header-only", "duplicate", "one-column", "too-many-rows"],
)  # fmt: skip
def test_csv_refusals(text: str, message: str) -> None:
    with pytest.raises(BoundaryLabError, match=message):
        read_blocks_csv(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("E01999999,E54000001\nE01000001,E54000001\n",
         "^1 unknown LSOA code\\(s\\) in vintage tiny: E01999999$"),
        ("E01000001,E54999999\n", "^LSOA E01000001: unknown ICB 'E54999999' in vintage tiny"),
    ],
)  # fmt: skip
def test_import_refuses_unknown_codes_at_once(tiny: VintageData, text: str, message: str) -> None:
    with pytest.raises(BoundaryLabError, match=message):
        import_blocks(tiny, "bad", text)


def test_compare_matches_new_icbs_by_name_not_by_their_per_scenario_number(
    tiny: VintageData,
) -> None:
    a = Scenario("tiny", "a").with_moves(Move("lsoa", "E01000005", "new_icb:East ICB"),
                                         Move("lsoa", "E01000001", "new_icb:West ICB"))  # fmt: skip
    # The CSV lists West first (table order), so there West is NEW-1 and East NEW-2.
    b = import_blocks(tiny, "b", export_blocks(tiny, resolve(tiny, a)))
    result = compare(tiny, a, b)
    assert (result.lsoas_different, result.people_different) == (0, 0)
    assert result.moved.empty
    assert (result.icbs["change"] == 0).all()


def test_every_tiny_lsoa_is_in_the_export(tiny: VintageData) -> None:
    rows = export_blocks(tiny, baseline(tiny)).splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == LSOAS
