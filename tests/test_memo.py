"""The dashboard's shared caches: view results bounded in bytes, and the data folder looked at sparingly."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from dashboard import atlas, filters, folder, memo, query


def test_the_view_cache_is_bounded_in_bytes_and_drops_the_least_recently_used() -> None:
    cache = memo.Memo(max_bytes=3_000_000)
    built: list[str] = []

    def frame(name: str) -> pd.DataFrame:
        built.append(name)
        return pd.DataFrame({"x": range(100_000)})  # 800 kB of int64

    for name in ("a", "b", "c"):
        cache.get(name, lambda n=name: frame(n))
    assert cache.bytes <= 3_000_000
    cache.get("a", lambda: frame("a"))  # a hit: "a" is now the most recently used
    cache.get("d", lambda: frame("d"))  # over budget: "b", the least recently used, goes
    assert built == ["a", "b", "c", "d"]
    cache.get("a", lambda: frame("a"))
    cache.get("b", lambda: frame("b"))
    assert built == ["a", "b", "c", "d", "b"]
    assert cache.bytes <= 3_000_000
    # A value larger than the whole budget is served, and not kept.
    huge = cache.get("huge", lambda: pd.DataFrame({"x": range(1_000_000)}))
    assert len(huge) == 1_000_000
    assert len(cache) <= 3


def test_sizes_count_what_values_hold() -> None:
    text = "x" * 10_000
    assert memo.size_of(text) >= 10_000
    assert memo.size_of({"a": [text, text]}) >= 20_000
    assert memo.size_of(pd.DataFrame({"s": [text] * 10})) >= 100_000


def test_the_data_folder_is_walked_at_most_once_in_a_while(tmp_path: Path, monkeypatch) -> None:
    walks: list[Path] = []
    real = folder.fingerprint

    def counted(root: Path) -> str:
        walks.append(root)
        return real(root)

    monkeypatch.setattr(folder, "fingerprint", counted)
    first = atlas.fingerprint_now(tmp_path, max_age=60)
    for _ in range(50):  # fifty reruns
        assert atlas.fingerprint_now(tmp_path, max_age=60) == first
    assert len(walks) == 1
    (tmp_path / "new.yaml").write_text("actors: []\n", encoding="utf-8")
    assert atlas.fingerprint_now(tmp_path, max_age=0) != first  # once the time is up, an edit is seen
    assert len(walks) == 2


def test_keys_count_toward_the_budget() -> None:
    # A link can make a key long (a view's key holds the link's values): 100 keys of 500 kB would be
    # 50 MB kept for values of a few bytes if only the values were counted.
    cache = memo.Memo(max_bytes=5_000_000)
    for i in range(100):
        cache.get(f"{i}:" + "x" * 500_000, lambda: "small")
    assert cache.bytes <= 5_000_000
    assert len(cache) <= 10


def test_misses_are_served_and_never_kept() -> None:
    cache = memo.Memo(max_bytes=5_000_000)
    built: list[str] = []

    def miss(key: str) -> None:
        built.append(key)

    for i in range(1000):
        assert cache.get(f"no-such-{i}", lambda i=i: miss(f"no-such-{i}")) is None
    assert len(cache) == 0
    assert cache.bytes == 0
    assert len(built) == 1000


def rss_bytes() -> int:
    """This process's resident memory, from the kernel's own count."""
    pages = int(Path("/proc/self/statm").read_text(encoding="utf-8").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def test_links_with_long_event_values_cost_no_lookup_and_no_memory(atlas, monkeypatch) -> None:
    looked_up: list[int] = []
    real = query.event

    def counted(engine, event_id: str):
        looked_up.append(len(event_id))
        return real(engine, event_id)

    monkeypatch.setattr(query, "event", counted)
    atlas._by_id.clear()  # the session's atlas: another test file may have looked an event up already
    before = rss_bytes()
    for i in range(200):  # 200 links, each with its own 500 kB `?event=` value
        value = f"{i:03d}" + "a" * 500_000
        f, notices = filters.from_query(atlas, {"event": [value]})
        assert f.event is None
        assert notices == [
            f"Ignored event {filters.shown(value)}: not an event id (lower-case letters, digits, -)"
        ]
        assert atlas.event(value) is None  # asked directly, too: no lookup, nothing kept
    assert looked_up == []
    # Id-shaped values that name nothing are looked up once each and not kept.
    for i in range(500):
        assert not atlas.has_event(f"no-such-event-{i}")
    assert len(looked_up) == 500
    assert len(atlas._by_id) == 0
    grew = rss_bytes() - before
    assert grew < 30 * 2**20, f"the process grew {grew / 2**20:.0f} MB"  # 200 × 500 kB kept would be 100 MB
    # A real event is still found, and kept.
    assert atlas.has_event("kellogg-visits-belarus-2025")
    assert len(atlas._by_id) == 1
    assert atlas._by_id.bytes <= atlas._by_id.max_bytes
