"""How many page runs the server does at once: the rest wait their turn, first come, first served.

Streamlit runs each reader's page in its own thread, all at once. When more readers arrive than
the cores can serve, every run slows down together (they share the cores and the interpreter's
lock), so under a crowd every reader waits long and many wait past their patience. Letting a
few runs in at a time — as many as there are cores, by default — and queueing the others in
order of arrival gives the same total work, but each run then finishes at full speed: the early
readers are served at once and only the late ones of a burst wait, each for the runs ahead of it.

The waiting is bounded: a run that is not let in within `patience` seconds gives up, and the page
says the server is busy (a reload tries again). A server that is only slow never turns a reader
away; one that is overwhelmed does so cleanly instead of timing out every reader at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

VARIABLE = "CONTACT_ATLAS_RUNS"
PATIENCE = 120.0  # seconds a run waits for its turn before the page says the server is busy
NOTICE_AFTER = 1.0  # seconds of waiting before the page says why it is slow


class Busy(RuntimeError):
    """The run waited `patience` seconds and was not let in."""


class Gate:
    """At most `limit` holders at once; the others are let in strictly in order of arrival."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"a gate lets at least one run in at a time, not {limit}")
        self.limit = limit
        self._lock = threading.Lock()
        self._inside = 0
        self._queue: deque[threading.Event] = deque()  # the waiting runs, oldest first

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._queue)

    def enter(
        self,
        patience: float = PATIENCE,
        notice: Callable[[int], object] | None = None,
        after: float = NOTICE_AFTER,
    ) -> None:
        """Wait for a turn, at most `patience` seconds; raises Busy when it does not come.

        A run still waiting after `after` seconds calls `notice` once, with how many runs are
        ahead of it in the queue, and keeps its place.
        """
        with self._lock:
            if self._inside < self.limit and not self._queue:
                self._inside += 1
                return
            turn = threading.Event()
            self._queue.append(turn)
        start = time.perf_counter()
        if notice is not None and after < patience:
            if turn.wait(max(0.0, after)):
                return
            with self._lock:
                ahead = self._queue.index(turn) if turn in self._queue else 0
            notice(ahead)
        if turn.wait(max(0.0, patience - (time.perf_counter() - start))):
            return  # the leaver counted this run in before waking it
        with self._lock:
            if turn.is_set():  # let in just as the wait ended: the turn is ours
                return
            self._queue.remove(turn)
        raise Busy(f"no turn within {patience:.0f} s")

    def leave(self) -> None:
        with self._lock:
            if self._queue:  # hand the place straight to the oldest waiting run
                self._queue.popleft().set()
            else:
                self._inside -= 1

    @contextmanager
    def held(
        self, patience: float = PATIENCE, notice: Callable[[int], object] | None = None
    ) -> Iterator[float]:
        """Hold a place for the block; yields the seconds spent waiting for it."""
        start = time.perf_counter()
        self.enter(patience, notice)
        try:
            yield time.perf_counter() - start
        finally:
            self.leave()


_shared: Gate | None = None
_shared_lock = threading.Lock()


def shared(environ: dict[str, str] | os._Environ[str] = os.environ) -> Gate:
    """The server's one gate (this module outlives the page script, which runs anew each time).

    The setting is read on every run; a changed one makes a new gate (runs inside the old one
    leave it as they finish). Raises ValueError naming the setting when it is not a count.
    """
    global _shared  # noqa: PLW0603 - one gate a process, made on the first run
    limit = limit_from(environ)
    with _shared_lock:
        if _shared is None or _shared.limit != limit:
            _shared = Gate(limit)
        return _shared


def limit_from(environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    """The setting, else one run a core. Raises ValueError naming the setting when it is not a count."""
    raw = environ.get(VARIABLE, "").strip()
    if not raw:
        return max(1, os.cpu_count() or 1)
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 1024:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise ValueError(
            f"{VARIABLE}={shown!r} is not a count of page runs: give a whole number from 1 to 1024."
        )
    return value
