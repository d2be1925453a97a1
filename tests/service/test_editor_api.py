"""The editor's data and the unsaved evaluation, on the tiny store (tests/synthetic.py):

    LSOA  E01000001 E01000002 E01000003 E01000004 E01000005
    LTLA  E07000001 E07000001 E07000002 E06000001 E06000002
    UTLA  E10000001 E10000001 E10000001 E06000001 E06000002
    ICB   E54000001 E54000001 E54000002 E54000002 E54000002
    pop.        100       200       300       400       500
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from service_fixtures import make_token

from service.api.bodies import MAX_EVALUATE_CHANGES

RUNNING_EXAMPLE = {"vintage": "tiny", "name": "District 2 to ICB 1",
                   "moves": [{"unit_layer": "ltla", "code": "E07000002",
                              "to_icb": "E54000001"}]}  # fmt: skip


def test_units_are_the_block_table_in_columns(client: FlaskClient) -> None:
    body = client.get("/api/v1/editor/units?vintage=tiny").get_json()
    lsoas = body["lsoas"]
    assert lsoas["count"] == 5
    assert lsoas["population"] == [100, 200, 300, 400, 500]
    assert lsoas["prefix"] == "E01" and lsoas["deltas"] == [1, 1, 1, 1, 1]
    layers = body["layers"]
    assert layers["icb"]["codes"] == ["E54000001", "E54000002"]
    assert [layers["icb"]["codes"][i] for i in lsoas["icb"]] == [
        "E54000001", "E54000001", "E54000002", "E54000002", "E54000002"]  # fmt: skip
    assert [layers["ltla"]["codes"][i] for i in lsoas["ltla"]] == [
        "E07000001", "E07000001", "E07000002", "E06000001", "E06000002"]  # fmt: skip
    assert [layers["utla"]["codes"][i] for i in lsoas["utla"]] == [
        "E10000001", "E10000001", "E10000001", "E06000001", "E06000002"]  # fmt: skip
    assert set(body["icb_colours"]) == {"E54000001", "E54000002"}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in body["icb_colours"].values())
    assert "start" not in body


def test_units_of_a_saved_scenario_start_from_its_icbs(app: Flask, client: FlaskClient) -> None:
    move = {"unit_layer": "lsoa", "code": "E01000005", "to_icb": "new_icb:Fifth"}
    spec = {"vintage": "tiny", "name": "new ICB", "moves": [move]}
    saved = client.post("/api/v1/scenarios", json=spec, headers=make_token(app, "analyst"))
    body = client.get(f"/api/v1/editor/units?scenario={saved.get_json()['id']}").get_json()
    assert body["start"] == {"icb": [0, 0, 1, 1, 2], "new_icbs": ["Fifth"]}
    assert body["scenario"]["name"] == "new ICB"
    assert client.get("/api/v1/editor/units?scenario=x").status_code == 400
    assert client.get("/api/v1/editor/units?scenario=999").status_code == 404


def test_outlines_and_lsoas_by_district(client: FlaskClient) -> None:
    districts = client.get("/api/v1/editor/outlines/ltla?vintage=tiny").get_json()
    assert sorted(f["properties"]["code"] for f in districts["features"]) == [
        "E06000001", "E06000002", "E07000001", "E07000002"]  # fmt: skip
    for feature in districts["features"]:
        lat, lon = feature["properties"]["pt"]
        assert 49 < lat < 56 and -6 < lon < 2
    sicbls = client.get("/api/v1/editor/outlines/sicbl?vintage=tiny").get_json()
    assert sorted(f["properties"]["code"] for f in sicbls["features"]) == [
        "E38000001", "E38000002", "E38000003"]  # fmt: skip
    lsoas = client.get("/api/v1/editor/lsoas?vintage=tiny&ltla=E07000001").get_json()
    assert sorted(f["properties"]["code"] for f in lsoas["features"]) == ["E01000001", "E01000002"]
    gz = client.get("/api/v1/editor/lsoas?vintage=tiny&ltla=E07000001",
                    headers={"Accept-Encoding": "gzip"})  # fmt: skip
    assert gz.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("", 400, "give ltla"),
        ("&ltla=E07999999", 400, "unknown district"),
        ("&ltla=" + ",".join(f"E07{n:06d}" for n in range(41)), 400, "at most 40"),
    ],
)
def test_lsoas_refuse_bad_districts(
    client: FlaskClient, query: str, status: int, says: str
) -> None:
    answer = client.get(f"/api/v1/editor/lsoas?vintage=tiny{query}")
    assert answer.status_code == status
    assert says in answer.get_json()["error"]["message"]


def test_unknown_outline_layer_is_404(client: FlaskClient) -> None:
    answer = client.get("/api/v1/editor/outlines/region?vintage=tiny")
    assert answer.status_code == 404
    assert "ltla" in answer.get_json()["error"]["message"]


def test_unsaved_evaluation_is_read_only_and_classifies_rules(client: FlaskClient) -> None:
    answer = client.post("/api/v1/scenarios/evaluate", json=RUNNING_EXAMPLE)  # anonymous
    assert answer.status_code == 200
    body = answer.get_json()
    after = {row["code"]: row["population_after"] for row in body["icbs"]}
    assert after == {"E54000001": 600, "E54000002": 900}
    assert body["summary"]["people_moved"] == 300
    outcomes = {o["rule"]: o for o in body["rule_outcomes"]}
    assert outcomes["utla_within_one_icb"]["status"] == "fixed"  # County 1 unsplit
    assert [o["code"] for o in outcomes["utla_within_one_icb"]["fixed"]] == ["E10000001"]
    assert outcomes["icb_population"]["status"] == "already failing in the base"
    assert client.get("/api/v1/scenarios").get_json() == []  # nothing saved


def test_unsaved_evaluation_equals_the_saved_one(app: Flask, client: FlaskClient) -> None:
    query = "?min_icb_population=500&max_icb_population=1000"
    unsaved = client.post(f"/api/v1/scenarios/evaluate{query}", json=RUNNING_EXAMPLE).get_json()
    saved = client.post("/api/v1/scenarios", json=RUNNING_EXAMPLE,
                        headers=make_token(app, "analyst")).get_json()  # fmt: skip
    evaluation = client.get(f"/api/v1/scenarios/{saved['id']}/evaluation{query}").get_json()
    for key in ("summary", "icbs", "moved", "utlas", "ltlas_changed", "typology_changes",
                "rules", "passed", "new_icbs"):  # fmt: skip
        assert unsaved[key] == evaluation[key], key


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ([1, 2], "send JSON"),
        ({"vintage": "tiny", "moves": "ltla:E07000002:E54000001"},
         "moves must be a list, got 'ltla:"),
        ({"vintage": "tiny", "moves": [{"unit_layer": "ltla", "code": "E07999999",
                                        "to_icb": "E54000001"}]}, "unknown ltla code"),  # fmt: skip
        ({"vintage": "tiny", "blocks": [["E01000001", "E54000002"], ["e01000001", "E54000001"]]},
         "more than once"),
        ({"vintage": "tiny", "blocks": [["E01000009", "E54000002"]]}, "unknown LSOA"),
        # Within each list's own bound (5,000 moves), over the bound on both together.
        ({"vintage": "tiny", "moves": [{"unit_layer": "lsoa", "code": "E01000001",
                                        "to_icb": "E54000002"}] * 5_000,
          "blocks": [["E01000001", "E54000002"]] * (MAX_EVALUATE_CHANGES - 4_999)},
         f"{MAX_EVALUATE_CHANGES + 1:,} moves and blocks; at most 40,000"),
        ({"vintage": "tiny", "blocks": [["E01000001", "E54000002"]] * (MAX_EVALUATE_CHANGES + 1)},
         "blocks has 40,001 blocks; at most 40,000 blocks"),  # fmt: skip
    ],
)
def test_unsaved_evaluation_refuses_bad_input(client: FlaskClient, body: object, says: str) -> None:
    answer = client.post("/api/v1/scenarios/evaluate", json=body)
    assert answer.status_code == 400
    assert says in answer.get_json()["error"]["message"]


def test_unsaved_evaluation_needs_a_reader_when_reads_are_closed(
    tiny_data_dir: object, tmp_path: object
) -> None:
    from service import create_app

    app = create_app({"DATA_DIR": str(tiny_data_dir), "ANONYMOUS_READ": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})  # fmt: skip
    client = app.test_client()
    assert client.post("/api/v1/scenarios/evaluate", json=RUNNING_EXAMPLE).status_code == 401
    answer = client.post("/api/v1/scenarios/evaluate", json=RUNNING_EXAMPLE,
                         headers=make_token(app, "viewer"))  # fmt: skip
    assert answer.status_code == 200
    app.extensions["boundary_lab"].db.dispose()


def test_editor_page(app: Flask, client: FlaskClient) -> None:
    page = client.get("/edit?base=tiny")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-vintage="tiny"' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)  # nothing inline
    assert "<style" not in html and " style=" not in html
    for label in re.findall(r'<label for="([^"]+)"', html):
        assert f'id="{label}"' in html, label  # every label names a control
    script = client.get("/edit/static/editor.js")
    assert script.status_code == 200 and b"eval(" not in script.data
    script.close()
    for path, status, says in (("/edit?scenario=abc", 400, "scenario id"),
                               ("/edit?scenario=999", 404, "no scenario 999"),
                               ("/edit?base=1999", 400, "unknown vintage")):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == status and answer.mimetype == "text/html"
        assert says in answer.get_data(as_text=True).casefold()
