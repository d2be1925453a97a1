"""The review commands end to end on the real store: alignment, vintages compare and the
built-in 2027 mergers, with their files and refusals."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from geodata.cli import main as core_main
from geodata.store import Store
from service.cli import main


def test_alignment_to_files_and_refusals(
    real_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(real_store.root)]
    target = tmp_path / "alignment.xlsx"
    assert core_main(["alignment", *data, "--output", str(target)]) == 0
    book = openpyxl.load_workbook(target)
    icbs = book["ICBs"]
    assert icbs.max_row == 36 + 1
    bad = tmp_path / "alignment.txt"
    assert core_main(["alignment", *data, "--output", str(bad)]) == 1
    assert not bad.exists() and "must end in .csv or .xlsx" in capsys.readouterr().err
    assert core_main(["alignment", *data, "--vintage", "2022"]) == 1
    assert "no strategic authority layer" in capsys.readouterr().err
    assert core_main(["alignment", *data, "--view", "authorities", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 22
    gla = next(r for r in rows if r["code"] == "SA-GREATER-LONDON-AUTHORITY")
    assert gla["icbs"] == "4" and gla["status"] == "established"


def test_vintages_compare_and_splits_by_sa(
    real_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(real_store.root)]
    assert core_main(["vintages", "compare", "2024", "2026", *data, "--view", "recodes",
                      "--format", "csv"]) == 0  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert ("icb", "QRL", "E54000042", "E54000067") in {
        (r["layer"], r["nhs_code"], r["code_a"], r["code_b"]) for r in rows}
    essex = ["--area", "E54000066", "--format", "csv", "--sa-status", "established"]
    assert core_main(["splits", *data, "--by", "icb", "--across", "sa", *essex]) == 0
    out = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert [(r["across_code"], r["across_name"], r["share"]) for r in rows] == [
        ("", "none", "1.0")]  # Greater Essex is proposed: Essex ICB is all none
    assert "proposed left out: Greater Essex" in out.err
    assert core_main(["splits", *data, "--by", "sa", "--vintage", "2022"]) == 2


def test_2027_mergers_from_the_command_line(
    real_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env = ["--data", str(real_store.root)]
    assert main(["scenario", "list", *env]) == 0
    assert "builtin-2027-mergers" in capsys.readouterr().out
    assert main(["scenario", "evaluate", "builtin-2027-mergers", *env]) == 0
    out = capsys.readouterr().out
    assert "UNCERTAIN: low" in out and "ICBs: 36 -> 26" in out
    assert "no strategic authority is split between ICBs" in out
    assert main(["scenario", "evaluate", "builtin-2027-mergers", *env, "--no-sa-rule"]) == 0
    assert "no strategic authority is split" not in capsys.readouterr().out.split(
        "Scenario:")[1]
    assert main(["scenario", "evaluate", "builtin-nope", *env]) == 2
