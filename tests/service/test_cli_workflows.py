"""``boundary-lab scenario …`` and ``boundary-lab places …`` end to end, through
``service.cli.main``, on the tiny store (tests/synthetic.py) and a temporary SQLite database.

    x=500      501        502        503        504        505     (km; y = 200-201 km)
      +----------+----------+----------+----------+----------+
      | E01000001| E01000002| E01000003| E01000004| E01000005|   LSOA
      | E07000001| E07000001| E07000002| E06000001| E06000002|   LTLA
      | E10000001| E10000001| E10000001| E06000001| E06000002|   UTLA
      | E38000001| E38000001| E38000002| E38000003| E38000003|   SICBL
      | E54000001| E54000001| E54000002| E54000002| E54000002|   ICB
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   population
      +----------+----------+----------+----------+----------+

Exit codes (one rule for every command): 0 done; 2 the request was wrong (argparse, an
unknown or ambiguous name, no such id, an option that does not apply); 1 the work failed
(one line on stderr either way).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest

from service.cli import main

ICB1, ICB2 = "E54000001", "E54000002"


class Result(NamedTuple):
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(
    tiny_data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """``run("scenario", "list")`` → (exit code, stdout, stderr), with ``--data`` added."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    capsys.readouterr()

    def invoke(*argv: str) -> Result:
        group, action, *rest = argv
        try:
            code = main([group, action, "--data", str(tiny_data_dir), *rest])
        except SystemExit as exc:  # argparse: usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, text
    assert "Traceback" not in text
    return text.strip()


def created_id(result: Result) -> int:
    assert result.code == 0, result.err
    return int(result.out.strip())


def blocks_file(tmp_path: Path, text: str, name: str = "blocks.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- scenarios -----------------------------------------------------------------------------


def test_create_with_moves_and_list(run: Run) -> None:
    result = run("scenario", "create", "--name", "County 1 together",
                 "--move", f"ltla:E07000002:{ICB1}")  # fmt: skip
    assert result.code == 0 and result.out == "1\n"
    assert one_line(result.err) == (
        "saved scenario 1 ('County 1 together', version 1, vintage tiny): 1 LSOA moves")
    second = run("scenario", "create", "--name", "Two moves", "--description", "why",
                 "--move", f"lsoa:E01000004:{ICB1}", "--move", "utla:E06000002:new_icb:Tiny East")
    assert created_id(second) == 2 and "2 LSOAs move" in second.err
    version = run("scenario", "create", "--name", "County 1 v2", "--parent", "1",
                  "--move", f"ltla:E07000001:{ICB2}")  # fmt: skip
    assert created_id(version) == 3 and "version 2" in version.err

    listing = run("scenario", "list")
    assert listing.code == 0
    lines = listing.out.splitlines()
    assert [line.split()[:4] for line in lines] == [
        ["3", "v2", "tiny", "moves"], ["2", "v1", "tiny", "moves"], ["1", "v1", "tiny", "moves"]]
    assert "County 1 together" in lines[2] and "(cli:" in lines[2]


def test_create_from_a_blocks_csv(run: Run, tmp_path: Path) -> None:
    path = blocks_file(tmp_path, f"lsoa_code,icb_code\nE01000003,{ICB1}\nE01000004,{ICB1}\n")
    result = run("scenario", "create", "--name", "From CSV", "--blocks", path)
    assert created_id(result) == 1 and "2 LSOAs move" in result.err
    assert run("scenario", "list").out.split()[:4] == ["1", "v1", "tiny", "blocks"]
    summary = json.loads(run("scenario", "evaluate", "1", "--format", "json").out)["summary"]
    assert (summary["lsoas_moved"], summary["people_moved"]) == (2, 700)


def test_create_from_candidate_boundaries(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "east.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [{"type": "Feature", "properties": {"icb_code": ICB1}, "geometry": {
            "type": "Polygon", "coordinates": [[[500_100, 200_100], [502_900, 200_100],
                                                [502_900, 200_900], [500_100, 200_900],
                                                [500_100, 200_100]]]}}],
    }), encoding="utf-8")  # fmt: skip
    result = run("scenario", "create", "--name", "Polygon", "--boundaries", str(path))
    assert created_id(result) == 1
    assert "2 LSOA(s) fall in no candidate and keep their baseline ICB: E01000004, E01000005" in (
        result.err)
    assert "1 LSOA moves" in result.err
    assert run("scenario", "list").out.split()[:4] == ["1", "v1", "tiny", "upload"]


def test_evaluate_as_a_table_and_as_json(run: Run) -> None:
    created_id(run("scenario", "create", "--name", "Together", "--move", f"ltla:E07000002:{ICB1}"))
    table = run("scenario", "evaluate", "1")
    assert table.code == 0
    assert "Scenario: Together (vintage tiny)" in table.out
    assert "Moved: 1 LSOAs, 300 people; UTLA-ICB links 4 -> 3" in table.out
    assert "ICBs: 2 -> 2; smallest 300 -> 600; largest 1,200 -> 900" in table.out
    assert "became unsplit" in table.out
    # rules read against the base: County 1 was split before (fixed now); both ICBs were
    # under a million before and still are (not the redraw's doing)
    assert ("[fixed] every upper-tier LA lies within one ICB\n"
            "    fixed: County 1") in table.out  # fmt: skip
    assert ("[already failing in the base] every ICB has at least 1,000,000 people\n"
            "    already failing in the base: ICB 1, ICB 2") in table.out  # fmt: skip
    # County 1's type changes (split, type 4 -> one ICB); the typology table says so
    assert "Typology changes:" in table.out and "County 1" in table.out.split("Typology")[1]
    assert "Open Government Licence" in table.out
    lenient = run("scenario", "evaluate", "1", "--min-icb-population", "500")
    assert "[fixed] every ICB has at least 500 people\n    fixed: ICB 1" in lenient.out
    bounded = run("scenario", "evaluate", "1", "--min-icb-population", "0",
                  "--max-icb-population", "800")  # fmt: skip
    assert ("[already failing in the base] every ICB has at least 0 and at most 800 people\n"
            "    already failing in the base: ICB 2") in bounded.out  # fmt: skip
    # a saved scenario keeps its vintage: another --vintage is refused, not ignored
    other = run("scenario", "evaluate", "1", "--vintage", "2022")
    assert other.code == 2 and "leave out --vintage" in other.err

    body = json.loads(run("scenario", "evaluate", "1", "--format", "json").out)
    assert body["summary"]["after"] == {"icbs": 2, "min": 600, "max": 900, "ratio_max_min": 1.5}
    assert {r["code"]: r["population_after"] for r in body["icbs"]} == {ICB1: 600, ICB2: 900}
    assert body["scenario"]["name"] == "Together"
    baseline = json.loads(run("scenario", "evaluate", "baseline", "--format", "json").out)
    assert baseline["summary"]["lsoas_moved"] == 0


def test_compare(run: Run) -> None:
    created_id(run("scenario", "create", "--name", "A", "--move", f"ltla:E07000002:{ICB1}"))
    created_id(run("scenario", "create", "--name", "B", "--move", f"ltla:E07000001:{ICB2}"))
    result = run("scenario", "compare", "1", "2")
    assert result.code == 0
    assert result.out.splitlines()[0] == "A vs B: 3 LSOAs and 600 people assigned differently"
    rows = {line[:34].strip(): line[34:].split() for line in result.out.splitlines()[3:]}
    assert rows["ICB icbs"] == ["2", "1", "-1"]  # whole numbers, not -1.0
    assert rows["split UTLAs"] == ["0", "0", "0"]
    # A: ICBs of 600 and 900 (1.5); B: one ICB of 1,500 (1): printed as 1.500 and 1
    assert rows["ICB ratio_max_min"] == ["1.500", "1", "-0.500"]
    against = run("scenario", "compare", "baseline", "1")
    assert against.out.startswith("baseline vs A: 1 LSOAs and 300 people assigned differently")


def test_export_blocks_statutory_and_xlsx(run: Run, tmp_path: Path) -> None:
    created_id(run("scenario", "create", "--name", "Split District 1",
                   "--move", f"lsoa:E01000002:{ICB2}"))  # fmt: skip
    blocks = run("scenario", "export", "1")
    assert blocks.code == 0
    assert list(csv.reader(io.StringIO(blocks.out))) == [
        ["lsoa_code", "icb_code"], ["E01000001", ICB1], ["E01000002", ICB2],
        ["E01000003", ICB2], ["E01000004", ICB2], ["E01000005", ICB2]]  # fmt: skip

    text = run("scenario", "export", "1", "--what", "statutory").out
    assert "ICB 1 (E54000001)" in text
    assert "In District 1, the lower layer super output areas: E01000001." in text
    assert "In District 1, the lower layer super output areas: E01000002." in text
    table = list(csv.DictReader(io.StringIO(run("scenario", "export", "1", "--what",
                                                "statutory-csv").out)))  # fmt: skip
    assert [(r["icb_code"], r["kind"], r["code"]) for r in table if r["kind"] == "lsoa"] == [
        (ICB1, "lsoa", "E01000001"), (ICB2, "lsoa", "E01000002")]

    target = tmp_path / "report.xlsx"
    written = run("scenario", "export", "1", "--what", "xlsx", "--output", str(target))
    assert written.code == 0 and one_line(written.err) == f"wrote {target}"
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "ICBs" and book.sheetnames[-1] == "About"
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Scenario"] == "Split District 1" and about["Vintage"] == "tiny"


def test_blocks_round_trip_through_the_cli(run: Run, tmp_path: Path) -> None:
    created_id(run("scenario", "create", "--name", "Original", "--move",
                   f"ltla:E07000002:{ICB1}", "--move", "utla:E06000002:new_icb:Tiny East"))
    target = tmp_path / "exported.csv"
    assert run("scenario", "export", "1", "--output", str(target)).code == 0
    assert created_id(run("scenario", "create", "--name", "Copy", "--blocks", str(target))) == 2
    result = run("scenario", "compare", "1", "2")
    assert result.out.startswith("Original vs Copy: 0 LSOAs and 0 people assigned differently")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--name", "x", "--move", "ltla-E07000002"], "a move is LAYER:CODE:TO_ICB"),
        (["--name", "x", "--move", f"county:E10000001:{ICB1}"],
         "a move's unit_layer must be one of"),
        (["--move", f"ltla:E07000002:{ICB1}"], "the following arguments are required: --name"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(run: Run, argv: list[str], fragment: str) -> None:
    result = run("scenario", "create", *argv)
    assert result.code == 2
    assert fragment in result.err.splitlines()[-1]
    assert run("scenario", "list").out == ""


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["create", "--name", "x", "--move", f"ltla:E07000099:{ICB1}"], 1,
         "boundary-lab scenario: moves[0]: unknown ltla code 'E07000099' in vintage tiny"),
        (["create", "--name", "x", "--move", "ltla:E07000002:E54000099"], 1,
         "boundary-lab scenario: moves[0]: unknown ICB 'E54000099' in vintage tiny"),
        (["create", "--name", "x", "--move", f"ltla:E07000002:{ICB1}",
          "--move", f"ltla:E07000002:{ICB2}"], 1,
         "boundary-lab scenario: moves[1]: ltla E07000002 is moved twice"),
        (["create", "--name", "x", "--vintage", "2031"], 2,
         "boundary-lab scenario: unknown vintage '2031'"),
        (["evaluate", "first"], 2, "boundary-lab scenario: 'first' is not a scenario id"),
        (["evaluate", "42"], 2, "boundary-lab scenario: no scenario with id 42"),
        (["compare", "baseline", "42"], 2, "boundary-lab scenario: no scenario with id 42"),
        (["export", "baseline", "--what", "xlsx"], 1,
         "boundary-lab scenario: an XLSX report needs --output FILE.xlsx"),
    ],
)  # fmt: skip
def test_refused_input_is_one_line_and_saves_nothing(
    run: Run, argv: list[str], code: int, message: str
) -> None:
    result = run("scenario", *argv)
    assert result.code == code and result.out == ""
    assert one_line(result.err).startswith(message)
    assert run("scenario", "list").out == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("E01000099,E54000001\n", "1 unknown LSOA code(s) in vintage tiny: E01000099"),
        ("lsoa,icb\nE01000001\n", "lines 2 need two values"),
        ("", "is empty; expected rows of LSOA code, ICB code"),
    ],
)
def test_a_bad_blocks_csv_is_refused(run: Run, tmp_path: Path, text: str, message: str) -> None:
    result = run("scenario", "create", "--name", "x", "--blocks", blocks_file(tmp_path, text))
    assert result.code == 1
    assert message in one_line(result.err)
    assert run("scenario", "list").out == ""


def test_an_unknown_parent_is_refused_in_one_line(run: Run) -> None:
    result = run("scenario", "create", "--name", "x", "--parent", "42")
    assert result.code == 2  # no such id: the request was wrong
    assert one_line(result.err) == (
        "boundary-lab scenario: no scenario 42 to make a new version of")


def test_a_missing_blocks_file_is_refused_in_one_line(run: Run, tmp_path: Path) -> None:
    result = run("scenario", "create", "--name", "x", "--blocks", str(tmp_path / "none.csv"))
    assert result.code == 1
    assert "none.csv" in one_line(result.err)


# --- places ----------------------------------------------------------------------------------

PLACE_SET = {
    "name": "Two places", "vintage": "tiny",
    "places": [{"name": "County", "blocks": [{"layer": "utla", "code": "E10000001"}]},
               {"name": "Unitary 1", "blocks": [{"layer": "ltla", "code": "E06000001"}]}],
}  # fmt: skip


def place_file(tmp_path: Path, body: object, name: str = "places.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(body), encoding="utf-8")
    return str(path)


def test_places_create_list_show_check_delete(run: Run, tmp_path: Path) -> None:
    created = run("places", "create", place_file(tmp_path, PLACE_SET))
    assert created_id(created) == 1
    assert one_line(created.err) == "saved place set 1 ('Two places', version 1)"
    version = run("places", "create", place_file(tmp_path, {**PLACE_SET, "name": "v2"}),
                  "--parent", "1")  # fmt: skip
    assert created_id(version) == 2 and "version 2" in version.err

    listing = run("places", "list").out.splitlines()
    assert listing[0].split()[:3] == ["builtin-sicbl", "tiny", "3"]
    assert listing[1].split()[:3] == ["builtin-utla-in-icb", "tiny", "4"]
    assert listing[2].split()[:3] == ["2", "tiny", "2"] and "(v2, cli:" in listing[2]
    assert listing[3].split()[:3] == ["1", "tiny", "2"] and "Two places (v1" in listing[3]

    shown = json.loads(run("places", "show", "1").out)
    assert [(p["code"], p["blocks"]) for p in shown["places"]] == [
        ("county", PLACE_SET["places"][0]["blocks"]), ("unitary-1", PLACE_SET["places"][1][
            "blocks"])]  # fmt: skip
    builtin = json.loads(run("places", "show", "builtin-sicbl").out)
    assert [p["code"] for p in builtin["places"]] == ["E38000001", "E38000002", "E38000003"]

    check = run("places", "check", "1")
    assert check.code == 0
    assert check.out.splitlines()[0] == (
        "Two places (vintage tiny): 2 places, population min 400, median 500, max 600")
    county = next(line for line in check.out.splitlines() if line.startswith("county"))
    assert county.split()[-4:] == ["600", "3", "True", "False"]
    assert ("Gaps: 1 LSOAs (500 people) of the set's ICBs are in no place; overlaps: 0 LSOAs"
            in check.out)  # fmt: skip
    assert "note: PCN layer not built" in check.out
    sicbl = run("places", "check", "builtin-sicbl")
    assert "3 places, population min 300, median 300, max 900" in sicbl.out

    deleted = run("places", "delete", "1")
    assert deleted.code == 0 and one_line(deleted.err) == "deleted place set 1"
    for ref in ("1", "2"):  # every version of the family
        gone = run("places", "show", ref)
        assert gone.code == 2  # no such id
        assert one_line(gone.err) == (f"boundary-lab places: no place set with id {ref} "
                                      "(see: boundary-lab places list)")  # fmt: skip
    assert len(run("places", "list").out.splitlines()) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**PLACE_SET, "places": [{"name": "Lost", "blocks": [{"layer": "ltla",
                                                               "code": "E07000099"}]}]},
         "place 'Lost': unknown ltla code 'E07000099' in vintage tiny"),
        ({**PLACE_SET, "places": [{"name": "Empty", "blocks": []}]}, "place 'Empty' has no blocks"),
        ({**PLACE_SET, "places": [*PLACE_SET["places"], {"name": "District 2", "blocks": [
            {"layer": "ltla", "code": "E07000002"}]}]}, "this set forbids overlaps"),
        ("not a set", "must be an object with name, vintage, places"),
    ],
)  # fmt: skip
def test_places_refusals_save_nothing(
    run: Run, tmp_path: Path, body: object, message: str
) -> None:
    result = run("places", "create", place_file(tmp_path, body))
    assert result.code == 1 and result.out == ""
    assert message in one_line(result.err)
    assert len(run("places", "list").out.splitlines()) == 2  # the built-ins only


def test_places_bad_references(run: Run, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"name": ', encoding="utf-8")
    broken = run("places", "create", str(tmp_path / "broken.json"))
    assert broken.code == 1 and "not a readable JSON place set" in one_line(broken.err)
    missing = run("places", "create", str(tmp_path / "missing.json"))
    assert missing.code == 1 and "missing.json" in one_line(missing.err)
    unknown = run("places", "check", "builtin-pcn")
    assert unknown.code == 2
    assert one_line(unknown.err) == ("boundary-lab places: no built-in set 'builtin-pcn'; valid: "
                                     "builtin-sicbl, builtin-utla-in-icb")  # fmt: skip
    assert run("places", "show", "mine").code == 2
    gone = run("places", "delete", "42")
    assert gone.code == 2 and one_line(gone.err) == (
        "boundary-lab places: no place set with id 42 (see: boundary-lab places list)")
    assert run("places", "delete", "mine").code == 2  # argparse: an id is a number
