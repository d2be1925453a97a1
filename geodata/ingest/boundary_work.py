"""A build's work on the LSOA boundaries, done beside its tables (``geodata.parallel``):
read, clean the coverage, dissolve the layers' outlines.

Nothing heavy is imported until the work starts, so the build can start its process
before it imports numpy or pandas itself.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..parallel import AWAIT

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ..outlines import Units
    from ..unit_codes import UnitCodes
    from .boundaries import Blocks
    from .coverage import CoverageRepair


@dataclass(frozen=True)
class OutlinePlan:
    """What the boundary work needs of the tables to dissolve the layers: the file
    position of each block-table row, each area layer's unit codes in that order, and
    which of the layers to make there (the build makes the others)."""

    positions: NDArray[np.intp]
    layers: dict[str, UnitCodes]
    tolerances: tuple[float, ...]
    beside: frozenset[str]


BoundaryWork = Generator["Blocks | CoverageRepair | dict[tuple[str, float], Units]", Any, None]


def boundary_work(path: Path, code: str, name: str) -> BoundaryWork:
    """Step by step (``geodata.parallel.Exchange``): the blocks as read
    (``read_polygons``); what cleaning the coverage changes (``coverage_repair``); then,
    given an ``OutlinePlan``, its layers' outlines at every tolerance (``LayerOutlines``),
    made from the cleaned blocks in table order."""
    from ..outlines import LayerOutlines
    from .boundaries import read_polygons
    from .coverage import coverage_repair

    blocks = read_polygons(path, code, name)
    yield blocks
    repair = coverage_repair(blocks.polygons)
    yield repair
    plan: OutlinePlan = yield AWAIT
    polygons = repair.applied(blocks.polygons)[plan.positions]
    yield LayerOutlines(polygons, plan.layers).made(plan.tolerances, plan.beside)
