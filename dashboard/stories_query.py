# ruff: noqa: S608 - the SQL here is built from fixed names; every value is bound
"""The stories' queries: what the views and the exports ask of the store's stories tables.

Each function is one or two queries in DuckDB's SQL over the tables
`dashboard.stories` writes (`stories`, `story_events`, `corroboration`) and the
events, with every value bound, so any engine runs them (Spark transpiled).
The filters' WHERE is `dashboard.query`'s. Rows come back as plain dicts;
dates as `datetime.date`.

    story_count(eng, f)          {"stories": 12, "records": 158} for the filters
    story_of(eng, event_id)      the story an imported event belongs to, or None
    story(eng, story_id)         a story's row (STORY_COLUMNS), or None
    story_records(eng, story_id) its records: id, date, cameo, summary, place, url, outlet, mentions
    story_links(eng, story_id)   its distinct links: url, outlet, records citing it
    corroborating(eng, event_id) the stories corroborating a curated event, with the counts its card
                                 says ("corroborated by N machine-coded reports from M outlets")
    corroborated_by(eng, story_id) the curated events a story corroborates
    stories_of(eng, ids)         event -> story id, for imported events among `ids`
    corroborations_of(eng, ids)  curated event -> its corroborating story ids, for `ids`
    all_stories(eng)             every story with its record ids, outlets, URLs and curated events
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboard import query
from dashboard.engines import Engine
from dashboard.filters import Filters
from dashboard.stories import STORIES_SCHEMA, outlet_sql

STORY_COLUMNS = tuple(STORIES_SCHEMA.names)
_COLS = ", ".join(f's."{c}"' for c in STORY_COLUMNS)

COUNT = """
SELECT count(DISTINCT se.story) AS stories, count(*) AS records, sum(se.head) AS heads
FROM events AS e JOIN story_events AS se ON se.event = e.id
WHERE {where}
"""
ALL_COUNT = "SELECT count(*) AS stories, sum(s.records) AS records FROM stories AS s"


def story_count(eng: Engine, f: Filters) -> dict[str, int]:
    """How many stories the filtered events make, and how many of the filtered events are their
    records ("12 stories from 158 records"); curated events count in neither. `heads`: how many of
    those stories have their head record among the filtered events (the map counts a story at its
    head's place, so it counts these)."""
    if not f.narrows:  # every story: the stories table counts them without a join
        r = eng.rows(ALL_COUNT, {})[0]
        return {"stories": int(r["stories"]), "records": int(r["records"] or 0), "heads": int(r["stories"])}
    w = query.where(f)
    r = eng.rows(COUNT.format(where=w.sql), w.params)[0]
    return {"stories": int(r["stories"]), "records": int(r["records"]), "heads": int(r["heads"] or 0)}


STORY_OF = "SELECT se.story FROM story_events AS se WHERE se.event = $id"


def story_of(eng: Engine, event_id: str) -> str | None:
    """The id of the story an imported event belongs to (None for a curated event or no such event)."""
    rows = eng.rows(STORY_OF, {"id": event_id})
    return rows[0]["story"] if rows else None


STORY = f"SELECT {_COLS} FROM stories AS s WHERE s.id = $id"


def story(eng: Engine, story_id: str) -> dict[str, Any] | None:
    """A story's row: id, records, outlets, urls, first, last, root, actor1, actor2, country1,
    country2, place, mentions, num_sources, num_articles, goldstein, tone, curated (docs/DATA.md)."""
    rows = eng.rows(STORY, {"id": story_id})
    return rows[0] if rows else None


RECORDS = f"""
SELECT e.id, e.start, e.cameo, e.summary, e.place, e.mentions, s.url, {outlet_sql("s")} AS outlet
FROM story_events AS se JOIN events AS e ON e.id = se.event
LEFT JOIN sources AS s ON s.event = e.id
WHERE se.story = $id
ORDER BY e.start, e.id, s.url
"""


def story_records(eng: Engine, story_id: str, limit: int | None = None) -> list[dict[str, Any]]:
    """A story's records, by date then id, each with its link and outlet (one row per source)."""
    sql, params = RECORDS, {"id": story_id}
    if limit is not None:
        sql, params = sql + " LIMIT $limit", {**params, "limit": limit}
    return eng.rows(sql, params)


LINKS = f"""
SELECT x.url, x.outlet, count(*) AS records FROM (
  SELECT s.url, {outlet_sql("s")} AS outlet
  FROM story_events AS se JOIN sources AS s ON s.event = se.event
  WHERE list_contains($ids, se.story) AND (s.url IS NOT NULL OR s.outlet IS NOT NULL)
) AS x
GROUP BY x.url, x.outlet
ORDER BY records DESC, x.outlet, x.url
"""


def story_links(eng: Engine, story_id: str) -> list[dict[str, Any]]:
    """A story's distinct links and outlets, the most cited first: url, outlet, records."""
    return eng.rows(LINKS, {"ids": [story_id]})


CORROBORATING = f"""
SELECT {_COLS} FROM corroboration AS k JOIN stories AS s ON s.id = k.story
WHERE k.event = $id ORDER BY s.records DESC, s.id
"""
OUTLETS = f"""
SELECT count(DISTINCT {outlet_sql("s")}) AS outlets
FROM corroboration AS k JOIN story_events AS se ON se.story = k.story JOIN sources AS s ON s.event = se.event
WHERE k.event = $id
"""


def corroborating(eng: Engine, event_id: str) -> dict[str, Any]:
    """The stories corroborating a curated event, most records first, and what its card says:
    {"stories": [story rows], "records": N, "outlets": M, "links": [url, outlet, records]}
    ("corroborated by N machine-coded reports from M outlets"); empty lists and zeros when none."""
    rows = eng.rows(CORROBORATING, {"id": event_id})
    if not rows:
        return {"stories": [], "records": 0, "outlets": 0, "links": []}
    outlets = int(eng.rows(OUTLETS, {"id": event_id})[0]["outlets"])
    links = eng.rows(LINKS, {"ids": [r["id"] for r in rows]})
    return {"stories": rows, "records": sum(int(r["records"]) for r in rows), "outlets": outlets,
            "links": links}  # fmt: skip


CORROBORATED = """
SELECT e.id, e.kind, e.summary, e.start, e."end", e.precision, e.place
FROM corroboration AS k JOIN events AS e ON e.id = k.event
WHERE k.story = $id ORDER BY e.ord
"""


def corroborated_by(eng: Engine, story_id: str) -> list[dict[str, Any]]:
    """The curated events a story corroborates (id, kind, summary, start, end, precision, place)."""
    return eng.rows(CORROBORATED, {"id": story_id})


STORIES_OF = "SELECT se.event, se.story FROM story_events AS se WHERE list_contains($ids, se.event)"
CORROBORATIONS_OF = """
SELECT k.event, k.story FROM corroboration AS k WHERE list_contains($ids, k.event) ORDER BY k.event, k.story
"""


def stories_of(eng: Engine, ids: Sequence[str]) -> dict[str, str]:
    """Each imported event among `ids` -> its story's id."""
    return {r["event"]: r["story"] for r in eng.rows(STORIES_OF, {"ids": list(ids)})} if ids else {}


def corroborations_of(eng: Engine, ids: Sequence[str]) -> dict[str, list[str]]:
    """Each curated event among `ids` that a story corroborates -> the stories' ids, sorted."""
    out: dict[str, list[str]] = {}
    for r in eng.rows(CORROBORATIONS_OF, {"ids": list(ids)}) if ids else []:
        out.setdefault(r["event"], []).append(r["story"])
    return out


ALL = f"SELECT {_COLS} FROM stories AS s ORDER BY s.first, s.id"
ALL_RECORDS = "SELECT se.story, se.event FROM story_events AS se ORDER BY se.story, se.event"
ALL_LINKS = f"""
SELECT DISTINCT se.story, s.url, {outlet_sql("s")} AS outlet
FROM story_events AS se JOIN sources AS s ON s.event = se.event
"""
ALL_CURATED = "SELECT k.story, k.event FROM corroboration AS k ORDER BY k.story, k.event"


def all_stories(eng: Engine) -> list[dict[str, Any]]:
    """Every story, by first date then id: its row, and `events` (record ids), `outlet_names`,
    `url_list` and `corroborates` (curated event ids), each sorted."""
    lists: dict[str, dict[str, set[str]]] = {}

    def put(story: str, key: str, value: str | None) -> None:
        if value is not None:
            lists.setdefault(story, {}).setdefault(key, set()).add(value)

    for r in eng.rows(ALL_RECORDS, {}):
        put(r["story"], "events", r["event"])
    for r in eng.rows(ALL_LINKS, {}):
        put(r["story"], "url_list", r["url"])
        put(r["story"], "outlet_names", r["outlet"])
    for r in eng.rows(ALL_CURATED, {}):
        put(r["story"], "corroborates", r["event"])
    out = []
    for r in eng.rows(ALL, {}):
        mine = lists.get(r["id"], {})
        out.append({**r, **{k: sorted(mine.get(k, ())) for k in ("events", "outlet_names", "url_list",
                                                                 "corroborates")}})  # fmt: skip
    return out
