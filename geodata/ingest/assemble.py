"""The pandas half of a build: the population and lookups read and joined, then the
block table, units and geometry assembled with the boundaries (``build_vintage``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from ..config import LookupSpec, VintageConfig
from ..derived import SIMPLIFY_TOLERANCES_M
from ..errors import InputError, describe_rows
from ..files import file_sha256
from ..layers import LAYERS, code_column
from ..outlines import LayerOutlines, Units, families
from ..parallel import Exchange
from ..store import layers_of
from ..unit_codes import UnitCodes
from .boundaries import WORKING_CRS, Blocks
from .boundary_work import OutlinePlan
from .build import STORE_FORMAT, BuiltVintage, Progress
from .checks import check_nesting, check_one_name, consistency
from .coverage import CoverageRepair
from .scenarios import read_merger
from .tables import check_pattern, check_unique, drop_other_nations, read_csv, read_population
from .units import status_columns, unit_codes


def _read_lookup(source: Path, spec: LookupSpec) -> tuple[pd.DataFrame, int]:
    """One lookup as columns ``<on>_code`` and ``<layer>_code`` / ``_name`` / ``_nhs``."""
    path = source / spec.file
    wanted = [spec.key]
    for cols in spec.layers:
        wanted += cols.columns()
    frame = read_csv(path, wanted)
    frame, dropped = drop_other_nations(frame, spec.key)
    on = LAYERS[spec.on]
    check_pattern(frame, spec.key, on.pattern, path, on.example)
    check_unique(frame, spec.key, path)
    result = pd.DataFrame({code_column(spec.on): frame[spec.key]})
    for cols in spec.layers:
        layer = LAYERS[cols.layer]
        codes = unit_codes(frame, cols)
        check_pattern(frame.assign(**{cols.code: codes}), cols.code, layer.pattern, path,
                      layer.example)  # fmt: skip
        result[code_column(cols.layer)] = codes
        result[f"{cols.layer}_name"] = frame[cols.name].where(codes.notna())
        if cols.nhs_code:
            result[f"{cols.layer}_nhs"] = frame[cols.nhs_code]
        for attribute, column in cols.attributes:
            result[f"{cols.layer}_attr_{attribute}"] = frame[column].where(codes.notna())
        check_one_name(result, cols.layer, path)
    return result, dropped


def _missing(expected: pd.Index, present: pd.Index) -> list[str]:
    """The codes of ``expected`` not in ``present``, sorted. Through Arrow's hash set: on
    35,000 codes it is several times cheaper than pandas' set operations."""
    codes = pa.array(expected, type=pa.string())
    absent = pc.invert(pc.is_in(codes, value_set=pa.array(present, type=pa.string())))
    return sorted(codes.filter(absent).to_pylist())


def _require_cover(codes: pd.Index, present: pd.Index, path: Path, what: str, against: str) -> None:
    missing = _missing(codes, present)
    if missing:
        raise InputError(
            path,
            f"{len(missing)} {what} of {against} have no row here: {describe_rows(missing)}",
        )


def _units(joined: pd.DataFrame, layers: tuple[str, ...]) -> pd.DataFrame:
    """One row per unit: layer, code, name, NHS code, and any declared attributes."""
    frames = []
    for layer in layers:
        code = code_column(layer)
        nhs = f"{layer}_nhs"
        attributes = [c for c in joined if c.startswith(f"{layer}_attr_")]
        cols = [code, f"{layer}_name"] + ([nhs] if nhs in joined else []) + attributes
        renames = {code: "code", f"{layer}_name": "name", nhs: "nhs_code"}
        renames |= {c: c.removeprefix(f"{layer}_attr_") for c in attributes}
        part = joined.loc[joined[code].notna(), cols].drop_duplicates(code).rename(columns=renames)
        part.insert(0, "layer", layer)
        frames.append(part)
    units = pd.concat(frames, ignore_index=True)
    if "nhs_code" not in units:
        units["nhs_code"] = None
    units = status_columns(units)
    return units.sort_values(["layer", "code"], ignore_index=True)


@dataclass
class Tables:
    joined: pd.DataFrame  # the lookups joined, one row per English LSOA
    population: pd.Series  # by LSOA code
    dropped: dict[str, int]  # rows of other nations dropped, by file


def read_tables(config: VintageConfig, source: Path, progress: Progress) -> Tables:
    """The population and the lookups joined on their keys, checked against each other."""
    dropped: dict[str, int] = {}
    population_path = source / config.population_file
    progress(f"reading population {config.population_file}")
    population, dropped[config.population_file] = read_population(
        population_path, config.population_code, config.population_value
    )
    population = population.set_index("lsoa_code")["population"]

    joined: pd.DataFrame | None = None
    first_path = source / config.lookups[0].file
    for spec in config.lookups:
        progress(f"reading lookup {spec.file}")
        path = source / spec.file
        lookup, dropped[spec.file] = _read_lookup(source, spec)
        key = code_column(spec.on)
        if joined is None:
            joined = lookup
            continue
        codes = pd.Index(joined[key].unique())
        _require_cover(codes, pd.Index(lookup[key]), path, f"{spec.on} codes", spec.on)
        if spec.on == "lsoa":
            extra = _missing(pd.Index(lookup[key]), codes)
            if extra:
                raise InputError(
                    path,
                    f"{len(extra)} English LSOA(s) are not in {first_path.name}: "
                    + describe_rows(extra),
                )
        joined = joined.merge(lookup, on=key, how="left", validate="many_to_one")
    assert joined is not None  # config parsing guarantees one lookup at least

    check_nesting(joined, config, source)
    lsoas = pd.Index(joined["lsoa_code"])
    _require_cover(lsoas, population.index, population_path, "LSOAs", first_path.name)
    no_lookup = _missing(population.index, lsoas)
    if no_lookup:
        raise InputError(
            population_path,
            f"{len(no_lookup)} English LSOA(s) have population but are not in "
            f"{first_path.name}: {describe_rows(no_lookup)}",
        )

    return Tables(joined, population, dropped)


class BlockGeometry:
    """The cleaned LSOA polygons in block-table order, and the layer outlines, as the
    boundary work (``boundary_work``) delivers them: asked for, they are waited for. The
    count of polygons cleaning changed goes into ``meta`` as they arrive, and the build's
    seconds so far (``started``: when it began)."""

    def __init__(self, work: Exchange, read: Blocks, positions: NDArray[np.intp],
                 plan: OutlinePlan, meta: dict[str, Any], progress: Progress,
                 started: float) -> None:  # fmt: skip
        self._work, self._read, self._positions, self._plan = work, read, positions, plan
        self._meta, self._progress, self._started = meta, progress, started
        self._geometry: gpd.GeoDataFrame | None = None
        self._outlines: LayerOutlines | None = None

    def geometry(self) -> gpd.GeoDataFrame:
        if self._geometry is None:
            repair: CoverageRepair = self._work.receive()
            if repair.changed:
                self._progress(
                    "cleaned the LSOA coverage so neighbours share identical edges "
                    f"(shapely.coverage_clean); {repair.changed} polygons changed area"
                )
            self._meta["coverage_cleaned_geometries"] = repair.changed
            self._meta["build_seconds"] = round(time.perf_counter() - self._started, 2)
            polygons = repair.applied(self._read.polygons)[self._positions]
            self._geometry = gpd.GeoDataFrame(
                {"lsoa_code": self._read.codes[self._positions]}, geometry=polygons, crs=WORKING_CRS
            )
        return self._geometry

    def outlines(self) -> LayerOutlines:
        """Every area layer's outlines: the plan's ``beside`` layers as the boundary work
        made them, the others here, from the same polygons and codes."""
        if self._outlines is None:
            polygons = self.geometry().geometry.to_numpy()
            arriving = (self._plan.beside, self._arrived)
            self._outlines = LayerOutlines(polygons, self._plan.layers, arriving)
        return self._outlines

    def _arrived(self) -> dict[tuple[str, float], Units]:
        made: dict[tuple[str, float], Units] = self._work.receive()
        self._work.cancel()  # done: its process has nothing left to do
        return made


def assemble(
    config: VintageConfig,
    source: Path,
    tables: Tables,
    work: Exchange,
    started: float,
    progress: Progress,
) -> BuiltVintage:
    """The block table and units from the checked tables and boundaries (as read by
    ``work``, which goes on to clean and dissolve them: ``BlockGeometry``)."""
    joined, population, dropped = tables.joined, tables.population, tables.dropped
    read: Blocks = work.receive()
    first_path = source / config.lookups[0].file
    blocks_path = source / config.blocks_file
    lsoas = pd.Index(joined["lsoa_code"])
    geo_codes = pd.Index(read.codes)
    _require_cover(lsoas, geo_codes, blocks_path, "LSOAs", first_path.name)
    no_lookup = _missing(geo_codes, lsoas)
    if no_lookup:
        raise InputError(
            blocks_path,
            f"{len(no_lookup)} English LSOA feature(s) are not in {first_path.name}: "
            + describe_rows(no_lookup),
        )
    if read.repairs.invalid_repaired:
        progress(
            f"repaired {read.repairs.invalid_repaired} invalid LSOA geometries with make_valid"
        )

    layers = config.layers
    in_lookup_order = geo_codes.get_indexer(lsoas)  # every one found: checked above
    table = pd.DataFrame(
        {
            "lsoa_code": lsoas,
            "lsoa_name": read.names[in_lookup_order],
            "population": population.loc[lsoas].to_numpy(),
        }
    )
    for layer in layers:
        # Categorical codes: small in memory and fast to group by.
        table[code_column(layer)] = pd.Categorical(joined[code_column(layer)].to_numpy())
    table = table.sort_values("lsoa_code", ignore_index=True)
    # The boundary work dissolves the layers meanwhile, from the same codes in this order.
    positions = geo_codes.get_indexer(table["lsoa_code"])
    area_layers = [layer for layer in layers_of(table) if layer != "lsoa"]
    codes = {layer: UnitCodes.of(table[code_column(layer)]) for layer in area_layers}
    # The largest family of layers is made there; the rest here, as the outlines arrive.
    beside = max(families(codes), key=len, default=frozenset())
    plan = OutlinePlan(positions, codes, SIMPLIFY_TOLERANCES_M, beside)
    work.send(plan)

    units = _units(joined, layers)
    checks = consistency(table, layers, int(population.sum()))
    scenarios = [read_merger(source, spec, table) for spec in config.scenarios]
    for line in checks["report"]:
        progress(line)
    meta = {
        "format": STORE_FORMAT,
        "vintage": config.name,
        "title": config.title,
        "boundaries": config.boundaries,
        "population_source": config.population_source,
        "population_total": int(table["population"].sum()),
        "lsoas": len(table),
        "layers": {layer: int(table[code_column(layer)].nunique()) for layer in layers},
        "note": config.note,
        "default": config.default,
        "checks": checks,
        "scenarios": scenarios,
        "repaired_geometries": read.repairs.invalid_repaired,
        "coverage_cleaned_geometries": None,  # when the cleaned polygons arrive
        "dropped_non_english_rows": dropped,
        "sources": [
            {"file": f, "bytes": (source / f).stat().st_size, "sha256": file_sha256(source / f)}
            for f in config.source_files()
        ],
        "source_dir": str(source.resolve()),
        "config_file": str(config.path),
        "config": config.path.read_text(encoding="utf-8"),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": None,  # with the cleaned polygons
    }
    blocks = BlockGeometry(work, read, positions, plan, meta, progress, started)
    return BuiltVintage(config, table, units, blocks, meta)
