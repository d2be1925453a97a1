"""The CLI end to end on the tiny source: build, splits, typology, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from synthetic import TinySource

from geodata.cli import main


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = TinySource(tmp_path / "source")
    source.write()
    data = tmp_path / "data"
    monkeypatch.setenv("BOUNDARY_LAB_DATA", str(data))
    assert main(["build", "--vintage", str(source.config_path), "--source", str(source.root)]) == 0
    return data


def test_build_reports_progress(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (built / "tiny" / "blocks.parquet").is_file()
    main(["vintages"])
    assert "built" in capsys.readouterr().out


def test_splits_json(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["splits", "--by", "utla", "--across", "icb", "--area", "County 1",
                 "--format", "json"]) == 0
    out = capsys.readouterr()
    rows = json.loads(out.out)
    assert {"by_code", "by_name", "across_code", "across_name", "population", "share"} <= set(
        rows[0])
    assert [r["share"] for r in rows] == [0.5, 0.5]
    assert "Vintage: tiny" in out.err and "Open Government Licence" in out.err


def test_splits_csv_and_table(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["splits", "--by", "icb", "--across", "ltla", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sum(int(r["population"]) for r in rows) == 1500
    main(["splits", "--area", "E10000001"])
    table = capsys.readouterr().out
    assert "50.0%" in table and "Method: LSOA building blocks" in table


def test_typology_json(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["typology", "--format", "json"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert {"code", "name", "type", "main_icb_code", "main_share", "share_of_icb",
            "other_las"} <= set(rows["E10000001"])
    assert rows["E10000001"]["type"] == 4


@pytest.mark.parametrize("argv, fragment", [
    (["splits", "--area", "Atlantis"], "unknown utla area 'Atlantis'"),
    (["splits", "--vintage", "1999"], "unknown vintage '1999'; valid: tiny"),
    (["splits", "--by", "ward"], "unknown layer 'ward'; valid: ltla, utla, icb, sicbl, region"),
    (["splits", "--by", "region"], "unknown layer 'region'"),
    (["typology", "--la-in-icb", "95"], "not a fraction between 0 and 1"),
    (["splits", "--format", "xml"], "invalid choice: 'xml'"),
])
def test_bad_names_exit_2_listing_valid(
    built: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert "Traceback" not in err


def test_build_without_source_is_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--source", str(tmp_path / "nowhere")]) == 1
    assert "nowhere not found; give it with --source" in capsys.readouterr().err


def test_build_refusal_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = TinySource(tmp_path / "source")
    source.tables["population"].loc[2, "All Ages"] = "n/a"
    source.write()
    argv = ["build", "--vintage", str(source.config_path), "--source", str(source.root),
            "--data", str(tmp_path / "data")]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("boundary-lab build: ") and "population.csv, line 4" in err
    assert not (tmp_path / "data" / "tiny").exists()


def test_vintage_given_as_a_path_is_refused(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    for alias in ("./tiny", "tiny/", f"{built}/tiny", "../data/tiny"):
        assert main(["splits", "--vintage", alias]) != 0
        err = capsys.readouterr().err
        assert "unknown vintage" in err and "valid: tiny" in err and "Traceback" not in err
