"""The committed geocode cache: coordinates for each place, with provenance.

Reading it is cheap and needs no gazetteer, so the app and the exporter use
only this module; `dashboard.geocode` writes it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

CACHE_NAME = "geocode-cache.json"
CACHE_VERSION = 1


class Coordinates(NamedTuple):
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """Where a place was placed, by which geocoder, and from what query."""

    query: str
    country: str
    lat: float
    lon: float
    source: str  # pinned | geonames | country-centroid | parent | nominatim
    address: str
    geonames_id: int | None = None
    geocoded_at: str | None = None

    @property
    def coordinates(self) -> Coordinates:
        return Coordinates(self.lat, self.lon)


def cache_path(root: Path) -> Path:
    return root / CACHE_NAME


def read_cache(root: Path) -> dict[str, CacheEntry]:
    """Read the cache beside the data; a missing file is an empty cache.

    Raises ValueError for a file that exists but cannot be read, naming it.
    """
    path = cache_path(root)
    if not path.exists():
        return {}
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != CACHE_VERSION:
            raise ValueError(f"version {raw.get('version')!r}, expected {CACHE_VERSION}")
        return {pid: CacheEntry(**entry) for pid, entry in raw["places"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"{path.name}: unreadable geocode cache ({exc}); delete it and run `python -m dashboard geocode`"
        ) from None


def write_cache(root: Path, entries: dict[str, CacheEntry]) -> Path:
    """Write the cache sorted by place id, so that diffs stay small."""
    path = cache_path(root)
    body = {
        "version": CACHE_VERSION,
        "places": {pid: asdict(entries[pid]) for pid in sorted(entries)},
    }
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
