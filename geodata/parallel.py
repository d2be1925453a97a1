"""A build's work side by side.

A build spends about a second reading, reprojecting and checking the LSOA boundaries,
and as long again importing pandas and reading the tables; neither needs the other until
both are done. Threads overlap them badly (pandas holds the GIL for much of its work), so
``Beside`` runs the boundaries in a process of its own, started with ``spawn``: it imports
only numpy, shapely, pyproj and pyogrio, and never inherits the caller's threads or locks.
A small input (a test's synthetic vintage) is read in the caller when its result is
asked for: starting a process would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar

R = TypeVar("R")

#: The cores this process may use (a CPU affinity or container limit counts).
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Beside(Generic[R]):
    """``fn(*args)`` in a process of its own when ``separate`` and there is a core to
    spare, started now (``without``: modules kept out of that process); otherwise run in
    the caller when ``result()`` asks for it. Either
    way ``result()`` returns what ``fn`` returned or raises what it raised (an exception
    must pickle: ``geodata.errors`` keeps theirs picklable)."""

    def __init__(
        self, fn: Callable[..., R], *args: object, separate: bool, without: tuple[str, ...] = ()
    ) -> None:
        self._fn, self._args = fn, args
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[R] | None = None
        if separate and CORES > 1:
            spawn = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(1, spawn, _keep_out, (without,))
            self._future = self._pool.submit(fn, *args)

    def result(self) -> R:
        if self._future is None:
            return self._fn(*self._args)
        try:
            found = self._future.result()
        except BrokenProcessPool:  # the process died (killed, out of memory): try here
            self.cancel()
            return self._fn(*self._args)
        except BaseException:
            self.cancel()
            raise
        assert self._pool is not None
        self._pool.shutdown(wait=True)  # its work is done: it exits at once
        self._pool = None
        return found

    def cancel(self) -> None:
        """Stop waiting for it (the caller failed first); the process is left to end."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _keep_out(modules: tuple[str, ...]) -> None:
    """Make ``modules`` unimportable in this process: a library that imports them only if
    it finds them (pyogrio imports pandas and geopandas) then starts without them."""
    for name in modules:
        sys.modules[name] = None  # type: ignore[assignment]
