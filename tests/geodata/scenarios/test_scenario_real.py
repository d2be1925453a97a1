"""The worked examples of docs/scenarios.md on the real bundle (both vintages built once by
the session fixture ``real_store``; a skip in CI is a failure).

Expected numbers come from the ONS lookup files or from plain pandas sums over the block
table, never from the scenario code under test.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geodata.geometry import dissolve, to_geojson
from geodata.scenarios import Move, Scenario, baseline, resolve
from geodata.scenarios.evaluate import Evaluation, evaluate
from geodata.scenarios.statutory import statutory_description, statutory_text
from geodata.scenarios.upload import best_fit, read_candidates
from geodata.splits import splits
from geodata.store import VintageData

pytestmark = [pytest.mark.real_data]

ESSEX = "E10000012"
EAST_OF_ENGLAND = "E12000006"
SNEE, HWE, MSE = "E54000023", "E54000025", "E54000026"
# The Essex districts outside Mid and South Essex ICB in July 2022, checked against the ONS
# lookups by test_essex_districts_outside_mid_and_south_essex_match_the_ons_lookups.
ESSEX_OUTSIDE_MSE = {
    "E07000071": SNEE,  # Colchester
    "E07000076": SNEE,  # Tendring
    "E07000072": HWE,  # Epping Forest
    "E07000073": HWE,  # Harlow
    "E07000077": HWE,  # Uttlesford
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def population_by(data: VintageData, column: str) -> pd.Series:
    return data.table.groupby(column, observed=True)["population"].sum()


def icb_row(ev: Evaluation, code: str) -> pd.Series:
    return ev.icbs.set_index("code").loc[code]


def new_code(ev: Evaluation, name: str) -> str:
    return next(code for code, value in ev.assignment.new_icbs.items() if value == name)


# a. Essex in one ICB (vintage 2022).


def test_essex_districts_outside_mid_and_south_essex_match_the_ons_lookups(
    real_source: Path, data2022: VintageData
) -> None:
    lookups = real_source / "lookups"
    essex = {r["LTLA21CD"] for r in read_csv(lookups / "LTLA21_UTLA21_EW_LU.csv")
             if r["UTLA21CD"] == ESSEX}  # fmt: skip
    assert len(essex) == 12
    icbs_of: dict[str, set[str]] = {}
    for row in read_csv(lookups / "LSOA11_SICBL22_ICB22_LAD22_EN_LU.csv"):
        if row["LAD22CD"] in essex:
            icbs_of.setdefault(row["LAD22CD"], set()).add(row["ICB22CD"])
    outside = {ltla: icbs.pop() for ltla, icbs in icbs_of.items() if icbs != {MSE}}
    assert all(len(icbs) <= 1 for icbs in icbs_of.values())  # each district in one ICB
    assert outside == ESSEX_OUTSIDE_MSE
    # The store agrees: the Essex LTLAs with LSOAs in the other two ICBs.
    table = data2022.table
    in_store = table.loc[(table["utla_code"] == ESSEX) & table["icb_code"].isin([SNEE, HWE])]
    pairs = in_store[["ltla_code", "icb_code"]].drop_duplicates().astype(str)
    assert dict(zip(pairs["ltla_code"], pairs["icb_code"], strict=True)) == ESSEX_OUTSIDE_MSE


def essex_in_one_icb() -> Scenario:
    return Scenario("2022", "Essex in one ICB").with_moves(
        *(Move("ltla", code, MSE) for code in ESSEX_OUTSIDE_MSE))


def test_essex_in_one_icb(data2022: VintageData) -> None:
    ev = evaluate(data2022, essex_in_one_icb())
    table = data2022.table
    moving = table["ltla_code"].isin(list(ESSEX_OUTSIDE_MSE))
    from_snee = int(table.loc[moving & (table["icb_code"] == SNEE), "population"].sum())
    from_hwe = int(table.loc[moving & (table["icb_code"] == HWE), "population"].sum())
    before = population_by(data2022, "icb_code")

    essex = ev.utlas.set_index("code").loc[ESSEX]
    assert (essex["icbs_before"], essex["icbs_after"], essex["change"]) == (3, 1, "became unsplit")
    assert essex["main_share_after"] == 1.0
    mse, snee, hwe = icb_row(ev, MSE), icb_row(ev, SNEE), icb_row(ev, HWE)
    assert mse["population_before"] == before[MSE]
    assert mse["population_after"] == before[MSE] + from_snee + from_hwe
    assert snee["population_after"] == before[SNEE] - from_snee
    assert hwe["population_after"] == before[HWE] - from_hwe
    assert int(ev.icbs["population_after"].sum()) == int(table["population"].sum())
    assert ev.summary["people_moved"] == from_snee + from_hwe
    assert ev.summary["lsoas_moved"] == int(moving.sum())
    assert sorted(map(tuple, ev.moved[["from_code", "to_code", "population"]].to_numpy())) == [
        (SNEE, MSE, from_snee), (HWE, MSE, from_hwe)]  # fmt: skip
    # Only Essex changes among the councils: no district is split or unsplit.
    assert list(ev.utlas.loc[ev.utlas["change"] != "", "code"]) == [ESSEX]
    assert (ev.ltlas["change"] == "").all()
    assert ev.summary["utla_icb_links_after"] == ev.summary["utla_icb_links_before"] - 2
    typology = ev.typology_changes.set_index("code")
    assert typology.loc[ESSEX, "type_before"] == 4 and typology.loc[ESSEX, "type_after"] != 4
    utla_rule = next(r for r in ev.rules if r.rule == "utla_within_one_icb")
    assert ESSEX not in {o["code"] for o in utla_rule.offenders}
    assert next(r for r in ev.rules if r.rule == "icb_contiguous").passed


# b. The April 2026 ICB footprints in the East of England (vintage 2022).

ESSEX_ICB, NORFOLK_SUFFOLK, CENTRAL_EAST = (
    "NHS Essex ICB", "NHS Norfolk and Suffolk ICB", "NHS Central East ICB")  # fmt: skip
EAST_2026_SICBLS = {
    # Mid and South Essex: Basildon and Brentwood (99E), Castle Point and Rochford (99F),
    # Mid Essex (06Q), Southend (99G), Thurrock (07G); and North East Essex (06T).
    ESSEX_ICB: ["E38000007", "E38000030", "E38000106", "E38000168", "E38000185", "E38000117"],
    # Norfolk and Waveney (26A), Ipswich and East Suffolk (06L), West Suffolk (07K).
    NORFOLK_SUFFOLK: ["E38000239", "E38000086", "E38000204"],
    # East and North Herts (06K), Herts Valleys (06N), BLMK (M1J4Y), C&P (06H).
    CENTRAL_EAST: ["E38000049", "E38000079", "E38000249", "E38000260"],
}
# West Essex (07H) is moved by its districts, to show LTLA moves next to SICBL moves.
WEST_ESSEX_LTLAS = ["E07000072", "E07000073", "E07000077"]


def east_of_england_2026() -> Scenario:
    moves = [Move("sicbl", code, f"new_icb:{name}") for name, codes in EAST_2026_SICBLS.items()
             for code in codes]  # fmt: skip
    moves += [Move("ltla", code, f"new_icb:{ESSEX_ICB}") for code in WEST_ESSEX_LTLAS]
    return Scenario("2022", "East of England ICBs from April 2026").with_moves(*moves)


def test_east_of_england_2026(data2022: VintageData) -> None:
    ev = evaluate(data2022, east_of_england_2026())
    table = data2022.table
    region_utlas = set(table.loc[table["region_code"] == EAST_OF_ENGLAND, "utla_code"])
    assert len(region_utlas) == 11
    utlas = ev.utlas.set_index("code")
    assert (utlas.loc[sorted(region_utlas), "icbs_after"] == 1).all()
    assert sorted(utlas.index[utlas["change"] == "became unsplit"]) == [
        "E10000012", "E10000015", "E10000029"]  # Essex, Hertfordshire, Suffolk  # fmt: skip
    assert not (ev.utlas["change"] == "became split").any()
    assert not (ev.ltlas["change"] == "became split").any()

    # Each new ICB is the sum of its councils in the baseline UTLA x ICB split table.
    split = splits(data2022, "utla", "icb").frame
    utla_population = split.groupby("by_code")["by_population"].first()
    bucks = (split["by_code"] == "E06000060") & (split["across_code"] == "E54000024")
    bucks_in_blmk = int(split.loc[bucks, "population"].sum())
    assert bucks_in_blmk > 0  # a few Buckinghamshire LSOAs belong to BLMK's SICBL
    expected = {
        ESSEX_ICB: utla_population[["E10000012", "E06000033", "E06000034"]].sum(),
        NORFOLK_SUFFOLK: utla_population[["E10000020", "E10000029"]].sum(),
        CENTRAL_EAST: utla_population[["E10000015", "E10000003", "E06000031", "E06000032",
                                       "E06000055", "E06000056", "E06000042"]].sum()
        + bucks_in_blmk,
    }  # fmt: skip
    for name, population in expected.items():
        row = icb_row(ev, new_code(ev, name))
        assert row["new"] and row["name"] == name
        assert row["population_after"] == population, name
        assert row["exclaves_after"] == 0, name
    # The six East of England ICBs of 2022 are empty; 42 - 6 + 3 = 39 ICBs.
    old = ["E54000022", "E54000023", "E54000024", "E54000025", "E54000026", "E54000056"]
    assert (ev.icbs.set_index("code").loc[old, "population_after"] == 0).all()
    assert ev.summary["after"]["icbs"] == 39
    assert int(ev.icbs["population_after"].sum()) == int(table["population"].sum())
    assert ev.summary["people_moved"] == int(table.loc[table["icb_code"].isin(old),
                                                       "population"].sum())  # fmt: skip


# c. A candidate upload of the baseline ICBs reproduces the baseline exactly.


@pytest.mark.parametrize("vintage", ["2022", "2024"])
def test_geojson_upload_of_the_baseline_icbs_changes_nothing(
    vintage: str, data2022: VintageData, data2024: VintageData
) -> None:
    data = {"2022": data2022, "2024": data2024}[vintage]
    collection = to_geojson(dissolve(data, "icb"))  # EPSG:4326, coordinates to 1e-5°
    content = json.dumps(collection).encode()
    fit = best_fit(data, read_candidates(content, f"icbs_{vintage}.geojson"), "round trip")
    assert fit.candidates.label_property == "code"
    assert len(fit.candidates.frame) == 42
    assert fit.scenario.blocks == ()
    assert fit.unassigned == [] and fit.assigned == len(data.table)
    assert (resolve(data, fit.scenario).icb == baseline(data).icb).all()


def test_zipped_shapefile_upload_of_the_baseline_icbs_changes_nothing(
    data2022: VintageData, tmp_path: Path
) -> None:
    dissolve(data2022, "icb").to_file(tmp_path / "icbs.shp")  # EPSG:27700
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(tmp_path.glob("icbs.*")):
            archive.write(part, f"ICB_2022/{part.name}")
    fit = best_fit(data2022, read_candidates(buffer.getvalue(), "icbs.zip"), "round trip")
    assert fit.scenario.blocks == ()
    assert fit.unassigned == [] and fit.assigned == len(data2022.table)
    ev = evaluate(data2022, fit.scenario, with_shapes=False)
    assert ev.summary["lsoas_moved"] == ev.summary["people_moved"] == 0


# d. Vintage 2024: North Yorkshire (unitary since April 2023) in one ICB.

NORTH_YORKSHIRE, HNY = "E06000065", "E54000051"


def test_north_yorkshire_codes_match_the_ons_lookups(real_source: Path) -> None:
    lookups = real_source / "lookups"
    utlas = {r["UTLA23CD"]: r["UTLA23NM"] for r in read_csv(lookups / "LTLA23_UTLA23_EW_LU.csv")}
    assert utlas[NORTH_YORKSHIRE] == "North Yorkshire"
    rows = read_csv(lookups / "LSOA21_SICBL24_ICB24_EN_LU.csv")
    icbs = {r["ICB24CD"]: r["ICB24NM"] for r in rows}
    assert icbs[HNY] == "NHS Humber and North Yorkshire Integrated Care Board"


def test_north_yorkshire_in_one_icb_2024(data2024: VintageData) -> None:
    base = evaluate(data2024, Scenario("2024", "baseline"))
    ev = evaluate(data2024, Scenario("2024", "North Yorkshire in Humber and North Yorkshire")
                  .with_moves(Move("utla", NORTH_YORKSHIRE, HNY)))  # fmt: skip
    table = data2024.table
    ny = table["utla_code"] == NORTH_YORKSHIRE
    outside = table.loc[ny & (table["icb_code"] != HNY)]
    leaving = outside.groupby("icb_code", observed=True)["population"].sum()
    assert sorted(leaving.index) == ["E54000048", "E54000054"]  # L&SC, West Yorkshire
    before = population_by(data2024, "icb_code")
    assert icb_row(ev, HNY)["population_after"] == before[HNY] + leaving.sum()
    for code, people in leaving.items():
        assert icb_row(ev, code)["population_after"] == before[code] - people
    assert ev.summary["people_moved"] == leaving.sum()
    assert ev.summary["lsoas_moved"] == len(outside)
    nyrow = ev.utlas.set_index("code").loc[NORTH_YORKSHIRE]
    assert (nyrow["icbs_before"], nyrow["icbs_after"], nyrow["change"]) == (
        3, 1, "became unsplit")  # fmt: skip
    assert list(ev.utlas.loc[ev.utlas["change"] != "", "code"]) == [NORTH_YORKSHIRE]
    typology = ev.typology_changes.set_index("code")
    assert list(typology.index) == [NORTH_YORKSHIRE]
    assert typology.loc[NORTH_YORKSHIRE, "type_before"] == 4
    assert typology.loc[NORTH_YORKSHIRE, "type_after"] == 3
    offenders = {r.rule: {o["code"] for o in r.offenders} for r in ev.rules}
    base_offenders = {r.rule: {o["code"] for o in r.offenders} for r in base.rules}
    assert offenders["utla_within_one_icb"] == base_offenders["utla_within_one_icb"] - {
        NORTH_YORKSHIRE}  # fmt: skip
    assert offenders["icb_contiguous"] == set()


# e. The statutory description of the 2022 baseline.


def test_statutory_description_of_the_2022_baseline(
    data2022: VintageData, real_source: Path
) -> None:
    description = statutory_description(data2022, baseline(data2022))
    with_lists = set(description.loc[description["kind"] == "lsoa", "icb_code"])
    assert 0 < len(with_lists) < 42 / 2  # most ICBs are whole LTLAs; a few carry LSOA lists
    # Every LSOA exactly once: through a whole LTLA or listed.
    whole = description.loc[description["kind"] == "ltla", "code"]
    assert whole.is_unique
    table = data2022.table
    through_ltlas = table.loc[table["ltla_code"].isin(whole), "lsoa_code"]
    listed = description.loc[description["kind"] == "lsoa", "code"]
    everything = pd.concat([through_ltlas, listed], ignore_index=True)
    assert everything.is_unique
    assert set(everything) == set(table["lsoa_code"]) and len(everything) == 32_844
    # The part-included LTLAs are exactly those the ONS lookup puts in several ICBs.
    icbs_of: dict[str, set[str]] = {}
    for row in read_csv(real_source / "lookups" / "LSOA11_SICBL22_ICB22_LAD22_EN_LU.csv"):
        icbs_of.setdefault(row["LAD22CD"], set()).add(row["ICB22CD"])
    split = {ltla for ltla, icbs in icbs_of.items() if len(icbs) > 1}
    assert set(description.loc[description["kind"] == "lsoa", "ltla_code"]) == split
    text = statutory_text(description)
    assert text.count("The areas of:") == 42
    assert "  In Hart, the lower layer super output areas: E01" in text


def test_the_2022_baseline_moves_nobody(data2022: VintageData) -> None:
    ev = evaluate(data2022, Scenario("2022", "baseline"), with_shapes=False)
    assert ev.summary["lsoas_moved"] == ev.summary["people_moved"] == 0
    assert ev.moved.empty and ev.typology_changes.empty
