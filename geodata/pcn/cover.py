"""How PCN catchments cover the LSOA blocks: one query of the block index with every
catchment, then the area of each LSOA x catchment intersection.

Catchments overlap, so an LSOA can be covered by several PCNs (or by none). The cover
table is what the catchment-based methods apportion from, and what the PCN map reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from ..parallel import geos_in_threads
from ..spatial_index import BlockIndex

#: Intersections thinner than this share of the LSOA are border noise of generalised
#: polygons (a shared edge drawn twice), not cover.
MIN_COVER = 1e-6


@dataclass(frozen=True)
class Cover:
    """LSOA x catchment pairs with positive cover."""

    #: block (position in the block table), pcn_code, cover (share of the LSOA's area inside
    #: the catchment), holds_point (the catchment holds the LSOA's point).
    frame: pd.DataFrame
    #: LSOA x catchment pairs whose bounding boxes the index matched and which intersect.
    intersections: int


def block_catchment_pairs(
    index: BlockIndex, catchments: NDArray[np.object_]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(block, catchment) for every intersecting pair: one bulk query of the block tree."""
    return index.intersecting(catchments)


def catchment_cover(
    index: BlockIndex,
    catchments: NDArray[np.object_],
    codes: NDArray[np.object_],
    points: NDArray[np.object_],
    blocks: NDArray[np.int64] | None = None,
) -> Cover:
    """Cover of every block (or only ``blocks``, positions) by the catchment polygons.

    ``codes`` are the catchments' PCN codes; ``points`` the blocks' points (all blocks).
    A block wholly inside a catchment needs no intersection: its cover is 1, so only the
    blocks on a catchment's edge are clipped, which is most of the saving over an overlay.
    """
    polygons = np.asarray(catchments)
    shapely.prepare(polygons)
    block_idx, catchment_idx = block_catchment_pairs(index, polygons)
    if blocks is not None:
        keep = np.isin(block_idx, blocks)
        block_idx, catchment_idx = block_idx[keep], catchment_idx[keep]
    block_polygons = index.polygons[block_idx]
    block_area = shapely.area(block_polygons)
    # GEOS's work, most of a PCN build, in threads: the predicates use the catchments'
    # prepared indexes, so each catchment's pairs stay in one thread (``together``).
    inside = geos_in_threads(shapely.contains_properly, polygons[catchment_idx], block_polygons,
                             together=catchment_idx)  # fmt: skip
    area = block_area.copy()
    edge = ~inside
    area[edge] = shapely.area(
        geos_in_threads(shapely.intersection, block_polygons[edge], polygons[catchment_idx[edge]])
    )
    share = np.divide(area, block_area, out=np.zeros(len(area)), where=block_area > 0)
    holds = geos_in_threads(shapely.contains, polygons[catchment_idx], points[block_idx],
                            together=catchment_idx)  # fmt: skip
    frame = pd.DataFrame(
        {
            "block": block_idx,
            "pcn_code": np.asarray(codes, dtype=object)[catchment_idx],
            "cover": np.minimum(share, 1.0),
            "holds_point": holds,
        }
    )
    frame = frame.loc[frame["cover"] > MIN_COVER].sort_values(["block", "pcn_code"])
    return Cover(frame.reset_index(drop=True), intersections=len(block_idx))
