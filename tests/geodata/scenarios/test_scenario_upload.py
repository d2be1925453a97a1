"""Candidate-boundary uploads (GeoJSON, GeoPackage, zipped Shapefile) and best-fit on the
tiny vintage (picture in scenario_fixtures.py; representative points at x = 500.5, 501.5,
502.5, 503.5 and 504.5 km, y = 200.5 km), and every bad input of issue 5 item 7."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from scenario_fixtures import ICB1, ICB2

from geodata.errors import BoundaryLabError
from geodata.scenarios import resolve
from geodata.scenarios import upload as upload_module
from geodata.scenarios.upload import UploadError, best_fit, read_candidates
from geodata.store import VintageData
from geodata.unzip import ZipLimits

BNG = "EPSG:27700"
WEST = shapely.box(499_000, 199_000, 503_000, 202_000)  # holds LSOAs 1, 2 and 3
EAST = shapely.box(503_000, 199_000, 506_000, 202_000)  # holds LSOAs 4 and 5
SHAPEFILE_PARTS = ("shp", "shx", "dbf", "prj", "cpg")


def frame(labels: list[str], geometries: list[Any], crs: str | None = BNG,
          prop: str = "icb_code") -> gpd.GeoDataFrame:  # fmt: skip
    return gpd.GeoDataFrame({prop: labels}, geometry=geometries, crs=crs)


def file_bytes(gdf: gpd.GeoDataFrame, folder: Path, name: str, **kwargs: Any) -> bytes:
    path = folder / name
    gdf.to_file(path, **kwargs)
    return path.read_bytes()


def shapefile_parts(gdf: gpd.GeoDataFrame, folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    gdf.to_file(folder / "candidates.shp")
    return {ext: (folder / f"candidates.{ext}").read_bytes()
            for ext in SHAPEFILE_PARTS if (folder / f"candidates.{ext}").exists()}  # fmt: skip


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def feature_collection(features: list[dict[str, Any]], crs: str | None = None) -> bytes:
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(collection).encode()


def feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    mapped = shapely.geometry.mapping(geometry) if geometry is not None else None
    return {"type": "Feature", "properties": properties, "geometry": mapped}


# Good uploads, each format.


def test_geojson_in_wgs84(tiny: VintageData, tmp_path: Path) -> None:
    gdf = frame([ICB1, ICB2], [WEST, EAST]).to_crs("EPSG:4326")
    content = file_bytes(gdf, tmp_path, "c.geojson", driver="GeoJSON")
    candidates = read_candidates(content, "candidates.geojson")
    assert candidates.label_property == "icb_code" and candidates.warnings == []
    assert candidates.frame.crs == BNG
    assert list(candidates.frame["label"]) == [ICB1, ICB2]
    fit = best_fit(tiny, candidates, "west takes district 2")
    assert fit.scenario.blocks == (("E01000003", ICB1),)  # only LSOA 3 changes ICB
    assert (fit.unassigned, fit.assigned) == ([], 5)
    assert fit.scenario.vintage == "tiny" and fit.scenario.name == "west takes district 2"
    assert list(resolve(tiny, fit.scenario).icb) == [ICB1, ICB1, ICB1, ICB2, ICB2]


def test_geojson_declaring_british_national_grid(tiny: VintageData, tmp_path: Path) -> None:
    content = file_bytes(frame([ICB1, ICB2], [WEST, EAST]), tmp_path, "c.geojson",
                         driver="GeoJSON")  # fmt: skip
    assert b"27700" in content
    fit = best_fit(tiny, read_candidates(content, "c.json"), "bng")
    assert fit.scenario.blocks == (("E01000003", ICB1),)


def test_geopackage_with_a_new_icb_by_name(tiny: VintageData, tmp_path: Path) -> None:
    gdf = frame([ICB1, "Coastal ICB"], [WEST, EAST], prop="name")
    candidates = read_candidates(file_bytes(gdf, tmp_path, "c.gpkg", driver="GPKG"), "c.GPKG")
    assert candidates.label_property == "name"
    fit = best_fit(tiny, candidates, "coast")
    assert dict(fit.scenario.blocks) == {"E01000003": ICB1, "E01000004": "new_icb:Coastal ICB",
                                         "E01000005": "new_icb:Coastal ICB"}  # fmt: skip
    assignment = resolve(tiny, fit.scenario)
    assert list(assignment.icb) == [ICB1, ICB1, ICB1, "NEW-1", "NEW-1"]
    assert assignment.new_icbs == {"NEW-1": "Coastal ICB"}


def test_zipped_shapefile_in_a_folder(tiny: VintageData, tmp_path: Path) -> None:
    parts = shapefile_parts(frame([ICB1, ICB2], [WEST, EAST]), tmp_path / "shp")
    content = zipped({f"boundaries/Candidates.{ext.upper()}": data for ext, data in parts.items()})
    fit = best_fit(tiny, read_candidates(content, "upload.zip"), "shp")
    assert fit.scenario.blocks == (("E01000003", ICB1),)


def test_label_property_chosen_and_features_with_one_label_unioned(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"icb_code": ["x", "y", "x"], "team": ["A", "B", "A"]},
                           geometry=[shapely.box(500_000, 200_000, 501_000, 201_000),
                                     EAST, shapely.box(501_000, 200_000, 502_000, 201_000)],
                           crs=BNG)  # fmt: skip
    content = file_bytes(gdf, tmp_path, "c.geojson", driver="GeoJSON")
    candidates = read_candidates(content, "c.geojson", label="team")
    assert candidates.label_property == "team"
    assert list(candidates.frame["label"]) == ["A", "B"]
    assert candidates.frame.geometry.iloc[0].area == pytest.approx(2_000_000)


def test_lsoas_in_no_candidate_keep_their_baseline_and_are_listed(
    tiny: VintageData, tmp_path: Path
) -> None:
    content = file_bytes(frame([ICB1], [EAST]), tmp_path, "c.geojson", driver="GeoJSON")
    fit = best_fit(tiny, read_candidates(content, "c.geojson"), "east to icb 1")
    assert fit.unassigned == ["E01000001", "E01000002", "E01000003"]
    assert fit.assigned == 2
    assert dict(fit.scenario.blocks) == {"E01000004": ICB1, "E01000005": ICB1}
    assert list(resolve(tiny, fit.scenario).icb) == [ICB1, ICB1, ICB2, ICB1, ICB1]


def test_overlapping_candidates_are_refused_with_the_lsoas(
    tiny: VintageData, tmp_path: Path
) -> None:
    west = shapely.box(499_000, 199_000, 502_800, 202_000)
    east = shapely.box(502_200, 199_000, 506_000, 202_000)  # both hold LSOA 3's point
    content = file_bytes(frame([ICB1, ICB2], [west, east]), tmp_path, "c.geojson",
                         driver="GeoJSON")  # fmt: skip
    with pytest.raises(UploadError, match="^1 LSOA\\(s\\) fall in more than one candidate "
                       "\\(the candidates overlap\\): E01000003$"):  # fmt: skip
        best_fit(tiny, read_candidates(content, "c.geojson"), "overlap")


def test_a_bow_tie_is_repaired_with_a_warning(tiny: VintageData) -> None:
    # Crosses itself at (502.5, 200.5) km, LSOA 3's point, which ends up on the boundary.
    bow_tie = shapely.Polygon([(500_000, 200_000), (505_000, 201_000), (505_000, 200_000),
                               (500_000, 201_000)])  # fmt: skip
    assert not bow_tie.is_valid
    content = feature_collection([feature(bow_tie, icb_code=ICB1)], "EPSG:27700")
    candidates = read_candidates(content, "bow-tie.geojson")
    assert candidates.warnings == ["repaired 1 self-intersecting or invalid polygon(s) "
                                   "(features 1) with make_valid"]  # fmt: skip
    repaired = candidates.frame.geometry.iloc[0]
    assert repaired.is_valid and repaired.area == pytest.approx(2_500_000)
    fit = best_fit(tiny, candidates, "bow tie")
    assert fit.scenario.notes == tuple(candidates.warnings)
    assert fit.unassigned == ["E01000003"]
    assert dict(fit.scenario.blocks) == {"E01000004": ICB1, "E01000005": ICB1}


# Bad uploads, each with a clear UploadError.


def square_4326(tmp_path: Path) -> bytes:
    return file_bytes(frame([ICB1], [WEST]).to_crs("EPSG:4326"), tmp_path, "c.geojson",
                      driver="GeoJSON")  # fmt: skip


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b'{"type": "FeatureCollection", "features": [', "c.geojson",
         "^cannot read it as geojson: .*Unterminated array"),
        (b"not json at all", "c.geojson", "^cannot read it as geojson: "),
        (feature_collection([]), "c.geojson", "^the file has no features$"),
        (b"   ", "c.geojson", "^the file is empty$"),
        (b"<kml/>", "c.kml", "^unsupported file type '.kml'; upload GeoJSON \\(.geojson\\), "
                             "GeoPackage \\(.gpkg\\) or a zipped Shapefile \\(.zip\\)$"),
        (b"PK\x03\x04 truncated", "c.zip", "^the file is not a valid zip archive"),
        (zipped({"readme.txt": b"hello", "c.dbf": b"x"}), "c.zip",
         "^the zip holds no .shp file; a zipped Shapefile needs its .shp, .shx, .dbf and "
         ".prj$"),
        (zipped({"a.shp": b"x", "b.shp": b"y"}), "c.zip",
         "^the zip holds 2 .shp files; upload one layer$"),
        # GeoJSON without a crs member is WGS84 (RFC 7946): eastings are then "degrees".
        (feature_collection([feature(WEST, icb_code=ICB1)]), "c.geojson",
         "^coordinates such as \\(499000, 199000\\) are not degrees, though the file declares "
         "EPSG:4326; eastings and northings need EPSG:27700 declared$"),
        (feature_collection([feature(shapely.box(10, 50, 11, 51), icb_code=ICB1)]), "c.geojson",
         "^the boundaries reach outside Great Britain \\(EPSG:27700 bounds .*\\); check the "
         "CRS$"),
        (feature_collection([feature(shapely.box(800_000, 200_000, 801_000, 201_000),
                                     icb_code=ICB1)], "EPSG:27700"), "c.geojson",
         "^the boundaries reach outside Great Britain \\(EPSG:27700 bounds 800000, 200000, "
         "801000, 201000\\); check the CRS$"),
        (feature_collection([feature(shapely.Point(-1.0, 52.0), icb_code=ICB1),
                             feature(shapely.box(-1, 52, -0.9, 52.1), icb_code=ICB2)]),
         "c.geojson", "^candidate boundaries must be polygons; found Point$"),
        (feature_collection([feature(shapely.box(-1, 52, -0.9, 52.1), icb_code=ICB1),
                             feature(shapely.box(-1, 52, -0.9, 52.1), icb_code=None)]),
         "c.geojson", "^features 2 have no icb_code$"),
        (feature_collection([feature(shapely.box(-1, 52, -0.9, 52.1), icb_code=ICB1),
                             feature(None, icb_code=ICB2)]),
         "c.geojson", "^features 2 have no usable geometry: none, or a polygon ring"),
        (feature_collection([feature(shapely.box(-1, 52, -0.9, 52.1), area="x")]),
         "c.geojson", "^no property names the ICB of each feature; add one of icb_code, .*"
                      "the features have: area$"),
        (feature_collection([feature(shapely.box(500_000 + 10 * i, 200_000, 500_005 + 10 * i,
                                                 200_005), icb_code=f"c{i}")
                             for i in range(501)], "EPSG:27700"), "c.geojson",
         "^the file has 501 features; at most 500 candidate boundaries$"),
    ],
    ids=["invalid-json", "not-json", "empty-collection", "blank-file", "unsupported-type",
         "bad-zip", "zip-without-shp", "zip-two-shp", "eastings-as-degrees", "outside-gb",
         "outside-gb-bng", "points", "missing-label", "missing-geometry", "no-label-property",
         "too-many-features"],
)  # fmt: skip
def test_bad_uploads_are_refused(content: bytes, filename: str, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        read_candidates(content, filename)


def test_upload_errors_are_boundary_lab_errors() -> None:
    assert issubclass(UploadError, BoundaryLabError)


def test_an_unknown_label_property_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="^no property 'region'; the features have: icb_code$"):
        read_candidates(square_4326(tmp_path), "c.geojson", label="region")


def test_eastings_declared_as_degrees_in_a_shapefile(tmp_path: Path) -> None:
    parts = shapefile_parts(frame([ICB1], [WEST], crs="EPSG:4326"), tmp_path / "shp")
    with pytest.raises(UploadError, match="are not degrees, though the file declares EPSG:4326"):
        read_candidates(zipped({f"c.{e}": data for e, data in parts.items()}), "c.zip")


def test_a_shapefile_without_prj_has_no_crs(tmp_path: Path) -> None:
    parts = shapefile_parts(frame([ICB1], [WEST]), tmp_path / "shp")
    del parts["prj"]
    with pytest.raises(UploadError, match="^the file declares no coordinate reference system; "
                       "add a .prj \\(Shapefile\\) or declare one"):  # fmt: skip
        read_candidates(zipped({f"c.{e}": data for e, data in parts.items()}), "c.zip")


def test_zip_entries_never_choose_where_they_are_written(
    tiny: VintageData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The upload's temporary folder sits deep inside tmp_path, so that '../../' from it (or
    # from the working folder) still lands in tmp_path, where we can look.
    temp_root = tmp_path / "a" / "b" / "c" / "tmp"
    temp_root.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(temp_root))
    workdir = tmp_path / "a" / "b" / "c" / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    parts = shapefile_parts(frame([ICB1, ICB2], [WEST, EAST]), tmp_path / "src")
    entries = {f"../../evil.{e}": data for e, data in parts.items()}
    entries["../../../evil.txt"] = b"not a shapefile part"
    entries["/tmp/evil-absolute.cpg"] = b"UTF-8"
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    fit = best_fit(tiny, read_candidates(zipped(entries), "evil.zip"), "safe")
    assert fit.scenario.blocks == (("E01000003", ICB1),)  # read from the safe names
    after = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing written, nothing left behind
    assert list(temp_root.iterdir()) == []
    assert not list(Path("/").glob("evil*")) and not list(Path("/tmp").glob("evil*"))


def test_zip_unpacked_size_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_module, "ZIP_LIMITS", ZipLimits(total_bytes=2**20))
    bomb = zipped({"c.shp": b"\0" * 100, "c.dbf": b"\0" * (2 * 2**20)})
    assert len(bomb) < 20_000
    with pytest.raises(UploadError, match="^the zip unpacks to more than 1 MB$"):
        read_candidates(bomb, "bomb.zip")


def test_read_errors_do_not_show_server_paths() -> None:
    with pytest.raises(UploadError) as caught:
        read_candidates(b"not json at all", "mine.geojson")
    assert "boundary-lab-upload" not in str(caught.value)


def test_a_geopackage_with_several_layers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    frame([ICB1], [WEST]).to_file(path, layer="draft", driver="GPKG")
    frame([ICB2], [EAST]).to_file(path, layer="final", driver="GPKG")
    with pytest.raises(UploadError, match="layers"):
        read_candidates(path.read_bytes(), "two.gpkg")
