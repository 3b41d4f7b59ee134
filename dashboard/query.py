"""Views as queries: filters compile to one WHERE clause, and each view is one query.

Filters compile to one WHERE clause whose values are bound as named
parameters (`$kinds`), never formatted into the SQL text; each view is one
query, written once in DuckDB's SQL, that returns only what it draws. Any
engine (`dashboard.engines`) runs it: DuckDB as written, Spark transpiled.
The export's record shape, and its queries, are `dashboard.export`'s.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboard import aggregates, filters
from dashboard.engines import Engine
from dashboard.filters import Filters, side_kind

# --- filters -------------------------------------------------------------------------------

# `between`: an event two of whose distinct participants are one of each side. A side is a fixed
# fragment by its kind (an actor, a country's actors, a group's), its values bound as parameters.
BETWEEN = (
    "e.eid IN (SELECT x.eid FROM participants AS x JOIN actors AS ax ON ax.id = x.actor"
    " JOIN participants AS y ON y.eid = x.eid AND y.actor <> x.actor"
    " JOIN actors AS ay ON ay.id = y.actor WHERE {a} AND {b})"
)
SIDE = {
    "actor": "{p}.actor = $between_{n}",
    "country": "{a}.country = $between_{n}",
    "group": "{a}.country = $between_{n} AND {a}.kind = $between_kind_{n}",
}


def _side(side: str, p: str, a: str, n: str, params: dict[str, Any]) -> str:
    kind = side_kind(side)
    if kind is None:
        raise ValueError(f"between: {side!r} is no country code, group or actor id")
    country, _, group = side.partition(":")
    params[f"between_{n}"] = country if kind == "group" else side
    if kind == "group":
        params[f"between_kind_{n}"] = group
    return SIDE[kind].format(p=p, a=a, n=n)


# `corroboration`: which side of the tie between curated events and stories (dashboard.stories).
CORROBORATED_STORIES = "SELECT k.story FROM corroboration AS k"
CORROBORATION = {
    # curated events a story corroborates, and the records of those stories
    "corroborated": (
        "(e.id IN (SELECT k.event FROM corroboration AS k) OR e.id IN (SELECT se.event FROM story_events"
        f" AS se WHERE se.story IN ({CORROBORATED_STORIES})))"
    ),
    # curated events no story corroborates
    "curated": "(e.dataset = 'curated' AND e.id NOT IN (SELECT k.event FROM corroboration AS k))",
    # imported records whose story corroborates nothing
    "machine": (
        f"e.id IN (SELECT se.event FROM story_events AS se WHERE se.story NOT IN ({CORROBORATED_STORIES}))"
    ),
}


@dataclass(frozen=True)
class Where:
    """A WHERE clause over `events AS e` and the values it binds."""

    sql: str
    params: dict[str, Any]


def where(f: Filters) -> Where:
    """The filters as one clause, with every value bound: the SQL text names only which filters are set.

    The same rules as `filters.mask`: dates keep every event whose interval
    overlaps (an unknown start is open-ended); actors, countries and places
    keep events that involve any chosen; a place includes the sites inside it;
    `between` keeps events with two distinct participants, one of each side; `corroboration` keeps
    one side of the tie between curated events and stories (CORROBORATION).
    """
    parts: list[str] = []
    params: dict[str, Any] = {}
    if f.start is not None:
        parts.append('(e."end" IS NULL OR e."end" >= $date_from)')
        params["date_from"] = f.start
    if f.end is not None:
        parts.append("(e.start IS NULL OR e.start <= $date_to)")
        params["date_to"] = f.end
    for name, column in filters.CHOSEN_COLUMNS:
        chosen = getattr(f, name)
        if chosen:
            parts.append(f"list_contains(${name}, e.{column})")
            params[name] = sorted(chosen)
    if f.actors:
        parts.append("e.eid IN (SELECT p.eid FROM participants AS p WHERE list_contains($actors, p.actor))")
        params["actors"] = sorted(f.actors)
    if f.countries:
        # An event's countries (its actors', its place's, its origin's) are indexed by the store.
        parts.append(
            "e.ord IN (SELECT c.ord FROM event_countries AS c WHERE list_contains($countries, c.country))"
        )
        params["countries"] = sorted(f.countries)
    if f.places:
        parts.append(
            "(e.place IN (SELECT w.place FROM place_within AS w WHERE list_contains($places, w.within))"
            " OR e.origin IN (SELECT w.place FROM place_within AS w WHERE list_contains($places, w.within)))"
        )
        params["places"] = sorted(f.places)
    if f.between:
        a, b = f.between
        parts.append(BETWEEN.format(a=_side(a, "x", "ax", "a", params), b=_side(b, "y", "ay", "b", params)))
    if f.corroboration:
        if f.corroboration not in CORROBORATION:
            raise ValueError(f"corroboration: {f.corroboration!r} is none of {', '.join(CORROBORATION)}")
        parts.append(CORROBORATION[f.corroboration])
    return Where(" AND ".join(parts) or "TRUE", params)


# --- aggregates ----------------------------------------------------------------------------

# The filters no aggregate answers: each needs the event rows (an event has several actors and
# countries; a place includes the places inside it; an article is not a dimension; `between` pairs
# an event's participants; corroboration reads the stories' tables).
ROW_FILTERS = ("actors", "countries", "places", "articles", "between", "corroboration")


def by_rows(eng: Engine, f: Filters) -> bool:
    """Whether these filters are answered from the event rows rather than the aggregates.

    An engine with `rows_only` set always reads the rows (the tests compare the two answers).
    """
    return bool(getattr(eng, "rows_only", False)) or any(getattr(f, name) for name in ROW_FILTERS)


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def splits_months(f: Filters) -> bool:
    """Whether a date filter falls inside a month: `cube` then adds that month's events from the rows."""
    return (f.start is not None and f.start.day != 1) or (f.end is not None and f.end != _month_end(f.end))


def cube(f: Filters, c: aggregates.Cube, months: bool = False) -> tuple[str, dict[str, Any]]:
    """The groups of an aggregate the filters keep, as a query with the aggregate's columns.

    Without a date filter, a cube's rollup (unless `months`: the caller reads
    `sm`/`em`). A date filter keeps whole months from the groups; a date inside
    a month adds the groups of that boundary month's event rows (where an
    event's end, or start, falls in it), grouped by the same SQL.
    """
    cond: list[str] = []
    params: dict[str, Any] = {}
    for name, column in (("kinds", "kind"), ("certainties", "certainty"), ("datasets", "dataset"),
                         ("codings", "coding")):  # fmt: skip
        chosen = getattr(f, name)
        if chosen:
            cond.append(f"list_contains(${name}, c.{column})")
            params[name] = sorted(chosen)
    if f.start is None and f.end is None and c.rollup and not months:
        return f"SELECT * FROM {c.rollup_name} AS c WHERE {' AND '.join(cond) or 'TRUE'}", params
    edges: list[str] = []
    if f.start is not None:  # keeps the events that end on or after it: by the month of their end
        params["cube_from"] = first = f.start.replace(day=1)
        if f.start == first:
            cond.append("(c.em IS NULL OR c.em >= $cube_from)")
        else:
            cond.append("(c.em IS NULL OR c.em > $cube_from)")
            edges.append('(e."end" >= $cube_from AND e."end" <= $cube_from_end)')
            params["cube_from_end"] = _month_end(first)
    if f.end is not None:  # keeps the events that start on or before it: by the month of their start
        params["cube_to"] = first = f.end.replace(day=1)
        if f.end == _month_end(first):
            cond.append("(c.sm IS NULL OR c.sm <= $cube_to)")
        else:
            cond.append("(c.sm IS NULL OR c.sm < $cube_to)")
            edges.append("(e.start >= $cube_to AND e.start <= $cube_to_end)")
            params["cube_to_end"] = _month_end(first)
    sql = f"SELECT * FROM {c.name} AS c WHERE {' AND '.join(cond) or 'TRUE'}"
    if edges:
        w = where(f)
        sql += " UNION ALL " + c.sql(f"{w.sql} AND ({' OR '.join(edges)})")
        params.update(w.params)
    return sql, params


# --- views ---------------------------------------------------------------------------------


# Each view's SQL is a constant; `{where}` takes the filters' clause, made of fixed fragments
# (its values are bound parameters), so no value from a reader ever becomes SQL text.
COUNT = "SELECT count(*) AS n FROM events AS e WHERE {where}"
COUNT_AGG = "SELECT CAST(coalesce(sum(c.n), 0) AS BIGINT) AS n FROM ({src}) AS c"
IDS = "SELECT e.id FROM events AS e WHERE {where} ORDER BY e.ord"


def count(eng: Engine, f: Filters, *, only: str | None = None) -> int:
    """How many events the filters keep (or whether they keep this one)."""
    if only is None and not by_rows(eng, f):
        src, params = cube(f, aggregates.EVENTS)
        return int(eng.rows(COUNT_AGG.format(src=src), params)[0]["n"])
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
# The map in stories mode (`Filters.records`): each group also counts its stories and their outlets,
# a story at its head record's place (`aggregates.STORIES`, `aggregates.OUTLETS`); raw, records only.
MAP_STORIES = {
    "rows": (
        f" {aggregates.STORY_HEADS}",
        f", {aggregates.STORIES[1]} AS stories, {aggregates.OUTLETS[1]} AS outlets",
    ),
    "agg": ("", ", CAST(sum(c.stories) AS BIGINT) AS stories, CAST(sum(c.outlets) AS BIGINT) AS outlets"),
}


def _map_stories(f: Filters, path: str) -> tuple[str, str]:
    """The join and the columns the map's groups add in stories mode (none with `?records=raw`)."""
    return MAP_STORIES[path] if f.records == "stories" else ("", "")


MAP_POINTS = f"""
SELECT e.point AS place, e.kind, e.coding, count(*) AS events, max(e.ord) AS last_ord,
       {LAST_DATED} AS last_dated, count(e.suspect) AS suspect{{story}}
FROM events AS e{{join}}
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


# The same from the aggregates (agg_points, agg_routes): the groups summed again.
MAP_POINTS_AGG = """
SELECT c.point AS place, c.kind, c.coding, CAST(sum(c.n) AS BIGINT) AS events, max(c.last_ord) AS last_ord,
       max(c.last_dated) AS last_dated, CAST(sum(c.suspect) AS BIGINT) AS suspect{story}
FROM ({src}) AS c
GROUP BY c.point, c.kind, c.coding
ORDER BY c.point, c.kind, c.coding
"""
MAP_ROUTES_AGG = f"""
SELECT c.kind, c.route_from AS origin, c.point AS place, CAST(sum(c.n) AS BIGINT) AS events,
       max(c.last_ord) AS last_ord, max(c.last_dated) AS last_dated,
       {ROUTE_CODING.format(c="c.coding")} AS coding
FROM ({{src}}) AS c
GROUP BY c.kind, c.route_from, c.point
ORDER BY events DESC, c.kind, c.route_from, c.point
"""
ROUTE_GROUPS_AGG = f"""
    SELECT c.route_from AS origin, c.point AS place, c.kind, CAST(sum(c.n) AS BIGINT) AS n,
           max(c.last_ord) AS last_ord, max(c.last_dated) AS last_dated,
           {ROUTE_CODING.format(c="c.coding")} AS coding
    FROM ({{src}}) AS c
    GROUP BY c.route_from, c.point, c.kind
"""
# Each pair's commonest kind by one aggregate (the least count negated, then the first kind by name)
# rather than ROUTE_PAIRS' join back to the groups: the same answer in half the time.
ROUTE_PAIRS_AGG = f"""
WITH g AS ({ROUTE_GROUPS_AGG}), p AS (
    SELECT g.origin, g.place, CAST(sum(g.n) AS BIGINT) AS events, max(g.last_ord) AS last_ord,
           max(g.last_dated) AS last_dated, count(*) AS kinds,
           arg_min(g.kind, struct_pack(n := -g.n, k := g.kind)) AS style,
           {ROUTE_CODING.format(c="g.coding")} AS coding
    FROM g
    GROUP BY g.origin, g.place
)
SELECT p.origin, p.place, p.events, p.last_ord, p.last_dated, p.style, p.coding,
       count(*) OVER () AS pairs, CAST(sum(p.kinds) OVER () AS BIGINT) AS groups,
       CAST(sum(p.events) OVER () AS BIGINT) AS total
FROM p
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
    if by_rows(eng, f):
        w = where(f)
        join, story = _map_stories(f, "rows")
        points_sql, points_params = MAP_POINTS.format(where=w.sql, join=join, story=story), w.params
        routes_sql, pairs_sql = MAP_ROUTES.format(where=w.sql), ROUTE_PAIRS.format(where=w.sql)
        params = w.params
    else:
        src, points_params = cube(f, aggregates.POINTS)
        points_sql = MAP_POINTS_AGG.format(src=src, story=_map_stories(f, "agg")[1])
        src, params = cube(f, aggregates.ROUTES)
        routes_sql, pairs_sql = MAP_ROUTES_AGG.format(src=src), ROUTE_PAIRS_AGG.format(src=src)
    points = eng.rows(points_sql, points_params)
    if few:
        routes = eng.rows(routes_sql + " LIMIT $limit", {**params, "limit": max_routes + 1})
        if len(routes) <= max_routes:
            return MapGroups(points, routes, False, 0)
    pairs = eng.rows(pairs_sql, {**params, "limit": max_routes})
    if not pairs:
        return MapGroups(points, [], False, 0)
    if pairs[0]["groups"] <= max_routes:
        return MapGroups(points, eng.rows(routes_sql, params), False, 0)
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
        " FROM events AS e JOIN participants AS p ON p.eid = e.eid"
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
# The same from the aggregates: kinds' lanes from agg_events, actors' from agg_actors (the chosen ones).
TIMELINE_BINS_AGG = """
SELECT {lane} AS lane, CAST(date_trunc('{width}', coalesce(c.sm, c.em)) AS DATE) AS bin, c.coding,
       CAST(sum(c.n) AS BIGINT) AS events, {first_kind} AS kind
FROM ({src}) AS c
WHERE c.dated{lanes}
GROUP BY {lane}, CAST(date_trunc('{width}', coalesce(c.sm, c.em)) AS DATE), c.coding
ORDER BY lane, bin, c.coding
"""
BIN_RANGE_AGG = """
SELECT min(c.lo) AS lo, max(c.hi) AS hi, CAST(coalesce(sum(c.n), 0) AS BIGINT) AS n
FROM ({src}) AS c
WHERE c.dated{lanes}
"""
MARKS = """
SELECT r.id, r.kind, r.lane, r.summary, r.start, r."end", r.precision, r.certainty, r.attribution,
       r.coding, r.dataset{extra}
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


def _lane_groups(
    f: Filters, lanes: str, actors: Sequence[str], months: bool
) -> tuple[dict[str, str], dict[str, Any]]:
    """The aggregate a timeline's lanes are counted from, and the parts of its query that name them."""
    if lanes not in LANE_ROWS:
        raise ValueError(f"lanes {lanes!r}: use kind or actor")
    if lanes == "kind":
        src, params = cube(f, aggregates.EVENTS, months)
        return {"src": src, "lane": "c.kind", "first_kind": "min(c.kind)", "lanes": ""}, params
    src, params = cube(f, aggregates.ACTORS, months)
    parts = {"src": src, "lane": "c.actor", "first_kind": "arg_min(c.kind, c.first_ord)"}
    return {**parts, "lanes": " AND list_contains($lanes, c.actor)"}, {**params, "lanes": list(actors)}


def timeline_bins(
    eng: Engine, f: Filters, width: str, lanes: str = "kind", actors: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Dated events counted per lane and per month, quarter or year (of their start, or end when open).

    Each bin also names the kind of its first event, which colours it. Lanes are
    kinds, or the given actors (an event counts in each of its actors' lanes).
    """
    if width not in BINS:
        raise ValueError(f"bin width {width!r}: use one of {', '.join(BINS)}")
    if not by_rows(eng, f):
        parts, params = _lane_groups(f, lanes, actors, months=True)
        return eng.rows(TIMELINE_BINS_AGG.format(width=BINS[width], **parts), params)
    rows, params = _lane_rows(f, lanes, actors)
    return eng.rows(TIMELINE_BINS.format(width=BINS[width], rows=rows), params)


def bin_range(eng: Engine, f: Filters, lanes: str = "kind", actors: Sequence[str] = ()) -> dict[str, Any]:
    """The first and last dates of a timeline's rows, and how many rows (marks) it has."""
    if not by_rows(eng, f):
        parts, params = _lane_groups(f, lanes, actors, months=False)
        return eng.rows(BIN_RANGE_AGG.format(**parts), params)[0]
    rows, params = _lane_rows(f, lanes, actors)
    return eng.rows(BIN_RANGE.format(rows=rows), params)[0]


# Where the events are dense: the shortest run of days (months, from the aggregates) holding at least
# `share` of the dated events, found over the per-day counts with running sums (no event row leaves the
# engine). Each day starts a window; its end is the first day where the running count reaches the share.
DAILY = (
    f"SELECT {WHEN} AS t, count(*) AS n FROM events AS e "
    f'WHERE {{where}} AND e."end" IS NOT NULL GROUP BY {WHEN}'
)
MONTHLY_AGG = (
    "SELECT coalesce(c.sm, c.em) AS t, CAST(sum(c.n) AS BIGINT) AS n FROM ({src}) AS c "
    "WHERE c.dated GROUP BY coalesce(c.sm, c.em)"
)


def _densest(counts: list[dict[str, Any]], share: float) -> tuple[Any, Any] | None:
    """The shortest run of dates (t) whose counts (n) hold `share` of the total, the latest if several.

    The engine counts by date (at most a few thousand dates); the window is found here in one pass
    (for a later first date the last date needed is never earlier). Asked of the engine, as a join
    of every date with every later one, it cost more than the counting itself.
    """
    rows = sorted((r["t"], int(r["n"])) for r in counts if r["t"] is not None)
    if not rows:
        return None
    need = share * sum(n for _, n in rows)
    best: tuple[Any, Any] | None = None
    j, held = 0, 0  # rows[i..j) hold `held` events
    for i, (lo, _) in enumerate(rows):
        while j < len(rows) and held < need:
            held += rows[j][1]
            j += 1
        if held < need:
            break  # no later first date reaches the share either
        hi = rows[j - 1][0]
        if best is None or (hi - lo) <= (best[1] - best[0]):  # ties: the later start
            best = (lo, hi)
        held -= rows[i][1]
    return best


def dense_span(eng: Engine, f: Filters, share: float = 0.75) -> tuple[dt.date, dt.date] | None:
    """The shortest span of dates holding `share` of the filtered dated events (the latest if several).

    Days from the event rows; whole months (the last one to its end) from the aggregates.
    None when no event is dated.
    """
    if not by_rows(eng, f):
        src, params = cube(f, aggregates.EVENTS, months=True)
        found = _densest(eng.rows(MONTHLY_AGG.format(src=src), params), share)
        return None if found is None else (_as_date(found[0]), _month_end(_as_date(found[1])))
    w = where(f)
    found = _densest(eng.rows(DAILY.format(where=w.sql), w.params), share)
    return None if found is None else (_as_date(found[0]), _as_date(found[1]))


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# One mark a story: its earliest record among the filtered ones stands for it, in that record's lane,
# with the story's counts (records, outlets); a curated event is its own mark. In actor lanes a story
# has a mark in each of its actors' lanes, as an event has (`per`: ", r.lane").
STORY_MARKS = """
SELECT m.* FROM (
  SELECT r.*, se.story, st.records AS story_records, st.outlets AS story_outlets,
         row_number() OVER (PARTITION BY se.story{per} ORDER BY r.ord, r.id) AS nth
  FROM ({rows}) AS r
  LEFT JOIN story_events AS se ON se.event = r.id
  LEFT JOIN stories AS st ON st.id = se.story
) AS m
WHERE m.story IS NULL OR m.nth = 1
"""


def timeline_marks(
    eng: Engine, f: Filters, limit: int, lanes: str = "kind", actors: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Dated filtered events with their lane, in corpus order, up to `limit`: the timeline's marks;
    imported records one mark a story (`f.records` "stories") with `story`, `story_records` and
    `story_outlets`, or each record ("raw")."""
    rows, params = _lane_rows(f, lanes, actors)
    stories = f.records == "stories"
    sql = MARKS.format(
        rows=STORY_MARKS.format(rows=rows, per=", r.lane" if lanes == "actor" else "") if stories else rows,
        part_ord=", r.part_ord" if lanes == "actor" else "",
        extra=", r.story, r.story_records, r.story_outlets" if stories else "",
    )
    return eng.rows(sql, {**params, "limit": limit})


# Stepping order, shared by every list of events a click steps through: dated events latest
# first, then the undated in corpus order. Corpus order is date order, so `ord` says "latest".
STEP_KEY = "e.sk"  # precomputed in the store: CASE WHEN e.start IS NULL THEN e.ord ELSE -1 - e.ord END
# Two steps: which events, from the few columns the filter and the order need, then their other
# columns by `ord` (the range first: the engine skips the row groups outside it). In one step the
# engine carries every filtered event's summary through the filter and the sort: at 1M events a third
# to two thirds of the query's time, more under a country filter.
LATEST = f"""
WITH newest AS (SELECT e.ord FROM events AS e WHERE {{where}} ORDER BY {STEP_KEY} LIMIT $limit)
SELECT e.id, e.kind, e.summary, e.start, e."end", e.precision,
       e.dataset, e.coding, e.suspect, e.num_sources, e.num_articles
FROM events AS e
WHERE e.ord BETWEEN (SELECT min(n.ord) FROM newest AS n) AND (SELECT max(n.ord) FROM newest AS n)
  AND e.ord IN (SELECT n.ord FROM newest AS n)
ORDER BY {STEP_KEY}
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


def _at(point: str, origin: str | None, kind: str | None, coding: str | None) -> tuple[str, dict[str, Any]]:
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
    return " AND ".join(cond), params


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
    return _step(eng, f, *_at(point, origin, kind, coding), current)


MEMBERS = f"""
SELECT e.id, e.kind, e.summary, e.start, e."end", e.precision,
       e.dataset, e.coding, e.suspect, e.num_sources, e.num_articles
FROM events AS e
WHERE {{where}} AND {{cond}}
ORDER BY {STEP_KEY}
LIMIT $limit
"""


def _mark_events(
    eng: Engine, f: Filters, cond: str, params: dict[str, Any], limit: int
) -> list[dict[str, Any]]:
    w = where(f)
    return eng.rows(MEMBERS.format(where=w.sql, cond=cond), {**w.params, **params, "limit": limit})


def members_at(
    eng: Engine, f: Filters, point: str, origin: str | None, kind: str | None, coding: str | None, limit: int
) -> list[dict[str, Any]]:
    """The events of a map mark (as `step_at` names it), latest first, up to `limit`: a list to pick from."""
    return _mark_events(eng, f, *_at(point, origin, kind, coding), limit)


def _bin(
    lanes: str, lane: str, start: dt.date, end: dt.date, coding: str | None
) -> tuple[str, dict[str, Any]]:
    cond = f"{WHEN} >= $bin_from AND {WHEN} < $bin_to AND " + (
        "e.eid IN (SELECT p.eid FROM participants AS p WHERE p.actor = $lane)"
        if lanes == "actor"
        else "e.kind = $lane"
    )
    params: dict[str, Any] = {"bin_from": start, "bin_to": end, "lane": lane}
    if coding is not None:
        cond += " AND e.coding = $coding"
        params["coding"] = coding
    return cond, params


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
    return _step(eng, f, *_bin(lanes, lane, start, end, coding), current)


def members_bin(
    eng: Engine, f: Filters, lanes: str, lane: str, start: dt.date, end: dt.date, coding: str | None,
    limit: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """The events of a timeline bin, latest first, up to `limit`: a list to pick from."""
    return _mark_events(eng, f, *_bin(lanes, lane, start, end, coding), limit)


SUMMARY = """
SELECT count(*) AS n, min(e.start) AS first, max(e."end") AS last,
       CAST(coalesce(sum(CASE WHEN e.point IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS unplaced,
       CAST(coalesce(sum(CASE WHEN e."end" IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS undated
FROM events AS e
WHERE {where}
"""
SUMMARY_AGG = """
SELECT CAST(coalesce(sum(c.n), 0) AS BIGINT) AS n, min(c.first) AS first, max(c.last) AS last,
       CAST(coalesce(sum(CASE WHEN c.placed THEN 0 ELSE c.n END), 0) AS BIGINT) AS unplaced,
       CAST(coalesce(sum(CASE WHEN c.dated THEN 0 ELSE c.n END), 0) AS BIGINT) AS undated
FROM ({src}) AS c
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
# Two steps, as LATEST: which events, then their every column by `ord`.
FIRST_EVENTS = f"""
WITH chosen AS (SELECT e.ord FROM events AS e WHERE {{where}} ORDER BY e.ord LIMIT $limit)
SELECT {EVENT_COLUMNS} FROM events AS e
WHERE e.ord BETWEEN (SELECT min(x.ord) FROM chosen AS x) AND (SELECT max(x.ord) FROM chosen AS x)
  AND e.ord IN (SELECT x.ord FROM chosen AS x)
ORDER BY e.ord
"""
# The range first: the events are stored in `ord` order, so the engine skips the row groups outside it.
EVENTS_AT = (
    "SELECT {columns} FROM events AS e WHERE e.ord BETWEEN $lo AND $hi"
    " AND e.ord IN (SELECT unnest($ords)) ORDER BY e.ord"
)
# What a map mark's hover says of its latest event (its date, kind, summary, certainty and source,
# a suspect place's reason): the summaries of a few hundred events are read from a million rows,
# and each column more read costs that scan again.
MARK_COLUMNS = (
    'e.ord, e.id, e.kind, e.summary, e.start, e."end", e.precision, e.certainty, e.attribution, e.suspect'
)
# The ids' range first: participants are stored in the events' order, and where ids follow it (an
# import's, a synthetic corpus's) the engine skips the row groups outside it; elsewhere it keeps all.
PARTICIPANTS_OF = (
    "SELECT p.event, p.actor, p.role FROM participants AS p"
    " WHERE p.event BETWEEN $lo AND $hi AND p.event IN (SELECT unnest($ids)) ORDER BY p.ord"
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
    if not by_rows(eng, f):
        src, params = cube(f, aggregates.EVENTS)
        return eng.rows(SUMMARY_AGG.format(src=src), params)[0]
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


def events_at(eng: Engine, ords: Sequence[int], columns: str = EVENT_COLUMNS) -> list[dict[str, Any]]:
    """These events (by `ord`), every column (or only `columns`, say MARK_COLUMNS), in corpus order."""
    if not len(ords):
        return []
    wanted = [int(o) for o in ords]
    return eng.rows(EVENTS_AT.format(columns=columns), {"ords": wanted, "lo": min(wanted), "hi": max(wanted)})


def participants_of(eng: Engine, ids: Sequence[str]) -> list[dict[str, Any]]:
    if not len(ids):
        return []
    wanted = [str(x) for x in ids]
    return eng.rows(PARTICIPANTS_OF, {"ids": wanted, "lo": min(wanted), "hi": max(wanted)})


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
WHERE p.eid IN (SELECT e.eid FROM events AS e WHERE {where} AND e."end" IS NOT NULL)
GROUP BY p.actor
ORDER BY events DESC, p.actor
"""


ACTOR_LANES_AGG = """
SELECT c.actor, CAST(sum(c.n) AS BIGINT) AS events
FROM ({src}) AS c
WHERE c.dated
GROUP BY c.actor
ORDER BY events DESC, c.actor
"""


def actor_lanes(eng: Engine, f: Filters, limit: int) -> tuple[list[tuple[str, int]], int]:
    """The busiest `limit` actors of the dated filtered events with their counts, and how many others."""
    if by_rows(eng, f):
        w = where(f)
        rows = eng.rows(ACTOR_LANES.format(where=w.sql), w.params)
    else:
        src, params = cube(f, aggregates.ACTORS)
        rows = eng.rows(ACTOR_LANES_AGG.format(src=src), params)
    return [(r["actor"], int(r["events"])) for r in rows[:limit]], max(len(rows) - limit, 0)


# --- the map at scale: places clustered by H3 cell ---------------------------------------------

POINT_RES = 99  # in `map_clusters`: a row for a single place (its `cell` is the place's id)
# Events per map point of the clustered codings, with CAMEO's quad classes counted (`points`: point,
# events, q1…q4, last_ord, last_dated); then per H3 cell at each stored resolution, the cell named by
# its busiest place, and per place.
CLUSTERS = f"""
WITH p AS ({{points}}), c AS (
    SELECT k.res, k.cell, p.*,
           row_number() OVER (PARTITION BY k.res, k.cell ORDER BY p.events DESC, p.point) AS rank
    FROM p JOIN place_cells AS k ON k.place = p.point
), cells AS (
    SELECT c.res, c.cell, CAST(sum(c.events) AS BIGINT) AS events, count(*) AS places,
           max(CASE WHEN c.rank = 1 THEN c.point END) AS top,
           CAST(sum(c.q1) AS BIGINT) AS q1, CAST(sum(c.q2) AS BIGINT) AS q2,
           CAST(sum(c.q3) AS BIGINT) AS q3, CAST(sum(c.q4) AS BIGINT) AS q4,
           max(c.last_ord) AS last_ord, max(c.last_dated) AS last_dated,
           CAST(sum(c.stories) AS BIGINT) AS stories, CAST(sum(c.outlets) AS BIGINT) AS outlets
    FROM c
    GROUP BY c.res, c.cell
    UNION ALL
    SELECT {POINT_RES} AS res, c.point AS cell, c.events, 1 AS places, c.point AS top,
           c.q1, c.q2, c.q3, c.q4, c.last_ord, c.last_dated, c.stories, c.outlets
    FROM c
    WHERE c.res = 0
)
SELECT cells.*, pl.lat, pl.lon
FROM cells JOIN places AS pl ON pl.id = cells.top
ORDER BY cells.res, cells.events DESC, cells.cell
"""
# Each map point's events from the rows (a code's root orders as text: 01–05 verbal cooperation,
# 06–08 material cooperation, 09–13 verbal conflict, 14–20 material conflict), and from agg_points,
# whose groups carry the quad class (`aggregates.QUAD`).
CLUSTER_POINTS = f"""
    SELECT e.point, count(*) AS events,
           CAST(sum(CASE WHEN e.cameo < '06' THEN 1 ELSE 0 END) AS BIGINT) AS q1,
           CAST(sum(CASE WHEN e.cameo >= '06' AND e.cameo < '09' THEN 1 ELSE 0 END) AS BIGINT) AS q2,
           CAST(sum(CASE WHEN e.cameo >= '09' AND e.cameo < '14' THEN 1 ELSE 0 END) AS BIGINT) AS q3,
           CAST(sum(CASE WHEN e.cameo >= '14' THEN 1 ELSE 0 END) AS BIGINT) AS q4,
           max(e.ord) AS last_ord, {LAST_DATED} AS last_dated{{story}}
    FROM events AS e{{join}}
    WHERE {{where}} AND e.point IS NOT NULL AND list_contains($cluster_codings, e.coding)
    GROUP BY e.point
"""
CLUSTER_POINTS_AGG = """
    SELECT c.point, CAST(sum(c.n) AS BIGINT) AS events,
           CAST(sum(CASE WHEN c.quad = 1 THEN c.n ELSE 0 END) AS BIGINT) AS q1,
           CAST(sum(CASE WHEN c.quad = 2 THEN c.n ELSE 0 END) AS BIGINT) AS q2,
           CAST(sum(CASE WHEN c.quad = 3 THEN c.n ELSE 0 END) AS BIGINT) AS q3,
           CAST(sum(CASE WHEN c.quad = 4 THEN c.n ELSE 0 END) AS BIGINT) AS q4,
           max(c.last_ord) AS last_ord, max(c.last_dated) AS last_dated{story}
    FROM ({src}) AS c
    WHERE list_contains($cluster_codings, c.coding)
    GROUP BY c.point
"""


# `?records=raw`: each record is its own mark, of no outlets (from the rows; from the aggregates).
RAW_STORIES = (", count(*) AS stories, 0 AS outlets", ", CAST(sum(c.n) AS BIGINT) AS stories, 0 AS outlets")


def map_clusters(eng: Engine, f: Filters, codings: Sequence[str]) -> list[dict[str, Any]]:
    """The filtered events of these codings at places (not countries), per H3 cell at each stored
    resolution and per place (`res` POINT_RES): events, places, quad-class counts, the busiest place
    (`top`, with its `lat`, `lon`), the latest event (`last_ord`, `last_dated`), and the stories
    there with their outlets (`stories`, `outlets`; with `?records=raw` each record is one, of none)."""
    if by_rows(eng, f):
        w = where(f)
        join, story = _map_stories(f, "rows")
        points, params = (
            CLUSTER_POINTS.format(where=w.sql, join=join, story=story or RAW_STORIES[0]),
            w.params,
        )
    else:
        src, params = cube(f, aggregates.POINTS)
        points = CLUSTER_POINTS_AGG.format(src=src, story=_map_stories(f, "agg")[1] or RAW_STORIES[1])
    return eng.rows(CLUSTERS.format(points=points), {**params, "cluster_codings": sorted(codings)})


def _in_cluster(res: int, cell: str, codings: Sequence[str]) -> tuple[str, dict[str, Any]]:
    if res == POINT_RES:
        cond = "e.point = $cell"
    else:
        cond = "e.point IN (SELECT k.place FROM place_cells AS k WHERE k.res = $res AND k.cell = $cell)"
    cond += " AND list_contains($cluster_codings, e.coding)"
    params = {"res": int(res), "cell": cell, "cluster_codings": sorted(codings)}
    if res == POINT_RES:
        params.pop("res")
    return cond, params


def step_in_cluster(
    eng: Engine, f: Filters, res: int, cell: str, codings: Sequence[str], current: str | None
) -> str | None:
    """The event a click on a cluster selects: its events of these codings, in stepping order after
    `current`. `res` POINT_RES: `cell` is one place."""
    return _step(eng, f, *_in_cluster(res, cell, codings), current)


def members_in_cluster(
    eng: Engine, f: Filters, res: int, cell: str, codings: Sequence[str], limit: int
) -> list[dict[str, Any]]:
    """The events of a cluster, latest first, up to `limit`: a list to pick from."""
    return _mark_events(eng, f, *_in_cluster(res, cell, codings), limit)


# --- who met whom: the contact network -------------------------------------------------------

# What a network's node is: an actor, the actor's country, or a group (country and kind of actor).
# Each is a fixed expression over `participants AS p JOIN actors AS a`; no value becomes SQL text.
NETWORK_NODES = aggregates.NODES
# The busiest `$limit` pairs from `g` (a, b, kind, n: pairs counted per kind), each with its events
# and its commonest kind (the first by name on a tie), and over every pair how many pairs and
# contacts; then `own`, each drawn node's events, which each query counts its own way.
_BUSIEST = """), p AS (
    SELECT g.a, g.b, CAST(sum(g.n) AS BIGINT) AS events,
           arg_min(g.kind, struct_pack(n := -g.n, k := g.kind)) AS kind
    FROM g
    GROUP BY g.a, g.b
), top AS (
    SELECT p.a, p.b, p.events, p.kind, count(*) OVER () AS pairs,
           CAST(sum(p.events) OVER () AS BIGINT) AS total
    FROM p
    ORDER BY p.events DESC, p.a, p.b
    LIMIT $limit
), own AS ("""

# Pairs of nodes that take part in one filtered event, counted per kind (each event's distinct nodes,
# read once: two of an event's actors from one country are one node); each pair's events and its
# commonest kind (the first by name on a tie), busiest first; over every pair: how many pairs, how
# many pair contacts (an event of three actors is three pairs' contact); and the filtered events of
# each node drawn. One query: the filtered events are joined to their participants once, with their
# kind, where reading the pairs and the nodes' events apart joined them three times.
NETWORK_ROWS = (
    """
WITH m AS (
    SELECT DISTINCT p.eid AS event, e.kind, {node} AS node
    FROM events AS e JOIN participants AS p ON p.eid = e.eid JOIN actors AS a ON a.id = p.actor
    WHERE {{where}} AND {node} IS NOT NULL
), g AS (
    SELECT x.node AS a, y.node AS b, x.kind, count(*) AS n
    FROM m AS x JOIN m AS y ON x.event = y.event AND x.node < y.node
    GROUP BY x.node, y.node, x.kind
"""
    + _BUSIEST
    + """
    SELECT m.node, CAST(count(*) AS BIGINT) AS events
    FROM m
    WHERE m.node IN (SELECT top.a FROM top) OR m.node IN (SELECT top.b FROM top)
    GROUP BY m.node
)
SELECT top.*, x.events AS events_a, y.events AS events_b
FROM top JOIN own AS x ON x.node = top.a JOIN own AS y ON y.node = top.b
ORDER BY top.events DESC, top.a, top.b
"""
)


@dataclass(frozen=True)
class Network:
    """Who meets whom among the filtered events, counted by the engine.

    `pairs`: (a, b, events, kind) for the busiest `limit` pairs of nodes (a < b),
    `kind` the pair's commonest. `nodes`: events per node of those pairs.
    `all_pairs` and `all_contacts`: over every pair, drawn or not (a contact is
    an event counted once for each pair it joins).
    """

    mode: str
    pairs: list[dict[str, Any]]
    nodes: dict[str, int]
    all_pairs: int
    all_contacts: int

    @property
    def dropped_pairs(self) -> int:
        return self.all_pairs - len(self.pairs)

    @property
    def dropped_contacts(self) -> int:
        return self.all_contacts - sum(int(p["events"]) for p in self.pairs)


# The same from the mode's agg_pairs_*: its (a, b) rows with a < b are pairs, its (x, x) rows a
# node's events. One query, so the groups a date filter adds from the boundary months are counted
# once: the busiest pairs, each with both nodes' events. The pairs are summed over their kinds first
# and each drawn pair's commonest kind found after, among its own rows: grouping every pair by kind
# too cost a third more at a million events (the rows' query pairs each event's nodes again, so it
# counts per kind at once).
NETWORK_AGG = """
WITH c AS ({src}), p AS (
    SELECT c.a, c.b, CAST(sum(c.n) AS BIGINT) AS events
    FROM c
    WHERE c.a < c.b
    GROUP BY c.a, c.b
), top AS (
    SELECT p.a, p.b, p.events, count(*) OVER () AS pairs, CAST(sum(p.events) OVER () AS BIGINT) AS total
    FROM p
    ORDER BY p.events DESC, p.a, p.b
    LIMIT $limit
), k AS (
    SELECT c.a, c.b, c.kind, sum(c.n) AS n
    FROM c JOIN top ON top.a = c.a AND top.b = c.b
    GROUP BY c.a, c.b, c.kind
), kind AS (
    SELECT k.a, k.b, arg_min(k.kind, struct_pack(n := -k.n, k := k.kind)) AS kind
    FROM k
    GROUP BY k.a, k.b
), own AS (
    SELECT c.a AS node, CAST(sum(c.n) AS BIGINT) AS events
    FROM c
    WHERE c.a = c.b AND (c.a IN (SELECT top.a FROM top) OR c.a IN (SELECT top.b FROM top))
    GROUP BY c.a
)
SELECT top.a, top.b, top.events, kind.kind, top.pairs, top.total, x.events AS events_a, y.events AS events_b
FROM top
JOIN kind ON kind.a = top.a AND kind.b = top.b
JOIN own AS x ON x.node = top.a
JOIN own AS y ON y.node = top.b
ORDER BY top.events DESC, top.a, top.b
"""


def network(eng: Engine, f: Filters, mode: str = "actor", limit: int = 60, few: bool = False) -> Network:
    """The busiest `limit` pairs of actors (or countries, or groups) meeting in the filtered events.

    `few`: the filters keep few events (the caller has counted them). A date inside a month then
    reads the rows: the aggregate's boundary months pair every participant of their events again,
    a scan of the whole participants table, where a few thousand events' own pairs cost less.
    """
    if mode not in NETWORK_NODES:
        raise ValueError(f"network of {mode!r}: use one of {', '.join(NETWORK_NODES)}")
    if by_rows(eng, f) or (few and splits_months(f)):
        w = where(f)
        sql, params = NETWORK_ROWS.format(node=NETWORK_NODES[mode]).format(where=w.sql), w.params
    else:
        src, params = cube(f, aggregates.PAIRS[mode])
        sql = NETWORK_AGG.format(src=src)
    rows = eng.rows(sql, {**params, "limit": limit})
    pairs = [{"a": r["a"], "b": r["b"], "events": int(r["events"]), "kind": r["kind"]} for r in rows]
    nodes = {r[k]: int(r[f"events_{k}"]) for r in rows for k in ("a", "b")}
    nodes = dict(sorted(nodes.items(), key=lambda kv: (-kv[1], kv[0])))  # busiest first
    all_pairs = int(rows[0]["pairs"]) if rows else 0
    return Network(mode, pairs, nodes, all_pairs, int(rows[0]["total"]) if rows else 0)
