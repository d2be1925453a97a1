"""The 2026 review over HTTP on the real bundle: alignment (checked against a pandas
computation from the shared CSVs), vintage comparison, and the 2027 mergers."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geodata.store import Store
from service import create_app


def read(source: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(source / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def client(real_store: Store, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    db = tmp_path_factory.mktemp("db") / "db.sqlite3"
    app = create_app({"DATA_DIR": str(real_store.root), "DATABASE_URL": f"sqlite:///{db}"})
    yield app.test_client()
    app.extensions["boundary_lab"].db.dispose()


@pytest.fixture(scope="module")
def expected_classes(real_source: Path) -> dict[str, str]:
    """The class of each 2026 ICB, worked out here from the CSVs."""
    lookup = read(real_source, "lookups/LSOA21_SICBL26_ICB26_EN_LU_reconstructed.csv")
    wards = read(real_source, "lookups/LSOA21_WD24_LAD24_EW_LU.csv")[["LSOA21CD", "LAD24CD"]]
    sa = read(real_source, "local-government/strategic_authorities_2026.csv")
    census = read(real_source, "population/census2021_TS001_LSOA21_usual_residents.csv")
    people = census.set_index("geography code")["Residence type: Total; measures: Value"]
    frame = lookup.merge(wards, on="LSOA21CD").merge(sa, on="LAD24CD")
    frame["people"] = people.loc[frame["LSOA21CD"]].astype(float).to_numpy()
    frame["SA"] = frame["SA_NAME"].where(frame["SA_TYPE"] != "none")
    sa_total = frame.groupby("SA")["people"].sum()
    classes = {}
    for icb, rows in frame.groupby("ICB26CD"):
        held = rows.dropna(subset=["SA"]).groupby("SA")["people"].sum()
        whole = all(abs(held[s] - sa_total[s]) < 0.5 for s in held.index)
        has_none = rows["SA"].isna().any()
        if not whole:
            classes[icb] = "cuts an authority"
        elif held.empty:
            classes[icb] = "no strategic authority"
        elif has_none:
            classes[icb] = "whole authorities plus areas with none"
        else:
            classes[icb] = ("coterminous with one authority" if len(held) == 1
                            else "union of whole authorities")  # fmt: skip
    return classes


def test_alignment_classes_and_note(client, expected_classes: dict[str, str]) -> None:  # noqa: ANN001
    body = client.get("/api/v1/alignment").get_json()
    assert body["vintage"] == "2026"
    got = {row["code"]: row["class"] for row in body["icbs"]}
    assert got == expected_classes
    assert "reconstructed" in body["provenance"]["note"]
    gm = next(r for r in body["icbs"] if r["code"] == "E54000057")
    assert gm["class"] == "coterminous with one authority"


def test_alignment_reports(client) -> None:  # noqa: ANN001
    response = client.get("/api/v1/reports/alignment.xlsx?sa_status=established")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["ICBs", "Strategic authorities", "Pairs", "About"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert "established only" in about["Strategic authorities"]
    assert "reconstructed" in about["Note"]
    csv = client.get("/api/v1/reports/alignment.csv").data.decode("utf-8-sig")
    assert csv.startswith("# Title: ICBs and strategic authorities") and "E54000057" in csv
    bad = client.get("/api/v1/alignment?sa_status=maybe")
    assert bad.status_code == 400 and "sa_status" in bad.get_json()["error"]["message"]
    assert client.get("/api/v1/alignment?vintage=2022").status_code == 400


def test_vintage_comparison_over_http(client) -> None:  # noqa: ANN001
    body = client.get("/api/v1/vintages/compare?a=2024&b=2026").get_json()
    recode = [r for r in body["recodes"] if r["layer"] == "icb"]
    assert [(r["code_a"], r["code_b"], r["nhs_code"]) for r in recode] == [
        ("E54000042", "E54000067", "QRL")]
    refused = client.get("/api/v1/vintages/compare?a=2022&b=2024")
    assert refused.status_code == 400
    assert "different building blocks" in refused.get_json()["error"]["message"]
    assert client.get("/api/v1/vintages/compare?a=2024").status_code == 400
    book = client.get("/api/v1/reports/vintages-compare.xlsx?a=2024&b=2026")
    sheets = openpyxl.load_workbook(io.BytesIO(book.data)).sheetnames
    assert {"Summary", "Moves", "Recodes", "ICBs", "About"} <= set(sheets)


def test_2027_mergers_over_http(client) -> None:  # noqa: ANN001
    listed = client.get("/api/v1/scenarios/builtin").get_json()
    assert [b["id"] for b in listed] == ["builtin-2027-mergers"]
    body = client.get(listed[0]["links"]["evaluation"]).get_json()
    assert body["summary"]["after"]["icbs"] == 26
    rules = {r["rule"]: r for r in body["rules_before_after"]}
    assert rules["sa_within_one_icb"]["offenders_after"] <= rules["sa_within_one_icb"][
        "offenders_before"]
    assert any(g["uncertain"] for g in body["groups"])
    assert client.get("/api/v1/scenarios/builtin/nope/evaluation").status_code == 400


def test_review_pages_and_maps(client) -> None:  # noqa: ANN001
    page = client.get("/review/vintages?a=2024&b=2026").data.decode()
    assert "Recodes (same ODS code" in page and "E54000067" in page and "QRL" in page
    assert "reconstructed" in page  # the 2026 note, in the About list
    mergers = client.get("/review/scenarios/2027-mergers").data.decode()
    assert "uncertain: low" in mergers and "no strategic authority is split" in mergers
    alignment_map = client.get("/maps/alignment", headers={"Accept-Encoding": ""}).data.decode()
    assert "ICBs by alignment" in alignment_map and "Strategic authorities" in alignment_map
    assert "reconstructed, not the ONS file" in alignment_map  # map footer and sidebar
    compare_map = client.get("/maps/vintages?a=2024&b=2026",
                             headers={"Accept-Encoding": ""}).data.decode()  # fmt: skip
    assert "Areas that changed ICB" in compare_map and "ICBs 2024" in compare_map
    refused = client.get("/review/vintages?a=2022&b=2024")
    assert refused.status_code == 400 and "different building blocks" in refused.data.decode()
    assert client.get("/maps/alignment?sa_status=bad").status_code == 400
    index = client.get("/").data.decode()
    assert "/maps/alignment?vintage=2026" in index and "/review/vintages?a=2024" in index


def test_lookup_in_a_district_with_no_strategic_authority(client) -> None:  # noqa: ANN001
    """Maidstone (Kent): Kent is in no strategic authority, so sa is none, not an error."""
    units = client.get("/api/v1/lookup?lat=51.2724&lon=0.5236").get_json()["units"]
    assert units["ltla"]["name"] == "Maidstone"
    assert units["sa"] == {"code": None, "name": "none"}
    manchester = {"lat": 53.4794, "lon": -2.2453}
    body = client.post("/api/v1/lookup", json={"points": [{"lat": 51.2724, "lon": 0.5236},
                                                           manchester]}).get_json()  # fmt: skip
    assert body["results"][0]["sa"] is None
    assert body["results"][1]["sa"] == "E47000001"
    assert body["names"]["sa"] == {"E47000001": "Greater Manchester"}
