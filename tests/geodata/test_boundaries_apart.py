"""The boundaries read, cleaned and dissolved without pandas, in a process of their own:
the same blocks as the geopandas path, the same vintage and outlines as working them in
the caller, the same errors."""

from __future__ import annotations

import pickle
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from synthetic import TinySource

from geodata.config import parse_vintage
from geodata.errors import InputError
from geodata.ingest import boundaries, build, build_vintage
from geodata.ingest.coverage import clean_coverage
from geodata.parallel import CORES


@pytest.fixture
def tiny(tmp_path: Path) -> TinySource:
    return TinySource(tmp_path / "source")


@pytest.fixture
def apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every boundary file, however small, read in a process of its own."""
    assert CORES > 1, "this machine has one core: the separate process is never used"
    monkeypatch.setattr(build, "SEPARATE_READ_BYTES", -1)


def built_both_ways(tiny: TinySource, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    tiny.write()
    config = parse_vintage(tiny.config_path)
    here = build_vintage(config, tiny.root)
    monkeypatch.setattr(build, "SEPARATE_READ_BYTES", -1)
    return here, build_vintage(config, tiny.root)


def test_a_vintage_is_the_same_read_apart(
    tiny: TinySource, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny.blocks = tiny.blocks.to_crs("EPSG:4326")  # reprojected in the other process
    here, apart_ = built_both_ways(tiny, monkeypatch)
    pd.testing.assert_frame_equal(here.table, apart_.table)
    pd.testing.assert_frame_equal(here.units, apart_.units)
    assert here.geometry["lsoa_code"].tolist() == apart_.geometry["lsoa_code"].tolist()
    assert shapely.equals_exact(here.geometry.geometry.values,
                                apart_.geometry.geometry.values, tolerance=0).all()  # fmt: skip
    for layer in ("ltla", "utla", "icb", "sicbl"):
        for tolerance in (0.0, 100.0):
            codes, polygons = here.outlines.simplified(layer, tolerance)
            codes_apart, polygons_apart = apart_.outlines.simplified(layer, tolerance)
            assert codes.tolist() == codes_apart.tolist()
            assert shapely.equals_exact(polygons, polygons_apart, tolerance=0).all()


@pytest.mark.usefixtures("apart")
def test_an_error_read_apart_arrives_whole(tiny: TinySource) -> None:
    tiny.blocks.loc[2, "geometry"] = shapely.Polygon()
    tiny.write()
    with pytest.raises(InputError) as caught:
        build_vintage(parse_vintage(tiny.config_path), tiny.root)
    assert caught.value.path.endswith("blocks.gpkg")
    assert caught.value.problem == "1 feature(s) have no geometry"
    assert caught.value.where == "features E01000003"


@pytest.mark.usefixtures("apart")
def test_a_table_error_still_comes_first(tiny: TinySource) -> None:
    tiny.blocks.loc[2, "geometry"] = shapely.Polygon()  # wrong too, but read beside
    tiny.tables["population"].loc[0, "All Ages"] = "lots"
    tiny.write()
    with pytest.raises(InputError, match="is not a number") as caught:
        build_vintage(parse_vintage(tiny.config_path), tiny.root)
    assert caught.value.path.endswith("population.csv")


def test_input_errors_pickle_whole() -> None:
    error = InputError("/x/blocks.gpkg", "2 feature(s) have no geometry", where="features A, B")
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.problem, again.where, str(again)) == (
        error.path, error.problem, error.where, str(error))  # fmt: skip


@pytest.mark.real_data
def test_real_lsoas_as_geopandas_reads_them(real_source: Path) -> None:
    """Codes, names and polygons as ``geopandas.read_file`` + ``to_crs`` give them, and
    cleaned where the coverage needs it, coordinate for coordinate."""
    path = real_source / "boundaries" / "LSOA_2021_EW_BSC.gpkg"
    read = boundaries.read_blocks(path, "LSOA21CD", "LSOA21NM")

    frame = gpd.read_file(path, columns=["LSOA21CD", "LSOA21NM"], engine="pyogrio")
    frame = frame.loc[frame["LSOA21CD"].str.startswith("E")].to_crs("EPSG:27700")
    assert read.codes.tolist() == frame["LSOA21CD"].tolist()
    assert read.names.tolist() == frame["LSOA21NM"].str.strip().tolist()
    expected, changed = clean_coverage(frame.geometry.to_numpy())
    assert changed == read.repairs.coverage_cleaned > 0
    assert shapely.equals_exact(read.polygons, expected, tolerance=0).all()
    # And across a process boundary (as one array of WKB) nothing changes.
    again = pickle.loads(pickle.dumps(read))
    assert np.array_equal(shapely.to_wkb(again.polygons), shapely.to_wkb(read.polygons))


def test_a_script_without_a_main_guard_runs_once(tiny: TinySource, tmp_path: Path) -> None:
    """The process is a fresh interpreter given only the call: the caller's script is not
    run again in it (``multiprocessing``'s spawn would re-run a script without a
    ``__main__`` guard, its side effects included)."""
    import subprocess
    import sys

    tiny.write()
    runs = tmp_path / "runs.txt"
    script = tmp_path / "build_it.py"
    script.write_text(
        "from pathlib import Path\n"
        "from geodata.config import parse_vintage\n"
        "from geodata.ingest import build, build_vintage\n"
        f"with open({str(runs)!r}, 'a') as f: f.write('ran\\n')\n"
        "build.SEPARATE_READ_BYTES = -1\n"
        f"built = build_vintage(parse_vintage(Path({str(tiny.config_path)!r})), "
        f"Path({str(tiny.root)!r}))\n"
        "print(len(built.table))\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5"
    assert runs.read_text() == "ran\n"
    assert "Traceback" not in done.stderr
