"""ICB outlines of an assignment: parts, islands, exclaves and compactness.

Outlines are dissolved from LSOAs with ``coverage_union_all`` and cached by membership,
so re-evaluating a scenario only dissolves the ICBs whose LSOAs changed.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry import block_index
from ..store import VintageData

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
    return hashlib.blake2b(np.sort(rows).tobytes(), digest_size=16).hexdigest()


def polsby_popper(outline: shapely.Geometry) -> float:
    """4πA / P²: 1 for a circle, near 0 for a ragged or stretched shape."""
    perimeter = shapely.length(outline)
    return float(4 * math.pi * shapely.area(outline) / perimeter**2) if perimeter else 0.0


def _shape(data: VintageData, code: str, rows: np.ndarray, owner: np.ndarray) -> IcbShape:
    polygons = data.geometry().geometry.to_numpy()
    outline = shapely.coverage_union_all(polygons[rows])
    parts = shapely.get_parts(outline)
    found = detached_parts(data, code, outline, owner)
    return IcbShape(code, outline, len(parts), len(found["island"]), len(found["exclave"]),
                    len(found["fragment"]), polsby_popper(outline))  # fmt: skip


def detached_parts(
    data: VintageData, code: str, outline: shapely.Geometry, owner: np.ndarray
) -> dict[str, list[shapely.Geometry]]:
    """The parts of an ICB's ``outline`` detached from its largest, by kind: "island"
    (touching no other ICB's land), "exclave" (1 km² or more, touching another ICB's
    land: the ICB falls apart there) and "fragment" (smaller such slivers). ``owner``:
    the ICB of every LSOA."""
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


def icb_shapes(data: VintageData, icb: np.ndarray) -> dict[str, IcbShape]:
    """The outline and shape measures of every ICB in the assignment ``icb`` (per LSOA)."""
    cache = data.cache.setdefault("icb_shapes", {})
    groups: dict[str, list[int]] = {}
    for row, code in enumerate(icb):
        groups.setdefault(code, []).append(row)
    shapes = {}
    for code, members in groups.items():
        rows = np.asarray(members)
        key = (code, _membership_key(rows))
        if key not in cache:
            cache[key] = _shape(data, code, rows, icb)
        shapes[code] = cache[key]
    return shapes
