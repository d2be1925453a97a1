"""Resolve a scenario to one ICB per LSOA, refusing anything ambiguous with a message that
lists the offending codes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import BoundaryLabError, describe_rows
from ..layers import LAYERS, code_column
from ..store import VintageData
from ..validation import ICB_NAME, check_text
from .model import NEW_ICB_TARGET, Move, Scenario

NEW_ICB_PREFIX = "NEW-"


@dataclass(frozen=True)
class Assignment:
    """The ICB of every LSOA (block-table order) and the names of all ICBs, new ones too."""

    vintage: str
    icb: np.ndarray = field(repr=False)
    names: dict[str, str] = field(repr=False)
    new_icbs: dict[str, str] = field(default_factory=dict)

    def apply(self, data: VintageData) -> VintageData:
        """The vintage with this assignment as its ICB layer, so every existing function
        (splits, typology, dissolve) works on the scenario unchanged."""
        table = data.table.copy(deep=False)
        table["icb_code"] = pd.Categorical(self.icb)
        new_units = pd.DataFrame(
            {
                "layer": "icb",
                "code": list(self.new_icbs),
                "name": list(self.new_icbs.values()),
                "nhs_code": None,
            }
        )
        units = (
            pd.concat([data.units, new_units], ignore_index=True) if self.new_icbs else data.units
        )
        return VintageData(data.name, data.path, table, units, data.meta, data._geometry)


def baseline(data: VintageData) -> Assignment:
    icb = data.table["icb_code"].to_numpy().astype(object)
    return Assignment(data.name, icb, dict(data.names["icb"]))


#: What a move or block writes to send LSOAs to a new ICB: ``new_icb:NHS Essex ICB``.
NEW_ICB = NEW_ICB_TARGET
#: A scenario may create at most this many ICBs (England has 42): beyond it every page
#: and report that works per ICB grows without bound.
MAX_NEW_ICBS = 60


def icb_key(name: str) -> str:
    """The comparable core of an ICB name: 'NHS Mid and South Essex Integrated Care Board',
    'Mid and South Essex ICB' (as maps show it) and 'mid and south essex' all match."""
    key = " ".join(name.casefold().split()).removeprefix("nhs ")
    for suffix in (" integrated care board", " icb"):
        key = key.removesuffix(suffix)
    return key


class IcbTargets:
    """Resolves what a user names as an ICB: a code, the published name or the short name
    the maps show; near misses are refused with the closest ICBs of the vintage."""

    def __init__(self, data: VintageData) -> None:
        self.vintage = data.name
        self.existing = data.names["icb"]
        self.by_key = {icb_key(name): code for code, name in self.existing.items()}

    def existing_code(self, value: str) -> str | None:
        value = value.strip()
        if value.upper() in self.existing:
            return value.upper()
        return self.by_key.get(icb_key(value))

    def suggestions(self, value: str) -> list[str]:
        """Up to three ICBs of the vintage close to ``value`` ('CODE (Short name)')."""
        from ..output import short_name

        value = value.strip()
        codes = difflib.get_close_matches(value.upper(), list(self.existing), n=3, cutoff=0.75)
        keys = difflib.get_close_matches(icb_key(value), list(self.by_key), n=3, cutoff=0.6)
        found = dict.fromkeys([*codes, *(self.by_key[k] for k in keys)])
        return [f"{code} ({short_name(self.existing[code])})" for code in list(found)[:3]]

    def unknown(self, value: str, where: str) -> BoundaryLabError:
        close = self.suggestions(value)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        return BoundaryLabError(
            f"{where}: unknown ICB {value[:80]!r} in vintage {self.vintage}; {hint}give an ICB "
            f"code or name of the vintage (boundary-lab areas --layer icb), or "
            f"{NEW_ICB}NAME to create a new ICB"
        )

    def new_name(self, value: str, where: str) -> str:
        name = check_text(value.strip()[len(NEW_ICB) :], f"{where}: the new ICB's name", ICB_NAME)
        clash = self.by_key.get(icb_key(name))
        if clash is not None:
            raise BoundaryLabError(f"{where}: {name!r} is already ICB {clash} of vintage "
                                   f"{self.vintage}; give {clash} to move into it")  # fmt: skip
        return name


class _Destinations:
    """ICB codes for targets: existing ICBs as their codes, new ICBs numbered NEW-1…"""

    def __init__(self, data: VintageData, implicit_new: bool = False) -> None:
        self.targets = IcbTargets(data)
        self.implicit_new = implicit_new  # scenarios saved before new ICBs were explicit
        self.new: dict[str, str] = {}  # code -> name
        self.by_name: dict[str, str] = {}  # name -> code
        self.seen: dict[str, str] = {}  # target as given -> code (blocks repeat them)

    def code(self, to_icb: str, where: str) -> str:
        found = self.seen.get(to_icb)
        if found is None:
            found = self.seen[to_icb] = self._resolve(to_icb, where)
        return found

    def _resolve(self, to_icb: str, where: str) -> str:
        value = to_icb.strip()
        if value.casefold().startswith(NEW_ICB):
            return self._new(self.targets.new_name(value, where), where)
        code = self.targets.existing_code(value)
        if code is not None:
            return code
        if self.implicit_new and not LAYERS["icb"].is_valid_code(value.upper()):
            return self._new(value, where)
        raise self.targets.unknown(value, where)

    def _new(self, name: str, where: str) -> str:
        if name in self.by_name:
            return self.by_name[name]
        if len(self.new) >= MAX_NEW_ICBS:
            raise BoundaryLabError(
                f"{where}: a scenario may create at most {MAX_NEW_ICBS} new ICBs (England has "
                f"{len(self.targets.existing)}); this one names more, e.g. {name[:60]!r}"
            )
        code = f"{NEW_ICB_PREFIX}{len(self.new) + 1}"
        self.new[code] = name
        self.by_name[name] = code
        return code


def _rows_of_unit(data: VintageData, move: Move, index: int) -> np.ndarray:
    if move.unit_layer == "pcn":
        from ..pcn.blocks import pcn_footprints

        pcn = pcn_footprints(data)  # LSOA -> PCN of largest share, when the layer is built
        if pcn is None:
            raise BoundaryLabError(
                f"moves[{index}]: the PCN layer is not built for vintage {data.name}"
            )
        rows = np.flatnonzero(pcn == move.code.upper())
    elif move.unit_layer == "place":
        if "place_code" not in data.table:
            raise BoundaryLabError(
                f"moves[{index}]: moving a place needs the scenario's place_set (the set "
                "whose places the moves name)"
            )
        rows = np.flatnonzero(data.table["place_code"].to_numpy() == move.code)
    else:
        column = data.table[code_column(move.unit_layer)].to_numpy()
        rows = np.flatnonzero(column == move.code.upper())
    if not len(rows):
        raise BoundaryLabError(
            f"moves[{index}]: unknown {move.unit_layer} code {move.code!r} in vintage "
            f"{data.name} (codes look like {LAYERS.get(move.unit_layer, LAYERS['lsoa']).example})"
        )
    return rows


def resolve(data: VintageData, scenario: Scenario) -> Assignment:
    """Apply blocks, then moves; an LSOA given two different destinations is an error."""
    if scenario.vintage != data.name:
        raise BoundaryLabError(
            f"scenario {scenario.name!r} is on vintage {scenario.vintage}, not {data.name}"
        )
    destinations = _Destinations(data, scenario.implicit_new_icbs)
    icb = data.table["icb_code"].to_numpy().astype(object).copy()
    set_by = np.full(len(icb), None, dtype=object)  # which change set each LSOA, for messages

    lsoa_rows = data.cache.get("lsoa_index")
    if lsoa_rows is None:
        lsoa_rows = data.cache["lsoa_index"] = pd.Index(data.table["lsoa_code"].to_numpy())
    codes = [code.strip().upper() for code, _ in scenario.blocks]
    positions = lsoa_rows.get_indexer(codes)
    unknown = [c for c, p in zip(codes, positions, strict=True) if p < 0]
    if unknown:
        raise BoundaryLabError(
            f"{len(unknown)} unknown LSOA code(s) in vintage {data.name}: {describe_rows(unknown)}"
        )
    seen: dict[str, int] = {}
    for i, ((_, to_icb), row) in enumerate(zip(scenario.blocks, positions, strict=True)):
        if codes[i] in seen:
            raise BoundaryLabError(
                f"LSOA {codes[i]} is assigned more than once (rows "
                f"{seen[codes[i]] + 1} and {i + 1})"
            )
        seen[codes[i]] = i
        icb[row] = destinations.code(to_icb, f"LSOA {codes[i]}")
        set_by[row] = f"block {codes[i]}"

    moved_units: set[tuple[str, str]] = set()
    for i, move in enumerate(scenario.moves):
        key = (move.unit_layer, move.code.upper())
        if key in moved_units:
            raise BoundaryLabError(f"moves[{i}]: {move.unit_layer} {move.code} is moved twice")
        moved_units.add(key)
        rows = _rows_of_unit(data, move, i)
        target = destinations.code(move.to_icb, f"moves[{i}]")
        clash = [r for r in rows if set_by[r] is not None and icb[r] != target]
        if clash:
            clashing = describe_rows(data.table["lsoa_code"].to_numpy()[clash])
            raise BoundaryLabError(
                f"moves[{i}] ({move.unit_layer} {move.code} to {move.to_icb}) sends LSOAs "
                f"already moved by {set_by[clash[0]]} elsewhere: {clashing}"
            )
        icb[rows] = target
        set_by[rows] = f"{move.unit_layer} {move.code}"
    names = {**data.names["icb"], **destinations.new}
    return Assignment(data.name, icb, names, dict(destinations.new))
