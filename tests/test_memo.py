"""The dashboard's shared caches: view results bounded in bytes, and the data folder looked at sparingly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard import atlas, folder, memo


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
