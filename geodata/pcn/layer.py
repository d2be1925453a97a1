"""The PCN layer of a vintage: built from the sources and the blocks, saved beside them.

    data/<vintage>/pcn/shares.parquet      lsoa_code, pcn_code, share, basis
    data/<vintage>/pcn/pcns.parquet        every PCN code in any source, reconciled
    data/<vintage>/pcn/practices.parquet   located member practices (EPSG:27700 points)
    data/<vintage>/pcn/practice_issues.parquet   practices not used, and why
    data/<vintage>/pcn/cover.parquet       lsoa_code, pcn_code, cover, holds_point
    data/<vintage>/pcn/catchments.parquet  catchment polygons (GeoParquet, EPSG:27700)
    data/<vintage>/pcn/meta.json           method, scale, date, sources with sha256, counts

The folder is written whole into a temporary folder beside it and swapped in, so a
failed build leaves the previous layer as it was and a reader never sees a mixture.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import InputError, StoreError
from ..files import file_sha256, replace_folder
from ..store import VintageData
from .apportion import (
    DEFAULT_METHOD,
    METHODS,
    ApportionInputs,
    apportion,
    check_method,
    check_shares,
    registration_shares,
)
from .cover import Cover, catchment_cover
from .practices import PracticeIndex, lsoa_points, median_access_distance
from .readers import read_registrations
from .sources import PcnFiles, PcnSources, load_sources

if TYPE_CHECKING:
    import geopandas as gpd

    from ..spatial_index import BlockIndex

FOLDER = "pcn"
LAYER_FORMAT = 1
TABLES = ("shares", "pcns", "practices", "practice_issues", "cover")
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class PcnLayer:
    """A vintage's PCN layer: the LSOA x PCN shares and everything they were made from."""

    vintage: str
    shares: pd.DataFrame
    pcns: pd.DataFrame
    practices: pd.DataFrame
    practice_issues: pd.DataFrame
    cover: pd.DataFrame
    meta: dict[str, Any]
    path: Path | None = None
    _catchments: gpd.GeoDataFrame | None = field(default=None, repr=False)

    @property
    def method(self) -> str:
        return str(self.meta["method"])

    def catchments(self) -> gpd.GeoDataFrame:
        """The catchment polygons (EPSG:27700), read on first use."""
        if self._catchments is None:
            import geopandas as gpd

            if self.path is None:
                raise StoreError("this PCN layer was not saved and has no catchments loaded")
            self._catchments = gpd.read_parquet(self.path / "catchments.parquet")
        return self._catchments


# --- inputs --------------------------------------------------------------------------


def _block_index(data: VintageData) -> BlockIndex:
    from ..geometry import block_index

    return block_index(data)


def vintage_points(data: VintageData) -> NDArray[np.object_]:
    """Each LSOA's point (see ``lsoa_points``), made once per loaded vintage."""
    points = data.cache.get("pcn:lsoa_points")
    if points is None:
        points = data.cache["pcn:lsoa_points"] = lsoa_points(_block_index(data).polygons)
    return points


def locate_practices(data: VintageData, practices: pd.DataFrame) -> pd.DataFrame:
    """The practices with the sub-ICB location their point falls in. A point just off the
    generalised coastline takes the nearest block's."""
    index = _block_index(data)
    block = index.locate(practices["x"].to_numpy(), practices["y"].to_numpy())
    outside = np.flatnonzero(block < 0)
    if len(outside):
        block[outside] = index.nearest(
            practices["x"].to_numpy()[outside], practices["y"].to_numpy()[outside]
        )
    sicbl = data.table["sicbl_code"].to_numpy(dtype=object)
    return practices.assign(area=sicbl[block], weight=1.0)


def apportion_inputs(
    data: VintageData,
    sources: PcnSources,
    blocks: NDArray[np.int64] | None = None,
    scale_m: float | None = None,
) -> tuple[ApportionInputs, Cover]:
    """The inputs of the methods for every LSOA of the vintage, or only ``blocks``
    (positions in the block table; the validation uses its own LSOAs). The scale is
    always measured over the whole vintage, never over the subset."""
    index = _block_index(data)
    points = vintage_points(data)
    practices = locate_practices(data, sources.practices)
    if scale_m is None:
        all_practices = PracticeIndex(practices["x"].to_numpy(), practices["y"].to_numpy())
        scale_m = median_access_distance(all_practices, points)
    rows = np.arange(len(points)) if blocks is None else np.asarray(blocks, dtype=np.int64)
    cover = catchment_cover(
        index,
        sources.catchments.geometry.to_numpy(),
        sources.catchments["pcn_code"].to_numpy(),
        points,
        None if blocks is None else rows,
    )
    position = pd.Series(np.arange(len(rows)), index=rows)
    cover_frame = cover.frame.assign(lsoa=position.reindex(cover.frame["block"]).to_numpy())
    inputs = ApportionInputs(
        lsoa_points=points[rows],
        lsoa_areas=data.table["sicbl_code"].to_numpy(dtype=object)[rows],
        practices=practices,
        cover=cover_frame[["lsoa", "pcn_code", "cover", "holds_point"]],
        scale_m=float(scale_m),
    )
    return inputs, cover


def with_list_sizes(inputs: ApportionInputs, registrations: pd.DataFrame) -> ApportionInputs:
    """Practices weighted by their registered patients (relative to the median list, so
    the weights stay near 1); a practice missing from the file gets the median."""
    lists = registrations.groupby("practice_code")["patients"].sum()
    sizes = inputs.practices["practice_code"].map(lists)
    median = float(sizes.median()) if sizes.notna().any() else 1.0
    weight = (sizes.fillna(median) / median).clip(lower=1e-6).to_numpy(dtype=float)
    return replace(inputs, practices=inputs.practices.assign(weight=weight))


# --- build ---------------------------------------------------------------------------


def build_pcn_layer(
    data: VintageData,
    source: Path,
    method: str = DEFAULT_METHOD,
    registrations: Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    files: PcnFiles | None = None,
    progress: Progress = _quiet,
    sources: PcnSources | None = None,
) -> PcnLayer:
    """Apportion every LSOA of ``data`` among PCNs. With ``registrations`` (NHS Digital's
    gp-reg-pat-prac-lsoa-all.csv), LSOAs with registered patients take their shares from
    it and only the others are estimated by ``method``."""
    check_method(method)
    started = time.perf_counter()
    files = files or PcnFiles()
    if sources is None:
        progress("reading PCN sources")
        sources = load_sources(source, as_of, files)
    progress(f"overlaying {len(sources.catchments)} catchments on {len(data.table)} LSOAs")
    timer = time.perf_counter()
    inputs, cover = apportion_inputs(data, sources)
    seconds = {"cover": time.perf_counter() - timer}
    codes = data.table["lsoa_code"].to_numpy(dtype=object)
    counts: dict[str, Any] = {}
    registered = None
    if registrations is not None:
        progress(f"reading registrations {registrations.name}")
        registered, counts, inputs = _registrations(registrations, sources, inputs, data, method)
        if counts.get("warning"):
            progress(f"warning: {counts['warning']}")
    progress(f"apportioning by {method} (scale {inputs.scale_m:.0f} m)")
    timer = time.perf_counter()
    shares = apportion(inputs, method)
    seconds["apportion"] = time.perf_counter() - timer
    if registered is not None:
        estimated = shares.loc[~shares["lsoa"].isin(registered["lsoa"])]
        shares = pd.concat([registered, estimated], ignore_index=True)
        check_shares(shares)
    shares = shares.sort_values(["lsoa", "pcn_code"], ignore_index=True)
    shares.insert(0, "lsoa_code", codes[shares["lsoa"].to_numpy()])
    layer = PcnLayer(
        vintage=data.name,
        shares=shares.drop(columns="lsoa"),
        pcns=sources.pcns,
        practices=inputs.practices.rename(columns={"area": "sicbl_code"}),
        practice_issues=sources.practice_issues,
        cover=cover.frame.assign(lsoa_code=codes[cover.frame["block"].to_numpy()])[
            ["lsoa_code", "pcn_code", "cover", "holds_point"]
        ],
        meta={},
    )
    layer._catchments = sources.catchments
    seconds["total"] = time.perf_counter() - started
    layer.meta = _meta(data, layer, sources, source, cover, inputs.scale_m, seconds)
    layer.meta |= {
        "method": method,
        "method_summary": METHODS[method].summary,
        "registrations": None if registrations is None else str(registrations),
        "registration_counts": counts,
    }
    return layer


#: A sub-ICB location's registrations are used when the file lists at least this share of
#: its practices: a file for one ICB must not speak for residents elsewhere.
REGISTRATION_COVERAGE = 0.5


def _registrations(
    path: Path, sources: PcnSources, inputs: ApportionInputs, data: VintageData, method: str
) -> tuple[pd.DataFrame, dict[str, Any], ApportionInputs]:
    codes = data.table["lsoa_code"].to_numpy(dtype=object)
    read = read_registrations(path)
    registered, counts = registration_shares(read.frame, sources.practice_pcn, codes)
    if counts["patients_outside_blocks"] > 0.5 * counts["patients"]:
        raise InputError(
            path,
            f"{counts['patients_outside_blocks']:,} of {counts['patients']:,} patients live in "
            "LSOAs that are not blocks of this vintage; use the registrations of the vintage's "
            "LSOA edition (2011 or 2021)",
        )
    registered, coverage = _where_covered(path, registered, inputs, read.frame, data, method)
    info: dict[str, Any] = {
        **counts,
        **coverage,
        "patients_without_lsoa": read.patients_without_lsoa,
        "extract_date": read.extract_date,
    }
    return registered, info, with_list_sizes(inputs, read.frame)


def _where_covered(
    path: Path,
    registered: pd.DataFrame,
    inputs: ApportionInputs,
    frame: pd.DataFrame,
    data: VintageData,
    method: str,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Registration shares kept only for LSOAs of the sub-ICB locations the file covers
    (most of their practices listed); elsewhere its patients are a few out-of-area
    residents and would send whole LSOAs to the wrong PCNs. Says where, when partial."""
    practices = inputs.practices
    listed = practices["practice_code"].isin(frame["practice_code"])
    by_area = listed.groupby(practices["area"].astype(str)).agg(["sum", "size"])
    share = by_area["sum"] / by_area["size"]
    covered = sorted(share.index[share >= REGISTRATION_COVERAGE])
    lsoa_area = data.table["sicbl_code"].astype(str).to_numpy(dtype=object)
    keep = np.isin(lsoa_area[registered["lsoa"].to_numpy()], covered)
    dropped = registered.loc[~keep]
    result: dict[str, Any] = {
        "sicbls_covered": covered,
        "lsoas_registrations_not_used": int(dropped["lsoa"].nunique()),
    }
    all_areas = sorted(set(lsoa_area))
    if len(covered) < len(all_areas):
        names = data.names["sicbl"]
        icb_of = data.table.drop_duplicates("sicbl_code").set_index(
            data.table.drop_duplicates("sicbl_code")["sicbl_code"].astype(str)
        )["icb_code"]
        icbs = sorted({data.names["icb"].get(str(icb_of[a]), str(icb_of[a])) for a in covered})
        where = ", ".join(f"{names.get(a, a)} ({a})" for a in covered[:6])
        where += f" and {len(covered) - 6} more" if len(covered) > 6 else ""
        outside = ~np.isin(lsoa_area, covered)
        result["warning"] = (
            f"{path.name} covers {len(covered)} of {len(all_areas)} sub-ICB locations "
            f"(at least {REGISTRATION_COVERAGE:.0%} of their practices listed): "
            f"{where or 'none'}{'; in ' + ', '.join(icbs[:5]) if icbs else ''}. Registrations "
            f"are used only there; the other {int(outside.sum()):,} LSOAs "
            f"({int(data.table['population'].to_numpy()[outside].sum()):,} people) are "
            f"estimated by {method}, and {result['lsoas_registrations_not_used']:,} LSOAs "
            "elsewhere with a few of these practices' patients are not assigned from them"
        )
    return registered.loc[keep], result


def _meta(
    data: VintageData,
    layer: PcnLayer,
    sources: PcnSources,
    source: Path,
    cover: Cover,
    scale_m: float,
    seconds: dict[str, float],
) -> dict[str, Any]:
    """What the layer states about itself: parameters, sources and counts."""
    basis = layer.shares.drop_duplicates("lsoa_code")["basis"].value_counts()
    problems = sources.practice_issues["problem"].str.split(";").str[0].value_counts()
    return {
        "format": LAYER_FORMAT,
        "vintage": data.name,
        "scale_m": round(scale_m, 1),
        "membership_date": str(sources.as_of.date()),
        "catchments_vintage": sources.files.catchments_vintage,
        "lsoas": len(data.table),
        "lsoas_apportioned": int(layer.shares["lsoa_code"].nunique()),
        "lsoas_by_basis": {str(k): int(v) for k, v in basis.items()},
        "lsoas_without_catchment": int(len(data.table) - cover.frame["block"].nunique()),
        "catchment_intersections": cover.intersections,
        "covered_pairs": len(cover.frame),
        "catchments_repaired": sources.catchments_repaired,
        "practices_located": len(layer.practices),
        "practice_issues": {str(k): int(v) for k, v in problems.items()},
        "pcns_with_notes": int((sources.pcns["note"] != "").sum()),
        "sources": [
            {"file": f, "sha256": file_sha256(source / f)}
            for f in sources.files.all()
            if (source / f).is_file()
        ],
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# --- save and load -------------------------------------------------------------------


def save_pcn_layer(layer: PcnLayer, vintage_path: Path) -> Path:
    """Write the layer into ``<vintage>/pcn`` through a temporary folder swapped in."""
    target = vintage_path / FOLDER
    with replace_folder(target) as staging:
        for name in TABLES:
            getattr(layer, name).to_parquet(staging / f"{name}.parquet", index=False)
        layer.catchments().to_parquet(staging / "catchments.parquet", index=False)
        (staging / "meta.json").write_text(json.dumps(layer.meta, indent=1), encoding="utf-8")
    layer.path = target
    return target


def has_pcn_layer(data: VintageData) -> bool:
    return (data.path / FOLDER / "meta.json").is_file()


def load_pcn_layer(data: VintageData) -> PcnLayer:
    """The saved layer of a loaded vintage (read once per process)."""
    cached = data.cache.get("pcn_layer")
    if cached is not None:
        return cached
    folder = data.path / FOLDER
    if not has_pcn_layer(data):
        raise StoreError(
            f"vintage {data.name} has no PCN layer in {folder}; "
            f"build it with: boundary-lab build --vintage {data.name}"
        )
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != LAYER_FORMAT:
        raise StoreError(
            f"{folder} was built by another version (format {meta.get('format')}, expected "
            f"{LAYER_FORMAT}); rebuild it with: boundary-lab build --vintage {data.name}"
        )
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
    layer = PcnLayer(vintage=data.name, meta=meta, path=folder, **tables)
    data.cache["pcn_layer"] = layer
    return layer
