"""Views as queries: filters compile to one WHERE clause, and each view is one query.

Filters compile to one WHERE clause whose values are bound as named
parameters (`$kinds`), never formatted into the SQL text; each view is one
query, written once in DuckDB's SQL, that returns only what it draws. Any
engine (`dashboard.engines`) runs it: DuckDB as written, Spark transpiled.
The export's record shape, and its queries, are `dashboard.export`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.engines import Engine
from dashboard.filters import Filters

# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A WHERE clause over `events AS e` and the values it binds."""

    sql: str
    params: dict[str, Any]


def where(f: Filters) -> Where:
    """The filters as one clause, with every value bound: the SQL text names only which filters are set.

    The same rules as `filters.mask`: dates keep every event whose interval
    overlaps (an unknown start is open-ended); actors, countries and places
    keep events that involve any chosen; a place includes the sites inside it.
    """
    parts: list[str] = []
    params: dict[str, Any] = {}
    if f.start is not None:
        parts.append('(e."end" IS NULL OR e."end" >= $date_from)')
        params["date_from"] = f.start
    if f.end is not None:
        parts.append("(e.start IS NULL OR e.start <= $date_to)")
        params["date_to"] = f.end
    for name, column in (
        ("kinds", "kind"), ("certainties", "certainty"), ("articles", "article"), ("datasets", "dataset"),
        ("codings", "coding"),
    ):  # fmt: skip
        chosen = getattr(f, name)
        if chosen:
            parts.append(f"list_contains(${name}, e.{column})")
            params[name] = sorted(chosen)
    if f.actors:
        parts.append("e.id IN (SELECT p.event FROM participants AS p WHERE list_contains($actors, p.actor))")
        params["actors"] = sorted(f.actors)
    if f.countries:
        parts.append(
            "(e.id IN (SELECT p.event FROM participants AS p JOIN actors AS a ON a.id = p.actor"
            " WHERE list_contains($countries, a.country))"
            " OR e.place IN (SELECT pl.id FROM places AS pl WHERE list_contains($countries, pl.country))"
            " OR e.origin IN (SELECT pl.id FROM places AS pl WHERE list_contains($countries, pl.country)))"
        )
        params["countries"] = sorted(f.countries)
    if f.places:
        parts.append(
            "(e.place IN (SELECT w.place FROM place_within AS w WHERE list_contains($places, w.within))"
            " OR e.origin IN (SELECT w.place FROM place_within AS w WHERE list_contains($places, w.within)))"
        )
        params["places"] = sorted(f.places)
    return Where(" AND ".join(parts) or "TRUE", params)


# --- views ---------------------------------------------------------------------------------


# Each view's SQL is a constant; `{where}` takes the filters' clause, made of fixed fragments
# (its values are bound parameters), so no value from a reader ever becomes SQL text.
COUNT = "SELECT count(*) AS n FROM events AS e WHERE {where}"
IDS = "SELECT e.id FROM events AS e WHERE {where} ORDER BY e.ord"


def count(eng: Engine, f: Filters, *, only: str | None = None) -> int:
    """How many events the filters keep (or whether they keep this one)."""
    w = where(f)
    sql, params = COUNT.format(where=w.sql), dict(w.params)
    if only is not None:
        sql += " AND e.id = $only"
        params["only"] = only
    return int(eng.rows(sql, params)[0]["n"])


def event_ids(eng: Engine, f: Filters, limit: int | None = None) -> list[str]:
    """The filtered events' ids in corpus order (date order, undated last)."""
    w = where(f)
    sql = IDS.format(where=w.sql)
    params = dict(w.params)
    if limit is not None:
        sql += " LIMIT $limit"
        params["limit"] = limit
    return [r["id"] for r in eng.rows(sql, params)]


LAST_DATED = "max(CASE WHEN e.start IS NOT NULL THEN e.ord END)"  # a group's latest dated event
MAP_POINTS = f"""
SELECT e.point AS place, e.kind, e.coding, count(*) AS events, max(e.ord) AS last_ord,
       {LAST_DATED} AS last_dated, count(e.suspect) AS suspect
FROM events AS e
WHERE {{where}} AND e.point IS NOT NULL
GROUP BY e.point, e.kind, e.coding
ORDER BY e.point, e.kind, e.coding
"""
# A route's coding is the most trusted of its contacts': human, then draft, then machine.
ROUTE_CODING = (
    "CASE min(CASE {c} WHEN 'human' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END) "
    "WHEN 0 THEN 'human' WHEN 1 THEN 'draft' ELSE 'machine' END"
)
MAP_ROUTES = f"""
SELECT e.kind, e.route_from AS origin, e.point AS place, count(*) AS events, max(e.ord) AS last_ord,
       {LAST_DATED} AS last_dated, {ROUTE_CODING.format(c="e.coding")} AS coding
FROM events AS e
WHERE {{where}} AND e.route_from IS NOT NULL AND e.point IS NOT NULL
GROUP BY e.kind, e.route_from, e.point
ORDER BY events DESC, e.kind, e.route_from, e.point
"""
# Contacts by (origin, place), busiest first, each with its commonest kind (the first by name on a tie),
# and totals over every pair: how many pairs, how many (kind, origin, place) groups, how many events.
ROUTE_PAIRS = f"""
WITH g AS (
    SELECT e.route_from AS origin, e.point AS place, e.kind, count(*) AS n, max(e.ord) AS last_ord,
           {LAST_DATED} AS last_dated, {ROUTE_CODING.format(c="e.coding")} AS coding
    FROM events AS e
    WHERE {{where}} AND e.route_from IS NOT NULL AND e.point IS NOT NULL
    GROUP BY e.route_from, e.point, e.kind
), p AS (
    SELECT g.origin, g.place, CAST(sum(g.n) AS BIGINT) AS events, max(g.last_ord) AS last_ord,
           max(g.last_dated) AS last_dated, count(*) AS kinds, max(g.n) AS top,
           {ROUTE_CODING.format(c="g.coding")} AS coding
    FROM g
    GROUP BY g.origin, g.place
), s AS (
    SELECT g.origin, g.place, min(g.kind) AS style
    FROM g JOIN p ON p.origin = g.origin AND p.place = g.place AND g.n = p.top
    GROUP BY g.origin, g.place
)
SELECT p.origin, p.place, p.events, p.last_ord, p.last_dated, s.style, p.coding,
       count(*) OVER () AS pairs, CAST(sum(p.kinds) OVER () AS BIGINT) AS groups,
       CAST(sum(p.events) OVER () AS BIGINT) AS total
FROM p JOIN s ON s.origin = p.origin AND s.place = p.place
ORDER BY p.events DESC, p.origin, p.place
LIMIT $limit
"""


@dataclass(frozen=True)
class MapGroups:
    """What the map draws, counted.

    `points`: events per (map point, kind). `routes`: contacts per (kind, origin,
    place) when there are at most `max_routes` such groups; else the busiest
    `max_routes` (origin, place) pairs across kinds, each with its commonest kind
    as `style` (`aggregated`), and `dropped` counts the contacts on the others.
    """

    points: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    aggregated: bool
    dropped: int


def map_groups(eng: Engine, f: Filters, max_routes: int = 150, few: bool = False) -> MapGroups:
    """`few`: expect few routes (a small corpus), and try the plain grouping first."""
    w = where(f)
    points = eng.rows(MAP_POINTS.format(where=w.sql), w.params)
    if few:
        sql = MAP_ROUTES.format(where=w.sql) + "LIMIT $limit"
        routes = eng.rows(sql, {**w.params, "limit": max_routes + 1})
        if len(routes) <= max_routes:
            return MapGroups(points, routes, False, 0)
    pairs = eng.rows(ROUTE_PAIRS.format(where=w.sql), {**w.params, "limit": max_routes})
    if not pairs:
        return MapGroups(points, [], False, 0)
    if pairs[0]["groups"] <= max_routes:
        return MapGroups(points, eng.rows(MAP_ROUTES.format(where=w.sql), w.params), False, 0)
    keep = ("origin", "place", "events", "last_ord", "last_dated", "style", "coding")
    routes = [{k: r[k] for k in keep} for r in pairs]
    return MapGroups(points, routes, True, int(pairs[0]["total"]) - sum(int(r["events"]) for r in routes))


BINS = {"month": "month", "quarter": "quarter", "year": "year"}
WHEN = 'coalesce(e.start, e."end")'  # where an event sits on the timeline: its start, or its end when open
# The rows a timeline lane is made of: each dated event in its kind's lane, or once per chosen actor.
LANE_ROWS = {
    "kind": 'SELECT e.*, e.kind AS lane FROM events AS e WHERE {where} AND e."end" IS NOT NULL',
    "actor": (
        "SELECT e.*, p.actor AS lane, p.ord AS part_ord"
        " FROM events AS e JOIN participants AS p ON p.event = e.id"
        ' WHERE {where} AND e."end" IS NOT NULL AND list_contains($lanes, p.actor)'
    ),
}
TIMELINE_BINS = """
SELECT r.lane, CAST(date_trunc('{width}', coalesce(r.start, r."end")) AS DATE) AS bin, r.coding,
       count(*) AS events, arg_min(r.kind, r.ord) AS kind
FROM ({rows}) AS r
GROUP BY r.lane, CAST(date_trunc('{width}', coalesce(r.start, r."end")) AS DATE), r.coding
ORDER BY r.lane, bin, r.coding
"""
BIN_RANGE = """
SELECT min(coalesce(r.start, r."end")) AS lo, max(coalesce(r.start, r."end")) AS hi, count(*) AS n
FROM ({rows}) AS r
"""
MARKS = """
SELECT r.id, r.kind, r.lane, r.summary, r.start, r."end", r.precision, r.certainty, r.attribution,
       r.coding, r.dataset
FROM ({rows}) AS r
ORDER BY r.ord{part_ord}
LIMIT $limit
"""


def _lane_rows(f: Filters, lanes: str, actors: Sequence[str]) -> tuple[str, dict[str, Any]]:
    if lanes not in LANE_ROWS:
        raise ValueError(f"lanes {lanes!r}: use kind or actor")
    w = where(f)
    params = dict(w.params)
    if lanes == "actor":
        params["lanes"] = list(actors)
    return LANE_ROWS[lanes].format(where=w.sql), params


def timeline_bins(
    eng: Engine, f: Filters, width: str, lanes: str = "kind", actors: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Dated events counted per lane and per month, quarter or year (of their start, or end when open).

    Each bin also names the kind of its first event, which colours it. Lanes are
    kinds, or the given actors (an event counts in each of its actors' lanes).
    """
    if width not in BINS:
        raise ValueError(f"bin width {width!r}: use one of {', '.join(BINS)}")
    rows, params = _lane_rows(f, lanes, actors)
    return eng.rows(TIMELINE_BINS.format(width=BINS[width], rows=rows), params)


def bin_range(eng: Engine, f: Filters, lanes: str = "kind", actors: Sequence[str] = ()) -> dict[str, Any]:
    """The first and last dates of a timeline's rows, and how many rows (marks) it has."""
    rows, params = _lane_rows(f, lanes, actors)
    return eng.rows(BIN_RANGE.format(rows=rows), params)[0]


def timeline_marks(
    eng: Engine, f: Filters, limit: int, lanes: str = "kind", actors: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Dated filtered events with their lane, in corpus order, up to `limit`: the timeline's marks."""
    rows, params = _lane_rows(f, lanes, actors)
    sql = MARKS.format(rows=rows, part_ord=", r.part_ord" if lanes == "actor" else "")
    return eng.rows(sql, {**params, "limit": limit})


# Stepping order, shared by every list of events a click steps through: dated events latest
# first, then the undated in corpus order. Corpus order is date order, so `ord` says "latest".
STEP_KEY = "e.sk"  # precomputed in the store: CASE WHEN e.start IS NULL THEN e.ord ELSE -1 - e.ord END
LATEST = f"""
SELECT e.id, e.kind, e.summary, e.start, e."end", e.precision,
       e.dataset, e.coding, e.suspect, e.num_sources, e.num_articles
FROM events AS e
WHERE {{where}}
ORDER BY {STEP_KEY}
LIMIT $limit
"""


def latest(eng: Engine, f: Filters, limit: int) -> list[dict[str, Any]]:
    """The latest `limit` filtered events — dated ones latest first, then the undated."""
    w = where(f)
    return eng.rows(LATEST.format(where=w.sql), {**w.params, "limit": limit})


STEP = f"""
WITH m AS (SELECT e.id, {STEP_KEY} AS sk FROM events AS e WHERE {{where}} AND {{cond}}),
cur AS (SELECT max(m.sk) AS sk FROM m WHERE m.id = $current)
SELECT m.id FROM m CROSS JOIN cur
ORDER BY CASE WHEN cur.sk IS NOT NULL AND m.sk <= cur.sk THEN 1 ELSE 0 END, m.sk
LIMIT 1
"""


def _step(eng: Engine, f: Filters, cond: str, params: dict[str, Any], current: str | None) -> str | None:
    w = where(f)
    rows = eng.rows(STEP.format(where=w.sql, cond=cond), {**w.params, **params, "current": current or ""})
    return rows[0]["id"] if rows else None


def step_at(
    eng: Engine,
    f: Filters,
    point: str,
    origin: str | None,
    kind: str | None,
    current: str | None,
    coding: str | None = None,
) -> str | None:
    """The event a click on a map mark selects: after `current`, in stepping order, wrapping around.

    The mark is a map point (every event drawn there), or a route (the contacts
    from `origin`), of one kind or (None) any, of one coding (a point's
    human- and machine-coded events are two marks) or any.
    """
    cond, params = ["e.point = $point"], {"point": point}
    if origin is not None:
        cond.append("e.origin_point = $origin")
        params["origin"] = origin
    if kind is not None:
        cond.append("e.kind = $kind")
        params["kind"] = kind
    if coding is not None:
        cond.append("e.coding = $coding")
        params["coding"] = coding
    return _step(eng, f, " AND ".join(cond), params, current)


def step_bin(
    eng: Engine,
    f: Filters,
    lanes: str,
    lane: str,
    start: dt.date,
    end: dt.date,
    current: str | None,
    coding: str | None = None,
) -> str | None:
    """The event a click on a timeline bin selects: its events in stepping order, after `current`."""
    cond = f"{WHEN} >= $bin_from AND {WHEN} < $bin_to AND " + (
        "e.id IN (SELECT p.event FROM participants AS p WHERE p.actor = $lane)"
        if lanes == "actor"
        else "e.kind = $lane"
    )
    params: dict[str, Any] = {"bin_from": start, "bin_to": end, "lane": lane}
    if coding is not None:
        cond += " AND e.coding = $coding"
        params["coding"] = coding
    return _step(eng, f, cond, params, current)


SUMMARY = """
SELECT count(*) AS n, min(e.start) AS first, max(e."end") AS last,
       CAST(coalesce(sum(CASE WHEN e.point IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS unplaced,
       CAST(coalesce(sum(CASE WHEN e."end" IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS undated
FROM events AS e
WHERE {where}
"""
FIRST_ARTICLE = (
    "SELECT e.article FROM events AS e WHERE {where} AND e.article IS NOT NULL ORDER BY e.ord LIMIT 1"
)
EVENT_COLUMNS = (
    'e.ord, e.id, e.kind, e.cameo, e.summary, e.start, e."end", e.precision, e.place, e.geo_precision, '
    "e.origin, e.attribution, e.certainty, e.note, e.article, e.point, e.origin_point, e.sk, "
    "e.dataset, e.coding, e.external_id, e.suspect, "
    "e.mentions, e.num_sources, e.num_articles, e.goldstein, e.tone, e.fatalities"
)
EVENT = f"SELECT {EVENT_COLUMNS} FROM events AS e WHERE e.id = $id"
FIRST_EVENTS = f"SELECT {EVENT_COLUMNS} FROM events AS e WHERE {{where}} ORDER BY e.ord LIMIT $limit"
EVENTS_AT = f"SELECT {EVENT_COLUMNS} FROM events AS e WHERE e.ord IN (SELECT unnest($ords)) ORDER BY e.ord"
PARTICIPANTS_OF = (
    "SELECT p.event, p.actor, p.role FROM participants AS p"
    " WHERE p.event IN (SELECT unnest($ids)) ORDER BY p.ord"
)
QUOTES_OF = (
    "SELECT s.event, s.quote FROM sources AS s"
    " WHERE s.event IN (SELECT unnest($ids)) AND s.quote IS NOT NULL ORDER BY s.ord"
)
ARTICLE_TEXT = "SELECT a.text FROM articles AS a WHERE a.id = $id"
ARTICLE_EVENTS = "SELECT e.article, count(*) AS events FROM events AS e GROUP BY e.article ORDER BY e.article"
ARTICLE_SPANS = """
SELECT s.event, s.start, s."end", e.summary
FROM sources AS s JOIN events AS e ON e.id = s.event
WHERE s.article = $article AND e.article = $article AND {where}
ORDER BY s.ord
"""


def summary(eng: Engine, f: Filters) -> dict[str, Any]:
    """How many events the filters keep, their first start and last end, how many have no place or no date."""
    w = where(f)
    return eng.rows(SUMMARY.format(where=w.sql), w.params)[0]


DATE_BOUNDS = 'SELECT min(e."end") AS first_end, max(e.start) AS last_start FROM events AS e'


ORIGINS = "SELECT DISTINCT e.dataset, e.coding FROM events AS e ORDER BY e.dataset, e.coding"


def origins(eng: Engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The datasets the corpus's events come from, and how they were coded (human, machine, draft)."""
    rows = eng.rows(ORIGINS, {})
    return tuple(dict.fromkeys(r["dataset"] for r in rows)), tuple(sorted({r["coding"] for r in rows}))


def date_bounds(eng: Engine) -> tuple[dt.date | None, dt.date | None]:
    """The corpus's first end date and last start date: date filters beyond them exclude nothing."""
    r = eng.rows(DATE_BOUNDS, {})[0]
    return r["first_end"], r["last_start"]


def first_article(eng: Engine, f: Filters) -> str | None:
    w = where(f)
    rows = eng.rows(FIRST_ARTICLE.format(where=w.sql), w.params)
    return rows[0]["article"] if rows else None


def event(eng: Engine, event_id: str) -> dict[str, Any] | None:
    rows = eng.rows(EVENT, {"id": event_id})
    return rows[0] if rows else None


EXISTING = "SELECT e.id FROM events AS e WHERE list_contains($ids, e.id)"


def existing_ids(eng: Engine, ids: Sequence[str]) -> set[str]:
    """Which of these event ids the corpus holds already."""
    return {r["id"] for r in eng.rows(EXISTING, {"ids": list(ids)})} if ids else set()


def first_events(eng: Engine, f: Filters, limit: int) -> list[dict[str, Any]]:
    """The first `limit` filtered events in corpus order, every column: a page of the table."""
    w = where(f)
    return eng.rows(FIRST_EVENTS.format(where=w.sql), {**w.params, "limit": limit})


def events_at(eng: Engine, ords: Sequence[int]) -> list[dict[str, Any]]:
    """These events (by `ord`), every column, in corpus order."""
    return eng.rows(EVENTS_AT, {"ords": [int(o) for o in ords]}) if len(ords) else []


def participants_of(eng: Engine, ids: Sequence[str]) -> list[dict[str, Any]]:
    return eng.rows(PARTICIPANTS_OF, {"ids": list(ids)}) if len(ids) else []


def quotes_of(eng: Engine, ids: Sequence[str]) -> list[dict[str, Any]]:
    return eng.rows(QUOTES_OF, {"ids": list(ids)}) if len(ids) else []


def article_text(eng: Engine, article_id: str) -> str:
    rows = eng.rows(ARTICLE_TEXT, {"id": article_id})
    return rows[0]["text"] if rows else ""


def article_events(eng: Engine) -> dict[str, int]:
    return {r["article"]: int(r["events"]) for r in eng.rows(ARTICLE_EVENTS, {})}


def article_spans(eng: Engine, f: Filters, article: str) -> list[tuple[str, int, int, str]]:
    """The spans of one article that the filtered events cite, with each event's summary."""
    w = where(f)
    rows = eng.rows(ARTICLE_SPANS.format(where=w.sql), {**w.params, "article": article})
    return [(r["event"], int(r["start"]), int(r["end"]), r["summary"]) for r in rows]


ACTOR_LANES = """
SELECT p.actor, count(*) AS events
FROM participants AS p
WHERE p.event IN (SELECT e.id FROM events AS e WHERE {where} AND e."end" IS NOT NULL)
GROUP BY p.actor
ORDER BY events DESC, p.actor
"""


def actor_lanes(eng: Engine, f: Filters, limit: int) -> tuple[list[tuple[str, int]], int]:
    """The busiest `limit` actors of the dated filtered events with their counts, and how many others."""
    w = where(f)
    rows = eng.rows(ACTOR_LANES.format(where=w.sql), w.params)
    return [(r["actor"], int(r["events"])) for r in rows[:limit]], max(len(rows) - limit, 0)
