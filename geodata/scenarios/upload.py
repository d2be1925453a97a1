"""Candidate ICB boundaries uploaded as GeoJSON, GeoPackage or zipped Shapefile, turned into
a scenario by best-fit: each LSOA goes to the candidate holding its representative point.

Uploads are untrusted: the format is checked, zips are unpacked by hand (no paths from the
archive, bounded sizes), the CRS must be declared, coordinates must fall in Great Britain.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from ..errors import BoundaryLabError, describe_rows
from ..geometry import block_index
from ..store import VintageData
from ..unzip import UnzipError, ZipLimits, extract, list_members
from .model import Scenario
from .resolve import MAX_NEW_ICBS, NEW_ICB, IcbTargets

MAX_FEATURES = 500
ZIP_LIMITS = ZipLimits()
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}
#: British National Grid extent of Great Britain and its islands, metres.
GB_BOUNDS = (-10_000.0, -10_000.0, 700_000.0, 1_300_000.0)
LABEL_PROPERTIES = ("icb_code", "ICB24CD", "ICB22CD", "code", "icb", "icb_name", "ICB24NM",
                    "ICB22NM", "name")  # fmt: skip


class UploadError(BoundaryLabError):
    """The uploaded file cannot be used; the message says why and what is expected."""


@dataclass(frozen=True)
class Candidates:
    frame: gpd.GeoDataFrame  # label, geometry (EPSG:27700), one row per candidate
    label_property: str
    warnings: list[str] = field(default_factory=list)
    declared_crs: str = ""  # as the file declared it, for messages about misplaced shapes


@dataclass(frozen=True)
class BestFit:
    scenario: Scenario
    candidates: Candidates
    unassigned: list[str]  # LSOAs in no candidate: they keep their baseline ICB
    assigned: int


def _safe_unzip(archive: Path, folder: Path) -> Path:
    """Extract the shapefile parts (streamed and counted, see geodata.unzip) under fixed
    names of our own; return the .shp."""
    try:
        infos = list_members(archive, ZIP_LIMITS)
        shps = [i for i in infos if PurePosixPath(i.filename).suffix.lower() == ".shp"]
        if not shps:
            raise UploadError("the zip holds no .shp file; a zipped Shapefile needs its "
                              ".shp, .shx, .dbf and .prj")  # fmt: skip
        if len(shps) > 1:
            raise UploadError(f"the zip holds {len(shps)} .shp files; upload one layer")
        stem = PurePosixPath(shps[0].filename).stem
        members = {}
        for info in infos:
            path = PurePosixPath(info.filename)
            if path.stem == stem and path.suffix.lower() in SHAPEFILE_PARTS:
                # The archive's own path is never used: only a fixed name in our folder.
                members[info.filename] = folder / f"candidates{path.suffix.lower()}"
        extract(archive, members, ZIP_LIMITS)
    except UnzipError as exc:
        raise UploadError(str(exc)) from None
    return folder / "candidates.shp"


def _read(content: bytes, filename: str, folder: Path) -> gpd.GeoDataFrame:
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix in (".geojson", ".json"):
        path = folder / "candidates.geojson"
    elif suffix == ".gpkg":
        path = folder / "candidates.gpkg"
    elif suffix == ".zip":
        path = folder / "upload.zip"
    else:
        raise UploadError(
            f"unsupported file type {suffix or filename!r}; upload GeoJSON "
            "(.geojson), GeoPackage (.gpkg) or a zipped Shapefile (.zip)"
        )
    if not content.strip():
        raise UploadError("the file is empty")
    path.write_bytes(content)
    if suffix == ".zip":
        path = _safe_unzip(path, folder)
    try:
        layers = pyogrio.list_layers(path)
        if len(layers) > 1:
            names = ", ".join(str(name) for name, _ in layers)
            raise UploadError(f"the file holds {len(layers)} layers ({names}); upload one layer "
                              "of candidate boundaries")  # fmt: skip
        info = pyogrio.read_info(path)
        if info["features"] > MAX_FEATURES:
            raise UploadError(f"the file has {info['features']:,} features; at most "
                              f"{MAX_FEATURES} candidate boundaries")  # fmt: skip
        with warnings.catch_warnings():
            # GDAL warns of unclosed rings; such geometries are read as missing (on_invalid)
            # and refused below with their feature numbers.
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(path, on_invalid="ignore")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        # GDAL names the file by its temporary path here: show the uploaded name instead.
        detail = str(exc).replace(str(path), filename).replace(str(folder), "")
        raise UploadError(f"cannot read it as {suffix.lstrip('.')}: {detail}") from None


def _label_property(frame: gpd.GeoDataFrame, requested: str | None) -> str:
    columns = [c for c in frame.columns if c != "geometry"]
    if requested:
        if requested not in columns:
            raise UploadError(f"no property {requested!r}; the features have: "
                              f"{', '.join(columns) or 'no properties'}")  # fmt: skip
        return requested
    for candidate in LABEL_PROPERTIES:
        if candidate in columns:
            return candidate
    raise UploadError(
        "no property names the ICB of each feature; add one of "
        f"{', '.join(LABEL_PROPERTIES)} (an ICB code or a new ICB's name), or "
        f"say which to use; the features have: {', '.join(columns) or 'none'}"
    )


def _to_working_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise UploadError("the file declares no coordinate reference system; add a .prj "
                          "(Shapefile) or declare one (e.g. EPSG:27700 or EPSG:4326)")  # fmt: skip
    if frame.crs.is_geographic:
        minx, miny, maxx, maxy = frame.total_bounds
        if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
            raise UploadError(f"coordinates such as ({minx:.0f}, {miny:.0f}) are not degrees, "
                              f"though the file declares {frame.crs.to_string()}; eastings "
                              "and northings need EPSG:27700 declared")  # fmt: skip
    else:
        minx, miny, maxx, maxy = frame.total_bounds
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
            raise UploadError(f"coordinates such as ({minx:.3f}, {miny:.3f}) look like degrees, "
                              f"though the file declares {frame.crs.to_string()}; declare "
                              "EPSG:4326 for longitude and latitude")  # fmt: skip
    try:
        projected = frame.to_crs("EPSG:27700")
    except Exception as exc:  # noqa: BLE001 - pyproj raises several kinds
        raise UploadError(f"cannot transform from {frame.crs} to EPSG:27700: {exc}") from None
    minx, miny, maxx, maxy = projected.total_bounds
    x0, y0, x1, y1 = GB_BOUNDS
    if not np.isfinite([minx, miny, maxx, maxy]).all() or minx < x0 or miny < y0 \
            or maxx > x1 or maxy > y1:  # fmt: skip
        raise UploadError(
            f"the boundaries reach outside Great Britain (EPSG:27700 bounds "
            f"{minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}); check the CRS"
        )
    return projected


def read_candidates(content: bytes, filename: str, label: str | None = None) -> Candidates:
    """Candidate polygons in EPSG:27700, one row per label (same labels are unioned)."""
    with tempfile.TemporaryDirectory(prefix="boundary-lab-upload.") as tmp:
        frame = _read(content, filename, Path(tmp))
    if frame.empty:
        raise UploadError("the file has no features")
    prop = _label_property(frame, label)
    labels = frame[prop].astype("string").str.strip()
    missing = labels.isna() | (labels == "")
    if missing.any():
        raise UploadError(f"features {describe_rows(np.flatnonzero(missing) + 1)} have no "
                          f"{prop}")  # fmt: skip
    geometry = frame.geometry
    empty = geometry.isna() | geometry.is_empty
    if empty.any():
        raise UploadError(f"features {describe_rows(np.flatnonzero(empty) + 1)} have no usable "
                          "geometry: none, or a polygon ring that is not closed or has fewer "
                          "than 4 points")  # fmt: skip
    polygonal = geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    if not polygonal.all():
        kinds = sorted(set(geometry.geom_type[~polygonal]))
        raise UploadError(f"candidate boundaries must be polygons; found {', '.join(kinds)}")
    notes = []
    declared = frame.crs.to_string() if frame.crs is not None else ""
    frame = _to_working_crs(gpd.GeoDataFrame({"label": labels}, geometry=geometry,
                                             crs=frame.crs))  # fmt: skip
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        rows = np.flatnonzero(invalid) + 1
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.geometry.values[invalid],
                                                            method="structure")  # fmt: skip
        # A repair can leave lines or points beside (or instead of) the polygons.
        frame.loc[invalid, "geometry"] = [_polygonal(g) for g in frame.geometry[invalid]]
        notes.append(f"repaired {len(rows)} self-intersecting or invalid polygon(s) "
                     f"(features {describe_rows(rows)}) with make_valid")  # fmt: skip
    flat = ~(frame.geometry.area > 0)
    if flat.any():
        raise UploadError(f"features {describe_rows(np.flatnonzero(flat) + 1)} enclose no "
                          "area (a ring of fewer than three distinct points, or all on one "
                          "line); candidate boundaries must be polygons")  # fmt: skip
    dissolved = frame.dissolve(by="label", as_index=False)
    return Candidates(dissolved[["label", "geometry"]], prop, notes, declared)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _targets(data: VintageData, labels: list[str]) -> tuple[list[str], list[str]]:
    """Each candidate's ICB: an existing one (code, published or short name), else a new
    one named by the label, said in a note. A label that looks like an ICB code but is
    not one of the vintage's is refused: it would silently make a new ICB."""
    targets = IcbTargets(data)
    resolved, new = [], []
    for label in labels:
        code = targets.existing_code(label)
        if code is not None:
            resolved.append(code)
            continue
        if label.casefold().startswith(NEW_ICB):
            label = label[len(NEW_ICB) :]
        elif re.fullmatch(r"E\d{6,10}", label.strip().upper()):
            raise targets.unknown(label, f"candidate {label!r}")
        resolved.append(NEW_ICB + targets.new_name(NEW_ICB + label, f"candidate {label!r}"))
        new.append(label)
    if len(new) > MAX_NEW_ICBS:
        raise UploadError(f"{len(new)} candidates are not ICBs of vintage {data.name}, so "
                          f"each would be a new ICB; at most {MAX_NEW_ICBS}")  # fmt: skip
    notes = []
    if new:
        close = [f"{label!r} is close to {', '.join(targets.suggestions(label))}"
                 for label in new if targets.suggestions(label)]  # fmt: skip
        notes.append(f"{len(new)} candidate(s) are not ICBs of vintage {data.name} and become "
                     f"new ICBs: {', '.join(repr(n) for n in new[:10])}"
                     + (f" ({'; '.join(close[:5])})" if close else ""))  # fmt: skip
    return resolved, notes


#: Below this share of its area on the vintage's LSOAs a candidate is said to lie largely
#: at sea or outside England; below the second, for all candidates together, the upload
#: is refused: the declared CRS has put them where no boundary can be.
ON_LAND_WARN = 0.5
ON_LAND_REFUSE = 0.2


def _check_placement(data: VintageData, candidates: Candidates, assigned: np.ndarray) -> list[str]:
    """Refuse candidates that hold no LSOA, or an upload mostly off the vintage's LSOAs;
    note candidates largely off them. The LSOAs' area inside a candidate (by representative
    point) over its own area measures how much of it lies on England's land."""
    frame = candidates.frame
    areas = data.cache.get("lsoa_areas")
    if areas is None:
        areas = data.cache["lsoa_areas"] = data.geometry().geometry.area.to_numpy()
    inside = assigned >= 0
    held = np.bincount(assigned[inside], minlength=len(frame))
    on_land = np.bincount(assigned[inside], weights=areas[inside], minlength=len(frame))
    own = frame.geometry.area.to_numpy()
    crs = f"the file declares {candidates.declared_crs}" if candidates.declared_crs else ""

    def where(rows: np.ndarray) -> str:
        centres = gpd.GeoSeries(frame.geometry.iloc[rows].centroid, crs="EPSG:27700")
        points = centres.to_crs("EPSG:4326")
        return ", ".join(f"{frame['label'].iloc[r]!r} (centre {p.y:.2f}°N "
                         f"{abs(p.x):.2f}°{'W' if p.x < 0 else 'E'})"
                         for r, p in zip(rows[:5], points[:5], strict=False))  # fmt: skip

    empty = np.flatnonzero(held == 0)
    if len(empty):
        raise UploadError(f"{len(empty)} candidate(s) cover no LSOA of vintage {data.name}: "
                          f"{where(empty)}; they lie at sea or outside England. Check the "
                          f"coordinate reference system ({crs or 'none declared'})")  # fmt: skip
    share = on_land.sum() / own.sum()
    if share < ON_LAND_REFUSE:
        raise UploadError(f"only {share:.0%} of the candidates' area lies on LSOAs of vintage "
                          f"{data.name}: they are mostly at sea or outside England. Check the "
                          f"coordinate reference system ({crs or 'none declared'})")  # fmt: skip
    partly = np.flatnonzero(on_land / own < ON_LAND_WARN)
    if not len(partly):
        return []
    return [f"{len(partly)} candidate(s) lie largely off the LSOAs of vintage {data.name} "
            f"(under {ON_LAND_WARN:.0%} of their area on land in England): {where(partly)}; "
            f"check the coordinate reference system ({crs})"]  # fmt: skip


def _check_own_icbs(
    data: VintageData,
    candidates: Candidates,
    labels: np.ndarray,
    assigned: np.ndarray,
    baseline: np.ndarray,
) -> list[str]:
    """A candidate labelled with an existing ICB that holds none of that ICB's LSOAs has
    likely been put somewhere else: refused when every one of several such candidates is,
    else noted."""
    existing = [i for i, label in enumerate(labels) if not str(label).startswith(NEW_ICB)]
    lost = [i for i in existing if not (baseline[assigned == i] == labels[i]).any()]
    if not lost:
        return []
    names = ", ".join(f"{candidates.frame['label'].iloc[i]!r}" for i in lost[:5])
    crs = candidates.declared_crs or "none declared"
    if len(lost) == len(existing) > 1:  # one candidate may be just the area to move
        raise UploadError(f"no candidate labelled with an ICB of vintage {data.name} holds any "
                          f"LSOA of that ICB ({names}): the shapes are somewhere else. Check "
                          f"the coordinate reference system (the file declares {crs})")  # fmt: skip
    return [f"{len(lost)} candidate(s) hold none of the LSOAs of the ICB they name ({names}); "
            f"check the coordinate reference system (the file declares {crs})"]  # fmt: skip


def best_fit(data: VintageData, candidates: Candidates, name: str) -> BestFit:
    """Assign LSOAs to candidates by representative point; overlaps are refused."""
    index = block_index(data)
    assigned, counts = index.assign(candidates.frame.geometry.to_numpy())
    codes = data.column_objects("lsoa_code")
    if (counts > 1).any():
        raise UploadError(f"{int((counts > 1).sum())} LSOA(s) fall in more than one "
                          f"candidate (the candidates overlap): "
                          f"{describe_rows(codes[counts > 1])}")  # fmt: skip
    placement_notes = _check_placement(data, candidates, assigned)
    resolved, label_notes = _targets(data, list(candidates.frame["label"]))
    labels = np.array(resolved, dtype=object)
    baseline = data.column_objects("icb_code")
    placement_notes += _check_own_icbs(data, candidates, labels, assigned, baseline)
    inside = assigned >= 0
    target = np.where(inside, labels[np.maximum(assigned, 0)], baseline)
    changed = inside & (target != baseline)
    blocks = dict(zip(codes[changed], target[changed], strict=True))
    notes = (*candidates.warnings, *placement_notes, *label_notes)
    scenario = Scenario(data.name, name, notes=notes).with_blocks(blocks)
    return BestFit(scenario, candidates, list(codes[~inside]), int(inside.sum()))
