"""Fault: a failed PCN step of ``boundary-lab build`` used to leave the previous vintage
without its PCN layer while ``vintages`` said "built". The whole vintage, PCN layer
included, is now built aside and swapped in one step."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from geodata.cli import main
from geodata.store import Store


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def test_a_failed_pcn_step_leaves_the_previous_vintage_whole(
    real_store: Store, real_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "data"
    shutil.copytree(real_store.root / "2024", data / "2024")
    before = _digest(data / "2024")
    assert "pcn/meta.json" in before
    # A registrations file that is not one: the PCN step fails after the tables are built.
    bad = tmp_path / "gp-reg-pat-prac-lsoa-all.csv"
    bad.write_text("PUBLICATION,EXTRACT_DATE\nGP_PRAC_PAT_LIST,01JAN2024\n", encoding="utf-8")
    monkeypatch.setenv("BOUNDARY_LAB_DATA", str(data))
    code = main(["build", "--vintage", "2024", "--source", str(real_source),
                 "--pcn-registrations", str(bad)])  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0 and "gp-reg-pat-prac-lsoa-all.csv" in err and "Traceback" not in err
    assert _digest(data / "2024") == before  # every file, PCN layer included, untouched
    assert sorted(p.name for p in data.iterdir()) == ["2024"]  # no staged folder left over
    assert main(["vintages"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("2024"))
    assert "built" in line and "no PCN layer" not in line
    assert len(Store(data).load("2024").table) == len(real_store.load("2024").table)
