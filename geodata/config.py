"""Vintage declarations: which published files, which columns, which population.

A vintage is a TOML file, so the next ONS lookup (the April 2026 ICBs, say) becomes a
new vintage by writing a file, not by changing code. The shipped ones live beside this
module; ``BOUNDARY_LAB_VINTAGES`` names a folder of more (same name overrides).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, UnknownNameError
from .layers import LAYERS

SHIPPED_VINTAGES = Path(__file__).parent / "vintages"
VINTAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


#: Attribute names with a meaning the engine uses; any other declared attribute is kept
#: as text. ``status`` text is read as "established [date]…" or "proposed…".
STATUS_ATTRIBUTE = "status"
RESERVED_UNIT_COLUMNS = ("layer", "code", "name", "nhs_code", "status_kind", "established")


@dataclass(frozen=True)
class LayerColumns:
    layer: str
    code: str
    name: str
    nhs_code: str | None = None
    #: Rows whose ``column`` equals ``value`` are in no unit of this layer (null).
    none_when: tuple[tuple[str, str], ...] = ()
    #: A unit without a published code gets ``prefix`` + its name in capitals, words
    #: joined by '-' (e.g. "SA-" + "Greater London Authority" -> SA-GREATER-LONDON-AUTHORITY).
    code_from_name: str | None = None
    #: (attribute, column): text kept on each unit, e.g. ("type", "SA_TYPE").
    attributes: tuple[tuple[str, str], ...] = ()

    def columns(self) -> list[str]:
        """Every column of the lookup this layer reads."""
        wanted = [self.code, self.name] + ([self.nhs_code] if self.nhs_code else [])
        wanted += [column for column, _ in self.none_when]
        return wanted + [column for _, column in self.attributes]


@dataclass(frozen=True)
class LookupSpec:
    file: str
    on: str
    key: str
    layers: tuple[LayerColumns, ...]


@dataclass(frozen=True)
class MergerSpec:
    """A built-in scenario declared with a vintage: groups of its ICBs that become one
    ICB each, read from a CSV by ICB code (e.g. the 2025/26 leadership clusters)."""

    key: str
    name: str
    description: str
    file: str
    group: str  # the column naming each group
    members: str  # the column listing its ICB codes, separated by ';'
    confidence: str | None = None  # a column saying how sure each row is
    outcome: str | None = None  # a column saying what became of the group


@dataclass(frozen=True)
class VintageConfig:
    name: str
    title: str
    boundaries: str
    blocks_file: str
    blocks_code: str
    blocks_name: str
    population_file: str
    population_code: str
    population_value: str
    population_source: str
    lookups: tuple[LookupSpec, ...]
    path: Path
    #: Shown with every output of the vintage (CLI footer, API provenance, report About
    #: sheets, map footers): e.g. that a lookup is a reconstruction, not the ONS file.
    note: str = ""
    #: The vintage commands use when none is named (if it is built); else the newest built.
    default: bool = False
    scenarios: tuple[MergerSpec, ...] = ()

    @property
    def layers(self) -> tuple[str, ...]:
        """The area layers this vintage provides, in the order of the registry."""
        declared = {cols.layer for lookup in self.lookups for cols in lookup.layers}
        return tuple(key for key in LAYERS if key in declared)

    def source_files(self) -> list[str]:
        return [self.blocks_file, self.population_file, *(lu.file for lu in self.lookups),
                *(sc.file for sc in self.scenarios)]  # fmt: skip


def _require(table: dict[str, Any], key: str, where: str, path: Path) -> Any:
    if key not in table:
        raise ConfigError(f"{path}: {where} needs '{key}'")
    value = table[key]
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: {where}.{key} must be a non-empty string, got {value!r}")
    return value


def _optional(table: dict[str, Any], key: str, where: str, path: Path) -> str | None:
    if key not in table:
        return None
    return str(_require(table, key, where, path))


def _pairs(table: dict[str, Any], key: str, where: str, path: Path) -> tuple[tuple[str, str], ...]:
    """An inline table of strings (``{ type = "SA_TYPE" }``) as (key, value) pairs."""
    raw = table.get(key, {})
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v for v in raw.values()):
        raise ConfigError(f"{path}: {where}.{key} must be a table of non-empty strings")
    pairs = tuple((str(k), v) for k, v in raw.items())
    if key == "attributes":
        clash = [k for k, _ in pairs if k in RESERVED_UNIT_COLUMNS]
        if clash:
            raise ConfigError(f"{path}: {where}.attributes may not be called "
                              f"{', '.join(clash)} (the unit table's own columns)")  # fmt: skip
    return pairs


def _parse_lookup(raw: dict[str, Any], index: int, path: Path) -> LookupSpec:
    where = f"lookups[{index}]"
    on = _require(raw, "on", where, path)
    if on not in LAYERS:
        raise ConfigError(f"{path}: {where}.on is {on!r}; valid: {', '.join(LAYERS)}")
    layers_raw = raw.get("layers")
    if not isinstance(layers_raw, dict) or not layers_raw:
        raise ConfigError(f"{path}: {where} needs a 'layers' table (layer = {{code, name}})")
    layers = []
    for layer, cols in layers_raw.items():
        if layer not in LAYERS or layer == "lsoa":
            valid = ", ".join(k for k in LAYERS if k != "lsoa")
            raise ConfigError(f"{path}: {where}.layers.{layer} is not a layer; valid: {valid}")
        if not isinstance(cols, dict):
            raise ConfigError(f"{path}: {where}.layers.{layer} must be {{code=…, name=…}}")
        nhs = cols.get("nhs_code")
        layers.append(
            LayerColumns(
                layer,
                _require(cols, "code", f"{where}.layers.{layer}", path),
                _require(cols, "name", f"{where}.layers.{layer}", path),
                nhs if isinstance(nhs, str) and nhs else None,
                none_when=_pairs(cols, "none_when", f"{where}.layers.{layer}", path),
                code_from_name=_optional(cols, "code_from_name", f"{where}.layers.{layer}", path),
                attributes=_pairs(cols, "attributes", f"{where}.layers.{layer}", path),
            )
        )
    return LookupSpec(
        file=_require(raw, "file", where, path),
        on=on,
        key=_require(raw, "key", where, path),
        layers=tuple(layers),
    )


def parse_vintage(path: Path) -> VintageConfig:
    """Read and check one vintage declaration."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: vintage file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None

    name = _require(raw, "name", "the file", path)
    if not VINTAGE_NAME.fullmatch(name):
        raise ConfigError(f"{path}: name {name!r} must be letters, digits, '.', '_' or '-'")
    for section in ("blocks", "population"):
        if not isinstance(raw.get(section), dict):
            raise ConfigError(f"{path}: needs a [{section}] table")
    blocks, population = raw["blocks"], raw["population"]
    lookups_raw = raw.get("lookups")
    if not isinstance(lookups_raw, list) or not lookups_raw:
        raise ConfigError(f"{path}: needs at least one [[lookups]] table")
    lookups = tuple(_parse_lookup(lu, i, path) for i, lu in enumerate(lookups_raw))

    config = VintageConfig(
        name=name,
        title=str(raw.get("title", name)),
        boundaries=str(raw.get("boundaries", "")),
        blocks_file=_require(blocks, "file", "[blocks]", path),
        blocks_code=_require(blocks, "code", "[blocks]", path),
        blocks_name=_require(blocks, "name", "[blocks]", path),
        population_file=_require(population, "file", "[population]", path),
        population_code=_require(population, "code", "[population]", path),
        population_value=_require(population, "value", "[population]", path),
        population_source=_require(population, "source", "[population]", path),
        lookups=lookups,
        path=path,
        note=str(raw.get("note", "")).strip(),
        default=_flag(raw, "default", path),
        scenarios=_parse_scenarios(raw.get("scenarios", []), path),
    )
    _check_lookup_order(config)
    return config


def _parse_scenarios(raw: Any, path: Path) -> tuple[MergerSpec, ...]:
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError(f"{path}: [[scenarios]] must be tables")
    specs = []
    for i, table in enumerate(raw):
        where = f"scenarios[{i}]"
        key = _require(table, "key", where, path)
        if not VINTAGE_NAME.fullmatch(key):
            raise ConfigError(f"{path}: {where}.key {key!r} must be letters, digits, '.', '_', '-'")
        specs.append(MergerSpec(
            key=key,
            name=_require(table, "name", where, path),
            description=str(table.get("description", "")),
            file=_require(table, "file", where, path),
            group=_require(table, "group", where, path),
            members=_require(table, "members", where, path),
            confidence=_optional(table, "confidence", where, path),
            outcome=_optional(table, "outcome", where, path),
        ))  # fmt: skip
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{path}: two [[scenarios]] share a key: {keys}")
    return tuple(specs)


def _flag(raw: dict[str, Any], key: str, path: Path) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: {key} must be true or false, got {value!r}")
    return value


def _check_lookup_order(config: VintageConfig) -> None:
    """Each lookup must hang off a layer that an earlier lookup (or the LSOAs) provides."""
    known = {"lsoa"}
    seen: set[str] = set()
    if config.lookups[0].on != "lsoa":
        raise ConfigError(f"{config.path}: the first lookup must be on 'lsoa'")
    for i, lookup in enumerate(config.lookups):
        if lookup.on not in known:
            raise ConfigError(
                f"{config.path}: lookups[{i}] is on {lookup.on!r}, which no earlier lookup "
                f"provides (provided so far: {', '.join(sorted(known))})"
            )
        for cols in lookup.layers:
            if cols.layer in seen:
                raise ConfigError(f"{config.path}: layer {cols.layer!r} is declared twice")
            seen.add(cols.layer)
            known.add(cols.layer)


def vintage_dirs() -> list[Path]:
    dirs = [SHIPPED_VINTAGES]
    extra = os.environ.get("BOUNDARY_LAB_VINTAGES")
    if extra:
        dirs.append(Path(extra))
    return dirs


def available_vintages() -> dict[str, VintageConfig]:
    """Every declared vintage by name; a later folder overrides an earlier one."""
    found: dict[str, VintageConfig] = {}
    for folder in vintage_dirs():
        for path in sorted(folder.glob("*.toml")):
            config = parse_vintage(path)
            found[config.name] = config
    return found


def get_vintage(name: str) -> VintageConfig:
    """A declared vintage by name, or by the path of a TOML file."""
    if name.endswith(".toml"):
        return parse_vintage(Path(name))
    vintages = available_vintages()
    if name not in vintages:
        raise UnknownNameError("vintage", name, vintages)
    return vintages[name]
