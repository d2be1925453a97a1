"""A build's work side by side.

A build spends about a second reading, reprojecting and checking the LSOA boundaries,
and as long again importing pandas and reading the tables; neither needs the other until
both are done. Threads overlap them badly (pandas holds the GIL for much of its work), so
``Beside`` runs the boundaries in a Python process of its own: a fresh interpreter that
imports only what the call needs, inherits no threads or locks, and never runs the
caller's script again (as ``multiprocessing``'s spawn would without a main guard). The
call and its answer cross as pickles on the process's standard input and output.

A small input (a test's synthetic vintage) is read in the caller when its result is
asked for: starting a process would cost more than it saves. So is anything the process
could not do (it could not start, it died, its answer would not pickle): the caller then
does the work itself and meets the same errors first hand.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

R = TypeVar("R")

#: The cores this process may use (a CPU affinity or container limit counts).
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

#: The process's side: keep the listed modules out, then run the call. Its answer goes to
#: the standard output it was given; anything printed goes to standard error.
_CHILD = """
import os, pickle, sys
answer = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
sys.stdout = sys.stderr
for name in pickle.load(sys.stdin.buffer):
    sys.modules[name] = None
fn, args = pickle.load(sys.stdin.buffer)
try:
    reply = (True, fn(*args))
except Exception as exc:
    reply = (False, exc)
answer.write(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
answer.close()
"""


class Beside(Generic[R]):
    """``fn(*args)`` in a process of its own when ``separate`` and there is a core to
    spare, started now (``without``: modules kept out of that process, for a library that
    imports them only if it finds them); otherwise in the caller when ``result()`` asks.
    Either way ``result()`` returns what ``fn`` returned or raises what it raised."""

    def __init__(
        self, fn: Callable[..., R], *args: object, separate: bool, without: tuple[str, ...] = ()
    ) -> None:
        self._fn, self._args = fn, args
        self._process: subprocess.Popen[bytes] | None = None
        if not (separate and CORES > 1):
            return
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _CHILD],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
            )
            assert self._process.stdin is not None
            pickle.dump(without, self._process.stdin)
            pickle.dump((fn, args), self._process.stdin)
            self._process.stdin.close()
        except Exception:  # could not start or be given its call: the caller does it
            self.cancel()

    def result(self) -> R:
        process, self._process = self._process, None
        if process is None:
            return self._fn(*self._args)
        assert process.stdout is not None
        with process.stdout:
            answer = process.stdout.read()
        if process.wait() != 0 or not answer:  # it died, or could not answer
            return self._fn(*self._args)
        done, value = pickle.loads(answer)
        if done:
            return value
        raise value

    def cancel(self) -> None:
        """Stop the process (the caller failed first and no longer needs it)."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
