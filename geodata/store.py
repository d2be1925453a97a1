"""The store: one folder per built vintage in the data folder, loaded without raw files.

    data/<vintage>/blocks.parquet    LSOA -> population + unit code of every layer
    data/<vintage>/units.parquet     layer, code, name, NHS code of every unit
    data/<vintage>/geometry.parquet  LSOA polygons, EPSG:27700 (GeoParquet)
    data/<vintage>/meta.json         provenance: sources with sha256, counts, config

Reading the tables needs pandas and pyarrow only: splits and typology never import the
geometry stack, which keeps a cold CLI call fast.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AmbiguousNameError, StoreError, UnknownNameError
from .files import replace_folder
from .layers import LAYERS, code_column

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from .ingest import BuiltVintage

STORE_FORMAT = 1
TABLE_FILES = ("blocks.parquet", "units.parquet", "geometry.parquet", "meta.json")


def find_code(names: dict[str, str], layer: str, query: str, vintage: str) -> str:
    """The code of one unit among ``names`` (code -> name) given its code or name
    (case-insensitive): an exact code or name wins, else the one name containing it.

    The one matcher of area names: the CLI's pandas-free path and ``VintageData`` both
    use it, so a name means the same unit, and fails with the same message, everywhere."""
    if query in names:
        return query
    wanted = query.strip().casefold()
    for code, name in names.items():
        if code.casefold() == wanted or name.casefold() == wanted:
            return code
    partial = [code for code, name in names.items() if wanted in name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AmbiguousNameError(f"{layer} area", query,
                                 [f"{names[c]} ({c})" for c in sorted(partial)])  # fmt: skip
    raise UnknownNameError(
        f"{layer} area",
        query,
        list(names.values()),
        hint=f"list them with: boundary-lab areas --layer {layer} --vintage {vintage}",
    )


def read_meta(path: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return meta


def default_data_dir() -> Path:
    return Path(os.environ.get("BOUNDARY_LAB_DATA", "data"))


def default_source_dir() -> Path | None:
    """``BOUNDARY_LAB_SOURCE``, else ../shared/geodata beside the working or project folder."""
    if os.environ.get("BOUNDARY_LAB_SOURCE"):
        return Path(os.environ["BOUNDARY_LAB_SOURCE"])
    for base in (Path.cwd(), Path(__file__).resolve().parents[1]):
        candidate = base.parent / "shared" / "geodata"
        if candidate.is_dir():
            return candidate
    return None


class _LayerNames(dict[str, dict[str, str]]):
    def __init__(self, data: VintageData) -> None:
        super().__init__()
        self._data = data

    def __missing__(self, layer: str) -> dict[str, str]:
        if layer == "lsoa":
            table = self._data.table
            codes, names = table["lsoa_code"], table["lsoa_name"]
        else:
            units = self._data.units
            units = units.loc[units["layer"] == layer]
            codes, names = units["code"], units["name"]
        mapping = dict(zip(codes, names, strict=True))
        self[layer] = mapping
        return mapping


def layers_of(table: pd.DataFrame) -> list[str]:
    """The layers a block table has a code column for (and "lsoa"), in ``LAYERS`` order."""
    return [key for key in LAYERS if key == "lsoa" or code_column(key) in table]


@dataclass
class VintageData:
    """A loaded vintage: the block table and units in memory, geometry on demand."""

    name: str
    path: Path
    table: pd.DataFrame
    units: pd.DataFrame
    meta: dict[str, Any]
    _geometry: gpd.GeoDataFrame | None = field(default=None, repr=False)
    #: Derived data (dissolved layers, the spatial index) kept for the life of the process.
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def layers(self) -> list[str]:
        """The layers this vintage has (the table's columns are fixed once loaded)."""
        return layers_of(self.table)

    def column_objects(self, column: str) -> Any:
        """A block-table column as a numpy object array, made once per vintage (the table
        holds Arrow strings, whose conversion can cost more than the work that needs it)."""
        key = f"objects:{column}"
        if key not in self.cache:
            self.cache[key] = self.table[column].to_numpy().astype(object)
        return self.cache[key]

    @cached_property
    def area_layers(self) -> list[str]:
        return [key for key in self.layers if key != "lsoa"]

    @cached_property
    def names(self) -> _LayerNames:
        """layer -> code -> name (LSOAs included), each layer's mapping made on first use."""
        return _LayerNames(self)

    def check_layer(self, layer: str) -> str:
        if layer not in self.layers:
            raise UnknownNameError("layer", layer, self.layers, hint=f"vintage {self.name}")
        return layer

    def find_area(self, layer: str, query: str) -> str:
        """The code of one unit of ``layer`` given its code or name (case-insensitive).

        An exact code or name wins; otherwise a name containing the query, if only one does.
        """
        names = self.names[self.check_layer(layer)]
        try:
            return find_code(names, layer, query, self.name)
        except AmbiguousNameError:
            raise
        except UnknownNameError as error:
            elsewhere = self._in_other_layer(layer, query.strip().casefold())
            if elsewhere is None:
                raise
            other, code = elsewhere  # not a typo: the right name in the wrong layer
            error.args = (f"{query!r} is not a {layer} area: {self.names[other][code]} "
                          f"({code}) is a {LAYERS[other].label.lower()}; use {other} "
                          f"(--by {other})",)  # fmt: skip
            raise

    def _in_other_layer(self, layer: str, wanted: str) -> tuple[str, str] | None:
        """(layer, code) of a unit of another area layer whose code or name is ``wanted``:
        a district asked for as a county is a lower-tier LA, not a typo."""
        for other in self.area_layers:
            if other == layer:
                continue
            for code, name in self.names[other].items():
                if wanted in (code.casefold(), name.casefold()):
                    return other, code
        return None

    @property
    def geometry_loaded(self) -> bool:
        """Whether ``geometry()`` has the whole layer in memory already."""
        return self._geometry is not None

    def geometry(self) -> gpd.GeoDataFrame:
        """LSOA polygons in EPSG:27700, in block-table order (loaded on first use)."""
        if self._geometry is None:
            import geopandas as gpd

            self._geometry = gpd.read_parquet(self.path / "geometry.parquet")
        return self._geometry


class Store:
    """The data folder: built vintages, written atomically and loaded once per process."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_data_dir()
        self._loaded: dict[str, VintageData] = {}

    def built(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / "meta.json").is_file()
        )

    def default_vintage(self) -> str:
        """The newest built vintage whose declaration says ``default = true``; else the
        newest built (names sort by date)."""
        built = self.built()
        if not built:
            raise StoreError(
                f"no vintage is built in {self.root.resolve()}; run: boundary-lab build"
            )
        declared = [name for name in built if self._meta(name).get("default") is True]
        return (declared or built)[-1]

    def _meta(self, name: str) -> dict[str, Any]:
        if name in self._loaded:
            return self._loaded[name].meta
        try:
            meta = json.loads((self.root / name / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def check_vintage(self, name: str) -> str:
        """``name`` when it is exactly the name of a built vintage, else UnknownNameError
        listing them. The one gate between a user's vintage name and the file system: a
        path (``./2022``, ``2022/``, ``../data/2022``, ``/abs/2022``) is never a name, so
        it can neither load another copy of a vintage nor be saved in a scenario."""
        built = self.built()
        if isinstance(name, str) and name in built:
            return name
        shown = name if isinstance(name, str) else repr(name)
        shown = shown if len(shown) <= 60 else shown[:60] + "…"
        plausible = isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", name)
        hint = "a vintage is given by its name, not a path"
        if plausible:
            from .config import available_vintages

            declared = available_vintages()
            # Suggest a build only of a vintage there is a declaration for: one that works.
            hint = (f"build it with: boundary-lab build --vintage {name}" if name in declared
                    else f"no vintage {name} is declared; declared: {', '.join(declared)} "
                    "(boundary-lab vintages)")  # fmt: skip
        raise UnknownNameError("vintage", shown, built, hint=hint)

    def load(self, name: str | None = None) -> VintageData:
        name = name or self.default_vintage()
        if name in self._loaded:
            return self._loaded[name]
        name = self.check_vintage(name)
        data = _read_vintage(name, self.root / name)
        data.cache["loaded_from_store"] = True  # the derived geometry files match it
        self._loaded[name] = data
        return data

    def write(
        self,
        built: BuiltVintage,
        then: Callable[[VintageData], None] | None = None,
        derived: bool = True,
    ) -> Path:
        """Write a vintage into a temporary folder, then swap it in: a failure leaves the
        previous build untouched. ``then`` builds what belongs beside the tables (the PCN
        layer) into the same staged folder first, so the whole vintage, or nothing of it,
        replaces the previous one in one rename. With the arrays of the quick CLI split
        (``geodata.quick_split``) and, with ``derived``, the precomputed outlines and
        points (``geodata.derived``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / built.config.name
        with replace_folder(target) as staging:
            built.table.to_parquet(staging / "blocks.parquet", index=False)
            built.units.to_parquet(staging / "units.parquet", index=False)
            staged = _read_vintage(built.config.name, staging, built.early_meta)  # as loaded
            from .quick_split import write_arrays

            write_arrays(staged.table, staged.units, staging)
            # The geometry (and the meta, which counts what cleaning it changed) once the
            # build's boundary work delivers it: the tables are written meanwhile.
            built.geometry.to_parquet(staging / "geometry.parquet", index=False)
            (staging / "meta.json").write_text(json.dumps(built.meta, indent=1), encoding="utf-8")
            if derived:
                from .derived import write_derived

                staged._geometry = built.geometry
                staged.cache["layer_outlines"] = built.outlines
                write_derived(staged, staging)
            if then is not None:
                staged = _read_vintage(built.config.name, staging)
                staged._geometry = built.geometry  # as written: not read back
                then(staged)
        self._loaded.pop(built.config.name, None)
        return target


def _read_vintage(name: str, path: Path, meta: dict[str, Any] | None = None) -> VintageData:
    import pandas as pd  # here, not at import: the quick split path never needs it

    meta = read_meta(path) if meta is None else meta
    if meta.get("format") != STORE_FORMAT:
        raise StoreError(
            f"{path} was built by another version (format {meta.get('format')}, "
            f"expected {STORE_FORMAT}); rebuild it with: boundary-lab build --vintage {name}"
        )
    return VintageData(
        name=name,
        path=path,
        table=pd.read_parquet(path / "blocks.parquet"),
        units=pd.read_parquet(path / "units.parquet"),
        meta=meta,
    )
