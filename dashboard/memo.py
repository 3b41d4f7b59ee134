"""A cache of view results bounded in bytes, shared by every session of a server.

Keys are plain strings that name the data by its fingerprint and the view by
its filters, so two readers with the same link share one entry and an entry
can never outlive the data it was made from. An entry's size is its key's
and its value's, estimated from what they hold (frames, arrays, strings,
figure specs): a link cannot grow the cache through long keys. The least
recently used entries go first when the budget is spent. A miss (`None`) is
served and never kept, so asking for what does not exist costs no memory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import cachetools
import numpy as np
import pandas as pd

T = TypeVar("T")
_MISSING = object()


SAMPLE = 32  # a longer list, array or dict is estimated from this many of its items, evenly spread


def size_of(value: Any, depth: int = 0) -> int:
    """About how many bytes `value` holds (deep), for the cache's budget.

    An estimate, made on every view a reader opens first: a long list, array or dict (a figure's
    hover texts, a frame's strings) is measured on SAMPLE of its items, evenly spread, and scaled.
    """
    if isinstance(value, pd.DataFrame):
        return _frame_bytes(value, depth)
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + (_items(value.ravel(), depth) if value.dtype == object else 0)
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if depth > 12:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + _items(list(value.keys()), depth) + _items(list(value.values()), depth)
    if isinstance(value, list | tuple):
        return sys.getsizeof(value) + _items(value, depth)
    if isinstance(value, set | frozenset):
        return sys.getsizeof(value) + _items(list(value), depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(size_of(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    spec = getattr(value, "_frozen_spec", None)  # a frozen Plotly figure
    if spec is not None:
        return size_of(spec, depth + 1)
    return sys.getsizeof(value)


def _items(values: Any, depth: int) -> int:
    """The items' bytes: each one's when few, else SAMPLE of them, evenly spread, scaled."""
    n = len(values)
    if n <= SAMPLE:
        return sum(size_of(v, depth + 1) for v in values)
    step = n / SAMPLE
    return int(sum(size_of(values[int(i * step)], depth + 1) for i in range(SAMPLE)) * n / SAMPLE)


def _frame_bytes(frame: pd.DataFrame, depth: int) -> int:
    """A frame's columns' bytes (objects estimated as `_items` does) and its index's."""
    if frame.empty:
        return 64 * (frame.shape[1] + 1)  # (sys.getsizeof would measure it deeply, at length)
    total = int(frame.index.nbytes) if not isinstance(frame.index, pd.RangeIndex) else 0
    for _, column in frame.items():
        if column.dtype == object:
            values = column.to_numpy()
            total += int(values.nbytes) + _items(values, depth)
        else:
            total += int(column.array.nbytes)
    return total


class _Entry(NamedTuple):
    value: Any
    size: int  # the key's bytes and the value's


class Memo:
    """Values by key, built once and kept while the byte budget allows (least recently used go first)."""

    def __init__(self, max_bytes: int) -> None:
        self._cache: cachetools.LRUCache = cachetools.LRUCache(maxsize=max_bytes, getsizeof=lambda e: e.size)
        self._lock = threading.Lock()

    def get(self, key: str, build: Callable[[], T]) -> T:
        with self._lock:
            hit = self._cache.get(key, _MISSING)
        if hit is not _MISSING:
            return hit.value
        value = build()
        if value is None:  # a miss: nothing to keep
            return value
        # An entry larger than the whole budget is served, not kept.
        with self._lock, contextlib.suppress(ValueError):
            self._cache[key] = _Entry(value, size_of(key) + size_of(value))
        return value

    @property
    def bytes(self) -> int:
        """The entries' bytes, keys included."""
        return int(self._cache.currsize)

    @property
    def max_bytes(self) -> int:
        return int(self._cache.maxsize)

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
