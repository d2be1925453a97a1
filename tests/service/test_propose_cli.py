"""``boundary-lab propose`` end to end on the tiny store (tests/synthetic.py):

      | E07000001| E07000001| E07000002| E06000001| E06000002|   LTLA
      | E10000001| E10000001| E10000001| E06000001| E06000002|   UTLA
      | E54000001| E54000001| E54000002| E54000002| E54000002|   ICB
      |   [100]  |   [200]  |   [300]  |   [400]  |   [500]  |   population

County 1 whole with ICBs of at most 1,000: District 2 (300 people) joins ICB 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main


@pytest.fixture
def run(tiny_data_dir: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    capsys.readouterr()

    def invoke(*argv: str):
        try:
            code = main([*argv, "--data", str(tiny_data_dir)])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_propose_saves_a_scenario_and_prints_clean_json(run) -> None:
    code, out, err = run("propose", "--max-icb-population", "1000", "--format", "json")
    assert code == 0, err
    body = json.loads(out)
    assert body["proposal"]["people_moved"] == 300
    assert body["proposal"]["proven_optimal"] is True
    assert body["scenario"]["moves"] == [
        {"unit_layer": "ltla", "code": "E07000002", "to_icb": "E54000001"}
    ]
    assert "round 1" in err  # progress on stderr
    code, out, _ = run("scenario", "list")
    assert code == 0 and "proposal" in out and "Proposal (districts)" in out


def test_infeasible_rules_exit_1_with_the_conflict(run) -> None:
    code, out, err = run("propose", "--max-icb-population", "500", "--dry-run")
    assert code == 1
    assert "conflict [council_within_one_icb]" in err and "County 1" in err
    assert out == ""


def test_bad_rule_is_refused(run) -> None:
    code, _, err = run("propose", "--max-icbs", "0")
    assert code == 1
    assert "max_icbs must be 1 or more" in err
