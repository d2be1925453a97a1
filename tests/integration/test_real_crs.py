"""Silent wrong data: a British National Grid file declared as Irish Grid (EPSG:29903)
was accepted and moved LSOAs that no one meant to move. A declared CRS that puts the
candidates at sea, outside England, on no LSOA, or away from the ICBs they name is now
refused or warned, on the real 2022 vintage."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from geodata.geometry import dissolve
from geodata.scenarios.upload import UploadError, best_fit, read_candidates
from geodata.store import Store, VintageData


@pytest.fixture(scope="module")
def data(real_store: Store) -> VintageData:
    return real_store.load("2022")


def _upload(data: VintageData, names: list[str], crs: str, folder: Path) -> bytes:
    icbs = dissolve(data, "icb")
    chosen = icbs.loc[icbs["name"].str.contains("|".join(names))]
    assert len(chosen) == len(names), list(chosen["name"])
    frame = gpd.GeoDataFrame({"icb_code": chosen["code"]},
                             geometry=chosen.geometry.simplify(100), crs="EPSG:27700")  # fmt: skip
    path = folder / "candidates.gpkg"
    # BNG coordinates as they are, with another CRS declared: the operator's mistake.
    frame.set_crs(crs, allow_override=True).to_file(path, engine="pyogrio")
    return path.read_bytes()


def test_bng_declared_as_irish_grid_is_refused(data: VintageData, tmp_path: Path) -> None:
    for names, message in (
        (["Mid and South Essex", "Hertfordshire and West Essex"],
         "holds any LSOA of that ICB"),
        (["Cheshire and Merseyside"], "cover no LSOA of vintage 2022"),
    ):  # fmt: skip
        content = _upload(data, names, "EPSG:29903", tmp_path)
        with pytest.raises(UploadError) as raised:
            best_fit(data, read_candidates(content, "c.gpkg"), "misdeclared")
        assert message in str(raised.value)
        assert "the file declares EPSG:29903" in str(raised.value)


def test_one_misplaced_candidate_is_warned(data: VintageData, tmp_path: Path) -> None:
    content = _upload(data, ["Sussex"], "EPSG:29903", tmp_path)
    fit = best_fit(data, read_candidates(content, "c.gpkg"), "misdeclared")
    notes = " ".join(fit.scenario.notes)
    assert "lie largely off the LSOAs of vintage 2022" in notes
    assert "hold none of the LSOAs of the ICB they name" in notes
    assert "the file declares EPSG:29903" in notes


def test_the_same_files_declared_right_move_nothing(data: VintageData, tmp_path: Path) -> None:
    for names in (["Mid and South Essex", "Hertfordshire and West Essex"], ["Sussex"]):
        content = _upload(data, names, "EPSG:27700", tmp_path)
        fit = best_fit(data, read_candidates(content, "c.gpkg"), "right")
        assert fit.scenario.blocks == () and fit.scenario.notes == ()
