"""What a corpus names, without its events: articles, actors, places, coordinates, and the problems found.

The loader's `Corpus` is a catalog plus its validated event frames; the
dashboard's `Atlas` is a catalog plus the store an engine queries. A catalog
is small (thousands of records even beside millions of events), so it is
kept in memory and written beside each store as JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dashboard.geocache import Coordinates
from dashboard.model import Actor, Article, Place
from dashboard.problems import Problem, Severity


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Catalog:
    root: Path
    articles: dict[str, Article]
    actors: dict[str, Actor]
    places: dict[str, Place]
    coords: dict[str, Coordinates]
    coord_sources: dict[str, str]
    problems: tuple[Problem, ...] = field(default=())
    # What the data folder looked like when this was read; caches of derived views key by it
    # (never by id(), which a later object may reuse once this one is freed).
    fingerprint: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def skipped_summary(self) -> str:
        """What the errors cost, in records rather than problems: "3 records skipped (4 problems)"."""
        errors = self.errors
        records = {(p.file, p.record) for p in errors if p.record is not None}
        files = {p.file for p in errors if p.record is None}
        parts = [_n(len(records), "record") + " skipped"] if records else []
        if files:
            parts.append(f"{_n(len(files), 'file')} not read")
        head = " and ".join(parts) or "nothing skipped"
        return f"{head} ({_n(len(errors), 'problem')})"

    def has_event(self, event_id: str) -> bool:
        raise NotImplementedError  # the corpus looks in its frames, the atlas asks its engine

    def place_label(self, pid: str) -> str:
        """A place's name, with its city for a site: 'Palace of Independence, Minsk'."""
        p = self.places[pid]
        parent = self.places.get(p.parent) if p.parent else None
        return f"{p.name}, {parent.name}" if parent else p.name


def to_json(c: Catalog) -> str:
    """The catalog as JSON (the store's `catalog.json`)."""
    return json.dumps(
        {
            "articles": {k: a.model_dump(mode="json") for k, a in c.articles.items()},
            "actors": {k: a.model_dump(mode="json") for k, a in c.actors.items()},
            "places": {k: p.model_dump(mode="json") for k, p in c.places.items()},
            "coords": {k: [xy.lat, xy.lon] for k, xy in c.coords.items()},
            "coord_sources": c.coord_sources,
            "problems": [asdict(p) for p in c.problems],
        },
        ensure_ascii=False,
    )


def layout() -> str:
    """What `to_json` writes, as a description: its keys and the JSON schema of each record it holds."""
    empty = Catalog(root=Path(), articles={}, actors={}, places={}, coords={}, coord_sources={})
    records = {m.__name__: m.model_json_schema() for m in (Article, Actor, Place)}
    return json.dumps(
        {"keys": list(json.loads(to_json(empty))), "records": records, "problem": list(Problem.__slots__)},
        sort_keys=True,
    )


def from_json(text: str) -> dict[str, Any]:
    """The fields of a catalog read back from `to_json`."""
    raw = json.loads(text)
    return {
        "articles": {k: Article.model_validate(v) for k, v in raw["articles"].items()},
        "actors": {k: Actor.model_validate(v) for k, v in raw["actors"].items()},
        "places": {k: Place.model_validate(v) for k, v in raw["places"].items()},
        "coords": {k: Coordinates(*v) for k, v in raw["coords"].items()},
        "coord_sources": raw["coord_sources"],
        "problems": tuple(Problem(**{**p, "severity": Severity(p["severity"])}) for p in raw["problems"]),
    }
