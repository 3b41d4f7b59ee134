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
from dashboard.store import TABLES, Store

if TYPE_CHECKING:
    import pyarrow as pa

ENGINES = ("duckdb", "spark")
IN_MEMORY_EVENTS = 200_000  # DuckDB copies a store this small into memory


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
        self._con = duckdb.connect(config={"threads": 2})
        # A small corpus is copied into memory (each query then skips reading Parquet footers);
        # a large one is queried where it lies.
        copy = store.events <= IN_MEMORY_EVENTS
        for t in TABLES:
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
    for name, column in (("kinds", "kind"), ("certainties", "certainty"), ("articles", "article")):
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


def count(eng: Engine, f: Filters) -> int:
    w = where(f)
    return int(eng.rows(COUNT.format(where=w.sql), w.params)[0]["n"])


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
       e.origin, e.attribution, e.certainty,
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
SELECT s.event, s.article, s.start, s."end", s.quote
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
        srcs.setdefault(s["event"], []).append(
            {"article": s["article"], "start": int(s["start"]), "end": int(s["end"]), "quote": s["quote"]}
        )
    out = []
    for r in eng.rows(EXPORT_EVENTS.format(where=w.sql), w.params):
        out.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "cameo": r["cameo"],
                "summary": r["summary"],
                "date": {"start": _iso(r["start"]), "end": _iso(r["end"]), "precision": r["precision"]},
                "participants": parts.get(r["id"], []),
                "place": _place(r, "place", r["geo_precision"]),
                "origin": _place(r, "origin", None),
                "sources": srcs.get(r["id"], []),
                "attribution": r["attribution"],
                "certainty": r["certainty"],
            }
        )
    return out


MAP_POINTS = """
SELECT e.point AS place, e.kind, count(*) AS events, max(e.ord) AS last_ord
FROM events AS e
WHERE {where} AND e.point IS NOT NULL
GROUP BY e.point, e.kind
ORDER BY e.point, e.kind
"""
MAP_ROUTES = """
SELECT e.kind, e.origin_point AS origin, e.point AS place, count(*) AS events
FROM events AS e
WHERE {where} AND e.point IS NOT NULL AND e.origin_point IS NOT NULL AND e.origin_point <> e.point
GROUP BY e.kind, e.origin_point, e.point
ORDER BY events DESC, e.kind, e.origin_point, e.point
"""


def map_groups(eng: Engine, f: Filters) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the map draws, counted: events per (map point, kind), and contacts per (kind, origin, place)."""
    w = where(f)
    points = eng.rows(MAP_POINTS.format(where=w.sql), w.params)
    routes = eng.rows(MAP_ROUTES.format(where=w.sql), w.params)
    return points, routes


BINS = {"month": "month", "quarter": "quarter", "year": "year"}
TIMELINE_BINS = """
SELECT e.kind AS lane, CAST(date_trunc('{width}', coalesce(e.start, e."end")) AS DATE) AS bin,
       count(*) AS events
FROM events AS e
WHERE {where} AND e."end" IS NOT NULL
GROUP BY e.kind, CAST(date_trunc('{width}', coalesce(e.start, e."end")) AS DATE)
ORDER BY lane, bin
"""


def timeline_bins(eng: Engine, f: Filters, width: str) -> list[dict[str, Any]]:
    """Dated events counted per kind and per month, quarter or year (of their start, or end when open)."""
    if width not in BINS:
        raise ValueError(f"bin width {width!r}: use one of {', '.join(BINS)}")
    w = where(f)
    return eng.rows(TIMELINE_BINS.format(width=BINS[width], where=w.sql), w.params)


LATEST = """
SELECT e.id, e.kind, e.summary, e.start, e."end", e.precision
FROM events AS e
WHERE {where}
ORDER BY (e."end" IS NULL), CASE WHEN e."end" IS NULL THEN e.ord ELSE -e.ord END
LIMIT $limit
"""


def latest(eng: Engine, f: Filters, limit: int) -> list[dict[str, Any]]:
    """The latest `limit` filtered events — dated ones latest first, then the undated — for the select box."""
    w = where(f)
    return eng.rows(LATEST.format(where=w.sql), {**w.params, "limit": limit})


ARTICLE_SPANS = """
SELECT s.event, s.start, s."end"
FROM sources AS s
WHERE s.article = $article AND s.event IN (SELECT e.id FROM events AS e WHERE {where})
ORDER BY s.ord
"""


def article_spans(eng: Engine, f: Filters, article: str) -> list[tuple[str, int, int]]:
    """The spans of one article that the filtered events cite: what the reading pane marks."""
    w = where(f)
    rows = eng.rows(ARTICLE_SPANS.format(where=w.sql), {**w.params, "article": article})
    return [(r["event"], int(r["start"]), int(r["end"])) for r in rows]


TIMELINE_MARKS = """
SELECT e.id, e.kind, e.start, e."end", e.precision
FROM events AS e
WHERE {where} AND e."end" IS NOT NULL
ORDER BY e.ord
LIMIT $limit
"""
ACTOR_LANES = """
SELECT p.actor, count(*) AS events
FROM participants AS p
WHERE p.event IN (SELECT e.id FROM events AS e WHERE {where} AND e."end" IS NOT NULL)
GROUP BY p.actor
ORDER BY events DESC, p.actor
LIMIT $limit
"""


def timeline_marks(eng: Engine, f: Filters, limit: int) -> list[dict[str, Any]]:
    """Dated filtered events, in corpus order, up to `limit`: the timeline's marks when it does not bin."""
    w = where(f)
    return eng.rows(TIMELINE_MARKS.format(where=w.sql), {**w.params, "limit": limit})


def actor_lanes(eng: Engine, f: Filters, limit: int) -> list[tuple[str, int]]:
    """The busiest actors of the dated filtered events and their counts: the timeline's actor lanes."""
    w = where(f)
    return [
        (r["actor"], int(r["events"]))
        for r in eng.rows(ACTOR_LANES.format(where=w.sql), {**w.params, "limit": limit})
    ]


def export_text(eng: Engine, f: Filters, fmt: str) -> str:
    from dashboard import export  # noqa: PLC0415

    return export.encode(export_records(eng, f), fmt)


__all__: Sequence[str] = (
    "ENGINES", "DuckDBEngine", "Filters", "SparkEngine", "Where", "actor_lanes", "article_spans", "count",
    "engine", "event_ids", "export_records", "export_text", "latest", "map_groups", "spark_session",
    "timeline_bins", "timeline_marks", "where",
)  # fmt: skip
