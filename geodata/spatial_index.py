"""The one place that owns a spatial index over the LSOA blocks (shapely STRtree).

Everything spatial that asks "which block?" goes through ``BlockIndex``: point lookup,
bounding-box filters and best-fit assignment of blocks to candidate polygons.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

from .parallel import runs_in_threads

#: Polygons queried per thread at least: each query of the block tree with a polygon is
#: GEOS work (an intersects test per candidate) of about a tenth of a millisecond.
QUERIES_PER_THREAD = 100


class BlockIndex:
    """An STRtree over block polygons (EPSG:27700), positions matching the block table."""

    def __init__(self, polygons: NDArray[np.object_]) -> None:
        self.polygons = np.asarray(polygons)
        self.tree = shapely.STRtree(self.polygons)
        self._points: NDArray[np.object_] | None = None
        self._point_tree: shapely.STRtree | None = None

    def __len__(self) -> int:
        return len(self.polygons)

    @property
    def representative_points(self) -> NDArray[np.object_]:
        """A point inside each block (the best-fit point; unlike a centroid, always inside)."""
        if self._points is None:
            self._points = shapely.point_on_surface(self.polygons)
        return self._points

    def use_representative_points(self, points: NDArray[np.object_]) -> None:
        """Take the blocks' representative points as computed at build time (the store
        keeps them), rather than computing them on first use."""
        if len(points) != len(self.polygons):
            raise ValueError(f"{len(points)} points for {len(self.polygons)} blocks")
        self._points, self._point_tree = np.asarray(points), None

    @property
    def point_tree(self) -> shapely.STRtree:
        """An STRtree over the representative points, built once."""
        if self._point_tree is None:
            self._point_tree = shapely.STRtree(self.representative_points)
        return self._point_tree

    def locate(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """The block containing each point, or -1; a point on a shared border takes the
        block listed first."""
        points = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        found = np.full(len(points), -1, dtype=np.int64)
        point_idx, block_idx = self.tree.query(points, predicate="intersects")
        # query returns pairs sorted by point; keep each point's first (lowest) block.
        order = np.lexsort((block_idx, point_idx))
        point_idx, block_idx = point_idx[order], block_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        found[point_idx[first]] = block_idx[first]
        return found

    def intersecting(
        self, polygons: NDArray[np.object_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(block, polygon) for every intersecting pair, in bulk queries: the polygons cut
        into runs queried in threads (the tree is built whole and its blocks only read),
        the pairs in the same order as one query's."""
        polygons = np.asarray(polygons)

        def pairs(start: int, end: int) -> NDArray[np.int64]:
            found = self.tree.query(polygons[start:end], predicate="intersects")
            return np.asarray(found, dtype=np.int64) + np.array([[start], [0]])

        # The query tests each polygon prepared: the same prepared polygon in two runs would
        # be shared by two threads, which GEOS does not allow.
        distinct = len({id(polygon) for polygon in polygons.tolist()}) == len(polygons)
        least = QUERIES_PER_THREAD if distinct else len(polygons) + 1
        runs = runs_in_threads(pairs, len(polygons), min_per_thread=least)
        polygon_idx, block_idx = np.concatenate(runs, axis=1)
        return block_idx, polygon_idx

    def nearest(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """The nearest block to each point (for points just off a generalised coastline)."""
        points = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        point_idx, block_idx = self.tree.query_nearest(points, all_matches=False)
        nearest = np.full(len(points), -1, dtype=np.int64)
        nearest[point_idx] = block_idx
        return nearest

    def within_bbox(self, bbox: tuple[float, float, float, float]) -> NDArray[np.int64]:
        """Blocks whose polygon meets the box (minx, miny, maxx, maxy), in table order."""
        hits = self.tree.query(shapely.box(*bbox), predicate="intersects")
        return np.sort(np.asarray(hits, dtype=np.int64))

    def assign(
        self, candidates: NDArray[np.object_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Best-fit: each block goes to the candidate polygon holding its representative
        point. Returns (candidate per block, -1 for none; count of candidates per block).

        The cached tree of points is queried with each candidate, which the query prepares
        once (``contains`` of a prepared polygon is the fast direction; ``within`` against
        a tree of unprepared candidates tests every point against raw polygons)."""
        cand_idx, block_idx = self.point_tree.query(np.asarray(candidates), predicate="contains")
        counts = np.bincount(block_idx, minlength=len(self)).astype(np.int64)
        assigned = np.full(len(self), -1, dtype=np.int64)
        assigned[block_idx] = cand_idx
        assigned[counts > 1] = -1
        return assigned, counts
