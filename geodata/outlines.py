"""Each area layer's units as polygons dissolved from the LSOA blocks, and simplified as a
coverage: numpy and shapely alone, so that a build makes them in its boundary process
(``geodata.ingest.boundaries``), which has no pandas. ``geometry.dissolve`` gives them
their names and populations.

The LSOA polygons form a valid coverage, so ``coverage_union_all`` dissolves them (far
faster than ``unary_union``) and ``coverage_simplify`` simplifies neighbours together:
shared borders stay shared, with no slivers or gaps between them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import numpy as np
import shapely
from numpy.typing import NDArray

from .unit_codes import UnitCodes

#: A layer's units: their codes (in code order, those with LSOAs) and one polygon each.
Units = tuple[NDArray[np.object_], NDArray[np.object_]]


def simplify_polygons(polygons: NDArray[np.object_], tolerance_m: float) -> NDArray[np.object_]:
    """Polygons that tile an area together simplified so neighbours keep one shared border."""
    return shapely.coverage_simplify(polygons, tolerance_m)


#: Layers another process makes from the same blocks and codes, and how to get them.
Arriving = tuple[frozenset[str], Callable[[], Mapping[tuple[str, float], Units]]]


class LayerOutlines:
    """The units of every layer in ``layers`` (their integer codes, per LSOA in ``blocks``'
    order), dissolved and simplified on first use and kept. ``arriving``: layers another
    process is making (``made``), taken when one of them is first asked for."""

    def __init__(
        self,
        blocks: NDArray[np.object_],
        layers: Mapping[str, UnitCodes],
        arriving: Arriving | None = None,
    ) -> None:
        self._blocks, self._layers, self._arriving = blocks, dict(layers), arriving
        self._made: dict[tuple[str, float], Units] = {}

    def unions(self, layer: str) -> Units:
        """Each unit of ``layer`` as one polygon, in normal form (``normalize``)."""
        return self.simplified(layer, 0.0)

    def simplified(self, layer: str, tolerance_m: float) -> Units:
        """``unions(layer)`` simplified as a coverage (0: as dissolved)."""
        key = (layer, float(tolerance_m))
        if key not in self._made and self._arriving and layer in self._arriving[0]:
            (_, fetch), self._arriving = self._arriving, None
            self._made.update(fetch())
        if key not in self._made:
            if tolerance_m > 0:
                codes, polygons = self.unions(layer)
                self._made[key] = codes, simplify_polygons(polygons, tolerance_m)
            else:
                self._made[key] = self._dissolved(layer)
        return self._made[key]

    def made(
        self, tolerances: tuple[float, ...], layers: Collection[str] | None = None
    ) -> dict[tuple[str, float], Units]:
        """Every layer (of ``layers``) at every tolerance (0 and ``tolerances``), made now:
        those arriving from another process last, once this one has made its own."""
        wanted = [layer for layer in self._layers if layers is None or layer in layers]
        arriving = self._arriving[0] if self._arriving else frozenset()
        for layer in sorted(wanted, key=arriving.__contains__):
            for tolerance in (0.0, *tolerances):
                self.simplified(layer, tolerance)
        return dict(self._made)

    def _dissolved(self, layer: str) -> Units:
        """Where the units of a finer layer lie each whole in one unit of ``layer``
        (districts in counties, regions and strategic authorities; sub-ICB locations in
        ICBs), the union of their outlines is the union of the LSOAs, the same edges
        joined, and several times cheaper to make. Normal form makes the two the same
        polygon vertex for vertex (the start of each ring and its direction no longer
        depend on the order of the pieces)."""
        parent = self._layers[layer]
        finer = self.finer_layer(layer)
        if finer is None:
            codes, polygons = parent.codes, self._blocks
        else:
            child = self._layers[finer]
            piece_codes, polygons = self.unions(finer)
            codes = parent.codes[child.order[child.starts[child.find(piece_codes)]]]
        pieces_of = UnitCodes.from_codes(codes, parent.categories)
        found = np.flatnonzero(pieces_of.starts[1:] > pieces_of.starts[:-1])
        unions = np.empty(len(found), dtype=object)
        unions[:] = [shapely.normalize(shapely.coverage_union_all(polygons[pieces_of.rows(k)]))
                     for k in found.tolist()]  # fmt: skip
        return parent.categories[found], unions

    def finer_layer(self, layer: str) -> str | None:
        return finer_layer(layer, self._layers)


def finer_layer(layer: str, layers: Mapping[str, UnitCodes]) -> str | None:
    """The layer with the fewest units (more than ``layer`` has) whose every unit lies
    whole in one unit of ``layer`` or in none, covering every LSOA; None if none does."""
    parent = layers[layer]
    best: tuple[int, str] | None = None
    for other, child in layers.items():
        if other == layer or len(child) <= len(parent) or (child.codes < 0).any():
            continue
        if best is not None and len(child) >= best[0]:
            continue
        with_rows = np.flatnonzero(child.starts[1:] > child.starts[:-1])
        first_parent = np.full(len(child), -2, dtype=np.intp)
        first_parent[with_rows] = parent.codes[child.order[child.starts[with_rows]]]
        if np.array_equal(first_parent[child.codes], parent.codes):
            best = (len(child), other)
    return None if best is None else best[1]


def families(layers: Mapping[str, UnitCodes]) -> list[frozenset[str]]:
    """The layers grouped by the one each is dissolved from in the end (``finer_layer``
    after ``finer_layer``): no family needs another's outlines."""
    by_root: dict[str, set[str]] = {}
    for layer in layers:
        root = layer
        while (finer := finer_layer(root, layers)) is not None:
            root = finer
        by_root.setdefault(root, set()).add(layer)
    return [frozenset(family) for family in by_root.values()]
