"""A build's work side by side.

A build spends about a second reading, reprojecting and cleaning the LSOA boundaries and
dissolving them into outlines, and as long again importing pandas, reading the tables and
writing the store. Threads overlap them badly (pandas holds the GIL for much of its work;
so do shapely's coverage operations), so ``Exchange`` runs the boundary work in a Python
process of its own: a fresh interpreter that imports only what the work needs, inherits no
threads or locks, and never runs the caller's script again (as ``multiprocessing``'s spawn
would without a main guard).

The work is a generator: each value it yields reaches the caller in turn, and where it
yields ``AWAIT`` it waits for what the caller sends (the block table's order, say, once
the tables are read). Both cross as pickles on the process's standard input and output,
each written by a thread of its own, so neither side stops working while the other has yet
to read (a pipe holds 64 KB; a boundary file's polygons are megabytes).

A small input (a test's synthetic vintage) is worked in the caller, step by step as its
values are asked for: starting a process would cost more than it saves. So is anything
the process could not do (it could not start, it died, an answer would not pickle): the
caller then does the work itself, from the start, and meets the same errors first hand.

Where the work is GEOS's on arrays of geometries (shapely releases the GIL there), threads
do serve: ``geos_in_threads`` cuts an elementwise call into runs, ``runs_in_threads`` any
work on consecutive runs (a query of an index). GEOS lets threads share geometries only to
read them; each helper says what that asks of its caller.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Generator, Iterator
from typing import IO, Any, TypeVar

R = TypeVar("R")

#: The cores this process may use (a CPU affinity or container limit counts).
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Await:
    def __repr__(self) -> str:
        return "AWAIT"


#: Yielded by the work where it needs the caller's next ``send()``: the yield returns it.
AWAIT: Any = _Await()

Work = Callable[..., Generator[Any, Any, None]]


def _steps(work: Generator[Any, Any, None], incoming: Callable[[], Any]) -> Iterator[Any]:
    """The values ``work`` yields, fed ``incoming()`` wherever it yields ``AWAIT``."""
    given = None
    while True:
        try:
            value = work.send(given)
        except StopIteration:
            return
        given = incoming() if value is AWAIT else None
        if value is not AWAIT:
            yield value


class _Sender:
    """Pickles written to ``stream`` in order by a thread, so ``put`` never blocks."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream, self._queue = stream, queue.SimpleQueue[bytes | None]()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def put(self, value: object) -> None:
        self._queue.put(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        """Write what is queued, then close the stream."""
        self._queue.put(None)
        self._thread.join()

    def stop(self) -> None:
        """Close the stream once the thread is done (its reader may be gone)."""
        self._queue.put(None)

    def _run(self) -> None:
        try:
            while (message := self._queue.get()) is not None:
                self._stream.write(message)
                self._stream.flush()
        except OSError:  # the reader is gone: whatever it needed is moot
            pass
        finally:
            try:
                self._stream.close()
            except OSError:
                pass


def serve() -> None:
    """The process's side (``python -c``): keep the listed modules out, then run the work.
    Its values go to the standard output it was given; anything printed goes to standard
    error."""
    answers = _Sender(os.fdopen(os.dup(1), "wb"))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for name in pickle.load(sys.stdin.buffer):
        sys.modules[name] = None  # type: ignore[assignment]
    fn, args = pickle.load(sys.stdin.buffer)
    try:
        for value in _steps(fn(*args), lambda: pickle.load(sys.stdin.buffer)):
            answers.put((True, value))
    except Exception as exc:
        answers.put((False, exc))
    answers.close()


class Exchange:
    """The generator ``fn(*args)`` in a process of its own when ``separate`` and there is a
    core to spare, started now (``without``: modules kept out of that process, for a library
    that imports them only if it finds them); otherwise in the caller as ``receive()`` asks.
    Either way ``receive()`` returns the next value it yields, or raises what it raised, and
    ``send()`` gives it what it awaits."""

    def __init__(self, fn: Work, *args: object, separate: bool, without: tuple[str, ...] = ()):
        self._fn, self._args = fn, args
        self._sent: list[object] = []  # every value sent, for a start in the caller
        self._received = 0
        self._here: Iterator[Any] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stop: Callable[[], Any] | None = None
        if not (separate and CORES > 1):
            return
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from geodata.parallel import serve; serve()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
            )
            assert self._process.stdin is not None
            self._requests = _Sender(self._process.stdin)
            self._stop = weakref.finalize(self, _stop, self._process, self._requests)
            self._requests.put(without)
            self._requests.put((fn, args))
        except Exception:  # could not start or be given its work: the caller does it
            self.cancel()

    def send(self, value: object) -> None:
        self._sent.append(value)
        if self._process is not None:
            self._requests.put(value)

    def receive(self) -> Any:
        if self._process is not None:
            assert self._process.stdout is not None
            try:
                done, value = pickle.load(self._process.stdout)
            except Exception:  # it died, or an answer would not pickle
                self.cancel()
            else:
                if not done:
                    self.cancel()
                    raise value
                self._received += 1
                return value
        return next(self._in_caller())

    def _in_caller(self) -> Iterator[Any]:
        if self._here is None:  # from the start, the values already received skipped
            sent = iter(self._sent)
            self._here = _steps(self._fn(*self._args), lambda: next(sent))
            for _ in range(self._received):
                next(self._here)
        return self._here

    def cancel(self) -> None:
        """Stop the process (the caller failed, or is done with it; else when this is
        garbage)."""
        process, self._process = self._process, None
        if self._stop is not None:
            self._stop()
        elif process is not None:  # it started, but was never given its work
            process.kill()
            process.wait()


def _stop(process: subprocess.Popen[bytes], requests: _Sender) -> None:
    process.kill()
    process.wait()
    requests.stop()
    if process.stdout is not None:
        process.stdout.close()


#: Below this many elements (of GEOS work) a thread costs more than its share saves.
MIN_PER_THREAD = 2_000
#: Runs per core: a few, so that a slow run does not leave a core idle.
RUNS_PER_CORE = 4


def geos_in_threads(
    fn: Callable[..., Any],
    *arrays: Any,
    together: Any = None,
    min_per_thread: int = MIN_PER_THREAD,
) -> Any:
    """``fn(*arrays)`` for an elementwise shapely function that releases the GIL while GEOS
    works (its predicates and set operations do), the arrays cut into runs worked in
    threads: the runs' answers joined in order are the same array.

    GEOS lets threads share a geometry only to read it. A multi-geometry computes its
    envelope on first use (so ``bounds`` computes every one here, first), and a prepared
    geometry's indexes are not safe to share at all: where ``fn`` would use them (a
    predicate of prepared polygons), ``together`` gives each element's geometry as a
    number, equal numbers next to each other, and a run never cuts between them (numbers
    not so grouped: one call)."""
    import numpy as np
    import shapely

    count = len(arrays[0])
    cuts = None
    if together is not None:
        together = np.asarray(together)
        starts = np.flatnonzero(np.r_[True, together[1:] != together[:-1]])
        if len(np.unique(together[starts])) < len(starts):  # a number in two places
            return fn(*arrays)
        cuts = np.r_[starts, count]
    for array in arrays:
        shapely.bounds(array)
    runs = runs_in_threads(lambda start, end: fn(*(a[start:end] for a in arrays)),
                           count, min_per_thread, cuts)  # fmt: skip
    return runs[0] if len(runs) == 1 else np.concatenate(runs)


def runs_in_threads(
    fn: Callable[[int, int], R], count: int, min_per_thread: int, cuts: Any = None
) -> list[R]:
    """``fn(start, end)`` for consecutive runs covering ``range(count)`` (each about
    ``min_per_thread`` long or more, up to ``RUNS_PER_CORE`` per core; where ``cuts`` are
    given, sorted, a run starts and ends only at one of them), in threads; the answers in
    the runs' order."""
    runs = max(1, min(RUNS_PER_CORE * CORES, count // max(min_per_thread, 1)))
    bounds = [count * k // runs for k in range(runs + 1)]
    if cuts is not None:  # each bound moved on to the next cut
        import numpy as np

        at = np.searchsorted(cuts, bounds[1:-1])
        bounds = sorted({0, count, *np.asarray(cuts)[at].tolist()})
    if len(bounds) == 2 or CORES == 1:
        return [fn(0, count)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(CORES, len(bounds) - 1)) as pool:
        return list(pool.map(fn, bounds[:-1], bounds[1:]))
