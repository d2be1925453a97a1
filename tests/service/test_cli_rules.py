"""The command line's shared rules on the tiny store (picture in tests/synthetic.py):
--version, --help, --data anywhere, one exit-code rule, unknown settings refused by every
command, and names told apart: ambiguous, unknown, or of another layer."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata import __version__
from service.cli import main


def call(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def own_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert call(capsys, "--version") == (0, f"boundary-lab {__version__}\n", "")
    code, out, _ = call(capsys, "splits", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "layer split: ltla, utla, icb, sicbl, region, sa, pcn (default utla)" in flat
    assert "layer across: ltla, utla, icb, sicbl, region, sa, pcn (default icb)" in flat
    assert "output: table, json, csv (default table)" in flat
    assert "exit codes: 0 done; 2 the request was wrong (an unknown option" in " ".join(
        call(capsys, "--help")[1].split())


def test_data_goes_anywhere_on_the_line(
    capsys: pytest.CaptureFixture[str], tiny_data_dir: Path
) -> None:
    data = str(tiny_data_dir)
    lines = [
        ["--data", data, "splits", "--vintage", "tiny", "--format", "csv"],
        ["splits", "--data", data, "--vintage", "tiny", "--format", "csv"],
    ]
    outputs = [call(capsys, *argv) for argv in lines]
    assert all(code == 0 for code, _, _ in outputs) and outputs[0][1] == outputs[1][1]
    made = call(capsys, "--data", data, "tokens", "create", "--role", "viewer", "--name", "a")
    assert made[0] == 0
    for argv in (["--data", data, "tokens", "list"], ["tokens", "--data", data, "list"],
                 ["tokens", "list", "--data", data]):  # fmt: skip
        code, out, err = call(capsys, *argv)
        assert code == 0 and "viewer" in out and "a  (by cli:" in out, (argv, err)


@pytest.mark.parametrize("argv, needle", [
    (["tokens", "revoke", "99"], "no live token with id 99"),
    (["scenario", "evaluate", "99"], "no scenario with id 99"),
    (["splits", "--vintage", "tiny", "--area", "Nowhere"], "unknown utla area 'Nowhere'"),
    (["splits", "--vintage", "2023"], "no vintage 2023 is declared"),
    (["splits", "--by", "county"], "unknown layer 'county'"),
])  # fmt: skip
def test_a_wrong_request_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tiny_data_dir: Path, argv: list[str], needle: str
) -> None:
    code, _, err = call(capsys, "--data", str(tiny_data_dir), *argv)
    assert code == 2 and needle in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [
    ["splits", "--vintage", "tiny"], ["typology", "--vintage", "tiny"], ["vintages"],
    ["tokens", "list"], ["scenario", "list"], ["places", "list"],
])  # fmt: skip
def test_every_command_refuses_a_mistyped_setting(
    capsys: pytest.CaptureFixture[str], tiny_data_dir: Path, monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    monkeypatch.setenv("BOUNDARY_LAB_DAT", "/somewhere")
    code, out, err = call(capsys, "--data", str(tiny_data_dir), *command)
    assert code == 2 and out == ""
    assert err.startswith("boundary-lab: unknown setting(s) BOUNDARY_LAB_DAT; valid: ")
    monkeypatch.delenv("BOUNDARY_LAB_DAT")
    assert call(capsys, "--data", str(tiny_data_dir), *command)[0] == 0


def test_names_ambiguous_unknown_or_of_another_layer(
    capsys: pytest.CaptureFixture[str], tiny_data_dir: Path
) -> None:
    base = ["--data", str(tiny_data_dir), "splits", "--vintage", "tiny"]
    # "Unitary" is part of two names: ambiguous, and both are listed
    code, _, err = call(capsys, *base, "--area", "Unitary")
    assert code == 2
    assert ("ambiguous utla area 'Unitary': it matches 2: Unitary 1 (E06000001), "
            "Unitary 2 (E06000002); give more of the name, or the code") in err
    # E07000002 is a lower-tier LA: asked for as an upper-tier one, the message says so
    code, _, err = call(capsys, *base, "--area", "E07000002", "--by", "utla")
    assert code == 2
    assert ("'E07000002' is not a utla area: District 2 (E07000002) is a lower-tier local "
            "authority; use ltla (--by ltla)") in err
    code, out, _ = call(capsys, *base, "--area", "E07000002", "--by", "ltla")
    assert code == 0 and "E07000002" in out
