"""Work side by side (``geodata.parallel``): a generator in a process of its own, talked
to both ways, its errors raised here, done again here if its process dies; and elementwise
GEOS work cut among threads giving the same array as one call."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest
import shapely

from geodata.errors import InputError
from geodata.parallel import AWAIT, CORES, MIN_PER_THREAD, Exchange, geos_in_threads


def _fails() -> Iterator[int]:
    yield 1
    raise InputError("/x", "it broke")


def _pids(parent: int) -> Iterator[int]:
    """Its process, then twice what it is sent; it dies there if not in ``parent``."""
    yield os.getpid()
    given = yield AWAIT
    if os.getpid() != parent:
        os._exit(3)
    yield given * 2


def test_the_work_runs_in_another_process_and_raises_there() -> None:
    assert CORES > 1
    assert Exchange(_pids, 0, separate=True).receive() != os.getpid()
    assert Exchange(_pids, 0, separate=False).receive() == os.getpid()
    failing = Exchange(_fails, separate=True)
    assert failing.receive() == 1
    with pytest.raises(InputError, match="it broke"):
        failing.receive()


def _doubles() -> Iterator[object]:
    yield "ready"
    given = yield AWAIT
    yield "again"
    yield given * 2


@pytest.mark.parametrize("separate", [True, False])
def test_what_is_sent_is_what_the_work_awaits(separate: bool) -> None:
    exchange = Exchange(_doubles, separate=separate)
    exchange.send(21)  # sent ahead: the work takes it only where it awaits it
    assert [exchange.receive() for _ in range(3)] == ["ready", "again", 42]


def test_work_whose_process_dies_is_done_again_in_the_caller() -> None:
    """From the start, with what was sent given again: the values already received are
    not received twice."""
    exchange = Exchange(_pids, os.getpid(), separate=True)
    assert exchange.receive() != os.getpid()  # from the process, which then dies
    exchange.send(21)
    assert exchange.receive() == 42  # made in the caller


def _kept_out() -> Iterator[bool]:
    try:
        import wave  # noqa: F401
    except ImportError:
        yield True
    else:
        yield False


def test_modules_kept_out_of_the_process_are_not_imported_there() -> None:
    assert Exchange(_kept_out, separate=True, without=("wave",)).receive() is True
    assert Exchange(_kept_out, separate=True).receive() is False


def _echo_sizes(size: int) -> Iterator[int | bytes]:
    yield b"y" * size
    given = yield AWAIT
    yield len(given)


def test_megabytes_each_way_do_not_wait_on_each_other() -> None:
    """Either side's values are written by a thread: the caller's 5 MB, sent before it reads
    the process's 5 MB, cannot stall both (a pipe holds 64 KB)."""
    exchange = Exchange(_echo_sizes, 5_000_000, separate=True)
    exchange.send(b"x" * 5_000_000)
    assert exchange.receive() == b"y" * 5_000_000
    assert exchange.receive() == 5_000_000


def test_elementwise_work_in_threads_is_the_same_array() -> None:
    """Squares against shifted squares: the intersections, cut among threads, are those of
    one call, in the same order, vertex for vertex."""
    assert CORES > 1
    rng = np.random.default_rng(7)
    count = 4 * MIN_PER_THREAD + 3  # not a multiple of the runs
    x, y = rng.uniform(0, 1000, count), rng.uniform(0, 1000, count)
    squares = shapely.box(x, y, x + 10, y + 10)
    shifted = shapely.box(x + 3, y + 4, x + 13, y + 14)
    at_once = shapely.intersection(squares, shifted)
    threaded = geos_in_threads(shapely.intersection, squares, shifted)
    assert threaded.shape == at_once.shape
    assert (shapely.to_wkb(threaded) == shapely.to_wkb(at_once)).all()
    assert shapely.area(threaded) == pytest.approx(np.full(count, 7 * 6))
    few = geos_in_threads(shapely.intersection, squares[:5], shifted[:5])  # one call
    assert (shapely.to_wkb(few) == shapely.to_wkb(at_once[:5])).all()


def test_one_multipolygon_shared_by_every_thread_gives_the_same_answers() -> None:
    """A fresh multi-polygon (whose envelope GEOS makes on first use) against every square:
    each thread reads it at once."""
    rng = np.random.default_rng(11)
    count = 8 * MIN_PER_THREAD
    x, y = rng.uniform(0, 1000, count), rng.uniform(0, 1000, count)
    squares = shapely.box(x, y, x + 10, y + 10)
    for _ in range(5):
        shared = shapely.MultiPolygon([shapely.box(0, 0, 500, 1000).exterior.buffer(3),
                                       shapely.box(600, 0, 900, 900)])  # fmt: skip
        many = np.array([shared] * count, dtype=object)
        threaded = geos_in_threads(shapely.intersection, squares, many)
        at_once = shapely.intersection(squares, many)
        assert (shapely.to_wkb(threaded) == shapely.to_wkb(at_once)).all()


def test_prepared_polygons_stay_in_one_thread_each() -> None:
    """A predicate of prepared polygons, each tested against many points: runs are cut only
    between polygons (``together``), none is in two runs, and the answers are one call's;
    numbers not grouped make one call."""
    rng = np.random.default_rng(5)
    polygons = shapely.buffer(shapely.points(rng.uniform(0, 1000, (40, 2))), 60)
    shapely.prepare(polygons)
    which = np.sort(rng.integers(0, 40, 8 * MIN_PER_THREAD))  # grouped, as pairs come
    points = shapely.points(rng.uniform(0, 1000, (len(which), 2)))
    runs: list[set[int]] = []

    def contains(tested: np.ndarray, at: np.ndarray) -> np.ndarray:
        runs.append({id(polygon) for polygon in tested.tolist()})
        return shapely.contains(tested, at)

    at_once = shapely.contains(polygons[which], points)
    threaded = geos_in_threads(contains, polygons[which], points, together=which)
    assert threaded.tolist() == at_once.tolist() and at_once.any() and not at_once.all()
    assert len(runs) > 1 and sum(len(run) for run in runs) == len(set().union(*runs)) == 40
    runs.clear()
    mixed = rng.permutation(len(which))
    answers = geos_in_threads(contains, polygons[which[mixed]], points[mixed],
                              together=which[mixed])  # fmt: skip
    assert answers.tolist() == at_once[mixed].tolist() and len(runs) == 1
