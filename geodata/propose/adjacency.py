"""The unit adjacency graph, from the LSOA geometry.

Two units are neighbours when their outlines (dissolved from their LSOAs) share a
stretch of boundary and dissolve together into one polygon: rook adjacency, judged the
way the evaluation's contiguity rule judges an ICB. A shared corner is not enough, and
neither is a sliver under 1 km² (generalised LSOA boundaries leave some along rivers: a
Wandsworth LSOA's sliver touches Kensington and Chelsea across the Thames). Each edge
keeps the shared length, which compactness weights use.

Islands: land with sea all round (the Isle of Wight, the Isles of Scilly) makes units
with no land neighbour, so no contiguous ICB could hold them with anything else. Each
such component of the graph is linked to the mainland unit that serves it: the nearest
unit outside it in the ICB that holds most of its people (or the nearest unit of all when
that ICB is wholly on the island). The links are data: they come from geometry and the
base assignment, never from names, and are listed with the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from ..scenarios.shapes import MIN_EXCLAVE_AREA
from ..store import VintageData
from .units import UnitSet


@dataclass(frozen=True)
class IslandLink:
    island: list[int]  # the units of the component
    from_unit: int  # the island unit nearest the mainland
    to_unit: int  # the mainland unit that serves it
    distance_m: float
    via_icb: str  # the ICB the island and its link share ("" for none)


@dataclass(frozen=True)
class UnitGraph:
    n: int
    edges: np.ndarray  # (k, 2), u < v, sorted
    shared_m: np.ndarray  # shared boundary length of each edge, 0 for island links
    links: list[IslandLink] = field(default_factory=list)

    def neighbours(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in range(self.n)]
        for u, v in self.edges:
            out[int(u)].append(int(v))
            out[int(v)].append(int(u))
        return [sorted(set(n)) for n in out]

    def components(self, nodes: list[int] | None = None) -> list[list[int]]:
        """Connected components of the graph restricted to ``nodes`` (all by default),
        each sorted, largest first then by first unit."""
        return components(self.neighbours(), list(range(self.n)) if nodes is None else nodes)


def components(neighbours: list[list[int]], nodes: list[int]) -> list[list[int]]:
    inside = set(nodes)
    seen: set[int] = set()
    found = []
    for start in sorted(inside):
        if start in seen:
            continue
        stack, part = [start], []
        seen.add(start)
        while stack:
            u = stack.pop()
            part.append(u)
            for v in neighbours[u]:
                if v in inside and v not in seen:
                    seen.add(v)
                    stack.append(v)
        found.append(sorted(part))
    return sorted(found, key=lambda c: (-len(c), c[0]))


def _unit_parts(data: VintageData, units: UnitSet) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's outline dissolved from its LSOAs, split into parts; parts under 1 km²
    are dropped (slivers of generalised boundaries, which the evaluation counts as
    fragments, not land that joins anything). Returns (part polygons, unit of each)."""
    polygons = data.geometry().geometry.to_numpy()
    order = np.argsort(units.block_unit, kind="stable")
    bounds = np.searchsorted(units.block_unit[order], np.arange(len(units) + 1))
    parts, owner = [], []
    for u in range(len(units)):
        outline = shapely.coverage_union_all(polygons[order[bounds[u] : bounds[u + 1]]])
        pieces = shapely.get_parts(outline)
        areas = shapely.area(pieces)
        keep = areas >= MIN_EXCLAVE_AREA
        keep[np.argmax(areas)] = True  # a unit smaller than 1 km² keeps its largest part
        parts.extend(pieces[keep])
        owner.extend([u] * int(keep.sum()))
    return np.asarray(parts, dtype=object), np.asarray(owner, dtype=np.int64)


def _land_edges(data: VintageData, units: UnitSet) -> tuple[np.ndarray, np.ndarray]:
    """Units whose parts share a stretch of boundary and dissolve into one polygon (the
    test the evaluation's contiguity rule applies), with the shared length."""
    parts, owner = _unit_parts(data, units)
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    keep = (left < right) & (owner[left] != owner[right])
    left, right = left[keep], right[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(parts[left]), shapely.boundary(parts[right]))
    )
    joined = shapely.get_num_geometries(shapely.union(parts[left], parts[right])) == 1
    keep = (shared > 0) & joined
    a, b = owner[left][keep], owner[right][keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pairs = lo * len(units) + hi
    keys, inverse = np.unique(pairs, return_inverse=True)
    lengths = np.zeros(len(keys))
    np.add.at(lengths, inverse, shared[keep])
    edges = np.column_stack([keys // len(units), keys % len(units)]).astype(np.int64)
    return edges, lengths


def _island_link(data: VintageData, units: UnitSet, island: list[int]) -> IslandLink:
    polygons = data.geometry().geometry.to_numpy()
    on_island = np.isin(units.block_unit, island)
    people = units.by_icb[island].sum(axis=0)
    icb = int(np.argmax(people))
    serving = ~on_island & (units.base_icb == icb)
    candidates = serving if serving.any() else ~on_island
    rows = np.flatnonzero(candidates)
    island_rows = np.flatnonzero(on_island)
    outline = shapely.union_all(polygons[island_rows])
    distance = shapely.distance(outline, polygons[rows])
    nearest = int(rows[np.lexsort((rows, distance))[0]])
    # the island unit nearest to that mainland block
    back = shapely.distance(polygons[nearest], polygons[island_rows])
    from_row = int(island_rows[np.lexsort((island_rows, back))[0]])
    return IslandLink(
        island=island,
        from_unit=int(units.block_unit[from_row]),
        to_unit=int(units.block_unit[nearest]),
        distance_m=float(distance.min()),
        via_icb=units.icbs[icb] if serving.any() else "",
    )


def unit_graph(data: VintageData, units: UnitSet, link_islands: bool = True) -> UnitGraph:
    """Adjacency of ``units`` from shared LSOA boundaries, islands linked (see above).
    The land edges depend only on the units and are cached on the loaded vintage; the
    island links depend on the base ICBs and are found afresh."""
    key = f"propose_land_edges:{units.kind}:{len(units)}"
    cached = data.cache.get(key)
    if cached is None or cached[0] != units.codes:
        cached = data.cache[key] = (list(units.codes), *_land_edges(data, units))
    _, edges, lengths = cached
    graph = UnitGraph(len(units), edges, lengths)
    links: list[IslandLink] = []
    while link_islands:
        parts = graph.components()
        if len(parts) <= 1:
            break
        populations = [int(units.population[p].sum()) for p in parts]
        main = int(np.argmax(populations))
        smallest = min(
            (i for i in range(len(parts)) if i != main), key=lambda i: (populations[i], parts[i][0])
        )
        link = _island_link(data, units, parts[smallest])
        links.append(link)
        pair = sorted((link.from_unit, link.to_unit))
        edges = np.vstack([graph.edges, pair])
        lengths = np.append(graph.shared_m, 0.0)
        order = np.lexsort((edges[:, 1], edges[:, 0]))
        graph = UnitGraph(len(units), edges[order], lengths[order], links)
    return graph
