"""The CLI's quick split (numpy arrays kept in the store, no pandas) prints exactly what
the pandas path prints, on the real bundle: every format, national and one area, errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.cli import main
from geodata.quick_split import ARRAYS_FILE
from geodata.store import Store

pytestmark = [pytest.mark.real_data]


@pytest.fixture(scope="module")
def without_arrays(real_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same store without the quick path's arrays: every split goes through pandas."""
    root = tmp_path_factory.mktemp("pandas_store")
    for vintage in real_store.built():
        shutil.copytree(real_store.root / vintage, root / vintage)
        (root / vintage / ARRAYS_FILE).unlink()
    return root


def run(capsys: pytest.CaptureFixture[str], root: Path, args: list[str]) -> tuple[int, str, str]:
    try:
        code = main(["splits", *args, "--data", str(root)])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err.replace(str(root), "<store>")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize(
    "args",
    [
        ["--vintage", "2022"],
        ["--vintage", "2024", "--by", "ltla", "--across", "sicbl"],
        ["--vintage", "2022", "--by", "icb", "--across", "utla"],
        ["--vintage", "2024", "--by", "region", "--across", "icb"],
        ["--vintage", "2022", "--area", "essex"],
        ["--vintage", "2024", "--by", "sicbl", "--across", "ltla", "--area", "E38000007"],
    ],
)
def test_quick_and_pandas_paths_print_the_same(
    real_store: Store, without_arrays: Path, capsys: pytest.CaptureFixture[str],
    args: list[str], fmt: str,
) -> None:  # fmt: skip
    quick = run(capsys, real_store.root, [*args, "--format", fmt])
    slow = run(capsys, without_arrays, [*args, "--format", fmt])
    assert quick == slow
    assert quick[0] == 0 and len(quick[1]) > 200


@pytest.mark.parametrize(
    "args",
    [
        ["--vintage", "2022", "--area", "Nowhere"],
        ["--vintage", "2022", "--area", "shire"],  # ambiguous
        ["--vintage", "2022", "--by", "icb", "--across", "icb"],
        ["--vintage", "1999"],
    ],
)
def test_refusals_are_the_same(
    real_store: Store, without_arrays: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    quick = run(capsys, real_store.root, args)
    slow = run(capsys, without_arrays, args)
    assert quick == slow
    assert quick[0] != 0 and quick[2]


def test_the_quick_path_does_not_import_pandas(real_store: Store) -> None:
    command = [sys.executable, "-X", "importtime", "-m", "geodata.cli", "splits", "--vintage",
               "2022", "--area", "Essex", "--data", str(real_store.root)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    modules = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()
               if "import time:" in line}  # fmt: skip
    assert "numpy" in modules
    assert not modules & {"pandas", "pyarrow", "geopandas", "shapely"}
    assert "Mid and South Essex" in done.stdout
