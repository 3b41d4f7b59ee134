"""The dashboard's corpus: a catalog in memory, and the store an engine queries for every event.

`open_atlas(root)` finds the store built from the data folder as it is now,
or builds it: in this process for curated YAML, in a child process when the
folder holds bulk Parquet, so the server never holds the loader's frames of
a million events (the child's memory is returned when it exits). Then it
reads the catalog written beside the tables and opens the engine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard import engines, folder, memo, query, store
from dashboard.catalog import Catalog
from dashboard.model import is_id
from dashboard.problems import DataError
from dashboard.readers import bulk

EVENT_CACHE_BYTES = 8 * 2**20  # a few thousand events' rows
TEXT_CACHE_BYTES = 32 * 2**20  # the articles being read
BUILD_TRIES = 3  # a data folder still being written is read again, this many times at most
RECHECK_S = 2.0  # how often a running dashboard looks for edited data files
RETRY_FAILED_S = 30.0  # a store that could not be written (a full disk) is tried again after this long


@dataclass(frozen=True, kw_only=True)
class Atlas(Catalog):
    store: store.Store
    engine: engines.Engine
    events: int  # how many events the store holds
    date_bounds: tuple[Any, Any] = (None, None)  # the first end date and the last start date
    datasets: tuple[str, ...] = ("curated",)  # the datasets its events come from
    codings: tuple[str, ...] = ("human",)  # how they were coded: human, machine, draft
    # Events asked for by id (the selection, on every run of every page) and the articles being read,
    # each within a byte budget, keys included; an id that names nothing is not kept.
    _by_id: memo.Memo = field(default_factory=lambda: memo.Memo(EVENT_CACHE_BYTES), repr=False, compare=False)
    _texts: memo.Memo = field(default_factory=lambda: memo.Memo(TEXT_CACHE_BYTES), repr=False, compare=False)

    def existing_events(self, ids: Sequence[str]) -> set[str]:
        """Which of these ids name events the corpus holds already (a draft must not reuse them)."""
        return query.existing_ids(self.engine, ids)

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event's row (every column of the events table), or None.

        A value that cannot be an id is not looked up.
        """
        if not is_id(event_id):
            return None
        return self._by_id.get(event_id, lambda: query.event(self.engine, event_id))

    def has_event(self, event_id: str) -> bool:
        return self.event(event_id) is not None

    def text(self, article_id: str) -> str:
        """An article's text (the few being read are kept)."""
        return self._texts.get(article_id, lambda: query.article_text(self.engine, article_id))


def _build_here(root: Path, fingerprint: str) -> None:
    from dashboard.readers import corpus  # noqa: PLC0415 - the loader is needed only to build

    c = corpus.load(root)
    if c.fingerprint == fingerprint:
        store.build(c)


def _build_in_child(root: Path) -> None:
    cmd = [sys.executable, "-m", "dashboard", "build", "--data", str(root), "--allow-problems"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=os.environ.copy())
    if done.returncode == 0:
        return
    if done.returncode < 0:
        why = reason = f"the build was stopped ({signal.Signals(-done.returncode).name})"
    else:  # the command line says what happened in its last line ("error: …")
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        why = lines[-1].removeprefix("error: ")
        # The reason a reader is shown names no path; the server's log gets the whole line.
        m = _CANNOT_WRITE.search(why)
        reason = m[1] if m else "building the store failed"
    raise store.StoreError(f"{root}: building its store failed: {why}", reason)


_CANNOT_WRITE = re.compile(r"cannot write the store in .*: ([^:;]+); nothing of it was kept$")


# Builds that failed, by data folder and fingerprint: when, and the error to give meanwhile.
_FAILED: dict[tuple[str, str], tuple[float, store.StoreError]] = {}
_FAILED_LOCK = threading.Lock()


def ensure_store(root: Path) -> store.Store:
    """The store of this data folder as it is now, built first if need be.

    A build that could not write its store (`store.StoreError`) is not tried again
    for RETRY_FAILED_S: its error is raised meanwhile.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such data folder")
    for _ in range(BUILD_TRIES):
        fingerprint = folder.fingerprint(root)
        hit = store.current(root, fingerprint)
        if hit is not None:
            return hit
        key = (str(root.resolve()), fingerprint)
        with _FAILED_LOCK:
            failed = _FAILED.get(key)
        if failed is not None and time.monotonic() - failed[0] < RETRY_FAILED_S:
            raise failed[1]  # not another build of the same data in every reader's rerun
        try:
            if bulk.bulk_files(root):
                _build_in_child(root)
            else:
                _build_here(root, fingerprint)
        except store.StoreError as exc:
            with _FAILED_LOCK:
                if len(_FAILED) >= 16:  # a few data folders' worth; the oldest goes
                    _FAILED.pop(next(iter(_FAILED)))
                _FAILED[key] = (time.monotonic(), exc)
            raise
    # Still changing after several reads: serve the last complete version there is.
    fingerprint = folder.fingerprint(root)
    hit = store.current(root, fingerprint)
    if hit is None:
        raise DataError(f"{root}: the data kept changing while it was read; try again")
    return hit


def open_atlas(root: Path, engine: str | None = None) -> Atlas:
    """The data folder's store, opened: built first if need be, and built again if it cannot be read.

    A store whose files pass `store.readable` but still cannot be read is
    discarded and built once more; if that one cannot be read either, a
    `store.StoreError` says so. `engine` is an engine setting (`dashboard.engines`);
    by default CONTACT_ATLAS_ENGINE's. A bad setting is an `engines.SettingError` before anything is built.
    """
    engine = engines.default_setting() if engine is None else engines.parse(engine)[1].text
    for attempt in range(2):
        s = ensure_store(root)
        try:
            return _opened(root, s, engine)
        except (DataError, engines.SettingError):
            raise
        except Exception as exc:  # each engine has its own errors for a damaged file
            failure = exc
        store.discard(s.path)
        if attempt:
            why = str(failure).strip().splitlines()[0] if str(failure).strip() else type(failure).__name__
            raise store.StoreError(f"{root}: its store cannot be read: {why}", "its store cannot be read")
    raise AssertionError("unreachable")


def _opened(root: Path, s: store.Store, engine: str) -> Atlas:
    eng = engines.open(s, engine)
    origin = query.origins(eng)
    return Atlas(
        root=Path(root),
        fingerprint=s.fingerprint,
        store=s,
        engine=eng,
        events=s.events,
        date_bounds=query.date_bounds(eng),
        datasets=origin[0],
        codings=origin[1],
        **store.read_catalog(s),  # type: ignore[arg-type]
    )


_SEEN: dict[str, tuple[float, str]] = {}
_SEEN_LOCK = threading.Lock()


def fingerprint_now(root: Path, max_age: float = RECHECK_S) -> str:
    """The data folder's fingerprint, walked at most once every `max_age` seconds per process.

    A running dashboard notices an editor's change within that time, and a
    rerun costs no walk of the folder.
    """
    key = str(root)
    now = time.monotonic()
    with _SEEN_LOCK:
        seen = _SEEN.get(key)
        if seen is not None and now - seen[0] < max_age:
            return seen[1]
    fp = folder.fingerprint(Path(root)) if Path(root).is_dir() else ""
    with _SEEN_LOCK:
        _SEEN[key] = (now, fp)
    return fp


__all__ = ["Atlas", "ensure_store", "fingerprint_now", "open_atlas"]
