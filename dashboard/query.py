"""Views as queries, written once in DuckDB's SQL and run on DuckDB (embedded) or Spark.

Filters compile to one WHERE clause whose values are bound as named
parameters (`$kinds`), never formatted into the SQL text; each view is one
query that returns only what it draws or writes. `Engine.rows()` runs a query
on DuckDB as written; the Spark engine transpiles it with sqlglot to Spark's
dialect (`:kinds`), and binds the same values. Spark and sqlglot are imported
only when the Spark engine is asked for.

Engines: `duckdb` (default) reads the store's Parquet files in process;
`spark` reads them on a Spark session — `local[2]` unless `SPARK_REMOTE`
names a Spark Connect server (`sc://host:15002`) or `CONTACT_ATLAS_SPARK_MASTER`
a cluster master (`spark://host:7077`, `yarn`). `CONTACT_ATLAS_ENGINE` picks
the engine where no `--engine` is given.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dashboard.filters import Filters
from dashboard.model import INT_MEASURES, MEASURES
from dashboard.store import HOT, HOT_EVENTS, TABLES, Store

if TYPE_CHECKING:
    import pyarrow as pa

ENGINES = ("duckdb", "spark")
IN_MEMORY_EVENTS = HOT_EVENTS  # DuckDB copies a store this small into memory; larger ones have hot.duckdb


def default_engine() -> str:
    name = os.environ.get("CONTACT_ATLAS_ENGINE", "duckdb").strip().lower() or "duckdb"
    if name not in ENGINES:
        raise ValueError(f"CONTACT_ATLAS_ENGINE={name!r}: use one of {', '.join(ENGINES)}")
    return name


class Engine(Protocol):
    name: str

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...

    def table(self, sql: str, params: dict[str, Any]) -> pa.Table: ...


class DuckDBEngine:
    """DuckDB in this process, over the store's Parquet files (views, so nothing is copied)."""

    name = "duckdb"

    def __init__(self, store: Store) -> None:
        import duckdb  # noqa: PLC0415 - imported with the engine

        self.store = store
        # Bounded: DuckDB keeps what it read in its buffer pool up to this, and spills beyond.
        memory = os.environ.get("CONTACT_ATLAS_DUCKDB_MEMORY", "512MB")
        self._con = duckdb.connect(config={"threads": 2, "memory_limit": memory})
        # A small corpus is copied into memory (each query then skips reading Parquet footers);
        # a large one is queried where it lies.
        copy = store.events <= IN_MEMORY_EVENTS
        hot = store.path / HOT
        native = set()
        if not copy and hot.exists():
            # The scanned tables from the store's own DuckDB file, read-only; the rest from Parquet.
            self._con.execute("ATTACH $path AS hot (READ_ONLY)", {"path": str(hot)})
            for t in ("events", "participants"):
                self._con.execute(f"CREATE VIEW {t} AS SELECT * FROM hot.{t}")
                native.add(t)
        for t in TABLES:
            if t in native:
                continue
            rel = self._con.read_parquet(str(store.table(t)))
            if copy:
                rel.create(t)
            else:
                rel.create_view(t)
        self._local = threading.local()

    def _cursor(self):
        # One cursor per thread: a DuckDB connection is not shared between threads.
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self._con.cursor()
        return cur

    def table(self, sql: str, params: dict[str, Any]) -> pa.Table:
        return self._cursor().sql(sql, params=params or None).to_arrow_table()

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.table(sql, params).to_pylist()


_SPARK: Any = None
_SPARK_LOCK = threading.Lock()


def spark_session() -> Any:
    """The process's one Spark session: Spark Connect, a cluster master, or local[2]."""
    global _SPARK  # noqa: PLW0603 - one session per process, made on first use
    with _SPARK_LOCK:
        if _SPARK is None:
            from pyspark.sql import SparkSession  # noqa: PLC0415 - the non-default engine

            remote = os.environ.get("SPARK_REMOTE")
            if remote:
                _SPARK = SparkSession.builder.remote(remote).getOrCreate()
            else:
                _SPARK = (
                    SparkSession.builder.master(os.environ.get("CONTACT_ATLAS_SPARK_MASTER", "local[2]"))
                    .appName("contact-atlas")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate()
                )
                _SPARK.sparkContext.setLogLevel("ERROR")
        return _SPARK


class SparkEngine:
    """The same queries on Spark, over the same Parquet files, each store's tables under its own names."""

    name = "spark"

    def __init__(self, store: Store) -> None:
        self.store = store
        self.spark = spark_session()
        self.prefix = f"ca_{store.fingerprint[:12]}_{abs(hash(str(store.path))) % 10**8}_"
        for t in TABLES:
            self.spark.read.parquet(str(store.table(t))).createOrReplaceTempView(self.prefix + t)
        self._sql: dict[str, str] = {}

    def _spark_sql(self, sql: str) -> str:
        if sql not in self._sql:
            import sqlglot  # noqa: PLC0415 - the non-default engine
            from sqlglot import exp  # noqa: PLC0415

            tree = sqlglot.parse_one(sql, read="duckdb")
            for table in tree.find_all(exp.Table):
                if table.name in TABLES:
                    table.set("this", exp.to_identifier(self.prefix + table.name))
            self._sql[sql] = tree.sql(dialect="spark")
        return self._sql[sql]

    def table(self, sql: str, params: dict[str, Any]) -> pa.Table:
        return self.spark.sql(self._spark_sql(sql), args=params or None).toArrow()

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.table(sql, params).to_pylist()


def engine(store: Store, name: str | None = None) -> Engine:
    name = name or default_engine()
    if name == "duckdb":
        return DuckDBEngine(store)
    if name == "spark":
        return SparkEngine(store)
    raise ValueError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")


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


EXPORT_EVENTS = """
SELECT e.ord, e.id, e.kind, e.cameo, e.summary, e.start, e."end", e.precision, e.place, e.geo_precision,
       e.origin, e.attribution, e.certainty, e.dataset, e.coding, e.external_id, e.suspect,
       e.mentions, e.num_sources, e.num_articles, e.goldstein, e.tone, e.fatalities,
       pl.name AS place_name, pl.country AS place_country, pl.lat AS place_lat, pl.lon AS place_lon,
       pl.kind AS place_kind,
       og.name AS origin_name, og.country AS origin_country, og.lat AS origin_lat, og.lon AS origin_lon,
       og.kind AS origin_kind
FROM events AS e
LEFT JOIN places AS pl ON pl.id = e.place
LEFT JOIN places AS og ON og.id = e.origin
WHERE {where}
ORDER BY e.ord
"""
EXPORT_PARTICIPANTS = """
SELECT p.event, p.actor, a.name, a.kind, a.country, p.role
FROM participants AS p JOIN actors AS a ON a.id = p.actor
WHERE p.event IN (SELECT e.id FROM events AS e WHERE {where})
ORDER BY p.ord
"""
EXPORT_SOURCES = """
SELECT s.event, s.article, s.start, s."end", s.quote, s.url, s.title, s.outlet, s.date
FROM sources AS s
WHERE s.event IN (SELECT e.id FROM events AS e WHERE {where})
ORDER BY s.ord
"""


def _iso(d: dt.date | dt.datetime | None) -> str | None:
    if d is None:
        return None
    return (d.date() if isinstance(d, dt.datetime) else d).isoformat()


def _place(r: dict[str, Any], key: str, precision: str | None) -> dict[str, Any] | None:
    pid = r[key]
    if pid is None:
        return None
    return {
        "id": pid,
        "name": r[f"{key}_name"],
        "country": r[f"{key}_country"],
        "lat": r[f"{key}_lat"],
        "lon": r[f"{key}_lon"],
        "precision": precision or r[f"{key}_kind"],
    }


def export_records(eng: Engine, f: Filters) -> list[dict[str, Any]]:
    """The export shape of every filtered event (docs/DATA.md, "Export"), from three queries."""
    w = where(f)
    parts: dict[str, list[dict[str, Any]]] = {}
    for p in eng.rows(EXPORT_PARTICIPANTS.format(where=w.sql), w.params):
        parts.setdefault(p["event"], []).append(
            {
                "id": p["actor"],
                "name": p["name"],
                "kind": p["kind"],
                "country": p["country"],
                "role": p["role"],
            }
        )
    srcs: dict[str, list[dict[str, Any]]] = {}
    for s in eng.rows(EXPORT_SOURCES.format(where=w.sql), w.params):
        srcs.setdefault(s["event"], []).append(source_record(s))
    out = []
    for r in eng.rows(EXPORT_EVENTS.format(where=w.sql), w.params):
        place = _place(r, "place", r["geo_precision"])
        if place is not None:
            place["suspect"] = r["suspect"]
        out.append(
            {
                "id": r["id"],
                "dataset": r["dataset"],
                "coding": r["coding"],
                "external_id": r["external_id"],
                "kind": r["kind"],
                "cameo": r["cameo"],
                "summary": r["summary"],
                "date": {"start": _iso(r["start"]), "end": _iso(r["end"]), "precision": r["precision"]},
                "participants": parts.get(r["id"], []),
                "place": place,
                "origin": _place(r, "origin", None),
                "sources": srcs.get(r["id"], []),
                "attribution": r["attribution"],
                "certainty": r["certainty"],
                "measures": measures(r),
            }
        )
    return out


def measures(r: dict[str, Any]) -> dict[str, int | float]:
    """The stream's measures an event carries (none for a curated one), in MEASURES order."""
    return {
        m: (int(r[m]) if m in INT_MEASURES else float(r[m]))
        for m in MEASURES
        if r[m] is not None and r[m] == r[m]  # not null, not NaN
    }


def source_record(s: dict[str, Any]) -> dict[str, Any]:
    """A source as exported: its span and quote, its link, or both (null where it has none)."""
    spanned = s["start"] is not None and s["start"] >= 0
    return {
        "article": s["article"] if spanned else None,
        "start": int(s["start"]) if spanned else None,
        "end": int(s["end"]) if spanned else None,
        "quote": s["quote"] if spanned else None,
        "url": s["url"],
        "title": s["title"],
        "outlet": s["outlet"],
        "date": _iso(s["date"]),
    }


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
SELECT e.id, e.kind, e.summary, e.start, e."end", e.precision
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
SOURCES_OF = (
    'SELECT s.event, s.article, s.start, s."end", s.quote, s.url, s.title, s.outlet, s.date'
    " FROM sources AS s WHERE s.event IN (SELECT unnest($ids)) ORDER BY s.ord"
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


def sources_of(eng: Engine, ids: Sequence[str]) -> list[dict[str, Any]]:
    """These events' sources as exported: spans with their quotes, and links."""
    return (
        [{"event": s["event"], **source_record(s)} for s in eng.rows(SOURCES_OF, {"ids": list(ids)})]
        if len(ids)
        else []
    )


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


def export_text(eng: Engine, f: Filters, fmt: str) -> str:
    from dashboard import export  # noqa: PLC0415

    return export.encode(export_records(eng, f), fmt)


# --- who met whom: the contact network -------------------------------------------------------

# What a network's node is: an actor, the actor's country, or a group (country and kind of actor).
# Each is a fixed expression over `participants AS p JOIN actors AS a`; no value becomes SQL text.
NETWORK_NODES = {
    "actor": "p.actor",
    "country": "a.country",
    "group": "a.country || ':' || a.kind",  # NULL when the actor has no country
}
# Each filtered event's distinct nodes (two of an event's actors from one country are one node).
NETWORK_MEMBERS = """
SELECT DISTINCT p.event, {node} AS node
FROM participants AS p JOIN actors AS a ON a.id = p.actor
WHERE p.event IN (SELECT e.id FROM events AS e WHERE {{where}}) AND {node} IS NOT NULL
"""
# Pairs of nodes that take part in one event, counted per kind; each pair's events and its commonest
# kind (the first by name on a tie), busiest first; and over every pair: how many pairs, how many
# pair contacts (an event of three actors is three pairs' contact).
NETWORK_PAIRS = """
WITH m AS ({members}),
g AS (
    SELECT x.node AS a, y.node AS b, e.kind, count(*) AS n
    FROM m AS x JOIN m AS y ON x.event = y.event AND x.node < y.node JOIN events AS e ON e.id = x.event
    GROUP BY x.node, y.node, e.kind
), p AS (
    SELECT g.a, g.b, CAST(sum(g.n) AS BIGINT) AS events, max(g.n) AS top FROM g GROUP BY g.a, g.b
), s AS (
    SELECT g.a, g.b, min(g.kind) AS kind
    FROM g JOIN p ON p.a = g.a AND p.b = g.b AND g.n = p.top
    GROUP BY g.a, g.b
)
SELECT p.a, p.b, p.events, s.kind, count(*) OVER () AS pairs, CAST(sum(p.events) OVER () AS BIGINT) AS total
FROM p JOIN s ON s.a = p.a AND s.b = p.b
ORDER BY p.events DESC, p.a, p.b
LIMIT $limit
"""
# The filtered events each of these nodes takes part in.
NETWORK_NODE_EVENTS = """
WITH m AS ({members})
SELECT m.node, count(*) AS events FROM m WHERE list_contains($nodes, m.node)
GROUP BY m.node ORDER BY events DESC, m.node
"""
# The filtered events two nodes both take part in, latest first.
NETWORK_PAIR_EVENTS = f"""
WITH m AS ({{members}})
SELECT e.id, e.kind, e.summary, e.start, e."end", e.precision
FROM events AS e
WHERE e.id IN (SELECT m.event FROM m WHERE m.node = $a)
  AND e.id IN (SELECT m.event FROM m WHERE m.node = $b)
ORDER BY {STEP_KEY}
LIMIT $limit
"""


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


def _members(mode: str, where_sql: str) -> str:
    if mode not in NETWORK_NODES:
        raise ValueError(f"network of {mode!r}: use one of {', '.join(NETWORK_NODES)}")
    return NETWORK_MEMBERS.format(node=NETWORK_NODES[mode]).format(where=where_sql)


def network(eng: Engine, f: Filters, mode: str = "actor", limit: int = 60) -> Network:
    """The busiest `limit` pairs of actors (or countries, or groups) meeting in the filtered events."""
    w = where(f)
    members = _members(mode, w.sql)
    rows = eng.rows(NETWORK_PAIRS.format(members=members), {**w.params, "limit": limit})
    pairs = [{"a": r["a"], "b": r["b"], "events": int(r["events"]), "kind": r["kind"]} for r in rows]
    names = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    nodes = (
        {
            r["node"]: int(r["events"])
            for r in eng.rows(NETWORK_NODE_EVENTS.format(members=members), {**w.params, "nodes": names})
        }
        if names
        else {}
    )
    all_pairs = int(rows[0]["pairs"]) if rows else 0
    return Network(mode, pairs, nodes, all_pairs, int(rows[0]["total"]) if rows else 0)


def pair_events(eng: Engine, f: Filters, mode: str, a: str, b: str, limit: int) -> list[dict[str, Any]]:
    """The filtered events in which both nodes take part, dated ones latest first (stepping order)."""
    w = where(f)
    sql = NETWORK_PAIR_EVENTS.format(members=_members(mode, w.sql))
    return eng.rows(sql, {**w.params, "a": a, "b": b, "limit": limit})
