"""ICB outlines of an assignment: parts, islands, exclaves and compactness.

Outlines are dissolved from LSOAs with ``coverage_union_all`` and cached by membership,
so re-evaluating a scenario only dissolves the ICBs whose LSOAs changed.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ..geometry import block_index, dissolve
from ..store import VintageData
from ..unit_codes import UnitCodes, unit_codes

if TYPE_CHECKING:
    from .resolve import Assignment

#: Detached parts smaller than this that touch a neighbour are artefacts of generalised
#: boundaries (the 2022 LSOAs leave 4-14 ha slivers along the River Waveney), not exclaves.
MIN_EXCLAVE_AREA = 1_000_000.0  # m²


@dataclass(frozen=True)
class IcbShape:
    code: str
    outline: shapely.Geometry
    parts: int
    islands: int  # detached parts touching no other ICB's land: sea between (Isle of Wight)
    exclaves: int  # detached parts of 1 km² or more that touch other ICBs' land
    fragments: int  # smaller such parts: slivers of generalised boundaries along rivers
    polsby_popper: float


def _membership_key(rows: np.ndarray) -> str:
    """``rows`` in table order."""
    return hashlib.blake2b(rows.astype(np.int64).tobytes(), digest_size=16).hexdigest()


def polsby_popper(outline: shapely.Geometry) -> float:
    """4πA / P²: 1 for a circle, near 0 for a ragged or stretched shape."""
    perimeter = shapely.length(outline)
    return float(4 * math.pi * shapely.area(outline) / perimeter**2) if perimeter else 0.0


def _baseline_outline(data: VintageData, code: str, key: str) -> shapely.Geometry | None:
    """The vintage's own outline of ICB ``code`` when ``key`` is its baseline membership
    (``dissolve`` unions the same LSOAs in the same order, and the store keeps it)."""
    if "baseline_icb_keys" not in data.cache:
        units = unit_codes(data, "icb_code")
        data.cache["baseline_icb_keys"] = {
            code: _membership_key(units.rows(i)) for i, code in enumerate(units.categories)
        }
    if data.cache["baseline_icb_keys"].get(code) != key:
        return None
    icbs = dissolve(data, "icb")
    return icbs.geometry.to_numpy()[icbs["code"].to_numpy() == code][0]


def _shape(data: VintageData, code: str, rows: np.ndarray, owner: np.ndarray) -> IcbShape:
    """``owner``: every LSOA's ICB as an integer code; ``rows`` are those of ICB ``code``."""
    outline = _baseline_outline(data, code, _membership_key(rows))
    if outline is None:
        outline = shapely.coverage_union_all(data.geometry().geometry.to_numpy()[rows])
    parts = shapely.get_parts(outline)
    found = detached_parts(data, owner[rows[0]], outline, owner)  # owner as integer codes
    return IcbShape(code, outline, len(parts), len(found["island"]), len(found["exclave"]),
                    len(found["fragment"]), polsby_popper(outline))  # fmt: skip


def detached_parts(
    data: VintageData, code: object, outline: shapely.Geometry, owner: np.ndarray
) -> dict[str, list[shapely.Geometry]]:
    """The parts of an ICB's ``outline`` detached from its largest, by kind: "island"
    (touching no other ICB's land), "exclave" (1 km² or more, touching another ICB's
    land: the ICB falls apart there) and "fragment" (smaller such slivers). ``owner``:
    the ICB of every LSOA (codes, or integer codes with ``code`` one of them)."""
    found: dict[str, list[shapely.Geometry]] = {"island": [], "exclave": [], "fragment": []}
    parts = shapely.get_parts(outline)
    if len(parts) < 2:
        return found
    detached = parts[np.argsort(-shapely.area(parts))[1:]]  # all but the largest
    part_idx, block_idx = block_index(data).tree.query(detached, predicate="intersects")
    touching = set(np.unique(part_idx[owner[block_idx] != code]).tolist())
    for i, part in enumerate(detached):
        if i not in touching:
            found["island"].append(part)
        else:
            kind = "exclave" if shapely.area(part) >= MIN_EXCLAVE_AREA else "fragment"
            found[kind].append(part)
    return found


MAX_CACHED = 2048  # ICB outlines kept per loaded vintage, by exact membership


def assignment_shapes(data: VintageData, assignment: Assignment) -> dict[str, IcbShape]:
    """The outline and shape measures of every ICB of ``assignment``. Cached by each
    ICB's exact membership, so only ICBs whose LSOAs changed are dissolved again."""
    return _shapes(data, assignment.codes)


def icb_shapes(data: VintageData, icb: np.ndarray) -> dict[str, IcbShape]:
    """The outline and shape measures of every ICB in the assignment ``icb`` (per LSOA)."""
    return _shapes(data, UnitCodes.of(icb))


def _shapes(data: VintageData, units: UnitCodes) -> dict[str, IcbShape]:
    cache: OrderedDict[tuple[str, str], IcbShape] = data.cache.setdefault(
        "icb_shapes", OrderedDict()
    )
    shapes = {}
    for unit, code in enumerate(units.categories.tolist()):
        rows = units.rows(unit)
        if not len(rows):
            continue
        key = (code, _membership_key(rows))
        if key in cache:
            cache.move_to_end(key)
        else:
            cache[key] = _shape(data, code, rows, units.codes)
            if len(cache) > MAX_CACHED:
                cache.popitem(last=False)
        shapes[code] = cache[key]
    return shapes
