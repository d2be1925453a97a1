"""The LSOA coverage made clean where it is not: checked and cleaned only where needed.

Generalised LSOA files are not always a clean coverage (the 2024 file has mis-noded
edges); the dissolves and simplifications of the maps and scenarios need one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from ..spatial_index import BlockIndex


@dataclass(frozen=True)
class CoverageRepair:
    """What cleaning changes: new ``polygons`` for the blocks at ``positions``, of which
    ``changed`` changed area (by more than 0.01 m²)."""

    positions: NDArray[np.intp]
    polygons: NDArray[np.object_]
    changed: int

    def applied(self, polygons: NDArray[np.object_]) -> NDArray[np.object_]:
        repaired = np.array(polygons, dtype=object)
        repaired[self.positions] = self.polygons
        return repaired


def clean_coverage(polygons: NDArray[np.object_]) -> tuple[NDArray[np.object_], int]:
    """``polygons`` with neighbouring blocks sharing identical edges (``coverage_repair``),
    and how many changed area."""
    repair = coverage_repair(polygons)
    return repair.applied(polygons), repair.changed


def coverage_repair(polygons: NDArray[np.object_]) -> CoverageRepair:
    """Make neighbouring blocks share identical edges (no overlaps, no mis-noding).

    Only where needed: the blocks with invalid edges and their neighbours are cleaned
    together (a handful of the 33,000 in the 2024 LSOAs), which gives every block the same
    shape as cleaning the whole layer (tested: ``shapely.equals`` for every block) in a
    fraction of the time. Should the seam with the untouched blocks not come out valid,
    the whole layer is cleaned instead.
    """
    invalid = invalid_blocks(polygons)
    if not len(invalid):
        return CoverageRepair(invalid, polygons[invalid], 0)
    index = BlockIndex(polygons)
    area = np.union1d(invalid, index.intersecting(polygons[invalid])[0])
    cleaned = np.array(polygons, dtype=object)
    cleaned[area] = shapely.coverage_clean(polygons[area])
    seam = np.union1d(area, index.intersecting(polygons[area])[0])
    if not shapely.coverage_is_valid(cleaned[seam]):
        area = np.arange(len(polygons))
        cleaned = np.asarray(shapely.coverage_clean(polygons))
    changed = int((np.abs(shapely.area(cleaned[area]) - shapely.area(polygons[area])) > 0.01).sum())
    return CoverageRepair(area, cleaned[area], changed)


def invalid_blocks(polygons: NDArray[np.object_]) -> NDArray[np.intp]:
    """The positions (ascending) of the blocks that ``shapely.coverage_invalid_edges``
    gives an invalid edge, checking only the blocks that can have one.

    GEOS (``CoveragePolygonValidator``) first pairs each edge of a block with the same
    edge, run the other way, of a neighbour; a block whose every edge is so paired is
    valid without further checks. Most LSOAs are: only those on the coast, the Welsh
    border or a mis-noded seam have an unpaired edge (about 1 in 18 in 2021's LSOAs).
    Those are checked by GEOS with every block whose envelope meets theirs, as the whole
    check would judge them: the same blocks as checking the whole layer (tested), in about
    half the time.
    """
    maybe = _blocks_with_unpaired_edges(polygons)
    if not len(maybe):
        return maybe
    tree = shapely.STRtree(polygons)
    judged_with = np.union1d(maybe, tree.query(polygons[maybe])[1])
    edges = shapely.coverage_invalid_edges(polygons[judged_with])
    return maybe[~shapely.is_empty(edges[np.searchsorted(judged_with, maybe)])]


def _blocks_with_unpaired_edges(polygons: NDArray[np.object_]) -> NDArray[np.intp]:
    """Blocks with an edge that is not exactly one of a pair: the same two points in
    another block, traversed the other way with each ring's interior on its right (as GEOS
    compares them). An edge found once, three times, twice in one block or twice the same
    way leaves its blocks in; so does a hash collision (never a false pair).

    From the coordinates as arrays (``to_ragged_array``): no geometry is made."""
    _, xy, offsets = shapely.to_ragged_array(polygons)
    ring_start, part_start = offsets[0], offsets[1]
    block_start = offsets[2] if len(offsets) > 2 else np.arange(len(part_start))
    ring_of_point = np.repeat(np.arange(len(ring_start) - 1), np.diff(ring_start))
    has_next = np.ones(len(xy), dtype=bool)
    has_next[ring_start[1:] - 1] = False  # a ring's last point closes it: no edge starts there
    start, end, ring = (
        xy[:-1][has_next[:-1]],
        xy[1:][has_next[:-1]],
        ring_of_point[:-1][has_next[:-1]],
    )

    # Which way round each ring runs (its signed area, about its first point).
    origin = xy[ring_start[:-1]][ring]
    a, b = start - origin, end - origin
    twice_area = np.bincount(ring, weights=a[:, 0] * b[:, 1] - b[:, 0] * a[:, 1],
                             minlength=len(ring_start) - 1)  # fmt: skip
    is_shell = np.zeros(len(ring_start) - 1, dtype=bool)
    is_shell[part_start[:-1]] = True
    interior_on_right = np.where(is_shell, twice_area < 0, twice_area > 0)

    moves = (start != end).any(axis=1)  # GEOS drops repeated points
    start, end, ring = start[moves], end[moves], ring[moves]
    part_of_ring = np.repeat(np.arange(len(part_start) - 1), np.diff(part_start))
    block = np.repeat(np.arange(len(block_start) - 1), np.diff(block_start))[part_of_ring[ring]]

    # The same key both ways round: the two points in (x, y) order, as their bits.
    ascending = (start[:, 0] < end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] < end[:, 1]))
    low = np.where(ascending[:, None], start, end).view(np.int64)
    high = np.where(ascending[:, None], end, start).view(np.int64)
    key = np.column_stack([low, high])
    way = ascending == interior_on_right[ring]
    with np.errstate(over="ignore"):  # a hash: wrapping multiplication is intended
        hashed = key @ np.array(_HASH_FACTORS, dtype=np.int64)
    order = np.argsort(hashed)
    hashed = hashed[order]

    group_start = np.flatnonzero(np.r_[True, hashed[1:] != hashed[:-1]])
    group_size = np.diff(np.r_[group_start, len(hashed)])
    one, other = order[group_start[group_size == 2]], order[group_start[group_size == 2] + 1]
    paired = (
        (key[one] == key[other]).all(axis=1)
        & (way[one] != way[other])
        & (block[one] != block[other])
    )
    is_paired = np.zeros(len(hashed), dtype=bool)
    is_paired[one[paired]] = is_paired[other[paired]] = True
    return np.unique(block[~is_paired])


#: Odd 64-bit constants (from splitmix64 and xorshift*) mixing the four coordinates' bits.
_HASH_FACTORS = (
    -7046029254386353131,  # 0x9E3779B97F4A7C15 as a signed 64-bit integer
    -4658895280553007687,  # 0xBF58476D1CE4E5B9
    -7723592293110705685,  # 0x94D049BB133111EB
    2685821657736338717,  # 0x2545F4914F6CDD1D
)
